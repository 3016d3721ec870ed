"""The sweep walks every registered job model; a job's state moves once, and only for the run that holds it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import Tree
from wangge.core.jobs import files
from wangge.core.jobs.registry import job_type, registered
from wangge.core.jobs.state import job_move
from wangge.core.jobs.sweep import recover_stalled
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.ledgers.models import ExportJob, ImportJob

pytestmark = pytest.mark.django_db


def _import(user: User, tree: Tree, **fields: object) -> ImportJob:
    return ImportJob.objects.create(
        user=user, region=tree.grid_a1, file_name="台账.xlsx", file_sha256="0" * 64, **fields
    )


def test_the_ledgers_job_models_are_registered() -> None:
    models = {kind.model for kind in registered()}
    assert {ImportJob, ExportJob} <= models


def test_the_sweep_fails_dead_imports_and_exports_alike_and_leaves_a_live_one(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.GRID_WORKER)
    hour_ago = timezone.now() - timedelta(hours=1)
    dead_import = _import(
        user,
        tree,
        state=ImportJob.State.RUNNING,
        attempts=job_type(ImportJob).max_resumes,
        started_at=hour_ago,
    )
    dead_export = ExportJob.objects.create(
        user=user,
        file_name="实有人口.xlsx",
        state=ExportJob.State.RUNNING,
        attempts=job_type(ExportJob).max_resumes,
        started_at=hour_ago,
    )
    live = _import(user, tree, state=ImportJob.State.RUNNING, started_at=hour_ago)
    files.set_progress(live.pk, phase="write", done=10, total=100)  # its worker beats

    assert recover_stalled() == 2

    dead_import.refresh_from_db()
    dead_export.refresh_from_db()
    live.refresh_from_db()
    assert dead_import.state == ImportJob.State.FAILED and "中断" in dead_import.message
    assert dead_export.state == ExportJob.State.FAILED and "中断" in dead_export.message
    assert live.state == ImportJob.State.RUNNING and live.attempts == 0


def test_a_move_fenced_by_the_attempt_happens_only_for_the_run_that_holds_the_job(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    job = _import(make_user(Role.GRID_WORKER), tree, state=ImportJob.State.RUNNING, attempts=1)
    stale = ImportJob.objects.get(pk=job.pk)
    stale.attempts = 0  # what a worker started before the job was queued again noted
    assert not job_move(stale, from_states=[ImportJob.State.RUNNING], attempt=0, to=ImportJob.State.DONE)
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.RUNNING
    assert job_move(job, from_states=[ImportJob.State.RUNNING], attempt=1, to=ImportJob.State.DONE)
    assert not job_move(job, from_states=[ImportJob.State.RUNNING], to=ImportJob.State.FAILED)  # moved once
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.DONE
