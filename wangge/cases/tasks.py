"""The deadline sweep: yellow, overdue, escalation rules, and closing cases nobody rated. Tasks only call services."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from wangge.cases import services, stats, workflow
from wangge.cases.choices import Action, DeadlineStatus, State
from wangge.cases.models import Case, EscalationRule
from wangge.core import health
from wangge.core.actors import SYSTEM
from wangge.core.audit import request_context
from wangge.core.worktime import load_calendar

logger = logging.getLogger(__name__)


def sweep_deadlines(now: datetime | None = None) -> dict[str, int]:
    """Mark open cases yellow or overdue (escalating by rule), and close verified cases left unrated past their time."""
    now = now or timezone.now()
    calendar = load_calendar()
    rules = list(
        EscalationRule.objects.filter(is_active=True).select_related("category").prefetch_related("copy_regions")
    )
    counts = {"yellow": 0, "overdue": 0, "closed": 0}
    candidates = (
        Case.objects.unscoped("system sweep over every open case")
        .filter(state__in=list(workflow.OPEN), paused_since__isnull=True, stage_due_at__isnull=False)
        .exclude(deadline_status=DeadlineStatus.OVERDUE)
        .select_related("category", "region")
        .order_by("stage_due_at")
    )
    with request_context(ip="worker"):
        for case in candidates.iterator(chunk_size=500):
            status = workflow.deadline_status(calendar, case, now, case.category.yellow_percent)
            if status != case.deadline_status and services.case_deadline_mark(
                case=case, status=status, rules=rules, now=now
            ):
                counts[status] += 1
        unrated = (
            Case.objects.unscoped("system sweep closing unrated cases")
            .filter(state=State.VERIFIED, stage_due_at__lte=now)
            .only("pk")
        )
        for case in unrated.iterator(chunk_size=500):
            try:
                services.case_act(actor=SYSTEM, case=case, action=Action.CLOSE, now=now)
            except Exception:  # one bad row must not stop the sweep
                logger.exception("could not close case %s", case.pk)
            else:
                counts["closed"] += 1
    health.beat(health.SWEEP)
    return counts


@db_periodic_task(crontab(minute="*/10"))
def sweep_deadlines_task() -> dict[str, int]:
    counts = sweep_deadlines()
    counts["statistics"] = stats.refresh()  # the monthly statistics follow what the sweep changed
    return counts
