"""Background and periodic work for accounts, the audit trail and every app's jobs. Tasks only call services."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from wangge.core.audit import audit_record, audit_verify, request_context
from wangge.core.jobs import files as job_files
from wangge.core.jobs.sweep import recover_stalled
from wangge.core.models import LoginFailure
from wangge.core.notifications import deliver_stranded
from wangge.core.refusals import refusals_prune

logger = logging.getLogger(__name__)


def nightly_maintenance() -> dict[str, int]:
    """Drop expired sessions, stale lockout counters and old refusal counters; verify the audit chain and record the result."""
    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    stale = now - timedelta(minutes=settings.WANGGE_LOCKOUT_MINUTES)
    failures, _ = LoginFailure.objects.filter(last_failure_at__lt=stale).exclude(locked_until__gt=now).delete()
    refusals = refusals_prune(now=now)
    checked, problems = audit_verify()
    if problems and problems[0].key_mismatch:
        logger.error("audit trail not verified: %s", problems[0].message)
    elif problems:
        logger.error("audit trail damaged: %d problem(s), first at row %s", len(problems), problems[0].event_id)
    with request_context(ip="worker"), transaction.atomic():
        audit_record(
            actor=None,
            username="worker",
            action="audit.verify",
            result="ok" if not problems else "failed",
            detail={
                "checked": checked,
                "problems": len(problems),
                "key_mismatch": bool(problems and problems[0].key_mismatch),
                "sessions_removed": sessions,
                "failures_removed": failures,
                "refusal_counters_removed": refusals,
            },
        )
    return {
        "sessions": sessions,
        "failures": failures,
        "refusals": refusals,
        "checked": checked,
        "problems": len(problems),
    }


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_maintenance_task() -> dict[str, int]:
    return nightly_maintenance()


@db_periodic_task(crontab(minute="*/5"))
def jobs_housekeeping_task() -> None:
    """Jobs whose worker died are queued again (or failed), and job files past their retention removed."""
    recover_stalled()
    job_files.sweep(settings.WANGGE_LEDGER_RETENTION_DAYS * 86400)


@db_periodic_task(crontab(minute="*/15"))
def notifications_stranded_task() -> int:
    """Notifications whose delivery task was lost (the queue down at the commit) are sent on the next round."""
    return deliver_stranded()
