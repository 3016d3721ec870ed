"""The audit trail: search and export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wangge.core import exports, selectors
from wangge.core.audit import audit_record
from wangge.core.decorators import capability_required
from wangge.core.forms import audit_filters
from wangge.core.roles import Cap


@capability_required(Cap.READ_AUDIT)
def audit_view(request: HttpRequest) -> HttpResponse:
    form, filters = audit_filters(request.GET)
    events = selectors.audit_search(actor=request.user, filters=filters)  # type: ignore[arg-type]
    with transaction.atomic():
        audit_record(actor=request.user, action="audit.search", detail=filters)  # type: ignore[arg-type]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@capability_required(Cap.READ_AUDIT)
def audit_export_view(request: HttpRequest) -> HttpResponse:
    """The auditor's search as .xlsx (`wangge/core/export_kinds.py`)."""
    return exports.response(exports.export(actor=request.user, code="audit", params=request.GET))  # type: ignore[arg-type]
