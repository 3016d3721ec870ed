"""A job whose worker died: its page says "interrupted" (nothing written) after a minute without a heartbeat, and
its owner restarts it; a worker thought dead but alive after all writes nothing; the write's progress moves."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tests.conftest import Tree
from tests.ledgers import builders
from wangge.core.jobs import files
from wangge.core.jobs.heartbeat import is_interrupted
from wangge.core.jobs.services import JobError, job_restart
from wangge.core.jobs.state import job_move
from wangge.core.jobs.sweep import requeue
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.ledgers import services
from wangge.ledgers.models import ExportJob, ImportJob
from wangge.people.models import Person

pytestmark = pytest.mark.django_db
State = ImportJob.State


def _confirmed(actor: User, tree: Tree, new_id: Callable[..., str], rows: int = 12) -> ImportJob:
    sheet: list[list[object]] = [["姓名", "身份证号码", "户号", "与户主关系"]]
    for n in range(rows):
        sheet.append(
            [f"重启{n}", new_id(date(1950, 1, 1) + timedelta(days=n)), f"C{n // 3}", "户主" if n % 3 == 0 else "子"]
        )
    job = services.import_upload(actor=actor, region=tree.grid_a1, file_name="重启.xlsx", data=builders.xlsx(sheet))
    services.import_check(actor=actor, job=job)
    services.run_check(str(job.pk))
    job.refresh_from_db()
    assert job.counts["new"] == rows, job.first_errors
    services.import_confirm(actor=actor, job=job)
    return job


def _died_writing(job: ImportJob, *, beat_ago: timedelta) -> None:
    """As a worker leaves the job when it is killed mid-write: RUNNING, its last beat `beat_ago`."""
    assert job_move(job, from_states=[State.QUEUED], to=State.RUNNING, started_at=timezone.now() - beat_ago)
    with time_machine.travel(timezone.now() - beat_ago, tick=False):
        files.set_progress(job.pk, phase="write", done=3, total=job.counts["rows"])


@pytest.fixture
def worker(client_for: Callable[..., Client]) -> Client:
    return client_for(Role.GRID_WORKER)


def test_a_job_silent_for_a_minute_shows_interrupted_and_its_restart_imports_it_once(
    tree: Tree,
    worker: Client,
    new_id: Callable[..., str],
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    owner = User.objects.get(pk=worker.user.pk)  # type: ignore[attr-defined]
    job = _confirmed(owner, tree, new_id)
    before = Person.all_objects.count()
    _died_writing(job, beat_ago=timedelta(seconds=30))
    page = worker.get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert 'data-testid="interrupted"' not in page and 'data-testid="progress"' in page  # 30 s: still at it

    with time_machine.travel(timezone.now() - timedelta(seconds=61), tick=False):  # its last beat, a minute ago
        files.set_progress(job.pk, phase="write", done=3, total=job.counts["rows"])
    page = worker.get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert 'data-testid="interrupted"' in page and 'data-testid="interrupted-badge"' in page
    assert "中断" in page and "一条也没有写入" in page and 'data-testid="restart"' in page
    assert 'data-testid="progress"' not in page
    polled = worker.get(f"/ledgers/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"  # the page polling the bar reloads itself into the interrupted state
    listing = worker.get("/ledgers/").content.decode()
    assert 'data-testid="interrupted-badge"' in listing

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = worker.post(f"/ledgers/imports/{job.pk}/restart/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == State.DONE and job.attempts == 1, job.message
    assert Person.all_objects.count() == before + 12
    assert Person.all_objects.filter(name="重启0").count() == 1
    event = AuditEvent.objects.get(action="job.restart")
    assert event.object_id == str(job.pk) and State.RUNNING in event.detail
    page = worker.get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert 'data-testid="result"' in page and 'data-testid="interrupted"' not in page


def test_an_interrupted_check_is_checked_again(
    tree: Tree,
    make_user: Callable[..., User],
    new_id: Callable[..., str],
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    owner = make_user(Role.GRID_WORKER)
    job = services.import_upload(
        actor=owner,
        region=tree.grid_a1,
        file_name="查.xlsx",
        data=builders.xlsx([["姓名", "身份证号码"], ["甲", new_id()]]),
    )
    services.import_check(actor=owner, job=job)  # queued (its commit never comes here: nothing ran)
    assert not is_interrupted(job)  # waiting for a worker is not being interrupted
    with time_machine.travel(timezone.now() - timedelta(minutes=2), tick=False):
        files.set_progress(job.pk, phase="check", done=0, total=1)  # a worker began, then died
    assert is_interrupted(job)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        job_restart(actor=owner, job=job)
    job.refresh_from_db()
    assert job.state == State.CHECKED and job.attempts == 1 and job.counts["new"] == 1


def test_restart_is_refused_for_a_live_job_a_finished_one_and_another_users(
    tree: Tree,
    worker: Client,
    client_for: Callable[..., Client],
    new_id: Callable[..., str],
) -> None:
    owner = User.objects.get(pk=worker.user.pk)  # type: ignore[attr-defined]
    job = _confirmed(owner, tree, new_id)
    _died_writing(job, beat_ago=timedelta(seconds=5))  # it beat five seconds ago: alive
    with pytest.raises(JobError) as refused:
        job_restart(actor=owner, job=job)
    assert refused.value.code == "alive"
    response = worker.post(f"/ledgers/imports/{job.pk}/restart/")
    assert response.status_code == 302
    assert "仍在进行" in worker.get(response.url).content.decode()
    job.refresh_from_db()
    assert job.state == State.RUNNING and job.attempts == 0

    with time_machine.travel(timezone.now() - timedelta(minutes=2), tick=False):
        files.set_progress(job.pk, phase="write", done=3, total=12)  # now dead …
    stranger = client_for(Role.GRID_WORKER)
    other = User.objects.get(pk=stranger.user.pk)  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        job_restart(actor=other, job=job)  # … but not theirs
    assert stranger.post(f"/ledgers/imports/{job.pk}/restart/").status_code == 404
    job.refresh_from_db()
    assert job.state == State.RUNNING and job.attempts == 0
    assert not AuditEvent.objects.filter(action="job.restart").exists()

    ImportJob.objects.filter(pk=job.pk).update(state=State.DONE)
    job.refresh_from_db()
    with pytest.raises(JobError) as refused:
        job_restart(actor=owner, job=job)
    assert refused.value.code == "not_running"


def test_a_worker_thought_dead_and_restarted_meanwhile_writes_nothing(
    tree: Tree, make_user: Callable[..., User], new_id: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = make_user(Role.GRID_WORKER)
    job = _confirmed(owner, tree, new_id)
    before = Person.all_objects.count()
    real = files.set_progress
    taken: list[bool] = []

    def restarted_while_silent(job_id: object, **progress: object) -> None:
        if not taken:  # its first beat: meanwhile the owner restarted the job, which it silently kept writing
            taken.append(False)
            taken[0] = requeue(ImportJob.objects.get(pk=job_id))
        real(job_id, **progress)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "set_progress", restarted_while_silent)
    services.run_import(str(job.pk))  # the old worker: writes the whole file, then finds the job taken
    monkeypatch.undo()
    job.refresh_from_db()
    assert taken == [True]
    assert job.state == State.QUEUED and job.attempts == 1
    assert Person.all_objects.count() == before  # rolled back
    services.run_import(str(job.pk))  # the new run
    job.refresh_from_db()
    assert job.state == State.DONE and Person.all_objects.count() == before + 12


def test_cancelling_an_interrupted_import_ends_it_at_once(
    tree: Tree, make_user: Callable[..., User], new_id: Callable[..., str]
) -> None:
    owner = make_user(Role.GRID_WORKER)
    job = _confirmed(owner, tree, new_id)
    _died_writing(job, beat_ago=timedelta(minutes=2))
    services.import_cancel(actor=owner, job=job)
    job.refresh_from_db()
    assert job.state == State.CANCELLED


def test_an_interrupted_export_is_built_again_by_its_owner(
    tree: Tree,
    worker: Client,
    new_id: Callable[..., str],
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    from wangge.people import services as people_services

    people_services.person_create(actor=None, region=tree.grid_a1, name="丙一", id_number=new_id())
    owner = User.objects.get(pk=worker.user.pk)  # type: ignore[attr-defined]
    job = ExportJob.objects.create(
        user=owner, file_name="实有人口.xlsx", state=ExportJob.State.RUNNING, started_at=timezone.now()
    )
    with time_machine.travel(timezone.now() - timedelta(minutes=2), tick=False):
        files.set_progress(job.pk, phase="rows", done=0, total=1)
    page = worker.get(f"/ledgers/exports/{job.pk}/").content.decode()
    assert 'data-testid="export-interrupted"' in page and "重新生成" in page
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert worker.post(f"/ledgers/exports/{job.pk}/restart/").status_code == 302
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.rows == 1 and job.attempts == 1


def test_the_progress_moves_during_the_write(
    tree: Tree, make_user: Callable[..., User], new_id: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wangge.ledgers import people_write

    monkeypatch.setattr(people_write, "BATCH", 4)  # three batches of people for twelve rows
    owner = make_user(Role.GRID_WORKER)
    job = _confirmed(owner, tree, new_id)
    seen: list[tuple[str, int, int]] = []
    real = files.set_progress
    monkeypatch.setattr(
        files,
        "set_progress",
        lambda job_id, *, phase, done, total: (
            seen.append((phase, done, total)),
            real(job_id, phase=phase, done=done, total=total),
        ),
    )
    services.run_import(str(job.pk))
    written = [done for phase, done, total in seen if phase == "write"]
    between = sorted({done for done in written if 0 < done < 12})
    assert len(between) >= 3, written  # people batch by batch, then the households: not only 0 and the end
    assert written == sorted(written) and written[-1] == 12


def test_a_worker_beats_while_it_reports_nothing(tree: Tree, make_user: Callable[..., User]) -> None:
    """Waiting on a lock or building a workbook, the worker's thread keeps the job alive; the figures stay."""
    from wangge.core.jobs.heartbeat import beating

    job_id = "beat-test"
    with time_machine.travel(timezone.now() - timedelta(minutes=5), tick=False):
        files.set_progress(job_id, phase="write", done=7, total=12)
    stale = files.progress(job_id)["at"]
    with beating(job_id, every=0.05):
        deadline = time.monotonic() + 5
        while files.progress(job_id)["at"] == stale and time.monotonic() < deadline:
            time.sleep(0.02)
    beaten = files.progress(job_id)
    assert beaten["at"] > stale + 250 and (beaten["phase"], beaten["done"], beaten["total"]) == ("write", 7, 12)


def test_restart_refused_to_an_owner_no_longer_allowed_in_the_region(
    tree: Tree, worker: Client, new_id: Callable[..., str]
) -> None:
    from wangge.regions import services as region_services

    owner = User.objects.get(pk=worker.user.pk)  # type: ignore[attr-defined]
    job = _confirmed(owner, tree, new_id)
    _died_writing(job, beat_ago=timedelta(minutes=2))
    region_services.scope_set(actor=None, user=owner, regions=[tree.grid_a2])  # moved to another grid meanwhile
    assert worker.post(f"/ledgers/imports/{job.pk}/restart/").status_code in (403, 404)
    job.refresh_from_db()
    assert job.state == State.RUNNING and job.attempts == 0
    assert not AuditEvent.objects.filter(action="job.restart").exists()
