from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wangge.core import exports
from wangge.core.decorators import capability_required
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.regions import owned, selectors, services
from wangge.regions.access import is_tree_manager
from wangge.regions.forms import AssignmentForm, MergeForm, MoveForm, RegionForm, RootRegionForm, ScopeForm, SplitForm
from wangge.regions.models import (
    LEVEL_ORDER,
    Assignment,
    Level,
    Region,
    UserScope,
    paths_q,
    scope_paths,
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _form_error(form: object, exc: ValidationError) -> None:
    form.add_error(None, " ".join(exc.messages))  # type: ignore[attr-defined]


@capability_required(Cap.VIEW_REGIONS)
def tree_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    roots = selectors.scope_roots(user=user)
    if len(roots) == 1:
        return redirect("regions:detail", region_id=roots[0].pk)
    context = {
        "tree": selectors.tree(user=user),
        "region": None,
        "can_create_root": services.can_create_root(user),
        "tree_empty": not Region.all_objects.filter(is_active=True).exists(),
    }
    return render(request, "regions/detail.html", context)


@capability_required(Cap.VIEW_REGIONS)
def detail_view(request: HttpRequest, region_id: int) -> HttpResponse:
    user = _user(request)
    region = selectors.region_get(user=user, region_id=region_id)
    children = selectors.in_tree_order(selectors.children_of(user=user, region=region))
    context = {
        "region": region,
        "tree": selectors.tree(user=user),
        "breadcrumb": selectors.breadcrumb(user=user, region=region),
        "children": children,
        "assignments": selectors.assignments_of(user=user, region=region),
        "child_level_label": Level(region.child_level).label if region.child_level else None,
        "can_manage": user.has_perm(Cap.MANAGE_REGIONS),
        "can_assign": user.has_perm(Cap.MANAGE_ASSIGNMENTS),
        "manages_tree": is_tree_manager(user),
        "has_map": any(c.boundary for c in children) or bool(region.boundary),
        "open_ids": {*region.ancestor_ids, region.pk},
        "can_create_root": services.can_create_root(user),
    }
    return render(request, "regions/detail.html", context)


@capability_required(Cap.VIEW_REGIONS)
def map_view(request: HttpRequest, region_id: int) -> JsonResponse:
    user = _user(request)
    region = selectors.region_get(user=user, region_id=region_id)
    return JsonResponse(selectors.community_grids_geojson(user=user, region=region))


def _region_attrs(form: RegionForm) -> dict[str, object]:
    attrs = {name: form.cleaned_data.get(name) for name in services.EDITABLE_FIELDS}
    for text in ("area_code", "community_code", "grid_code", "service_address", "service_phone", "duties"):
        attrs[text] = attrs[text] or ""
    attrs["sort_order"] = attrs["sort_order"] or 0
    return attrs


@capability_required(Cap.MANAGE_REGIONS)
def edit_view(request: HttpRequest, region_id: int) -> HttpResponse:
    user = _user(request)
    region = selectors.region_get(user=user, region_id=region_id)
    form = RegionForm(request.POST or None, instance=region)
    if request.method == "POST" and form.is_valid():
        try:
            services.region_update(actor=user, region=region, **_region_attrs(form))
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("regions:detail", region_id=region.pk)
    return render(
        request,
        "regions/form.html",
        {"form": form, "region": region, "title": _("Edit %(name)s") % {"name": region.name}},
    )


@capability_required(Cap.MANAGE_REGIONS)
def create_view(request: HttpRequest, region_id: int) -> HttpResponse:
    user = _user(request)
    parent = selectors.region_get(user=user, region_id=region_id)
    if parent.child_level is None:
        messages.error(request, _("A micro-grid cannot have sub-regions."))
        return redirect("regions:detail", region_id=parent.pk)
    next_order = (Region.all_objects.filter(parent=parent).aggregate(m=Max("sort_order"))["m"] or 0) + 1
    form = RegionForm(request.POST or None, initial={"area_code": parent.area_code, "sort_order": next_order})
    if request.method == "POST" and form.is_valid():
        attrs = _region_attrs(form)
        name = str(attrs.pop("name") or "")
        try:
            region = services.region_create(actor=user, parent=parent, name=name, **attrs)  # type: ignore[arg-type]
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s created.") % {"name": region.name})
            return redirect("regions:detail", region_id=region.pk)
    title = _("New %(level)s in %(parent)s") % {"level": Level(parent.child_level).label, "parent": parent.name}
    return render(request, "regions/form.html", {"form": form, "region": parent, "title": title})


@capability_required(Cap.MANAGE_REGIONS)
def root_create_view(request: HttpRequest) -> HttpResponse:
    """The system administrator creates a first-level region (a district, or a street installed alone)."""
    user = _user(request)
    if not services.can_create_root(user):
        raise PermissionDenied
    form = RootRegionForm(request.POST or None, initial={"sort_order": 1})
    if request.method == "POST" and form.is_valid():
        attrs = _region_attrs(form)
        name = str(attrs.pop("name") or "")
        try:
            region = services.region_create(
                actor=user,
                parent=None,
                name=name,
                level=form.cleaned_data["level"],
                **attrs,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s created and added to your scope. Give it to others on the users page.")
                % {"name": region.name},
            )
            return redirect("regions:detail", region_id=region.pk)
    return render(request, "regions/form.html", {"form": form, "region": None, "title": _("New first-level region")})


@capability_required(Cap.MANAGE_REGIONS)
def move_view(request: HttpRequest, region_id: int) -> HttpResponse:
    user = _user(request)
    region = selectors.region_get(user=user, region_id=region_id)
    if region.parent_id is None:
        messages.error(request, _("A district cannot be moved."))
        return redirect("regions:detail", region_id=region.pk)
    parent_level = LEVEL_ORDER[LEVEL_ORDER.index(region.level) - 1]
    parents = selectors.regions_visible(user=user).filter(level=parent_level).exclude(pk=region.parent_id)
    form = MoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            services.region_move(actor=user, region=region, new_parent=form.cleaned_data["new_parent"])
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s moved.") % {"name": region.name})
            return redirect("regions:detail", region_id=region.pk)
    return render(
        request,
        "regions/form.html",
        {"form": form, "region": region, "title": _("Move %(name)s") % {"name": region.name}},
    )


@capability_required(Cap.MANAGE_REGIONS)
def merge_view(request: HttpRequest, region_id: int) -> HttpResponse:
    user = _user(request)
    region = selectors.region_get(user=user, region_id=region_id)
    targets = (
        selectors.regions_visible(user=user)
        .filter(parent_id=region.parent_id, level=region.level)
        .exclude(pk=region.pk)
    )
    form = MergeForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.region_merge(actor=user, source=region, target=form.cleaned_data["target"])
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("%(source)s merged into %(target)s.") % {"source": region.name, "target": target.name}
            )
            return redirect("regions:detail", region_id=target.pk)
    return render(
        request,
        "regions/form.html",
        {
            "form": form,
            "region": region,
            "title": _("Merge %(name)s into another region") % {"name": region.name},
            "danger": True,
            "merge_plan": owned.merge_plan(region.pk),
        },
    )


