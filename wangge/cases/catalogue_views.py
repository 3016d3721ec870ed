"""The case catalogue as an Excel workbook: download it, upload it back with a preview, then import."""

from __future__ import annotations

import base64
import binascii

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wangge.cases import catalogue_services, catalogue_workbook
from wangge.core.audit import audit_record
from wangge.core.decorators import capability_required
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.core.xlsx import workbook_sheets_bytes, xlsx_response

MAX_UPLOAD = 2 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@capability_required(Cap.MANAGE_CASE_CATALOGUE)
def catalogue_export_view(request: HttpRequest) -> HttpResponse:
    """The categories and the escalation rules, one sheet each, with the columns the import reads."""
    with transaction.atomic():
        audit_record(actor=_user(request), action="export.case_catalogue", detail={})
    content = workbook_sheets_bytes(catalogue_workbook.export_sheets())
    return xlsx_response(f"事件类别-{timezone.localdate():%Y%m%d}.xlsx", content)


def _uploaded(request: HttpRequest) -> tuple[bytes, str] | None:
    """The workbook of this request: a fresh upload (preview) or the one carried by the preview form (import)."""
    upload = request.FILES.get("file")
    if upload is not None:
        # one byte past the limit is enough for the reader to refuse the file with its own message
        return upload.read(MAX_UPLOAD + 1), upload.name or ""
    try:
        return base64.b64decode(request.POST.get("data", ""), validate=True), request.POST.get("filename", "")
    except (binascii.Error, ValueError):
        return None


@capability_required(Cap.MANAGE_CASE_CATALOGUE)
@require_POST
def catalogue_import_view(request: HttpRequest) -> HttpResponse:
    """Upload → preview of what changes (nothing written); confirm → the same file imported whole, or nothing."""
    user = _user(request)
    uploaded = _uploaded(request)
    if not uploaded or not uploaded[0]:
        messages.error(request, _("Choose the workbook to upload."))
        return redirect("cases:catalogue")
    data, filename = uploaded
    plan = catalogue_workbook.catalogue_plan(data=data, filename=filename, user=user)
    if request.POST.get("action") == "confirm":
        try:
            counts = catalogue_services.catalogue_import(actor=user, plan=plan)
        except ValidationError:
            pass  # the plan changed since the preview: show it again with its errors
        else:
            messages.success(
                request,
                _(
                    "Catalogue imported: %(created)s categories added, %(changed)s changed; "
                    "%(rules_removed)s rules removed, %(rules_added)s added."
                )
                % counts,
            )
            return redirect("cases:catalogue")
    context = {
        "plan": plan,
        "data": base64.b64encode(data).decode() if plan.ok and len(data) <= MAX_UPLOAD else "",
        "filename": filename,
    }
    return render(request, "cases/catalogue_import.html", context)
