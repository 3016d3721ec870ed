"""The case console: work lists, export, quick report, case page with its timeline, one action endpoint, statistics."""

from __future__ import annotations

import mimetypes
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wangge.cases import catalogue_services, selectors, services, stats
from wangge.cases.action_input import case_act_posted
from wangge.cases.choices import Action, HandlingLevel
from wangge.cases.departments import departments_serving, departments_with_handlers
from wangge.cases.forms import (
    SUPERVISION_LEVELS,
    ActionForm,
    CaseReportForm,
    CategoryLimitsForm,
    EscalationRuleForm,
    case_filters,
)
from wangge.cases.models import Case, CaseAttachment, Category, EscalationRule
from wangge.cases.sketch import grid_sketch
from wangge.core import exports, notifications
from wangge.core.decorators import capability_required
from wangge.core.models import User
from wangge.core.natural import natural_key
from wangge.core.roles import Cap
from wangge.people.selectors import PersonFilters, people_search, people_visible
from wangge.places.models import House
from wangge.regions.models import Level, Region
from wangge.regions.selectors import grids_visible, in_tree_order, only_grid, regions_visible

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@capability_required(Cap.VIEW_CASES)
def list_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form, filters = case_filters(request.GET, user)
    cases = selectors.case_list(user=user, filters=filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "current": filters.list or "all",
        "unread": notifications.unread_count(user=user),
    }
    return render(request, "cases/list.html", context)


