"""The job models of every app, and what the sweep and the restart do with each of their states.

An app declares its job models in its own `jobs.py` (imported by `CoreConfig.ready`):

    register(
        ExportJob,
        working={ExportJob.State.RUNNING: Resume(to=ExportJob.State.QUEUED, enqueue=tasks.export_task)},
        failed=ExportJob.State.FAILED,
        given_up=gettext_lazy("The export was interrupted (the worker stopped). Export the list again."),
        stale_after=timedelta(minutes=30),
    )
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from wangge.core.jobs.models import Job

QUEUED_PHASE = "queued"  # the progress phase of a job waiting for a worker (no worker beats for it yet)


@dataclass(frozen=True)
class Resume:
    """How a job found in a working state without its worker is queued again."""

    to: str  # the state it waits in
    enqueue: Callable[[str], object]  # queues the worker's task for the job's id


@dataclass(frozen=True)
class JobType:
    model: type[Job]
    # The states in which a worker is at the job (and beats), with how each is queued again.
    working: Mapping[str, Resume]
    failed: str
    given_up: str | Promise  # the message of a job that stalled too often: the sweep fails it with it
    stale_after: timedelta = timedelta(minutes=10)  # the sweep's patience (the page says "interrupted" after a minute)
    max_resumes: int = 2  # the sweep queues a stalled job again this many times, then fails it
    total: Callable[[Job], int] = field(default=lambda job: 0)  # the progress total shown while it waits again


_TYPES: dict[type[Job], JobType] = {}
_discovered = False


def register(
    model: type[Job],
    *,
    working: Mapping[str, Resume],
    failed: str,
    given_up: str | Promise,
    stale_after: timedelta = timedelta(minutes=10),
    max_resumes: int = 2,
    total: Callable[[Job], int] | None = None,
) -> JobType:
    if model in _TYPES:
        raise ValueError(f"{model.__name__} is already registered as a job")
    job_type = JobType(
        model=model,
        working=dict(working),
        failed=failed,
        given_up=given_up,
        stale_after=stale_after,
        max_resumes=max_resumes,
        total=total or (lambda job: 0),
    )
    _TYPES[model] = job_type
    return job_type


def unregister(model: type[Job]) -> None:
    """For tests that register a job model of their own."""
    _TYPES.pop(model, None)


def job_type(job: Job | type[Job]) -> JobType:
    model = job if isinstance(job, type) else type(job)
    try:
        return _TYPES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not a registered job (wangge.core.jobs.registry.register)") from None


def enqueue(model: type[Job], state: str, job_id: str) -> None:
    """Queue the worker's task for a job that waits for `state` (the task its app registered for it),
    so that the services that queue a job need not import the tasks that call them."""
    job_type(model).working[state].enqueue(job_id)


def registered() -> list[JobType]:
    return list(_TYPES.values())


def discover() -> None:
    """Import every app's `jobs.py` once (called from CoreConfig.ready)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True
