"""Pages of the service catalogue: the staff console (list, edit, versions) and the public notices."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from wangge.core.decorators import capability_required
from wangge.core.forms import validation_text
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.window import catalogue
from wangge.window.forms import ItemForm, NoticeForm, posted_materials
from wangge.window.models import NoticeMaterial, ServiceItem, ServiceNotice

BLANK_MATERIAL_ROWS = 3
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _item_fields(form: ItemForm) -> dict[str, Any]:
    return {name: value for name, value in form.cleaned_data.items() if name != "code"}


@capability_required(Cap.MANAGE_SERVICE_CATALOGUE)
def catalogue_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    items = catalogue.item_search(q, active_only=False).select_related("notice")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"q": q, "page": page, "items": page.object_list, "query": urlencode({"q": q}) if q else ""}
    return render(request, "window/catalogue.html", context)


@capability_required(Cap.MANAGE_SERVICE_CATALOGUE)
def item_create_view(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = catalogue.item_create(actor=_user(request), code=form.cleaned_data["code"], **_item_fields(form))
        except ValidationError as exc:
            form.add_error(None, validation_text(exc))
        else:
            messages.success(request, _("Item added: now publish its notice (一次性告知)."))
            return redirect("window:item_edit", code=item.code)
    return render(request, "window/item_create.html", {"form": form})


def _material_rows(notice: ServiceNotice | None, posted: list[dict[str, str]] | None) -> list[dict[str, Any]]:
    if posted is not None:
        rows: list[dict[str, Any]] = [row for row in posted if row["name"].strip()]
    elif notice is not None:
        rows = [{"name": m.name, "form": m.form, "copies": m.copies, "notes": m.notes} for m in notice.materials.all()]
    else:
        rows = []
    return rows + [{"name": "", "form": NoticeMaterial.Form.ORIGINAL, "copies": 1, "notes": ""}] * BLANK_MATERIAL_ROWS


@capability_required(Cap.MANAGE_SERVICE_CATALOGUE)
def item_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    """The item's fields, and a new version of its notice (the current one is never changed)."""
    item = get_object_or_404(ServiceItem.objects.select_related("notice"), code=code)
    notice = item.notice
    initial_item = {f: getattr(item, f) for f in catalogue.ITEM_FIELDS}
    initial_notice = {f: getattr(notice, f) for f in catalogue.NOTICE_FIELDS} if notice else {}
    action = request.POST.get("action") if request.method == "POST" else None
    item_form = ItemForm(request.POST if action == "item" else None, initial=initial_item, editing=True)
    notice_form = NoticeForm(request.POST if action == "notice" else None, initial=initial_notice)
    posted = posted_materials(request.POST) if action == "notice" else None
    if action == "item" and item_form.is_valid():
        try:
            catalogue.item_update(actor=_user(request), item=item, **_item_fields(item_form))
        except ValidationError as exc:
            item_form.add_error(None, validation_text(exc))
        else:
            messages.success(request, _("Item saved."))
            return redirect("window:item_edit", code=item.code)
    elif action == "notice" and notice_form.is_valid():
        try:
            published = catalogue.notice_publish(
                actor=_user(request), item=item, materials=posted or [], **notice_form.cleaned_data
            )
        except ValidationError as exc:
            notice_form.add_error(None, validation_text(exc))
        else:
            messages.success(request, _("Notice version %(version)s published.") % {"version": published.version})
            return redirect("window:item_edit", code=item.code)
    context = {
        "item": item,
        "item_form": item_form,
        "notice_form": notice_form,
        "materials": _material_rows(notice, posted),
        "material_forms": NoticeMaterial.Form.choices,
    }
    return render(request, "window/item_edit.html", context, status=400 if action else 200)


@capability_required(Cap.MANAGE_SERVICE_CATALOGUE)
def item_versions_view(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(ServiceItem, code=code)
    notices = item.notices.select_related("created_by").prefetch_related("materials")
    return render(request, "window/item_versions.html", {"item": item, "notices": notices})


# --- public pages: no login; what a resident needs, nothing internal (no author, no versions, no inactive item) ---


def _public_item(code: str) -> ServiceItem:
    item = get_object_or_404(
        ServiceItem.objects.select_related("notice"), code=code, is_active=True, notice__isnull=False
    )
    return item


def public_list_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    items = catalogue.item_search(q).filter(notice__isnull=False)
    return render(request, "window/public_list.html", {"q": q, "items": items})


def public_item_view(request: HttpRequest, code: str) -> HttpResponse:
    item = _public_item(code)
    assert item.notice is not None
    return render(
        request,
        "window/public_item.html",
        {"item": item, "notice": item.notice, "materials": item.notice.materials.all()},
    )


def public_print_view(request: HttpRequest, code: str) -> HttpResponse:
    item = _public_item(code)
    assert item.notice is not None
    return render(
        request,
        "window/public_print.html",
        {"item": item, "notice": item.notice, "materials": item.notice.materials.all()},
    )
