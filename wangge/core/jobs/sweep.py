"""The stalled-job sweep: jobs of every registered model whose worker died mid-way are queued again, or failed.

A worker that dies leaves nothing of its job written (an import writes in one transaction, an
export stores its file only when complete), so the job can simply run again: up to the type's
`max_resumes` times, then it fails with the type's message. A worker stopped the ordinary way
(SIGINT, as the systemd unit does) finishes its job first and never gets here.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.utils import timezone

from wangge.core.jobs import files
from wangge.core.jobs.models import Job
from wangge.core.jobs.registry import QUEUED_PHASE, JobType, job_type, registered
from wangge.core.jobs.state import job_move

logger = logging.getLogger(__name__)


def _last_sign_of_life(job: Job) -> datetime:
    at = files.progress(job.pk).get("at")
    return datetime.fromtimestamp(at, tz=UTC) if at else job.started_at or job.created_at


def requeue(job: Job) -> bool:
    """Queue a job found without its worker again (one more attempt; the old worker, if alive after all,
    is fenced off by the attempt number). In the caller's transaction if any; False if it moved meanwhile."""
    kind = job_type(job)
    if job.state not in kind.working:
        return False
    if not job_move(
        job,
        from_states=[job.state],
        to=kind.working[job.state].to,
        attempt=job.attempts,
        attempts=job.attempts + 1,
        started_at=None,
    ):
        return False
    files.remove(job.pk, "cancel")
    files.set_progress(job.pk, phase=QUEUED_PHASE, done=0, total=kind.total(job))
    return True


def _recover(kind: JobType, now: datetime) -> int:
    stalled = 0
    for job in kind.model._default_manager.filter(state__in=list(kind.working)):
        if now - _last_sign_of_life(job) <= kind.stale_after:
            continue
        if job.attempts < kind.max_resumes:
            enqueue = kind.working[job.state].enqueue
            if requeue(job):
                stalled += 1
                logger.warning("job %s stalled (its worker stopped); queued again (attempt %d)", job.pk, job.attempts)
                enqueue(str(job.pk))
        elif job_move(job, from_states=[job.state], to=kind.failed, message=str(kind.given_up), finished_at=now):
            stalled += 1
    return stalled


def recover_stalled(model: type[Job] | None = None, *, now: datetime | None = None) -> int:
    """Sweep every registered job model (or only `model`); returns how many stalled jobs were found."""
    now = now or timezone.now()
    kinds = [job_type(model)] if model is not None else registered()
    return sum(_recover(kind, now) for kind in kinds)
