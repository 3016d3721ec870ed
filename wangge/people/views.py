"""The registry console: list and search, export, person card, edit, household. Thin: parse, call one service, render."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wangge.core import exports, history, panels
from wangge.core.decorators import capability_required
from wangge.core.models import User
from wangge.core.pagination import CountedPaginator
from wangge.core.roles import Cap
from wangge.ledgers.models import ExportJob
from wangge.people import relations, selectors, services
from wangge.people.choices import IdentityColor, Relation
from wangge.people.forms import (
    COLUMNS,
    DEFAULT_COLUMNS,
    SORTS,
    DeleteForm,
    HouseholdCreateForm,
    MemberAddForm,
    PersonFilterForm,
    PersonForm,
    PersonPickForm,
    RevealForm,
    TagAddForm,
)
from wangge.people.models import Household, Person
from wangge.regions.selectors import grids_visible, only_grid

PAGE_SIZE = 50
COLUMNS_SESSION_KEY = "people_columns"
FORM_TOKENS_SESSION_KEY = "people_form_tokens"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- list, search, export ---------------------------------------------------------------------------


def _filter_form(request: HttpRequest, user: User, columns: list[str] | None = None) -> PersonFilterForm:
    regions = grids_visible(user=user, with_communities=True)
    data = request.GET.copy()
    if columns is not None:
        data.setlist("cols", columns)  # the checkboxes show the columns in use
    form = PersonFilterForm(data, regions=regions, tags=selectors.visible_tags(user=user))
    form.is_valid()  # invalid fields are left out of cleaned_data and shown next to the field
    return form


def _filters(form: PersonFilterForm) -> selectors.PersonFilters:
    data = form.cleaned_data
    return selectors.PersonFilters(
        q=data.get("q") or "",
        region=data.get("region"),
        tag=data.get("tag"),
        color=data.get("color") or "",
        residency=data.get("residency") or "",
        source_state=data.get("state") or "",
        age_min=data.get("age_min"),
        age_max=data.get("age_max"),
    )


def _sorted(qs: QuerySet[Person], form: PersonFilterForm) -> QuerySet[Person]:
    key = form.cleaned_data.get("sort") or "name"
    return qs.order_by(*SORTS.get(key, SORTS["name"])[1])


def _columns(request: HttpRequest) -> list[str]:
    """The columns ticked in the filter form (remembered in the session), else the remembered ones, else the defaults."""
    if "cols_sent" in request.GET:
        ticked = request.GET.getlist("cols")
        request.session[COLUMNS_SESSION_KEY] = [c for c, _label in COLUMNS if c in ticked] or DEFAULT_COLUMNS
    remembered = request.session.get(COLUMNS_SESSION_KEY) or DEFAULT_COLUMNS
    return [c for c, _label in COLUMNS if c in remembered]


def _query_without(request: HttpRequest, *names: str) -> str:
    query: QueryDict = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@capability_required(Cap.VIEW_RESIDENT_DATA)
def list_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    columns = _columns(request)
    form = _filter_form(request, user, columns)
    filters = _filters(form)
    qs = selectors.with_list_details(_sorted(selectors.people_search(user=user, filters=filters), form), user=user)
    count = selectors.people_count(user=user, filters=filters)
    page = CountedPaginator(qs, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "people": page.object_list,
        "columns": [(c, label) for c, label in COLUMNS if c in columns],
        "query": _query_without(request, "page"),
        "export_query": _query_without(request, "page", "cols", "cols_sent", "unverified"),
        "sort": form.cleaned_data.get("sort") or "name",
    }
    if _is_htmx(request):
        response = render(request, "people/_results.html", context)
    else:
        if request.GET.get("unverified"):
            context["unverified"] = selectors.unverified_by_grid(user=user)
        context["colors"] = IdentityColor.choices
        context["exports"] = ExportJob.objects.filter(
            user=user, created_at__gte=timezone.now() - timedelta(days=1)
        ).order_by("-created_at")[:3]
        response = render(request, "people/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@capability_required(Cap.EXPORT_LISTS)
def export_view(request: HttpRequest) -> HttpResponse:
    """The current list as a ledger the importer reads back; masked unless the user may reveal; large ones in the background."""
    return exports.response(exports.export(actor=_user(request), code="people", params=request.GET))


# --- create and edit -------------------------------------------------------------------------------


def _apply_service_error(request: HttpRequest, form: PersonForm, exc: ValidationError) -> int | None:
    """Put a service refusal on the form; for a duplicate ID return the existing record's id."""
    form.add_error(None, _error_text(exc))
    if getattr(exc, "code", None) == "duplicate_person":
        return (exc.params or {}).get("existing_id")
    return None


