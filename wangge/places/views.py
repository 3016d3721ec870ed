from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from wangge.core import history
from wangge.core.decorators import capability_required
from wangge.core.idcard import mask_phone
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.people import homes
from wangge.places import selectors, services
from wangge.places.forms import BuildingForm, CompoundForm, HouseForm
from wangge.places.models import House
from wangge.regions.selectors import grids_visible, only_grid


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _form_error(form: Any, exc: ValidationError) -> None:
    form.add_error(None, " ".join(exc.messages))


def _form_page(request: HttpRequest, form: Any, title: str, cancel: str) -> HttpResponse:
    return render(request, "places/form.html", {"form": form, "title": title, "cancel_url": cancel})


@capability_required(Cap.VIEW_RESIDENT_DATA)
def buildings_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    grids = list(grids_visible(user=user))
    grid_id = _int(request.GET.get("grid"))
    grid = next((g for g in grids if g.pk == grid_id), None)
    groups = homes.buildings_overview(user=user, region=grid)
    context = {
        "groups": groups,
        "grids": grids,
        "grid": grid,
        "n_buildings": sum(len(g.buildings) for g in groups),
        "n_houses": sum(g.n_houses for g in groups),
        "n_residents": sum(g.n_residents for g in groups),
        "can_edit": user.has_perm(Cap.EDIT_REGISTRY),
    }
    return render(request, "places/buildings.html", context)


@capability_required(Cap.VIEW_RESIDENT_DATA)
def building_view(request: HttpRequest, building_id: int) -> HttpResponse:
    user = _user(request)
    building = selectors.building_get(user=user, building_id=building_id)
    grid = homes.building_grid(user=user, building=building)
    return render(
        request,
        "places/building.html",
        {"building": building, "grid": grid, "can_edit": user.has_perm(Cap.EDIT_REGISTRY)},
    )


@capability_required(Cap.VIEW_RESIDENT_DATA)
def house_view(request: HttpRequest, house_id: int) -> HttpResponse:
    user = _user(request)
    house = selectors.house_get(user=user, house_id=house_id)
    context = {
        "house": house,
        "residences": list(homes.house_residents(user=user, house=house)),
        "households": list(homes.house_households(user=user, house=house)),
        "landlord_phone": mask_phone(house.landlord_phone) if house.landlord_phone else "",
        "can_edit": user.has_perm(Cap.EDIT_REGISTRY),
        "history": _house_history(house),
    }
    return render(request, "places/house.html", context)


def _house_history(house: House) -> list[history.Shown]:
    """The house's last 100 changes: (entry, action, [(field label, old, new)])."""
    actions = {
        "create": _("Registered"),
        "update": _("Edited"),
        "delete": _("Removed"),
        "import": _("Imported from a ledger"),
    }
    return history.shown(history.for_object(house)[:100], actions=actions, label=_house_label, value=_house_value)


