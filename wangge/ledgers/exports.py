"""The background side of exports (`wangge.core.exports`): a large export becomes an `ExportJob` built by the worker.

The engine decides when (a kind's `job_above`) and writes the audit row; here the job is recorded,
queued after commit and built with progress, the file stored (encrypted) only when complete. A job
whose worker died is queued again or failed by the jobs' sweep (`wangge/ledgers/jobs.py`).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from wangge.core import exports
from wangge.core.jobs import files
from wangge.core.jobs import registry as jobs
from wangge.core.jobs.state import job_move
from wangge.core.models import User
from wangge.ledgers.models import ExportJob


class ExportJobs:
    """Registered with the engine when the ledgers app starts (`LedgersConfig.ready`)."""

    def start(
        self, *, kind: exports.ExportKind, actor: User, query: str, file_name: str, full: bool, rows: int
    ) -> exports.Queued:
        job = ExportJob.objects.create(
            kind=kind.code, user=actor, query=query[:2000], file_name=file_name, full_values=full, rows=rows
        )  # `rows`: expected until the file is built, then written
        job_id = str(job.pk)
        transaction.on_commit(lambda: _enqueue(job_id))
        return exports.Queued(job_id, reverse("ledgers:export", args=[job.pk]))


def _enqueue(job_id: str) -> None:
    jobs.enqueue(ExportJob, ExportJob.State.RUNNING, job_id)  # the task ledgers/jobs.py registered


def run_export(job_id: str) -> ExportJob | None:
    """Worker: build a large export's file (any kind's: the job names it)."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or not job_move(
        job, from_states=[ExportJob.State.QUEUED], to=ExportJob.State.RUNNING, started_at=timezone.now()
    ):
        return job
    attempt = job.attempts  # queued again meanwhile (this worker thought dead), the file is the new run's to store
    try:
        total = job.rows

        def progress(phase: str, done: int) -> None:
            files.set_progress(job.pk, phase=phase, done=done, total=total)

        progress("rows", 0)
        kind = exports.kind_for(job.kind)
        content, rows = exports.run(kind, job.user, job.query, full=job.full_values, progress=progress)
        if ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.RUNNING, attempts=attempt).exists():
            files.store(job.pk, "export", content)
    except Exception as exc:
        job_move(
            job,
            from_states=[ExportJob.State.RUNNING],
            attempt=attempt,
            to=ExportJob.State.FAILED,
            message=str(exc)[:500],
            finished_at=timezone.now(),
        )
        raise
    # built: the search text (it may hold an ID number or a name) is not kept beside the file
    job_move(
        job,
        from_states=[ExportJob.State.RUNNING],
        attempt=attempt,
        to=ExportJob.State.DONE,
        rows=rows,
        finished_at=timezone.now(),
        query="",
    )
    job.refresh_from_db()
    return job
