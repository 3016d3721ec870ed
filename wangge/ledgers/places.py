"""Finding and creating the houses a ledger names: 小区 楼栋 单元 房号, or a free address."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from wangge.core import history
from wangge.core.bulk import Inserter
from wangge.core.models import HistoryEntry
from wangge.places.models import Building, Compound, House

if TYPE_CHECKING:
    from wangge.ledgers.people_plan import RowPlan

PLACE_KEYS = ("compound", "building", "unit", "house_number", "address")


def _floor(number: str) -> int:
    digits = "".join(ch for ch in number if ch.isdigit())
    return int(digits[:-2]) if len(digits) >= 3 and int(digits[:-2]) < 100 else 1


class Places:
    """The compounds, buildings and houses of the grids a file touches, found by what ledgers call them."""

    def __init__(self, rows: Sequence[RowPlan]) -> None:
        grid_ids = {r.grid.pk for r in rows if r.grid is not None}
        self.compounds: dict[Any, Compound] = {
            (c.region_id, c.name): c
            for c in Compound.all_objects.filter(region_id__in=grid_ids, deleted_at__isnull=True)
        }
        self.buildings: dict[Any, Building] = {
            (b.region_id, b.compound_id, b.name): b
            for b in Building.all_objects.filter(region_id__in=grid_ids, deleted_at__isnull=True)
        }
        alive = House.all_objects.filter(deleted_at__isnull=True)
        self.houses: dict[Any, int] = {
            (building_id, unit, number): pk
            for pk, building_id, unit, number in alive.filter(building__region_id__in=grid_ids).values_list(
                "pk", "building_id", "unit", "number"
            )
        }
        self.loose: dict[Any, int] = {
            (region_id, address): pk
            for pk, region_id, address in alive.filter(region_id__in=grid_ids, building__isnull=True).values_list(
                "pk", "region_id", "address"
            )
        }
        self.by_row: dict[int, int] = {}  # row number → house id, once resolved
        self.created = 0

    def find(self, row: RowPlan) -> int | None:
        """The house a row names if it exists already (nothing is created)."""
        data = row.data
        if row.grid is None:
            return None
        if data.get("building"):
            compound = self.compounds.get((row.grid.pk, data["compound"])) if data.get("compound") else None
            if data.get("compound") and compound is None:
                return None
            building = self.buildings.get((row.grid.pk, compound.pk if compound else None, data["building"]))
            return self.houses.get((building.pk, data.get("unit") or 1, data["house_number"])) if building else None
        if data.get("address"):
            return self.loose.get((row.grid.pk, data["address"]))
        return None

    def resolve_all(
        self, rows: Sequence[RowPlan], *, actor_id: int | None = None, source: str = "", now: Any = None
    ) -> None:
        """The house each row names, created in bulk (with buildings and compounds) where missing."""
        placed = [r for r in rows if r.grid is not None and any(r.data.get(k) for k in PLACE_KEYS)]
        in_buildings = [r for r in placed if r.data.get("building")]
        self._create_compounds(in_buildings)
        building_keys = self._create_buildings(in_buildings)
        houses = Inserter(House)
        new_houses: dict[tuple[Any, ...], list[Any]] = {}
        wanted: list[tuple[int, tuple[Any, ...]]] = []  # row number → the key of its house
        known, loose = self.houses, self.loose
        for row in placed:
            grid_id = row.grid.pk if row.grid is not None else 0
            data = row.data
            if data.get("building"):
                building = self.buildings[building_keys[row.number]]
                hkey: tuple[Any, ...] = (building.pk, data.get("unit") or 1, data["house_number"])
                if hkey not in known and hkey not in new_houses:
                    new_houses[hkey] = houses.row(
                        region_id=grid_id, building_id=building.pk, unit=hkey[1], number=hkey[2], floor=_floor(hkey[2])
                    )
            else:
                hkey = ("loose", grid_id, data["address"])
                if hkey[1:] not in loose and hkey not in new_houses:
                    new_houses[hkey] = houses.row(
                        region_id=grid_id, address=data["address"], number=data.get("house_number", "")
                    )
            wanted.append((row.number, hkey))
        house_ids = houses.insert(list(new_houses.values()))
        for hkey, pk in zip(new_houses, house_ids, strict=True):
            if hkey[0] == "loose":
                loose[hkey[1:]] = pk
            else:
                known[hkey] = pk
        self.created = len(new_houses)
        entries = Inserter(HistoryEntry)  # each new house's history starts with the file it came from
        entries.insert(
            [
                entries.row(
                    **history.columns(
                        model=House,
                        object_id=pk,
                        at=now or timezone.now(),
                        actor_id=actor_id,
                        action="import",
                        changes={"address" if hkey[0] == "loose" else "number": [None, hkey[2]]},
                        source=source,
                    )
                )
                for hkey, pk in zip(new_houses, house_ids, strict=True)
            ]
        )
        for number, hkey in wanted:
            self.by_row[number] = loose[hkey[1:]] if hkey[0] == "loose" else known[hkey]

    def _create_compounds(self, rows: Sequence[RowPlan]) -> None:
        wanted = {(r.grid.pk, r.data["compound"]) for r in rows if r.grid is not None and r.data.get("compound")}
        missing = sorted(wanted - set(self.compounds))
        compounds = Inserter(Compound)
        ids = compounds.insert([compounds.row(region_id=grid_id, name=name) for grid_id, name in missing])
        for (grid_id, name), pk in zip(missing, ids, strict=True):
            self.compounds[(grid_id, name)] = Compound(pk=pk, region_id=grid_id, name=name)

    def _create_buildings(self, rows: Sequence[RowPlan]) -> dict[int, tuple[int, int | None, str]]:
        """Missing buildings get the floors and units their houses need; existing ones grow if need be.

        Returns each row's building key (row number → key).
        """
        size: dict[tuple[int, int | None, str], tuple[int, int]] = {}
        keys = {}
        for row in rows:
            bkey = keys[row.number] = self._building_key(row)
            floors, units = size.get(bkey, (1, 1))
            size[bkey] = (max(floors, _floor(row.data["house_number"])), max(units, row.data.get("unit") or 1))
        missing = [bkey for bkey in size if bkey not in self.buildings]
        buildings = Inserter(Building)
        ids = buildings.insert(
            [
                buildings.row(
                    region_id=g, compound_id=c, name=n, floors=max(size[(g, c, n)][0], 6), units=size[(g, c, n)][1]
                )
                for g, c, n in missing
            ]
        )
        for (g, c, n), pk in zip(missing, ids, strict=True):
            self.buildings[(g, c, n)] = Building(pk=pk, region_id=g, compound_id=c, name=n)
        created = set(missing)
        for bkey, (floors, units) in size.items():
            if bkey not in created:
                _grow_building(self.buildings[bkey], unit=units, floor=floors)
        return keys

    def _building_key(self, row: RowPlan) -> tuple[int, int | None, str]:
        assert row.grid is not None
        compound = self.compounds.get((row.grid.pk, row.data["compound"])) if row.data.get("compound") else None
        return (row.grid.pk, compound.pk if compound else None, row.data["building"])

    def of(self, row: RowPlan) -> int | None:
        return self.by_row.get(row.number)


def _grow_building(building: Building, *, unit: int, floor: int) -> None:
    """A house on floor 18 of a 6-floor building means the building is taller than recorded."""
    fields = []
    if floor > building.floors:
        building.floors = floor
        fields.append("floors")
    if unit > building.units:
        building.units = unit
        fields.append("units")
    if fields:
        building.save(update_fields=fields)
