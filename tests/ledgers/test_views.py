"""The ledger pages: upload, correct the mapping, check, confirm, watch, download; and exports."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from tests.conftest import Tree, sign_in
from tests.ledgers import builders
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.ledgers.models import ExportJob, ImportJob
from wangge.people.models import Person

pytestmark = pytest.mark.usefixtures("immediate_tasks")


@pytest.fixture
def worker(client_for: Callable[..., Client]) -> Client:
    return client_for(Role.GRID_WORKER)  # grid_a1


def _upload(client: Client, tree: Tree, data: bytes, name: str = "台账.xlsx") -> object:
    return client.post("/ledgers/", {"region": tree.grid_a1.pk, "file": SimpleUploadedFile(name, data)})


def test_upload_map_check_confirm_and_find_the_people(
    tree: Tree, worker: Client, new_id: Callable[..., str], django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    rows = [
        ["居民", "身份证号码", "手机号"],
        ["郑五", new_id(date(1960, 1, 1), "M"), "13800000003"],
        ["冯六", new_id(), ""],
    ]
    response = _upload(worker, tree, builders.xlsx(rows, title="第一网格台账"))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/ledgers/imports/{job.pk}/"
    page = worker.get(response.url)
    assert page.status_code == 200 and "居民" in page.content.decode() and "138****0003" in page.content.decode()
    # 居民 is not recognised: importing without a name column is refused with a message
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        worker.post(
            f"/ledgers/imports/{job.pk}/check/",
            {"col-0": "", "col-1": "id_number", "col-2": "phone", "on_existing": "update", "on_invalid": "stop"},
        )
    job.refresh_from_db()
    assert job.state == ImportJob.State.UPLOADED
    # the user maps it and checks
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        worker.post(
            f"/ledgers/imports/{job.pk}/check/",
            {"col-0": "name", "col-1": "id_number", "col-2": "phone", "on_existing": "update", "on_invalid": "stop"},
        )
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and job.counts["new"] == 2
    preview = worker.get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert 'data-testid="confirm"' in preview
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        worker.post(f"/ledgers/imports/{job.pk}/confirm/")
        worker.post(f"/ledgers/imports/{job.pk}/confirm/")  # pressed twice
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.result["created"] == 2
    assert Person.all_objects.count() == 2
    found = worker.get("/people/", {"q": "zw"}).content.decode()
    assert "郑五" in found
    progress = worker.get(f"/ledgers/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"
    assert AuditEvent.objects.filter(action="ledger.confirm").count() == 1


def test_bad_files_get_a_message_and_create_nothing(tree: Tree, worker: Client) -> None:
    response = _upload(worker, tree, b"%PDF-1.4 not a ledger", name="台账.pdf")
    assert response.status_code == 200 and ".xlsx" in response.content.decode()
    response = _upload(worker, tree, builders.csv_bytes([["a", "b"], ["1", "2"]]), name="x.csv")
    assert response.status_code == 200 and "姓名" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_error_report_downloads_and_others_cannot_see_the_job(
    tree: Tree,
    worker: Client,
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    _upload(worker, tree, builders.xlsx([["姓名", "出生日期"], ["坏", "1950-13-01"], ["好", "1950-12-01"]]))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        worker.post(
            f"/ledgers/imports/{job.pk}/check/",
            {"col-0": "name", "col-1": "birth_date", "on_existing": "update", "on_invalid": "stop"},
        )
    page = worker.get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert 'data-testid="refusal"' in page and "1950-13-01" in page
    report = worker.get(f"/ledgers/imports/{job.pk}/report.xlsx")
    assert report.status_code == 200
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(report.content)).get_sheet_by_index(0).to_python()
    assert rows[1][0] == "坏" and len(rows) == 2
    colleague = client_for(Role.GRID_WORKER)
    assert colleague.get(f"/ledgers/imports/{job.pk}/").status_code == 404
    assert colleague.get(f"/ledgers/imports/{job.pk}/report.xlsx").status_code == 404
    assert colleague.post(f"/ledgers/imports/{job.pk}/confirm/").status_code == 404


def test_the_blank_template_downloads(worker: Client) -> None:
    response = worker.get("/ledgers/template.xlsx")
    rows = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    )
    assert rows[0][:3] == ["姓名", "曾用名", "性别"] and rows[1][0] == "张三"


def test_an_exported_list_comes_back_in_as_unchanged(
    tree: Tree,
    client_for: Callable[..., Client],
    make_user: Callable[..., object],
    new_id: Callable[..., str],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    from wangge.core.roles import Cap
    from wangge.core.services import user_set_capabilities
    from wangge.people import services as people_services

    user = make_user(Role.GRID_WORKER, username="revealer")  # type: ignore[operator]
    user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=user, capabilities={Cap.REVEAL_SENSITIVE})  # type: ignore[operator]
    revealer = sign_in(Client(), User.objects.get(pk=user.pk))
    head = people_services.person_create(
        actor=None, region=tree.grid_a1, name="回环", id_number=new_id(), phone="13700000000", work_unit="粮食局"
    )
    people_services.household_create(actor=None, region=tree.grid_a1, number="R1", head=head)
    exported = revealer.get("/people/export.xlsx")
    assert exported.status_code == 200
    rows = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(exported.content)).get_sheet_by_index(0).to_python()
    )
    assert "证件号码" in rows[0] and "红粉白" in rows[0]
    response = revealer.post(
        "/ledgers/", {"region": tree.grid_a1.pk, "file": SimpleUploadedFile("导出.xlsx", exported.content)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        revealer.post(
            f"/ledgers/imports/{job.pk}/check/",
            {**{f"col-{i}": k for i, k in enumerate(job.mapping)}, "on_existing": "update", "on_invalid": "stop"},
        )
    job.refresh_from_db()
    assert job.counts["unchanged"] == 1 and job.counts["invalid"] == 0, job.first_errors


@override_settings(WANGGE_EXPORT_SYNC_MAX=1)
def test_a_large_export_runs_as_a_job_and_downloads_when_ready(
    tree: Tree, worker: Client, new_id: Callable[..., str], django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    from wangge.people import services as people_services

    for name in ("甲一", "甲二"):
        people_services.person_create(actor=None, region=tree.grid_a1, name=name, id_number=new_id())
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = worker.get("/people/export.xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/ledgers/exports/{job.pk}/"
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.rows == 2
    download = worker.get(f"/ledgers/exports/{job.pk}/?download=1")
    rows = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(download.content)).get_sheet_by_index(0).to_python()
    )
    assert {r[0] for r in rows[1:]} == {"甲一", "甲二"}
    assert "*" in rows[1][6]  # masked: the worker may not reveal
    assert AuditEvent.objects.filter(action="export.people").count() == 1


@override_settings(WANGGE_EXPORT_SYNC_MAX=0)
def test_a_built_export_keeps_no_search_text(
    tree: Tree, worker: Client, new_id: Callable[..., str], django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    from wangge.people import services as people_services

    number = new_id()
    people_services.person_create(actor=None, region=tree.grid_a1, name="甲三", id_number=number)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert worker.get("/people/export.xlsx", {"q": number}).status_code == 302
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.DONE and job.rows == 1
    assert job.query == ""  # it held the ID number typed in the search box
    assert number not in AuditEvent.objects.get(action="export.people").detail


@override_settings(WANGGE_EXPORT_SYNC_MAX=1)
def test_an_export_whose_worker_died_is_built_again_then_given_up(
    tree: Tree, worker: Client, new_id: Callable[..., str], immediate_tasks: None
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from wangge.core.jobs.registry import job_type
    from wangge.core.jobs.sweep import recover_stalled
    from wangge.people import services as people_services

    for name in ("乙一", "乙二"):
        people_services.person_create(actor=None, region=tree.grid_a1, name=name, id_number=new_id())
    user = User.objects.get(pk=worker.user.pk)  # type: ignore[attr-defined]
    job = ExportJob.objects.create(
        user=user, file_name="实有人口.xlsx", state=ExportJob.State.RUNNING, started_at=timezone.now()
    )  # as a worker killed while building it leaves it
    assert recover_stalled(ExportJob) == 0  # still within its time
    later = timezone.now() + timedelta(minutes=31)
    assert recover_stalled(ExportJob, now=later) == 1
    job.refresh_from_db()  # queued again, and (the queue being immediate here) built
    assert job.state == ExportJob.State.DONE and job.rows == 2 and job.attempts == 1
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.RUNNING, attempts=job_type(ExportJob).max_resumes, started_at=timezone.now()
    )
    assert recover_stalled(ExportJob, now=later) == 1
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED and "中断" in job.message


@override_settings(WANGGE_EXPORT_SYNC_MAX=1)
def test_a_background_export_says_so_and_shows_its_progress(
    tree: Tree, worker: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wangge.ledgers import exports
    from wangge.people import services as people_services

    for n in range(5):
        people_services.person_create(actor=None, region=tree.grid_a1, name=f"乙{n}")
    monkeypatch.setattr(exports, "_enqueue", lambda job_id: None)  # the worker has not started yet
    response = worker.get("/people/export.xlsx")
    job = ExportJob.objects.get()
    page = worker.get(response.url).content.decode()
    assert 'data-testid="export-progress"' in page and "0 / 5" in page  # the expected rows, before any is read
    listing = worker.get("/people/").content.decode()
    assert 'data-testid="my-exports"' in listing and f"/ledgers/exports/{job.pk}/" in listing
    # the worker reports as it goes; the page (polled) shows it
    from wangge.core import exports as export_engine

    monkeypatch.setattr(export_engine, "PROGRESS_EVERY", 2)
    seen: list[tuple[str, int, int]] = []
    real = exports.files.set_progress
    monkeypatch.setattr(
        exports.files,
        "set_progress",
        lambda job_id, *, phase, done, total: (
            seen.append((phase, done, total)),
            real(job_id, phase=phase, done=done, total=total),
        ),
    )
    exports.run_export(str(job.pk))
    assert seen == [("rows", 0, 5), ("rows", 2, 5), ("rows", 4, 5), ("file", 5, 5)]
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.rows == 5
    assert (
        'data-testid="export-download"'
        in worker.get(f"/ledgers/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    )


def test_the_ledger_pages_open_on_the_one_kind_that_says_so() -> None:
    from wangge.ledgers.kinds import all_kinds, front_kind

    assert [kind.key for kind in all_kinds() if kind.front] == ["people"]
    assert front_kind().key == "people"