@capability_required(Cap.EXPORT_LISTS)
def export_view(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx, reporter phones masked."""
    return exports.response(exports.export(actor=_user(request), code="cases", params=request.GET))


def _about(user: User, query: Any, initial: dict[str, Any]) -> str:
    """`?person=` or `?house=` from a registry card: the report concerns them, in their grid."""
    if query.get("person", "").isdecimal():
        person = people_visible(user=user).filter(pk=query["person"]).first()
        if person is not None:
            initial.update(person=person.pk, region=person.region_id, reporter_name=person.name)
            return person.name
    if query.get("house", "").isdecimal():
        house = House.objects.for_user(user).filter(pk=query["house"]).select_related("building__compound").first()
        if house is not None:
            initial.update(house=house.pk, region=house.region_id)
            return str(house)
    return ""


@capability_required(Cap.REPORT_CASES)
def create_view(request: HttpRequest) -> HttpResponse:
    """The quick report, sized for a phone. The hidden client key makes a double submit create one case."""
    user = _user(request)
    grids = grids_visible(user=user)
    initial: dict[str, Any] = {"client_key": uuid.uuid4().hex}
    initial["region"] = only_grid(user=user)
    about = _about(user, request.GET, initial)
    form = CaseReportForm(request.POST or None, request.FILES or None, grids=grids, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = people_visible(user=user).filter(pk=data["person"]).first() if data["person"] else None
            house = House.objects.for_user(user).filter(pk=data["house"]).first() if data["house"] else None
            created = services.case_create(
                actor=user,
                region=data["region"],
                category=data["category"],
                title=data["title"],
                description=data["description"],
                source=data["source"],
                urgency=data["urgency"],
                address=data["address"],
                lat=data["lat"],
                lng=data["lng"],
                person=person,
                house=house,
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                client_key=data["client_key"],
                photos=[(data["photo"], "before")] if data["photo"] else [],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            if created.created:
                messages.success(request, _("Case %(number)s reported.") % {"number": created.case.number})
            return redirect("cases:detail", created.case.pk)
    find = request.GET.get("find", "").strip()[:50]
    found = (
        list(people_search(user=user, filters=PersonFilters(q=find)).order_by("name_pinyin", "id")[:10]) if find else []
    )
    return render(request, "cases/create.html", {"form": form, "about": about, "find": find, "found": found})


@capability_required(Cap.VIEW_CASES)
def photo_view(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    """A case photo, to those who may see the case: photos of people's homes are never public files."""
    case = selectors.case_get(user=_user(request), case_id=case_id)
    attachment = get_object_or_404(CaseAttachment, pk=attachment_id, case=case)
    try:
        handle = attachment.image.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=mimetypes.guess_type(attachment.image.name)[0] or "image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required(Cap.VIEW_CASES)
def detail_view(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    allowed = services.allowed_actions(actor=user, case=case)
    departments = departments_serving(case.region)
    context = {
        "case": case,
        "steps": case.steps.all(),
        "attachments": [a for s in case.steps.all() for a in s.attachments.all()],
        "allowed": [(a, Action(a).label) for a in allowed],
        "allowed_set": set(allowed),
        "levels": [c for c in HandlingLevel.choices if c[0] != case.handling_level],
        "departments": departments,
        "department_unstaffed": bool(case.department) and case.department not in departments,
        "supervision_levels": SUPERVISION_LEVELS,
        "assignees": _assignees(user, case) if "dispatch" in allowed else [],
        "dispatch_regions": _dispatch_regions(user, case) if "dispatch" in allowed else [],
        "dispatch_departments": _dispatch_departments(case, departments) if "dispatch" in allowed else [],
        "sketch": grid_sketch(case.region.boundary, case.lat, case.lng),
    }
    return render(request, "cases/detail.html", context)


def _assignees(user: User, case: Case) -> list[User]:
    grids = Region.all_objects.filter(path__startswith=case.handling_region.path)
    return list(
        User.objects.filter(is_active=True, scopes__region__in=grids, roles__role="grid_worker")
        .distinct()
        .order_by("full_name")[:100]
    )


def _dispatch_departments(case: Case, serving: list[str]) -> list[tuple[str, bool]]:
    """The departments a case can go to: those with a handler here, and every department the catalogue
    routes to (listed but not selectable without a handler here); the category's own first."""
    routed = set(
        Category.objects.filter(is_active=True)
        .exclude(default_department="")
        .values_list("default_department", flat=True)
    )
    category = case.category
    own = category.default_department or (category.parent.default_department if category.parent else "")
    names = sorted(set(serving) | routed, key=lambda name: (name != own, natural_key(name)))
    return [(name, name in serving) for name in names]


def _dispatch_regions(user: User, case: Case) -> list[Region]:
    return in_tree_order(
        regions_visible(user=user)
        .filter(path__startswith=case.handling_region.path, level__in=[Level.COMMUNITY, Level.GRID, Level.MICROGRID])
        .order_by("path")[:200]
    )


@capability_required(Cap.VIEW_CASES)
@require_POST
def act_view(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        if "version" in form.errors:  # a page from before the version was posted, or a hand-made post
            messages.error(request, _("This page is out of date: reload the case and try again."))
        else:
            messages.error(request, _("The action could not be read; check the fields and try again."))
        return redirect("cases:detail", case.pk)
    data = form.cleaned_data
    try:
        case_act_posted(actor=user, case=case, given=form.posted())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": Action(data["action"]).label})
    if not selectors.cases_visible(user=user).filter(pk=case.pk).exists():
        return redirect("cases:list")
    return redirect("cases:detail", case.pk)


@capability_required(Cap.VIEW_CASES)
def stats_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    this_year = timezone.localdate().year
    year = request.GET.get("year", "").strip()
    year_number = int(year) if year.isdecimal() and len(year) <= 4 else this_year
    if not stats.FIRST_YEAR <= year_number <= this_year + 1:
        messages.warning(
            request,
            _("Statistics cover %(first)s to %(last)s; showing %(year)s.")
            % {"first": stats.FIRST_YEAR, "last": this_year + 1, "year": this_year},
        )
        year_number = this_year
    regions = regions_visible(user=user).filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID]).order_by("path")
    region = (
        regions.filter(pk=request.GET.get("region") or 0).first() if request.GET.get("region", "").isdecimal() else None
    )
    report = stats.region_report(user=user, year=year_number, region=region)
    context = {
        "report": report,
        "year": year_number,
        "bars": stats.month_bars(report.by_month),
        "regions": regions,
        "region": region,
    }
    return render(request, "cases/stats.html", context)


@capability_required(Cap.REPORT_CASES)
@require_POST
def reporter_add_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """One more household reporting the same matter (a collective case)."""
    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    try:
        services.case_reporter_add(
            actor=user, case=case, name=request.POST.get("name", ""), phone=request.POST.get("phone", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Reporter added."))
    return redirect("cases:detail", case.pk)


@capability_required(Cap.VIEW_CASES)
def notifications_view(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first; POST marks them all read."""
    user = _user(request)
    if request.method == "POST":
        notifications.mark_read(actor=user)
        return redirect("cases:notifications")
    page = Paginator(notifications.inbox(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/notifications.html", {"page": page, "rows": notifications.shown(page)})


# --- catalogue: categories, time limits, escalation rules ----------------------------------------


def _catalogue_post(request: HttpRequest, user: User) -> str | None:
    """Apply one posted change; return an error message, or None when it was saved."""
    action = request.POST.get("action")
    try:
        if action == "category":
            form = CategoryLimitsForm(request.POST)
            if not form.is_valid():
                return " ".join(str(e) for errors in form.errors.values() for e in errors)
            fields = dict(form.cleaned_data)
            catalogue_services.category_update(actor=user, category=fields.pop("category"), **fields)
        elif action == "rule_add":
            rule_form = EscalationRuleForm(request.POST, regions=regions_visible(user=user))
            if not rule_form.is_valid():
                return " ".join(str(e) for errors in rule_form.errors.values() for e in errors)
            data = rule_form.cleaned_data
            catalogue_services.escalation_rule_create(
                actor=user,
                trigger=data["trigger"],
                category=data["category"],
                urgency=data["urgency"],
                raise_to=data["raise_to"],
                supervision=data["supervision"],
                copy_departments=data["copy_departments"],
                copy_regions=list(data["copy_regions"]),
            )
        elif action == "rule_delete":
            rule = EscalationRule.objects.filter(pk=request.POST.get("rule") or 0).first()
            if rule is None:
                raise Http404
            catalogue_services.escalation_rule_delete(actor=user, rule=rule)
        else:
            return _("Unknown action.")
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


@capability_required(Cap.MANAGE_CASE_CATALOGUE)
def catalogue_view(request: HttpRequest) -> HttpResponse:
    """The categories with their levels and time limits, and the escalation rules the sweep applies."""
    user = _user(request)
    if request.method == "POST":
        error = _catalogue_post(request, user)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{request.path}?edit={request.POST.get('category', '')}")
    categories = Category.objects.select_related("parent").order_by("sort_order", "code")
    editing = (
        categories.filter(pk=request.GET.get("edit") or 0).first() if request.GET.get("edit", "").isdecimal() else None
    )
    edit_form = None
    if editing is not None:
        edit_form = CategoryLimitsForm(
            initial={"category": editing.pk, **{f: getattr(editing, f) for f in catalogue_services.CATEGORY_FIELDS}}
        )
    staffed = departments_with_handlers()
    rules = list(EscalationRule.objects.select_related("category").prefetch_related("copy_regions"))
    for rule in rules:
        rule.unstaffed = [d.strip() for d in rule.copy_departments.split(",") if d.strip() and d.strip() not in staffed]  # type: ignore[attr-defined]
    context = {
        "categories": categories,
        "unstaffed": {
            c.pk
            for c in categories
            if c.default_level == HandlingLevel.DEPARTMENT and c.default_department not in staffed
        },
        "editing": editing,
        "edit_form": edit_form,
        "rules": rules,
        "rule_form": EscalationRuleForm(regions=regions_visible(user=user).order_by("path")),
    }
    return render(request, "cases/catalogue.html", context)
