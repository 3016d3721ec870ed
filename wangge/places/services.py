"""Every write to compounds, buildings and houses: checked against the actor's scope, validated, audited."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core import history
from wangge.core.audit import audit_record
from wangge.core.idcard import mask_phone
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.places.models import Building, Compound, House
from wangge.regions.access import require
from wangge.regions.models import Region

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

COMPOUND_FIELDS = ("name", "kind", "address", "property_company")
BUILDING_FIELDS = ("compound", "name", "floors", "units", "address")
HOUSE_FIELDS = (
    "building",
    "unit",
    "floor",
    "number",
    "address",
    "area",
    "use",
    "owner_name",
    "is_rental",
    "landlord_name",
    "landlord_phone",
    "tenants_count",
)


# What stops a house's removal, declared by the apps whose records live in houses (people: its
# current residents), from their AppConfig.ready: places knows no app above it.
HouseInUse = Callable[[House], "StrOrPromise | None"]
_house_in_use: list[HouseInUse] = []


def refuse_house_delete_while(check: HouseInUse) -> None:
    """`check(house)` returns why the house cannot be removed (in the user's language), or None."""
    if check not in _house_in_use:
        _house_in_use.append(check)


def _require(actor: User | None, region: Region) -> None:
    require(actor, Cap.EDIT_REGISTRY, region)


def _check_grid(region: Region) -> None:
    if not region.files_records:
        raise ValidationError(
            _("Compounds, buildings and houses belong to an active grid or micro-grid."), code="not_a_grid"
        )


def _audit(*, actor: User | None, obj: Model, action: str, fields: list[str]) -> None:
    kind = obj._meta.model_name
    audit_record(actor=actor, action=f"{kind}.{action}", obj=obj, detail={"fields": sorted(fields)})


def _house_history(*, actor: User | None, house: House, action: str, changes: dict[str, Any]) -> None:
    """A house's change, old → new, in the registry's one history table (shown on the house page)."""
    history.record(obj=house, actor=actor, action=action, changes=changes)


def _plain(field: str, value: Any) -> Any:
    if field == "landlord_phone" and value:
        return mask_phone(str(value))
    if isinstance(value, Decimal):
        return str(value)
    return value


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not a field: {sorted(unknown)}")


def _apply(obj: Model, fields: dict[str, Any]) -> list[str]:
    changed = []
    for field, value in fields.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed.append(field)
    return changed


# --- compounds ------------------------------------------------------------------------------------


def _validate_compound(compound: Compound) -> None:
    compound.name = (compound.name or "").strip()
    if not compound.name:
        raise ValidationError(_("A compound name is required."), code="name_required")
    if compound.kind not in Compound.Kind.values:
        raise ValidationError(_("Unknown kind of compound management."), code="bad_kind")
    clash = Compound.all_objects.filter(region=compound.region, name=compound.name, deleted_at__isnull=True)
    if clash.exclude(pk=compound.pk).exists():
        raise ValidationError(
            _("A compound called %(name)s already exists in this grid.") % {"name": compound.name},
            code="duplicate_compound",
        )


@transaction.atomic
def compound_create(*, actor: User | None, region: Region, name: str, **fields: Any) -> Compound:
    _require(actor, region)
    _check_grid(region)
    _unknown(fields, COMPOUND_FIELDS)
    compound = Compound(region=region, name=name, **fields)
    _validate_compound(compound)
    compound.save()
    _audit(actor=actor, obj=compound, action="create", fields=["name", *fields])
    return compound


@transaction.atomic
def compound_update(*, actor: User | None, compound: Compound, **fields: Any) -> Compound:
    _require(actor, compound.region)
    _unknown(fields, COMPOUND_FIELDS)
    compound = Compound.all_objects.select_for_update(of=("self",)).select_related("region").get(pk=compound.pk)
    changed = _apply(compound, fields)
    _validate_compound(compound)
    if changed:
        compound.save(update_fields=changed)
        _audit(actor=actor, obj=compound, action="update", fields=changed)
    return compound


@transaction.atomic
def compound_delete(*, actor: User | None, compound: Compound) -> None:
    _require(actor, compound.region)
    if Building.all_objects.filter(compound=compound, deleted_at__isnull=True).exists():
        raise ValidationError(_("Remove the compound's buildings first."), code="compound_not_empty")
    Compound.all_objects.filter(pk=compound.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
    _audit(actor=actor, obj=compound, action="delete", fields=[])


# --- buildings ------------------------------------------------------------------------------------


def _validate_building(building: Building) -> None:
    building.name = (building.name or "").strip()
    if not building.name:
        raise ValidationError(_("A building name is required."), code="name_required")
    if not building.floors or building.floors < 1 or building.floors > 200:
        raise ValidationError(_("A building has between 1 and 200 floors."), code="bad_floors")
    if not building.units or building.units < 1 or building.units > 50:
        raise ValidationError(_("A building has between 1 and 50 units."), code="bad_units")
    compound = building.compound
    if compound is not None:
        if compound.deleted_at is not None:
            raise ValidationError(_("This compound has been removed."), code="compound_deleted")
        if compound.region_id != building.region_id:
            raise ValidationError(_("The building and its compound must be in the same grid."), code="other_grid")
    clash = Building.all_objects.filter(
        region=building.region, compound=compound, name=building.name, deleted_at__isnull=True
    )
    if clash.exclude(pk=building.pk).exists():
        raise ValidationError(
            _("A building called %(name)s already exists here.") % {"name": building.name}, code="duplicate_building"
        )
    if building.pk:
        outside = House.all_objects.filter(building=building, deleted_at__isnull=True).filter(
            Q(floor__gt=building.floors) | Q(unit__gt=building.units)
        )
        if outside.exists():
            raise ValidationError(
                _("Some houses lie above the new number of floors or units; move or remove them first."),
                code="houses_outside",
            )


@transaction.atomic
def building_create(
    *, actor: User | None, region: Region, name: str, floors: int = 6, units: int = 1, **fields: Any
) -> Building:
    _require(actor, region)
    _check_grid(region)
    _unknown(fields, BUILDING_FIELDS)
    building = Building(region=region, name=name, floors=floors, units=units, **fields)
    _validate_building(building)
    building.save()
    _audit(actor=actor, obj=building, action="create", fields=["name", "floors", "units", *fields])
    return building


@transaction.atomic
def building_update(*, actor: User | None, building: Building, **fields: Any) -> Building:
    _require(actor, building.region)
    _unknown(fields, BUILDING_FIELDS)
    building = (
        Building.all_objects.select_for_update(of=("self",)).select_related("region", "compound").get(pk=building.pk)
    )
    changed = _apply(building, fields)
    _validate_building(building)
    if changed:
        building.save(update_fields=changed)
        _audit(actor=actor, obj=building, action="update", fields=changed)
    return building


@transaction.atomic
def building_delete(*, actor: User | None, building: Building) -> None:
    _require(actor, building.region)
    if House.all_objects.filter(building=building, deleted_at__isnull=True).exists():
        raise ValidationError(_("Remove the building's houses first."), code="building_not_empty")
    Building.all_objects.filter(pk=building.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
    _audit(actor=actor, obj=building, action="delete", fields=[])


# --- houses ---------------------------------------------------------------------------------------


def _validate_house(house: House) -> None:
    house.number = (house.number or "").strip()
    house.address = (house.address or "").strip()
    house.landlord_name = (house.landlord_name or "").strip()
    building = house.building
    if building is not None:
        if building.deleted_at is not None:
            raise ValidationError(_("This building has been removed."), code="building_deleted")
        if building.region_id != house.region_id:
            raise ValidationError(_("The house and its building must be in the same grid."), code="other_grid")
        if not house.number:
            raise ValidationError(_("A house number is required."), code="number_required")
        if not 1 <= house.floor <= building.floors:
            raise ValidationError(
                _("Floor %(floor)s is not in the building (floors 1 to %(floors)s).")
                % {"floor": house.floor, "floors": building.floors},
                code="bad_floor",
            )
        if not 1 <= house.unit <= building.units:
            raise ValidationError(
                _("Unit %(unit)s is not in the building (units 1 to %(units)s).")
                % {"unit": house.unit, "units": building.units},
                code="bad_unit",
            )
        clash = House.all_objects.filter(
            building=building, unit=house.unit, number=house.number, deleted_at__isnull=True
        ).exclude(pk=house.pk)
        if clash.exists():
            raise ValidationError(
                _("House %(number)s already exists in unit %(unit)s of this building.")
                % {"number": house.number, "unit": house.unit},
                code="duplicate_house",
            )
    elif not (house.address or house.number):
        raise ValidationError(_("A house outside a building needs an address."), code="address_required")
    if house.use not in House.Use.values:
        raise ValidationError(_("Unknown use of the house."), code="bad_use")
    if house.tenants_count is None or house.tenants_count < 0:
        raise ValidationError(_("The number of tenants cannot be negative."), code="bad_tenants")
    if house.area is not None and Decimal(house.area) < 0:
        raise ValidationError(_("The area cannot be negative."), code="bad_area")
    if house.is_rental and not house.landlord_name:
        raise ValidationError(_("A rented house needs the landlord's name."), code="landlord_required")


@transaction.atomic
def house_create(
    *, actor: User | None, region: Region | None = None, building: Building | None = None, number: str, **fields: Any
) -> House:
    """A house in a building (region taken from the building) or a stand-alone one with an address."""
    _unknown(fields, HOUSE_FIELDS)
    if region is None:
        if building is None:
            raise ValidationError(_("Choose a grid or a building."), code="region_required")
        region = building.region
    _require(actor, region)
    _check_grid(region)
    house = House(region=region, building=building, number=number, **fields)
    _validate_house(house)
    house.save()
    _audit(actor=actor, obj=house, action="create", fields=["number", *fields])
    _house_history(actor=actor, house=house, action="create", changes={"number": [None, number]})
    return house


@transaction.atomic
def house_update(*, actor: User | None, house: House, **fields: Any) -> House:
    _require(actor, house.region)
    _unknown(fields, HOUSE_FIELDS)
    house = House.all_objects.select_for_update(of=("self",)).select_related("region", "building").get(pk=house.pk)
    before = {field: getattr(house, field) for field in fields}
    changed = _apply(house, fields)
    _validate_house(house)
    if changed:
        house.save(update_fields=changed)
        _audit(actor=actor, obj=house, action="update", fields=changed)
        _house_history(
            actor=actor,
            house=house,
            action="update",
            changes={f: [_plain(f, before[f]), _plain(f, getattr(house, f))] for f in changed},
        )
    return house


@transaction.atomic
def house_delete(*, actor: User | None, house: House) -> None:
    _require(actor, house.region)
    for check in _house_in_use:
        reason = check(house)
        if reason:
            raise ValidationError(reason, code="house_occupied")
    House.all_objects.filter(pk=house.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
    _audit(actor=actor, obj=house, action="delete", fields=[])
    _house_history(actor=actor, house=house, action="delete", changes={})
