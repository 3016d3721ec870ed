"""Who lives where: residents per building, the building's wall map (楼栋图, 红粉白), a house's
residents and households. Reads through the user's scope; the places themselves are places.selectors'."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from wangge.core.models import User
from wangge.core.natural import natural_key, natural_sorted
from wangge.people.choices import IdentityColor
from wangge.people.models import Household, Person, Residence
from wangge.places.models import Building, Compound, House
from wangge.places.selectors import buildings_visible, compounds_visible, require_read
from wangge.regions.models import Region, paths_q, scope_paths


def house_occupied(house: House) -> str | None:
    """Why a house cannot be removed while people live there (places asks before removing one)."""
    if Residence.objects.filter(house=house, ended_on__isnull=True).exists():
        return _("People still live in this house; move them first.")
    return None


def current_residences(*, user: User) -> QuerySet[Residence]:
    """Current homes of live people in the user's scope."""
    return Residence.objects.filter(ended_on__isnull=True, person__deleted_at__isnull=True).filter(
        paths_q(scope_paths(user), "person__region__path")
    )


# --- the overview of buildings --------------------------------------------------------------------


def buildings_with_counts(*, user: User, region: Region | None = None) -> QuerySet[Building]:
    """Buildings in scope with `n_houses` and `n_residents` (current residents in scope). One query."""
    houses = (
        House.all_objects.filter(building=OuterRef("pk"), deleted_at__isnull=True)
        .order_by()
        .values("building")
        .annotate(n=Count("pk"))
        .values("n")
    )
    residents = (
        current_residences(user=user)
        .filter(house__building=OuterRef("pk"), house__deleted_at__isnull=True)
        .order_by()
        .values("house__building")
        .annotate(n=Count("person", distinct=True))
        .values("n")
    )
    qs = buildings_visible(user=user).annotate(
        n_houses=Coalesce(Subquery(houses, output_field=IntegerField()), 0),
        n_residents=Coalesce(Subquery(residents, output_field=IntegerField()), 0),
    )
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    return qs.order_by("compound__name", "name", "pk")


@dataclass
class CompoundGroup:
    compound: Compound | None
    buildings: list[Building] = field(default_factory=list)

    @property
    def n_houses(self) -> int:
        return sum(b.n_houses for b in self.buildings)  # type: ignore[attr-defined]

    @property
    def n_residents(self) -> int:
        return sum(b.n_residents for b in self.buildings)  # type: ignore[attr-defined]


def buildings_overview(*, user: User, region: Region | None = None) -> list[CompoundGroup]:
    """Compounds in scope (also empty ones) each with its buildings and counts; loose buildings last."""
    compounds = compounds_visible(user=user).order_by("name", "pk")
    if region is not None:
        compounds = compounds.filter(region__path__startswith=region.path)
    groups = {c.pk: CompoundGroup(c) for c in natural_sorted(compounds, key=lambda c: c.name)}
    loose = CompoundGroup(None)
    for building in natural_sorted(buildings_with_counts(user=user, region=region), key=lambda b: b.name):
        group = groups.get(building.compound_id) if building.compound_id else loose
        (group or loose).buildings.append(building)
    return [*groups.values(), *([loose] if loose.buildings else [])]


# --- the wall map of one building (楼栋图) -----------------------------------------------------------

EMPTY = "empty"
COLOR_RANK: dict[str, int] = {IdentityColor.RED: 0, IdentityColor.PINK: 1, IdentityColor.WHITE: 2}


@dataclass
class HouseCell:
    house: House
    residents: list[Person]

    @property
    def color(self) -> str:
        """红粉白 of the house: the most significant identity among the people living there; grey if none."""
        if not self.residents or self.house.use == House.Use.VACANT:
            return EMPTY
        return min((p.identity_color for p in self.residents), key=lambda c: COLOR_RANK.get(c, 9))

    @property
    def title(self) -> str:
        names = "、".join(p.name for p in self.residents)
        return f"{self.house.number} {names}".strip()


@dataclass
class FloorRow:
    floor: int
    cells: list[list[HouseCell]]  # one list per unit, left to right


@dataclass
class BuildingGrid:
    building: Building
    units: list[int]
    rows: list[FloorRow]  # top floor first
    counts: dict[str, int]  # houses per colour
    n_houses: int
    n_residents: int


def building_grid(*, user: User, building: Building) -> BuildingGrid:
    """Floors (top first) × units; each cell the houses there with their current residents. Two queries."""
    require_read(user)
    houses = sorted(
        House.objects.for_user(user).alive().filter(building=building).order_by("pk"),
        key=lambda h: (h.unit, h.floor, natural_key(h.number)),
    )
    by_house: dict[int, list[Person]] = defaultdict(list)
    residences = (
        current_residences(user=user)
        .filter(house__in=[h.pk for h in houses])
        .select_related("person")
        .order_by("person__name_pinyin", "person_id")
    )
    for residence in residences:
        by_house[residence.house_id].append(residence.person)
    cells: dict[tuple[int, int], list[HouseCell]] = defaultdict(list)
    counts = {IdentityColor.RED.value: 0, IdentityColor.PINK.value: 0, IdentityColor.WHITE.value: 0, EMPTY: 0}
    for house in houses:
        house.building = building
        cell = HouseCell(house, by_house.get(house.pk, []))
        cells[(house.floor, house.unit)].append(cell)
        counts[cell.color] = counts.get(cell.color, 0) + 1
    units = list(range(1, building.units + 1))
    top = max([building.floors, *(f for f, _u in cells)])
    rows = [FloorRow(floor, [cells.get((floor, unit), []) for unit in units]) for floor in range(top, 0, -1)]
    return BuildingGrid(
        building=building,
        units=units,
        rows=rows,
        counts=counts,
        n_houses=len(houses),
        n_residents=len({p.pk for people in by_house.values() for p in people}),
    )


# --- one house ------------------------------------------------------------------------------------


def house_residents(*, user: User, house: House) -> QuerySet[Residence]:
    return (
        current_residences(user=user)
        .filter(house=house)
        .select_related("person")
        .order_by("-is_default", "person__name_pinyin")
    )


def house_households(*, user: User, house: House) -> QuerySet[Household]:
    require_read(user)
    return (
        Household.objects.for_user(user)
        .alive()
        .filter(house=house)
        .select_related("head")
        .annotate(n_members=Count("memberships", filter=Q(memberships__ended_on__isnull=True)))
        .order_by("number")
    )
