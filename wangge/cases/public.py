"""What a caller who is not staff (`wangge.core.actors.PublicActor`) may do with cases, and its own reports.

- Report only in a category marked public (`Category.is_public`), with its kind's source (居民自报 for a
  resident, Open311 for a client), normal urgency and no registry record named; a resident's confirmed
  mobile is the reporter's phone. `case_create` calls `check_report`.
- At most `WANGGE_<KIND>_REPORTS_PER_HOUR` / `_PER_DAY` reports, counted from the caller's own cases;
  a refusal is written to the trail as denied, for the security administrator (`check_report_quota`).
- Read its own reports only (`public_cases`, `public_case`): another caller's case is not found.
- Rate its own case once, when staff have verified it (`ACTIONS`: the rating closes it). `case_act`
  checks this before anything else.

Nothing here writes a case: the workflow's services do, with the same rules as for staff.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wangge.cases.choices import Action, Source, Urgency
from wangge.cases.models import Case, Category
from wangge.core.actors import PublicActor, PublicKind
from wangge.core.audit import audit_record
from wangge.core.errors import NotFound
from wangge.core.limits import Quota, check_quota
from wangge.core.models import AuditEvent

SOURCE = {PublicKind.RESIDENT: Source.PORTAL, PublicKind.OPEN311_CLIENT: Source.OPEN311}
ACTIONS = frozenset({Action.RATE})  # what a public caller may take through `case_act`, on its own case


def quotas(kind: str) -> list[Quota]:
    prefix = "WANGGE_RESIDENT" if kind == PublicKind.RESIDENT else "WANGGE_OPEN311"
    return [
        Quota(getattr(settings, f"{prefix}_REPORTS_PER_HOUR"), timedelta(hours=1)),
        Quota(getattr(settings, f"{prefix}_REPORTS_PER_DAY"), timedelta(days=1)),
    ]


def check_report_quota(actor: PublicActor, *, now: datetime) -> None:
    """Refuse a report past the caller's limits; the refusal is kept in the trail (its own transaction)."""

    def reported_since(moment: datetime) -> int:
        return Case.all_objects.filter(public_reporter=actor.key, reported_at__gte=moment).count()

    try:
        check_quota(reported_since, quotas(actor.kind), now=now, what=_("reports"))
    except ValidationError:
        with transaction.atomic():
            audit_record(
                actor=actor, action="case.report", result=AuditEvent.Result.DENIED, detail={"code": "rate_limited"}
            )
        raise


def check_report(
    actor: PublicActor, *, category: Category, source: str, urgency: str, names_record: bool, reporter_phone: str
) -> None:
    """What a public caller may report (the shared checks of `case_create` run as well)."""
    if not category.is_public:
        raise ValidationError(
            _("This category cannot be reported here; choose one of the categories offered to residents."),
            code="not_public_category",
        )
    if source != SOURCE[actor.kind]:
        raise ValidationError(
            _("A report from %(caller)s has the source %(source)s.")
            % {"caller": actor.label, "source": SOURCE[actor.kind].label},
            code="bad_source",
        )
    if urgency != Urgency.NORMAL:
        raise ValidationError(_("Residents' reports are of normal urgency; staff raise it."), code="bad_urgency")
    if names_record:
        raise ValidationError(_("A resident's report names no person or house of the registry."), code="no_record")
    if actor.kind == PublicKind.RESIDENT and reporter_phone and reporter_phone != actor.phone:
        raise ValidationError(
            _("A resident reports with the mobile number they confirmed."), code="not_the_confirmed_phone"
        )


def public_cases(*, actor: PublicActor) -> QuerySet[Case]:
    """The caller's own reports, newest first."""
    return (
        Case.objects.unscoped("a public caller's own reports")
        .filter(public_reporter=actor.key)
        .select_related("category")
        .order_by("-reported_at", "-id")
    )


def public_case(*, actor: PublicActor, number: str) -> Case:
    """One of the caller's own reports by its number; another's, or none, is not found (nothing leaks)."""
    case = public_cases(actor=actor).filter(number=str(number or "").strip()).first()
    if case is None:
        raise NotFound
    return case