@capability_required(Cap.MANAGE_REGIONS)
def split_view(request: HttpRequest, region_id: int) -> HttpResponse:
    user = _user(request)
    region = selectors.region_get(user=user, region_id=region_id)
    form = SplitForm(request.POST or None, children=selectors.regions_visible(user=user).filter(parent=region))
    if request.method == "POST" and form.is_valid():
        try:
            new_region = services.region_split(
                actor=user,
                region=region,
                new_name=form.cleaned_data["new_name"],
                child_ids=[c.pk for c in form.cleaned_data["children"]],
                grid_code=form.cleaned_data["grid_code"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s created from %(source)s.") % {"name": new_region.name, "source": region.name}
            )
            return redirect("regions:detail", region_id=new_region.pk)
    return render(
        request,
        "regions/form.html",
        {"form": form, "region": region, "title": _("Split %(name)s") % {"name": region.name}},
    )


@login_required
def card_view(request: HttpRequest, region_id: int) -> HttpResponse:
    """A grid's public card: staff for any grid of their area; a resident or volunteer for their own grid."""
    user = _user(request)
    if user.has_perm(Cap.VIEW_REGIONS):
        card: selectors.GridCard | None = selectors.grid_card(user=user, region_id=region_id)
    else:
        own = selectors.own_grids(user=user)
        if not own:
            raise PermissionDenied
        card = next((c for c in own if c.region.pk == region_id), None)
    if card is None:
        raise Http404
    return render(
        request, "regions/card.html", {"card": card, "region": card.region, "staff": user.has_perm(Cap.VIEW_REGIONS)}
    )


@capability_required(Cap.MANAGE_ASSIGNMENTS)
def assignment_create_view(request: HttpRequest, region_id: int) -> HttpResponse:
    user = _user(request)
    region = selectors.region_get(user=user, region_id=region_id)
    users = (
        User.objects.filter(is_active=True)
        .filter(paths_q(scope_paths(user), "scopes__region__path"))
        .distinct()
        .order_by("username")
    )
    form = AssignmentForm(request.POST or None, request.FILES or None, users=users)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_create(
                actor=user,
                region=region,
                role=data["role"],
                name=data["name"],
                user=data["user"],
                phone=data["phone"],
                employment=data["employment"],
                duties=data["duties"],
                photo=data["photo"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Assignment saved."))
            return redirect("regions:detail", region_id=region.pk)
    return render(
        request,
        "regions/form.html",
        {
            "form": form,
            "region": region,
            "title": _("Assign someone to %(name)s") % {"name": region.name},
            "multipart": True,
        },
    )


@capability_required(Cap.MANAGE_ASSIGNMENTS)
@require_POST
def assignment_end_view(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = _user(request)
    assignment = get_object_or_404(Assignment.objects.for_user(user), pk=assignment_id)
    try:
        services.assignment_end(actor=user, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s no longer serves %(region)s.") % {"name": assignment.name, "region": assignment.region.name},
        )
    return redirect("regions:detail", region_id=assignment.region_id)


@login_required
def export_view(request: HttpRequest, region_id: int) -> HttpResponse:
    """The region ledger of a subtree (`wangge/regions/export_kinds.py`): it imports back as is."""
    params = QueryDict(mutable=True)
    params["region"] = str(region_id)
    return exports.response(exports.export(actor=_user(request), code="regions", params=params))


@capability_required(Cap.MANAGE_USERS)
def user_scope_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """Set the regions a user may see (their scope), among the regions the administrator sees."""
    from wangge.core.selectors import user_get

    actor = _user(request)
    target = user_get(actor=actor, user_id=user_id)
    regions = selectors.regions_visible(user=actor).exclude(level=Level.MICROGRID).order_by("path")
    current = list(UserScope.objects.filter(user=target, region__in=regions).values_list("region_id", flat=True))
    form = ScopeForm(request.POST or None, regions=regions, initial={"regions": current})
    if request.method == "POST" and form.is_valid():
        outside = list(UserScope.objects.filter(user=target).exclude(region__in=regions).select_related("region"))
        services.scope_set(
            actor=actor, user=target, regions=[*form.cleaned_data["regions"], *(s.region for s in outside)]
        )
        messages.success(request, _("Scope of %(name)s saved.") % {"name": target.username})
        return redirect("core:user_edit", user_id=target.pk)
    title = _("Scope of %(name)s") % {"name": target.full_name or target.username}
    return render(request, "regions/user_scope.html", {"form": form, "target": target, "title": title})