@capability_required(Cap.EDIT_REGISTRY)
def create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    grids = grids_visible(user=user)
    initial: dict[str, Any] = {"form_token": uuid.uuid4().hex}
    if request.GET.get("region"):
        initial["region"] = request.GET["region"]
    else:
        initial["region"] = only_grid(user=user)
    form = PersonForm(request.POST or None, grids=grids, initial=initial)
    duplicate_id = None
    if request.method == "POST":
        tokens: dict[str, int] = request.session.get(FORM_TOKENS_SESSION_KEY, {})
        token = request.POST.get("form_token", "")
        if token and token in tokens:  # the same form sent twice (double click, resubmit): no second person
            messages.info(request, _("This form was already saved."))
            return redirect("people:detail", person_id=tokens[token])
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.person_create(
                    actor=user,
                    region=data["region"],
                    doc_type=data["doc_type"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    residence_permit=data["residence_permit"],
                    **form.person_fields(),
                )
            except ValidationError as exc:
                duplicate_id = _apply_service_error(request, form, exc)
            else:
                if token:
                    request.session[FORM_TOKENS_SESSION_KEY] = {**dict(list(tokens.items())[-19:]), token: person.pk}
                messages.success(request, _("%(name)s registered.") % {"name": person.name})
                return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("Register a person"), "duplicate_id": duplicate_id, "person": None},
    )


@capability_required(Cap.EDIT_REGISTRY)
def edit_view(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get(user=user, person_id=person_id)
    initial = {name: getattr(person, name) for name in services.PLAIN_FIELDS} | {"doc_type": person.doc_type}
    form = PersonForm(request.POST or None, grids=None, editing=True, initial=initial)
    if not selectors.may_see_health(user):  # neither shown nor overwritten by who may not see them
        for name in selectors.HEALTH_FIELDS:
            del form.fields[name]
    form.fields["id_number"].widget.attrs["placeholder"] = person.id_number_masked
    form.fields["phone"].widget.attrs["placeholder"] = person.phone_masked
    form.fields["residence_permit"].widget.attrs["placeholder"] = person.residence_permit_masked
    duplicate_id = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                actor=user,
                person=person,
                doc_type=data["doc_type"],
                id_number=data["id_number"] or None,
                phone=data["phone"] or None,
                residence_permit=data["residence_permit"] or None,
                **form.person_fields(),
            )
        except ValidationError as exc:
            duplicate_id = _apply_service_error(request, form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": data["name"]})
            return redirect("people:detail", person_id=person.pk)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": person.name},
            "duplicate_id": duplicate_id,
            "person": person,
        },
    )


# --- the person card -------------------------------------------------------------------------------


def _action_labels() -> dict[str, str]:
    return {
        "create": _("Registered"),
        "update": _("Edited"),
        "claim": _("Claimed"),
        "verify": _("Verified"),
        "delete": _("Removed"),
        "restore": _("Restored"),
        "merge": _("Merged"),
        "move": _("Household changed"),
        "relation": _("Relation restated for a new head of household"),
        "home": _("Home changed"),
        "tag": _("Tag added"),
        "untag": _("Tag ended"),
        "import": _("Imported from a ledger"),
    }


