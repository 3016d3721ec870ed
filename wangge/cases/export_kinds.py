"""The case list as an export: the list's filters, the user's cases, reporter phones masked for everyone."""

from __future__ import annotations

from datetime import datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.cases import selectors
from wangge.cases.forms import case_filters
from wangge.core.exports import Column, ExportKind, Selection, described, register
from wangge.core.models import User
from wangge.core.roles import Cap

EXPORT_LIMIT = 100_000


def _time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def case_selection(user: User, params: QueryDict) -> Selection:
    _form, filters = case_filters(params, user)
    return Selection(rows=selectors.case_list(user=user, filters=filters), filters=described(params))


def case_columns(user: User) -> list[Column]:
    return [
        Column(_("Number"), lambda c: c.number),
        Column(_("Title"), lambda c: c.title),
        Column(_("Category"), lambda c: str(c.category)),
        Column(_("Source"), lambda c: c.get_source_display()),
        Column(_("Grid"), lambda c: c.region.name),
        Column(_("Address"), lambda c: c.address),
        Column(_("Reporter"), lambda c: c.reporter_name),
        Column(_("Reporter phone"), lambda c: c.reporter_phone_masked),  # masked in every export
        Column(_("State"), lambda c: c.get_state_display()),
        Column(_("Reported at"), lambda c: _time(c.reported_at)),
        Column(_("Due"), lambda c: _time(c.due_at)),
        Column(_("Deadline"), lambda c: c.get_deadline_status_display()),
        Column(_("Supervision"), lambda c: c.get_supervision_display() if c.supervision else ""),
        Column(_("Closed at"), lambda c: _time(c.closed_at)),
        Column(_("Rating"), lambda c: c.rating or ""),
    ]


register(
    ExportKind(
        code="cases",
        label=_("Cases"),
        file_name="cases.xlsx",
        select=case_selection,
        columns=case_columns,
        permission=lambda user: user.has_perm(Cap.EXPORT_LISTS) and user.has_perm(Cap.VIEW_CASES),
        limit=lambda user: EXPORT_LIMIT,
        object_type="cases.case",
    )
)
