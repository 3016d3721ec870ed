"""The audit trail: search and export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from wangge.core import selectors
from wangge.core.audit import audit_record, event_actor_label
from wangge.core.decorators import capability_required
from wangge.core.forms import AuditSearchForm
from wangge.core.roles import Cap
from wangge.core.xlsx import workbook_bytes, xlsx_response


def _audit_filters(request: HttpRequest) -> tuple[AuditSearchForm, dict[str, object]]:
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, {k: v for k, v in filters.items() if v not in (None, "")}


@capability_required(Cap.READ_AUDIT)
def audit_view(request: HttpRequest) -> HttpResponse:
    form, filters = _audit_filters(request)
    events = selectors.audit_search(actor=request.user, filters=filters)  # type: ignore[arg-type]
    with transaction.atomic():
        audit_record(actor=request.user, action="audit.search", detail=filters)  # type: ignore[arg-type]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@capability_required(Cap.READ_AUDIT)
def audit_export_view(request: HttpRequest) -> HttpResponse:
    _form, filters = _audit_filters(request)
    events = selectors.audit_search(actor=request.user, filters=filters)[:100_000]  # type: ignore[arg-type]
    with transaction.atomic():
        audit_record(actor=request.user, action="export.audit", detail=filters)  # type: ignore[arg-type]
    headers = [
        _("Time (UTC)"),
        _("User"),
        _("Role"),
        _("Source address"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Result"),
        _("Detail"),
        _("Request id"),
    ]
    rows = (
        [
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            event_actor_label(e),
            e.role,
            e.ip,
            e.action,
            e.object_type,
            e.object_id,
            e.result,
            e.detail,
            e.request_id,
        ]
        for e in events.iterator()
    )
    return xlsx_response("audit.xlsx", workbook_bytes(_("Audit trail"), headers, rows))
