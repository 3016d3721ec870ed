"""What a user does to a job of any feature: restart one whose worker died."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record
from wangge.core.jobs.heartbeat import is_interrupted
from wangge.core.jobs.models import Job
from wangge.core.jobs.registry import job_type
from wangge.core.jobs.sweep import requeue
from wangge.core.models import User


class JobError(ValueError):
    """A job cannot do what was asked; `str()` is the message to show."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def job_restart(*, actor: User, job: Job) -> Job:
    """Queue again, from the step it was at, a job whose worker stopped (its page says "interrupted").

    Only its owner may; a job whose worker is still at it, or that has finished, is refused. Nothing of
    the interrupted run was written, so the job runs once more in full; should its old worker be alive
    after all, it finds the job taken from it and writes nothing.
    """
    if job.user_id != actor.pk:
        raise PermissionDenied(_("This job belongs to another user."))
    kind = job_type(job)
    if job.state not in kind.working:
        raise JobError(_("This job is not running: there is nothing to restart."), code="not_running")
    if not is_interrupted(job):
        raise JobError(_("This job is still running: its worker reported a moment ago."), code="alive")
    resume = kind.working[job.state]
    was = job.state
    with transaction.atomic():
        if not requeue(job):
            raise JobError(_("This job changed meanwhile; reload the page."), code="changed")
        audit_record(actor=actor, action="job.restart", obj=job, detail={"state": was, "attempt": job.attempts})
        job_id = str(job.pk)
        transaction.on_commit(lambda: resume.enqueue(job_id))
    return job
