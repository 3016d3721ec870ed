"""Is a job's worker still at it? Workers beat whenever they report progress (per chunk of rows, so
every second or so), and a thread of the worker (`beating`) beats every `BEAT_EVERY` seconds in
between, while the job waits on a lock or builds a workbook without reporting; a job in a working
state whose last beat is older than `INTERRUPTED_AFTER` has lost its worker (killed, crashed,
machine restarted).

The beat is the progress file's time, not a column of the job's row: an import writes inside one
long transaction, and nobody else would see the row change before it commits (see `files`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from wangge.core.jobs import files
from wangge.core.jobs.models import Job
from wangge.core.jobs.registry import QUEUED_PHASE, job_type

INTERRUPTED_AFTER = timedelta(seconds=60)
BEAT_EVERY = 10.0  # seconds; well inside INTERRUPTED_AFTER


@contextmanager
def beating(job_id: object, *, every: float = BEAT_EVERY) -> Iterator[None]:
    """Beat for the job every `every` seconds while the worker runs it (the thread dies with the worker)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            files.beat(job_id)

    thread = threading.Thread(target=beat, name=f"job-beat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every)


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
