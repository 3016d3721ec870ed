"""The audit trail as an export: the auditor's search, newest first; the export itself is a row of the trail."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wangge.core import selectors
from wangge.core.audit import event_actor_label
from wangge.core.exports import Column, ExportKind, Selection, register
from wangge.core.forms import audit_filters
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Cap

EXPORT_LIMIT = 100_000


def audit_selection(user: User, params: QueryDict) -> Selection:
    _form, filters = audit_filters(params)
    return Selection(
        rows=selectors.audit_search(actor=user, filters=filters), filters={k: str(v) for k, v in filters.items()}
    )


def audit_columns(user: User) -> list[Column]:
    return [
        Column(_("Time (UTC)"), lambda e: e.at.strftime("%Y-%m-%d %H:%M:%S")),
        Column(_("User"), event_actor_label),
        Column(_("Role"), lambda e: e.role),
        Column(_("Source address"), lambda e: e.ip),
        Column(_("Action"), lambda e: e.action),
        Column(_("Object type"), lambda e: e.object_type),
        Column(_("Object id"), lambda e: e.object_id),
        Column(_("Result"), lambda e: e.result),
        Column(_("Detail"), lambda e: e.detail),
        Column(_("Request id"), lambda e: e.request_id),
    ]


register(
    ExportKind(
        code="audit",
        label=_("Audit trail"),
        file_name="audit.xlsx",
        select=audit_selection,
        columns=audit_columns,
        permission=lambda user: user.has_perm(Cap.READ_AUDIT),
        limit=lambda user: EXPORT_LIMIT,
        object_type=AuditEvent._meta.label_lower,
    )
)
