"""On the Redis queue of production: a job survives its worker. Killed (SIGKILL) mid-import, the job is queued
again by the housekeeping and a new worker does it, once; stopped the ordinary way (SIGINT, as systemd does),
the worker finishes the job before it exits. CI runs this in its Redis step."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.conftest import Tree
from tests.ledgers import builders
from tests.ledgers.test_kill import _database_url
from wangge.core.jobs.sweep import recover_stalled
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.ledgers import services
from wangge.ledgers.models import ImportJob
from wangge.people.models import Person

ROWS = 6000
pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI's Redis step sets it)")


def _worker(ledger_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "WANGGE_LEDGER_DIR": str(ledger_dir),
        "WANGGE_LEDGER_WORKERS": "1",
    }
    return subprocess.Popen(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "run_huey", "--workers", "1", "--no-periodic"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_write(process: subprocess.Popen[bytes], progress_file: Path, share: float) -> bool:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            progress = json.loads(progress_file.read_text())
        except (OSError, ValueError):
            progress = {}
        if progress.get("phase") == "write" and progress.get("done", 0) >= progress.get("total", 1) * share > 0:
            return True
        time.sleep(0.01)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_job_survives_its_worker_on_redis(
    tree: Tree, make_user: Callable[..., User], new_id: Callable[..., str], ledger_dir: Path
) -> None:
    assert type(HUEY).__name__ == "RedisHuey"
    HUEY.flush()
    worker = make_user(Role.GRID_WORKER)
    rows: list[list[object]] = [["姓名", "身份证号码", "户号", "与户主关系", "小区", "楼栋", "房号"]]
    for n in range(ROWS):
        relation = "户主" if n % 3 == 0 else "子"
        birth = date(1940, 1, 1) + timedelta(days=n)
        rows.append([f"住户{n}", new_id(birth), f"R{n // 3}", relation, "重启小区", f"{n % 20}栋", f"{n % 900 + 101}"])
    job = services.import_upload(actor=worker, region=tree.grid_a1, file_name="重启.xlsx", data=builders.xlsx(rows))
    services.import_check(actor=worker, job=job)
    services.run_check(str(job.pk))  # the check runs here; the import goes through Redis
    HUEY.flush()  # (the check's own task, queued by import_check, is not wanted)
    job.refresh_from_db()
    assert job.counts["new"] == ROWS, job.first_errors
    before = Person.all_objects.count()
    services.import_confirm(actor=worker, job=job)
    assert HUEY.pending_count() == 1
    progress_file = ledger_dir / f"{job.pk}.progress"

    first = _worker(ledger_dir)
    caught = _wait_for_write(first, progress_file, 1 / 3)
    first.kill()  # SIGKILL: no goodbye
    first.wait(timeout=30)
    assert caught, first.stderr.read() if first.stderr else "the worker finished before it could be killed"
    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING and Person.all_objects.count() == before
    assert HUEY.pending_count() == 0  # the task left Redis with the dead worker …

    assert recover_stalled(ImportJob, now=timezone.now() + timedelta(minutes=11)) == 1
    assert HUEY.pending_count() == 1  # … and the housekeeping put the job back
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED and job.attempts == 1

    second = _worker(ledger_dir)
    caught = _wait_for_write(second, progress_file, 1 / 3)
    second.send_signal(signal.SIGINT)  # systemd's stop (KillSignal=SIGINT): finish the job, then exit
    second.wait(timeout=120)
    assert caught, second.stderr.read() if second.stderr else "the second worker finished before the restart"
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, (job.state, job.message)
    assert job.result["created"] == ROWS and Person.all_objects.count() == before + ROWS
    assert Person.all_objects.filter(name="住户0").count() == 1
