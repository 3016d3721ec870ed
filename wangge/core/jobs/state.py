"""The one way a background job changes state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wangge.core.jobs.models import Job


def job_move(job: Job, *, from_states: Sequence[str], to: str, attempt: int | None = None, **fields: Any) -> bool:
    """Change state only if the job is still in one of `from_states` (a double click moves it once).

    With `attempt`, only if the job has not been queued again since (`attempts` is still that value):
    a worker thought dead and restarted meanwhile finds its job taken and writes nothing.
    Returns whether the job moved; the instance follows.
    """
    rows = type(job)._default_manager.filter(pk=job.pk, state__in=list(from_states))
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    moved = rows.update(state=to, **fields)
    if moved:
        job.state = to
        for name, value in fields.items():
            setattr(job, name, value)
    return bool(moved)