def _house_label(name: str) -> str:
    try:
        return str(getattr(House._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _house_value(name: str, value: Any) -> Any:
    try:
        choices = dict(getattr(House._meta.get_field(name), "choices", None) or [])
    except FieldDoesNotExist:
        return value
    return choices.get(value, value)


# --- compounds ------------------------------------------------------------------------------------


@capability_required(Cap.EDIT_REGISTRY)
def compound_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = CompoundForm(
        request.POST or None,
        grids=grids_visible(user=user),
        initial={"region": request.GET.get("grid") or only_grid(user=user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            compound = services.compound_create(actor=user, region=form.cleaned_data["region"], **form.attrs())
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s created.") % {"name": compound.name})
            return redirect(f"{reverse('places:buildings')}?grid={compound.region_id}")
    return _form_page(request, form, _("New compound"), reverse("places:buildings"))


@capability_required(Cap.EDIT_REGISTRY)
def compound_edit_view(request: HttpRequest, compound_id: int) -> HttpResponse:
    user = _user(request)
    compound = selectors.compound_get(user=user, compound_id=compound_id)
    initial = {f: getattr(compound, f) for f in services.COMPOUND_FIELDS}
    form = CompoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.compound_update(actor=user, compound=compound, **form.attrs())
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect(f"{reverse('places:buildings')}?grid={compound.region_id}")
    return _form_page(request, form, _("Edit %(name)s") % {"name": compound.name}, reverse("places:buildings"))


# --- buildings ------------------------------------------------------------------------------------


@capability_required(Cap.EDIT_REGISTRY)
def building_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    compounds = selectors.compounds_visible(user=user).order_by("name")
    compound = compounds.filter(pk=_int(request.GET.get("compound")) or 0).first()
    initial = {
        "region": compound.region_id if compound else request.GET.get("grid") or only_grid(user=user),
        "compound": compound,
    }
    form = BuildingForm(request.POST or None, grids=grids_visible(user=user), compounds=compounds, initial=initial)
    if request.method == "POST" and form.is_valid():
        attrs = form.attrs()
        try:
            building = services.building_create(actor=user, region=form.cleaned_data["region"], **attrs)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s created.") % {"name": building})
            return redirect("places:building", building_id=building.pk)
    return _form_page(request, form, _("New building"), reverse("places:buildings"))


@capability_required(Cap.EDIT_REGISTRY)
def building_edit_view(request: HttpRequest, building_id: int) -> HttpResponse:
    user = _user(request)
    building = selectors.building_get(user=user, building_id=building_id)
    compounds = selectors.compounds_visible(user=user).filter(region=building.region).order_by("name")
    initial = {f: getattr(building, f) for f in services.BUILDING_FIELDS}
    form = BuildingForm(request.POST or None, compounds=compounds, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.building_update(actor=user, building=building, **form.attrs())
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": building})
            return redirect("places:building", building_id=building.pk)
    cancel = reverse("places:building", kwargs={"building_id": building.pk})
    return _form_page(request, form, _("Edit %(name)s") % {"name": building}, cancel)


# --- houses ---------------------------------------------------------------------------------------


def _house_attrs(form: HouseForm) -> dict[str, Any]:
    attrs = form.attrs()
    if attrs.get("building") is None:
        attrs["unit"], attrs["floor"] = attrs.get("unit") or 1, attrs.get("floor") or 1
    return attrs


@capability_required(Cap.EDIT_REGISTRY)
def house_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    buildings = selectors.buildings_visible(user=user).order_by("compound__name", "name")
    building = buildings.filter(pk=_int(request.GET.get("building")) or 0).first()
    initial: dict[str, Any] = {"building": building, "region": request.GET.get("grid") or only_grid(user=user)}
    for key in ("unit", "floor"):
        if _int(request.GET.get(key)):
            initial[key] = _int(request.GET.get(key))
    if building and "floor" in initial:  # an empty slot of the building map: the floor's first door
        initial["number"] = f"{initial['floor']}01"
    form = HouseForm(request.POST or None, grids=grids_visible(user=user), buildings=buildings, initial=initial)
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data.get("region")
        try:
            house = services.house_create(actor=user, region=region, **_house_attrs(form))
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s created.") % {"name": house.label})
            if house.building_id:
                return redirect("places:building", building_id=house.building_id)
            return redirect("places:house", house_id=house.pk)
    cancel = (
        reverse("places:building", kwargs={"building_id": building.pk}) if building else reverse("places:buildings")
    )
    return _form_page(request, form, _("New house"), cancel)


@capability_required(Cap.EDIT_REGISTRY)
def house_edit_view(request: HttpRequest, house_id: int) -> HttpResponse:
    user = _user(request)
    house = selectors.house_get(user=user, house_id=house_id)
    buildings = selectors.buildings_visible(user=user).filter(region=house.region).order_by("compound__name", "name")
    initial = {f: getattr(house, f) for f in services.HOUSE_FIELDS}
    form = HouseForm(request.POST or None, buildings=buildings, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.house_update(actor=user, house=house, **_house_attrs(form))
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": house.label})
            return redirect("places:house", house_id=house.pk)
    cancel = reverse("places:house", kwargs={"house_id": house.pk})
    return _form_page(request, form, _("Edit %(name)s") % {"name": house.label}, cancel)
