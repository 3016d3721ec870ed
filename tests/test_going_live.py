"""Going live, the whole path, as the README's production section does it: an empty database → the first
system administrator (one-time password, own password, authenticator) → the district created in the
console → the region tree and the roster imported from .xlsx through the pages, checked and written by
the task queue → a grid worker signs in with the slip's password, sets their own and reports a case →
the deadline sweep runs through the queue → a backup restored into a new database verifies its audit chain.

The queue is the configured one: SQLite's by default, Redis when REDIS_URL is set (CI runs this file
once more on Redis, on PostgreSQL too); its tasks are taken off the queue and run here, as a worker does.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from huey.contrib.djhuey import HUEY

from tests.core.test_backup import FreshDatabase, _keys, _manage
from tests.core.test_login import current_code
from tests.ledgers import builders
from wangge.cases.models import Case, Category
from wangge.core import health
from wangge.core.models import User
from wangge.ledgers.models import ImportJob
from wangge.regions.models import Assignment, Region

NEW_PASSWORD = "Wangge!Street2027"
TREE = [
    ["区域", "层级", "上级区域", "行政区划代码", "统计用区划代码", "网格编码", "户数（公示）", "人数（公示）"],
    ["永安街道", "街道", "咸安区", "", "", "", "", ""],
    ["三元社区", "社区", "永安街道", "", "421202001001", "", "", ""],
    ["第一网格", "网格", "三元社区", "", "", "SY-01", "612", "2131"],
    ["第二网格", "网格", "三元社区", "", "", "SY-02", "605", "2098"],
]
ROSTER = [
    ["姓名", "手机号", "职务", "所属网格", "职责", "专兼职"],
    ["唐少欢", "13871501101", "网格员", "第一网格", "入户走访，排查矛盾纠纷", "专职"],
    ["刘望霞", "13871501102", "网格员", "第二网格", "入户走访", "专职"],
]


def run_queue() -> int:
    """Take every task off the configured queue and run it, as `run_huey` does; how many ran."""
    ran = 0
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
        ran += 1
    return ran


def import_through_the_pages(client: Client, kind: str, region: Region, name: str, rows: list[list[Any]]) -> ImportJob:
    upload = SimpleUploadedFile(name, builders.xlsx(rows))
    response = client.post(f"/ledgers/kinds/{kind}/", {"region": region.pk, "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(kind=kind, file_name=name)
    form = {f"col-{i}": key for i, key in enumerate(job.mapping)} | {"on_existing": "update", "on_invalid": "stop"}
    client.post(f"/ledgers/imports/{job.pk}/check/", form)
    assert run_queue() >= 1  # the check, by the worker
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and not job.counts.get("invalid"), (job.message, job.first_errors)
    client.post(f"/ledgers/imports/{job.pk}/confirm/")
    assert run_queue() >= 1  # the import, by the worker
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.message
    return job


@pytest.fixture
def queue() -> Any:
    HUEY.immediate = False
    HUEY.flush()  # tasks other tests left behind are not this site's
    yield HUEY
    HUEY.flush()


@pytest.mark.django_db(transaction=True)
def test_from_an_empty_database_to_a_working_street(queue: Any, tmp_path: Path) -> None:
    if settings.REDIS_URL:
        assert type(HUEY).__name__ == "RedisHuey"
    media, ledgers = tmp_path / "media", tmp_path / "ledgers"
    with override_settings(MEDIA_ROOT=media, WANGGE_LEDGER_DIR=ledgers):
        _the_path(tmp_path)


def _the_path(tmp_path: Path) -> None:
    assert not User.objects.exists() and not Region.all_objects.exists()

    # The first system administrator, as README step 3 makes them.
    out = io.StringIO()
    call_command("create_admin", "--role", "system_admin", "zhangwei", "--full-name", "张伟", stdout=out)
    one_time = out.getvalue().split("One-time password: ")[1].split()[0]
    admin = Client()
    assert admin.post("/login/", {"username": "zhangwei", "password": one_time}).status_code == 302
    assert admin.get("/regions/").url == "/account/password/"  # nothing before their own password
    changed = admin.post(
        "/account/password/", {"old_password": one_time, "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert changed.status_code == 302
    assert admin.get("/regions/").url == "/account/2fa/"  # then the authenticator
    enrol = admin.get("/account/2fa/").content.decode()  # the QR code, and the key to type by hand
    device = TOTPDevice.objects.get(user__username="zhangwei")
    shown_key = enrol.split('<code class="user-select-all">')[1].split("<")[0].replace(" ", "")
    assert shown_key == base64.b32encode(device.bin_key).decode().rstrip("=")
    with time_machine.travel(timezone.now() + timedelta(seconds=1)):
        assert admin.post("/account/2fa/", {"code": current_code(device)}).status_code == 302
    assert admin.get("/regions/").status_code == 200

    # The district, then the tree and the people on duty from the street's spreadsheets.
    created = admin.post(
        "/regions/new/", {"level": "district", "name": "咸安区", "area_code": "421202", "sort_order": 1}
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    district = Region.all_objects.get(name="咸安区", parent=None)
    import_through_the_pages(admin, "regions", district, "咸安区-网格.xlsx", TREE)
    grid = Region.all_objects.get(name="第一网格")
    assert grid.parent is not None and grid.parent.name == "三元社区" and grid.grid_code == "SY-01"
    roster = import_through_the_pages(admin, "roster", district, "网格员花名册.xlsx", ROSTER)
    slips = admin.get(f"/ledgers/imports/{roster.pk}/slips/").content.decode()
    assert "唐少欢" in slips and "刘望霞" in slips
    passwords = [part.split("<")[0] for part in slips.split('data-testid="slip-password">')[1:]]
    assert len(passwords) == 2
    assert Assignment.all_objects.filter(region=grid, role="grid_worker", name="唐少欢").exists()

    # The grid worker signs in with the slip, sets their own password and reports a case.
    worker = Client()
    assert worker.post("/login/", {"username": "13871501101", "password": passwords[0]}).status_code == 302
    assert worker.get("/").url == "/account/password/"
    worker.post(
        "/account/password/",
        {"old_password": passwords[0], "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert worker.get("/").status_code == 200
    if not Category.objects.exists():  # seeded by a migration; an earlier transactional test may have flushed it
        from wangge.cases.catalogue import seed

        seed(Category)
    category = Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    assert category is not None
    report = {"region": grid.pk, "category": category.code, "title": "楼道堆放杂物", "client_key": "golive-1"}
    answer = worker.post("/api/v1/cases", json.dumps(report), content_type="application/json")
    assert answer.status_code == 201, answer.content
    case = Case.objects.unscoped("the test reads what the grid worker reported").get(title="楼道堆放杂物")
    assert case.region == grid
    assert case.steps.filter(actor__username="13871501101").exists()  # reported by the grid worker, in the timeline

    # The deadline sweep, through the queue, as the worker's schedule runs it.
    from wangge.cases.tasks import sweep_deadlines_task

    sweep_deadlines_task()
    assert run_queue() == 1
    beat = health.report()["checks"]["sweep"]
    assert beat["ok"], beat

    # A backup, restored into a new database with the kept keys: the audit chain verifies.
    call_command("backup", str(tmp_path / "backups"), stdout=io.StringIO())
    (file,) = (tmp_path / "backups").glob("wangge-backup-*.tar")
    database = FreshDatabase(tmp_path)
    try:
        env = {
            **_keys(),
            "DATABASE_URL": database.url,
            "WANGGE_MEDIA_ROOT": str(tmp_path / "restored" / "media"),
            "WANGGE_LEDGER_DIR": str(tmp_path / "restored" / "ledgers"),
        }
        restored = _manage("restore", str(file), env=env)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "Audit trail intact" in restored.stdout
        counted = _manage(
            "shell", "-c", "from wangge.cases.models import Case; print(Case.objects.unscoped('test').count())", env=env
        )
        assert counted.stdout.strip().splitlines()[-1] == "1", counted.stderr
    finally:
        database.drop()