def _field_label(name: str) -> str:
    extra = {
        "id_number": _("ID number"),
        "phone": _("Phone"),
        "household": _("Household"),
        "relation": _("Relation to head"),
        "tag": _("Tag"),
        "reason": _("Reason"),
        "merged": _("Merged record"),
        "house": _("home"),
    }
    if name in extra:
        return extra[name]
    try:
        return str(getattr(Person._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _display_value(name: str, value: Any, tag_names: dict[str, str]) -> Any:
    """A stored old/new value as a person reads it: choice labels, tag names; sensitive tags stay hidden."""
    if value in (None, ""):
        return None
    if name == "tag":
        return tag_names.get(str(value), "***")
    if name == "relation":
        return dict(Relation.choices).get(str(value), value)
    try:
        field = Person._meta.get_field(name)
    except FieldDoesNotExist:
        return value
    choices = dict(getattr(field, "choices", None) or [])
    return choices.get(value, value)


def _history_rows(person: Person, *, user: User) -> list[history.Shown]:
    """The person's last 100 changes with a readable action and their fields as (label, old, new)."""
    tag_names = dict(selectors.visible_tags(user=user).values_list("code", "name"))
    return history.shown(
        history.for_object(person)[:100],
        actions=_action_labels(),
        label=_field_label,
        value=lambda name, value: _display_value(name, value, tag_names),
    )


@capability_required(Cap.VIEW_RESIDENT_DATA)
def detail_view(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get(user=user, person_id=person_id)
    membership = person.current_memberships[0] if person.current_memberships else None  # type: ignore[attr-defined]
    members = list(selectors.household_members(user=user, household=membership.household)) if membership else []
    context = {
        "person": person,
        "membership": membership,
        "members": members,
        "homes": person.current_homes,  # type: ignore[attr-defined]
        "tags": list(selectors.person_tags(user=user, person=person)),
        "history": _history_rows(person, user=user),
        "tag_form": TagAddForm(tags=selectors.visible_tags(user=user)),
        "household_form": HouseholdCreateForm(),
        "merged_into": person.merged_into_id,
        "show_health": selectors.may_see_health(user),
        "panels": panels.render_panels(panels.PERSON_CARD, request, person=person),
    }
    return render(request, "people/detail.html", context)


@capability_required(Cap.VIEW_RESIDENT_DATA)  # the service refuses (and counts) a reveal without the permission
@require_POST
def reveal_view(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get(user=user, person_id=person_id)
    form = RevealForm(request.POST)
    form.is_valid()  # the service checks the permission first, then the reason
    field = form.cleaned_data.get("field") or ""
    value = error = ""
    if not field:
        error = _("Say why you need to see this in full.")
    else:
        try:
            reason = form.cleaned_data.get("reason") or ""
            value = services.person_reveal(actor=user, person=person, field=field, reason=reason)
        except ValidationError as exc:
            error = _error_text(exc)
    masked = {
        "phone": person.phone_masked,
        "residence_permit": person.residence_permit_masked,
    }.get(field, person.id_number_masked)
    context = {"person": person, "field": field, "masked": masked, "value": value, "error": error}
    if _is_htmx(request):  # htmx swaps only 2xx answers: the error is shown in the swapped fragment
        return render(request, "people/_reveal.html", context)
    return render(request, "people/revealed.html", context, status=400 if error else 200)


def _post_action(request: HttpRequest, person_id: int, action: Any, done: str, **kwargs: Any) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get(user=user, person_id=person_id)
    try:
        action(actor=user, person=person, **kwargs)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done % {"name": person.name})
    return redirect("people:detail", person_id=person.pk)


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def claim_view(request: HttpRequest, person_id: int) -> HttpResponse:
    return _post_action(request, person_id, services.person_claim, _("You have claimed the record of %(name)s."))


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def verify_view(request: HttpRequest, person_id: int) -> HttpResponse:
    return _post_action(request, person_id, services.person_verify, _("The record of %(name)s is verified."))


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def delete_view(request: HttpRequest, person_id: int) -> HttpResponse:
    form = DeleteForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _post_action(
        request, person_id, services.person_delete, _("The record of %(name)s was removed."), reason=reason
    )


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def restore_view(request: HttpRequest, person_id: int) -> HttpResponse:
    return _post_action(request, person_id, services.person_restore, _("The record of %(name)s was restored."))


@capability_required(Cap.EDIT_REGISTRY)
def merge_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Search the duplicate, then merge it into this record (this record is kept)."""
    user = _user(request)
    person = selectors.person_get(user=user, person_id=person_id)
    if request.method == "POST":
        form = PersonPickForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the duplicate record."))
            return redirect("people:merge", person_id=person.pk)
        duplicate = selectors.person_get(user=user, person_id=form.cleaned_data["person"])
        try:
            services.person_merge(actor=user, keep=person, duplicate=duplicate)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("people:merge", person_id=person.pk)
        messages.success(request, _("%(dup)s was merged into this record.") % {"dup": duplicate.name})
        return redirect("people:detail", person_id=person.pk)
    q = request.GET.get("q", "").strip()
    candidates: list[Person] = []
    if q:
        found = selectors.people_search(user=user, filters=selectors.PersonFilters(q=q)).exclude(pk=person.pk)
        candidates = list(selectors.with_list_details(found, user=user)[:20])
    return render(request, "people/merge.html", {"person": person, "q": q, "candidates": candidates})


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def tag_add_view(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get(user=user, person_id=person_id)
    form = TagAddForm(request.POST, tags=selectors.visible_tags(user=user))
    if not form.is_valid():
        messages.error(request, _("Choose a tag and an attention level."))
        return redirect("people:detail", person_id=person.pk)
    data = form.cleaned_data
    try:
        services.tag_add(
            actor=user,
            person=person,
            tag=data["tag"],
            attention=data["attention"],
            source_state=data["source_state"],
            started_on=data["started_on"],
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Tag %(tag)s added.") % {"tag": data["tag"].name})
    return redirect("people:detail", person_id=person.pk)


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def tag_end_view(request: HttpRequest, person_id: int, person_tag_id: int) -> HttpResponse:
    user = _user(request)
    person = selectors.person_get(user=user, person_id=person_id)
    person_tag = get_object_or_404(selectors.person_tags(user=user, person=person), pk=person_tag_id)
    try:
        services.tag_end(actor=user, person_tag=person_tag)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Tag %(tag)s ended.") % {"tag": person_tag.tag.name})
    return redirect("people:detail", person_id=person.pk)


# --- households ------------------------------------------------------------------------------------


@capability_required(Cap.VIEW_RESIDENT_DATA)
def household_view(request: HttpRequest, household_id: int) -> HttpResponse:
    user = _user(request)
    household = selectors.household_get(user=user, household_id=household_id)
    members = list(selectors.household_members(user=user, household=household, include_past=True))
    q = request.GET.get("q", "").strip()
    candidates: list[Person] = []
    if q and user.has_perm(Cap.EDIT_REGISTRY):
        current = [m.person_id for m in members if m.ended_on is None]
        found = selectors.people_search(user=user, filters=selectors.PersonFilters(q=q)).exclude(pk__in=current)
        candidates = list(selectors.with_list_details(found, user=user)[:20])
    context = {
        "household": household,
        "head": selectors.household_head_visible(user=user, household=household),
        "current": [m for m in members if m.ended_on is None],
        "past": [m for m in members if m.ended_on is not None],
        "q": q,
        "candidates": candidates,
        "relations": [(v, label) for v, label in Relation.choices if not relations.is_head(v)],
    }
    return render(request, "people/household.html", context)


@capability_required(Cap.EDIT_REGISTRY)
def household_create_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """A new household with this person as its head."""
    user = _user(request)
    person = selectors.person_get(user=user, person_id=person_id)
    form = HouseholdCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                actor=user,
                region=person.region,
                number=form.cleaned_data["number"],
                kind=form.cleaned_data["kind"],
                head=person,
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Household %(n)s created.") % {"n": household.number})
            return redirect("people:household", household_id=household.pk)
    return render(
        request,
        "people/household_form.html",
        {"form": form, "person": person, "title": _("New household headed by %(name)s") % {"name": person.name}},
    )


def _household_and_person(request: HttpRequest, household_id: int, form: Any) -> tuple[Household, Person | None]:
    user = _user(request)
    household = selectors.household_get(user=user, household_id=household_id)
    if not form.is_valid():
        return household, None
    return household, selectors.person_get(user=user, person_id=form.cleaned_data["person"])


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def household_add_view(request: HttpRequest, household_id: int) -> HttpResponse:
    form = MemberAddForm(request.POST)
    household, person = _household_and_person(request, household_id, form)
    if person is None:
        messages.error(request, _("Choose a person and their relation to the head."))
    else:
        try:
            services.household_add_member(
                actor=_user(request), household=household, person=person, relation=form.cleaned_data["relation"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("%(name)s added to the household.") % {"name": person.name})
    return redirect("people:household", household_id=household.pk)


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def household_head_view(request: HttpRequest, household_id: int) -> HttpResponse:
    form = PersonPickForm(request.POST)
    household, person = _household_and_person(request, household_id, form)
    if person is None:
        messages.error(request, _("Choose a member."))
    else:
        try:
            services.household_set_head(actor=_user(request), household=household, person=person)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("%(name)s is now the head of the household.") % {"name": person.name})
    return redirect("people:household", household_id=household.pk)
