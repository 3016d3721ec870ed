"""Is a job's worker still at it? Workers beat whenever they report progress (per chunk of rows, so
every second or so); a job in a working state whose last beat is older than `INTERRUPTED_AFTER`
has lost its worker (killed, crashed, machine restarted).

The beat is the progress file's time, not a column of the job's row: an import writes inside one
long transaction, and nobody else would see the row change before it commits (see `files`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from wangge.core.jobs import files
from wangge.core.jobs.models import Job
from wangge.core.jobs.registry import QUEUED_PHASE, job_type

INTERRUPTED_AFTER = timedelta(seconds=60)


def last_beat(job: Job) -> datetime | None:
    """When the job's worker last reported; None if the job waits for a worker (none has it yet)."""
    progress = files.progress(job.pk)
    if progress.get("phase") == QUEUED_PHASE:
        return None
    at = progress.get("at")
    return datetime.fromtimestamp(at, tz=UTC) if at else job.started_at


def is_interrupted(job: Job, *, now: datetime | None = None) -> bool:
    """In a working state, but its worker has not beaten for `INTERRUPTED_AFTER`: nothing of it was written."""
    if job.state not in job_type(job).working:
        return False
    beat_at = last_beat(job)
    return beat_at is not None and (now or timezone.now()) - beat_at > INTERRUPTED_AFTER
