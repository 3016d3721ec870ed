"""A worker killed with SIGKILL in the middle of writing leaves the registry exactly as it was, and the
housekeeping queues the job again so that it is done once, in full."""

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
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.conftest import Tree
from tests.ledgers import builders
from wangge.core.jobs.registry import job_type
from wangge.core.jobs.sweep import recover_stalled
from wangge.core.models import HistoryEntry, User
from wangge.core.roles import Role
from wangge.ledgers import services
from wangge.ledgers.models import ImportJob
from wangge.people.models import Household, Membership, Person
from wangge.places.models import House

ROWS = 6000


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_kill_9_in_the_middle_of_the_write_changes_nothing_and_the_job_is_done_again(
    tree: Tree, make_user: Callable[..., User], new_id: Callable[..., str], ledger_dir: Path
) -> None:
    worker = make_user(Role.GRID_WORKER)
    rows: list[list[object]] = [["姓名", "身份证号码", "户号", "与户主关系", "小区", "楼栋", "房号"]]
    for n in range(ROWS):
        rows.append(
            [
                f"住户{n}",
                new_id(date(1940, 1, 1) + timedelta(days=n)),
                f"K{n // 3}",
                "户主" if n % 3 == 0 else "子",
                "杀进程小区",
                f"{n % 20}栋",
                f"{n % 900 + 101}",
            ]
        )
    job = services.import_upload(actor=worker, region=tree.grid_a1, file_name="大台账.xlsx", data=builders.xlsx(rows))
    services.import_check(actor=worker, job=job)
    services.run_check(str(job.pk))
    job.refresh_from_db()
    assert job.counts["new"] == ROWS, job.first_errors
    services.import_confirm(actor=worker, job=job)
    before = (
        Person.all_objects.count(),
        Household.all_objects.count(),
        Membership.objects.count(),
        House.all_objects.count(),
        HistoryEntry.objects.count(),
    )

    env = {**os.environ, "DATABASE_URL": _database_url(), "WANGGE_LEDGER_DIR": str(ledger_dir)}
    process = subprocess.Popen(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "ledger_run", str(job.pk)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    progress_file = ledger_dir / f"{job.pk}.progress"
    deadline = time.monotonic() + 120
    killed_at = None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            progress = json.loads(progress_file.read_text())
        except (OSError, ValueError):
            progress = {}
        # two thirds: the people are inserted, the households and memberships not yet
        if progress.get("phase") == "write" and progress.get("done", 0) >= progress.get("total", 1) * 2 // 3 > 0:
            os.kill(process.pid, signal.SIGKILL)
            killed_at = progress
            break
        time.sleep(0.01)
    process.wait(timeout=30)
    assert killed_at is not None, (
        process.stderr.read() if process.stderr else "the worker finished before it could be killed"
    )
    assert process.returncode == -signal.SIGKILL

    after = (
        Person.all_objects.count(),
        Household.all_objects.count(),
        Membership.objects.count(),
        House.all_objects.count(),
        HistoryEntry.objects.count(),
    )
    assert after == before
    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING  # the worker died without a word…
    assert recover_stalled(ImportJob, now=timezone.now() + timedelta(minutes=5)) == 0  # (not yet stale)
    HUEY.immediate = True
    try:
        assert recover_stalled(ImportJob, now=timezone.now() + timedelta(minutes=11)) == 1
    finally:
        HUEY.immediate = False
    job.refresh_from_db()  # …the housekeeping queued it again, and (the queue being immediate here) it ran
    assert job.state == ImportJob.State.DONE and job.attempts == 1, job.message
    assert Person.all_objects.count() == before[0] + ROWS


@pytest.mark.django_db
def test_a_job_that_keeps_stalling_fails_and_says_so(tree: Tree, make_user: Callable[..., User]) -> None:
    worker = make_user(Role.GRID_WORKER)
    job = ImportJob.objects.create(
        user=worker,
        region=tree.grid_a1,
        file_name="台账.xlsx",
        file_sha256="0" * 64,
        state=ImportJob.State.RUNNING,
        attempts=job_type(ImportJob).max_resumes,
        started_at=timezone.now() - timedelta(hours=1),
    )
    assert recover_stalled(ImportJob) == 1
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and "中断" in job.message
