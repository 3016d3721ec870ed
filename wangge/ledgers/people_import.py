"""Importing a people ledger: plan every row (parse, validate, match), then write the plan.

`plan_people` reads and checks the whole file without writing anything; the preview shows its
counts and errors. `apply_people` runs the plan again inside the caller's transaction and writes
it: new people, households and houses in a few bulk inserts computed exactly as the registry's
services compute them, changes to people who already exist through those services themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record
from wangge.core.idcard import DocumentType
from wangge.core.models import User
from wangge.core.pinyin import name_keys
from wangge.core.roles import Cap
from wangge.ledgers.readers import LedgerError, Table
from wangge.ledgers.schema import Header, Schema
from wangge.ledgers.values import CellError, text
from wangge.people import services as people
from wangge.people.choices import HouseholdKind, IdentityColor, Relation, Residency, SourceState
from wangge.people.fake import fast_insert, identity_color
from wangge.people.models import Change, Household, Membership, Person, PersonTag, Residence, Tag
from wangge.places.models import Building, Compound, House
from wangge.regions.models import Level, Region, scope_paths

NEW, UPDATE, UNCHANGED, SKIP, INVALID = "new", "update", "unchanged", "skip", "invalid"
PLAIN = [f for f in people.PLAIN_FIELDS]
PLACE_KEYS = ("compound", "building", "unit", "house_number", "address")
Progress = Callable[[int, int], None]


@dataclass
class RowPlan:
    number: int  # the spreadsheet's row number, as the user sees it
    raw: list[Any]
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    status: str = NEW
    grid: Region | None = None
    id_number: str = ""
    id_hash: str = ""
    existing: Person | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    def fail(self, message: str) -> None:
        self.errors.append(message)
        self.status = INVALID


@dataclass
class Plan:
    rows: list[RowPlan]
    counts: dict[str, int]
    tags: dict[str, Tag]

    @property
    def errors(self) -> list[RowPlan]:
        return [r for r in self.rows if r.status == INVALID]


def _grids(region: Region) -> list[Region]:
    return list(
        Region.all_objects.filter(
            path__startswith=region.path, level__in=[Level.GRID, Level.MICROGRID], is_active=True
        ).order_by("path")
    )


def _visible_tags(actor: User) -> dict[str, Tag]:
    tags = Tag.objects.all()
    if not actor.has_perm(Cap.VIEW_SENSITIVE_GROUPS):
        tags = tags.filter(is_sensitive=False)
    return {t.name: t for t in tags}


def plan_people(
    *,
    actor: User,
    region: Region,
    schema: Schema,
    table: Table,
    header: Header,
    mapping: Sequence[str],
    progress: Progress | None = None,
) -> Plan:
    """Every data row parsed, validated with the registry's rules and matched against who exists."""
    grids = _grids(region)
    if not grids:
        raise LedgerError(
            _("%(region)s has no active grid to import people into.") % {"region": region.name}, code="no_grid"
        )
    default_grid = region if region.level in (Level.GRID, Level.MICROGRID) else None
    grid_by_name: dict[str, Region | None] = {}
    for grid in grids:
        for key in (grid.name, grid.grid_code):
            if key:
                grid_by_name[key] = None if key in grid_by_name and grid_by_name[key] != grid else grid
    tags = _visible_tags(actor)
    columns = [(index, schema.by_key[key]) for index, key in enumerate(mapping) if key]
    example = [(i, str(c.example)) for i, c in columns if c.example not in ("", None)]
    rows: list[RowPlan] = []
    total = max(len(table.rows) - header.data_start, 0)
    for offset, raw in enumerate(table.rows[header.data_start :]):
        if progress is not None and offset % 2000 == 0:
            progress(offset, total)
        if not any(cell not in ("", None) for cell in raw):
            continue
        if example and all(text(raw[i]) == value for i, value in example if i < len(raw)):
            continue  # the blank template's example row, left in by the user
        row = RowPlan(number=header.data_start + offset + 1, raw=raw)
        _parse_row(row, columns)
        _check_row(row, default_grid=default_grid, grid_by_name=grid_by_name, tags=tags)
        rows.append(row)
    _mark_duplicates(rows)
    _match_existing(rows, actor=actor, places=Places(rows))
    _check_households(rows)
    counts = dict.fromkeys((NEW, UPDATE, UNCHANGED, SKIP, INVALID), 0)
    for row in rows:
        counts[row.status] += 1
    if progress is not None:
        progress(total, total)
    return Plan(rows=rows, counts=counts, tags=tags)


def _parse_row(row: RowPlan, columns: Sequence[tuple[int, Any]]) -> None:
    raw = row.raw
    width = len(raw)
    for index, column in columns:
        cell = raw[index] if index < width else None
        if cell is None or cell == "":
            continue
        try:
            value = column.parse(cell)
        except CellError as exc:
            row.fail(f"{column.header}：{exc}")
            continue
        if value not in ("", None, []):
            row.data[column.key] = value


def _check_row(
    row: RowPlan, *, default_grid: Region | None, grid_by_name: dict[str, Region | None], tags: dict[str, Tag]
) -> None:
    data = row.data
    if not data.get("name"):
        row.fail("姓名：" + _("A name is required."))
    grid_name = data.pop("grid", "")
    if grid_name:
        grid = grid_by_name.get(grid_name)
        if grid is None:
            row.fail(
                "网格：" + _("%(name)s is not a grid of this region (or the name is not unique).") % {"name": grid_name}
            )
        row.grid = grid
    else:
        row.grid = default_grid
        if default_grid is None:
            row.fail("网格：" + _("Importing into a community or street needs the grid of every row."))
    doc_type = data.get("doc_type") or DocumentType.CITIZEN_ID
    number = data.pop("id_number", "")
    if number:
        if "*" in number:
            row.fail(
                "证件号码："
                + _("This number is masked (exported without permission to see it) and cannot be imported.")
            )
        else:
            try:
                row.id_number, derived = people.normalise_identity(doc_type=doc_type, id_number=number)
            except ValidationError as exc:
                row.fail(f"证件号码：{' '.join(exc.messages)}")
            else:
                for key, value in derived.items():
                    typed = data.get(key)
                    if typed not in (None, "") and typed != value:
                        label = "性别" if key == "gender" else "出生日期"
                        row.fail(_("%(field)s：does not match the ID number.") % {"field": label})
                    data[key] = value
    phone = data.get("phone", "")
    if phone:
        try:
            data["phone"] = people.clean_phone(phone)
        except ValidationError as exc:
            row.fail(f"联系电话：{' '.join(exc.messages)}")
    if data.get("deceased_on"):
        data["is_deceased"] = True
    if data.get("disability_grade") and not data.get("disability_type"):
        row.fail("残疾等级：" + _("Give the disability type too."))
    if data.get("relation") and not data.get("household_number"):
        row.fail("与户主关系：" + _("Give the household number (户号) too."))
    if data.get("household_number") and not data.get("relation"):
        row.fail("户号：" + _("Give the relation to the head of household (与户主关系) too."))
    if (data.get("building") or data.get("compound")) and not data.get("house_number"):
        row.fail("房号：" + _("A house in a building needs its house number."))
    if data.get("house_number") and not (data.get("building") or data.get("address")):
        row.fail("楼栋：" + _("A house number needs its building (or an address)."))
    unknown = []
    chosen = []
    for name in data.get("tags", []):
        tag = tags.get(name)
        if tag is None:
            unknown.append(name)
        else:
            chosen.append(tag)
    if unknown:
        row.fail("标签：" + _("Unknown tag %(names)s.") % {"names": "、".join(unknown)})
    data["tags"] = chosen


def _mark_duplicates(rows: list[RowPlan]) -> None:
    """The same person twice in one file is refused on both rows: which one is right is the user's call."""
    by_hash: dict[str, RowPlan] = {}
    by_content: dict[tuple[str, ...], RowPlan] = {}
    flagged: set[int] = set()
    for row in rows:
        if row.id_number:
            row.id_hash = people.crypto.lookup_hash(row.id_number, kind="id")
            first = by_hash.setdefault(row.id_hash, row)
            if first is not row:
                row.fail("证件号码：" + _("The same number as row %(row)d.") % {"row": first.number})
                if first.number not in flagged:
                    first.fail("证件号码：" + _("The same number as row %(row)d.") % {"row": row.number})
                    flagged.add(first.number)
                continue
        content = tuple(text(cell) for cell in row.raw)
        first = by_content.setdefault(content, row)
        if first is not row:
            row.fail(_("This row repeats row %(row)d.") % {"row": first.number})


def _match_existing(rows: list[RowPlan], *, actor: User, places: Places) -> None:
    """People who already exist (by document number): in scope they are updates, elsewhere errors."""
    hashes = [r.id_hash for r in rows if r.id_hash and r.status != INVALID]
    existing: dict[str, Person] = {}
    for start in range(0, len(hashes), 500):
        for person in Person.all_objects.filter(
            id_hash__in=hashes[start : start + 500], deleted_at__isnull=True, merged_into__isnull=True
        ).select_related("region"):
            existing[person.id_hash] = person
    if not existing:
        return
    paths = scope_paths(actor)
    ids = [p.pk for p in existing.values()]
    memberships = {
        m.person_id: m
        for m in Membership.objects.filter(person_id__in=ids, ended_on__isnull=True).select_related("household")
    }
    homes = {
        r.person_id: r.house_id
        for r in Residence.objects.filter(person_id__in=ids, ended_on__isnull=True, is_default=True)
    }
    current_tags: dict[int, set[int]] = defaultdict(set)
    for person_id, tag_id in PersonTag.objects.filter(person_id__in=ids, ended_on__isnull=True).values_list(
        "person_id", "tag_id"
    ):
        current_tags[person_id].add(tag_id)
    for row in rows:
        found = existing.get(row.id_hash) if row.id_hash else None
        if found is None or row.status == INVALID:
            continue
        person = found
        if not any(person.region.path.startswith(p) for p in paths):
            row.fail(
                "证件号码："
                + _("This person is registered in another area (%(region)s) that you cannot change.")
                % {"region": person.region.name}
            )
            continue
        row.existing = person
        row.changes = _differences(
            row, person, memberships.get(person.pk), homes.get(person.pk), places.find(row), current_tags[person.pk]
        )
        row.status = UPDATE if row.changes else UNCHANGED


def _differences(
    row: RowPlan,
    person: Person,
    membership: Membership | None,
    home_id: int | None,
    named_home_id: int | None,
    tag_ids: set[int],
) -> dict[str, Any]:
    """What the row would change; empty cells change nothing."""
    data = row.data
    changes: dict[str, Any] = {}
    for key in PLAIN:
        if key in data and getattr(person, key) != data[key]:
            changes[key] = data[key]
    if data.get("phone") and person.phone_hash != people.crypto.lookup_hash(data["phone"], kind="phone"):
        changes["phone"] = data["phone"]
    if row.grid is not None and row.grid.pk != person.region_id:
        changes["region"] = row.grid
    if data.get("household_number") and (
        membership is None
        or membership.household.number != data["household_number"]
        or (membership.relation != data["relation"])
    ):
        changes["household"] = data["household_number"]
    if any(data.get(k) for k in PLACE_KEYS) and (named_home_id is None or named_home_id != home_id):
        changes["house"] = True
    new_tags = [t for t in data.get("tags", []) if t.pk not in tag_ids]
    if new_tags:
        changes["tags"] = new_tags
    return changes


def _check_households(rows: list[RowPlan]) -> None:
    """Rows sharing a household number form one household with exactly one head."""
    groups: dict[tuple[int, str], list[RowPlan]] = defaultdict(list)
    for row in rows:
        number = row.data.get("household_number")
        if number and row.grid is not None and row.status != INVALID:
            groups[(row.grid.pk, number)].append(row)
    if not groups:
        return
    existing = {
        (h.region_id, h.number): h
        for h in Household.all_objects.filter(
            region_id__in={k[0] for k in groups}, number__in={k[1] for k in groups}, deleted_at__isnull=True
        )
    }
    for key, members in groups.items():
        heads = [r for r in members if r.data["relation"] == Relation.HEAD]
        household = existing.get(key)
        if len(heads) > 1:
            for row in heads:
                row.fail("与户主关系：" + _("Household %(number)s has more than one head.") % {"number": key[1]})
        elif not heads and household is None:
            for row in members:
                row.fail(
                    "户号："
                    + _("Household %(number)s is new and no row is its head (与户主关系 = 户主).") % {"number": key[1]}
                )
        elif heads and household is not None and household.head_id not in (None, _person_id(heads[0])):
            heads[0].fail(
                "与户主关系："
                + _("Household %(number)s already has another head; change the head in the registry first.")
                % {"number": key[1]}
            )


def _person_id(row: RowPlan) -> int | None:
    return row.existing.pk if row.existing is not None else None


# --- writing -------------------------------------------------------------------------------------------


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    households: int = 0
    houses: int = 0


def apply_people(
    *,
    actor: User,
    plan: Plan,
    source: str,
    on_existing: str,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Written:
    """Write a plan; the caller holds the transaction (all or nothing) and has checked the options."""
    now = timezone.now()
    today = timezone.localdate()
    rows = [r for r in plan.rows if r.status in (NEW, UPDATE)]
    if on_existing == "skip":
        rows = [r for r in rows if r.status == NEW]
    total = len(rows)
    houses = Places(rows)
    for row in rows:
        houses.resolve(row)
    result = Written(houses=houses.created)
    new_rows = [r for r in rows if r.status == NEW]
    persons: list[Person] = []
    for index, row in enumerate(new_rows):
        if index % 2000 == 0:
            _tick(progress, cancelled, index, total)
        persons.append(_new_person(row, now=now))
    fast_insert(persons)
    for row, person in zip(new_rows, persons, strict=True):
        row.existing = person
    result.created = len(persons)
    households = _write_households(rows, houses, today=today)
    result.households = households.created
    residences = [
        Residence(person_id=row.existing.pk, house_id=house_id, is_default=True, started_on=_started(row, today))
        for row in new_rows
        if row.existing is not None and (house_id := houses.of(row)) is not None
    ]
    fast_insert(residences)
    person_tags = [
        PersonTag(
            person_id=row.existing.pk,
            tag_id=tag.pk,
            started_on=_started(row, today),
            source_state=SourceState.ENTERED,
            set_by_id=actor.pk,
            set_at=now,
        )
        for row in new_rows
        if row.existing is not None
        for tag in row.data.get("tags", [])
    ]
    fast_insert(person_tags)
    fast_insert(
        [
            Change(
                object_type="person",
                object_id=row.existing.pk,
                at=now,
                actor_id=actor.pk,
                action="import",
                changes={"name": [None, row.data["name"]]},
                source=source[:200],
            )
            for row in new_rows
            if row.existing is not None
        ]
    )
    touched: list[int] = list(households.recolour)
    for index, row in enumerate(r for r in rows if r.status == UPDATE):
        if index % 200 == 0:
            _tick(progress, cancelled, len(new_rows) + index, total)
        if _update_person(row, actor=actor, houses=houses, households=households, source=source):
            result.updated += 1
        assert row.existing is not None
        touched.append(row.existing.pk)
    people.refresh_identity_colors(touched)
    _tick(progress, cancelled, total, total)
    return result


def _tick(progress: Progress | None, cancelled: Callable[[], bool] | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
    if cancelled is not None and cancelled():
        raise ImportCancelledError


class ImportCancelledError(Exception):
    """The user cancelled the import while it ran: the transaction is rolled back."""


def _started(row: RowPlan, today: date) -> date:
    moved_in = row.data.get("moved_in_on")
    return moved_in if isinstance(moved_in, date) else today


def _new_person(row: RowPlan, *, now: Any) -> Person:
    data = row.data
    assert row.grid is not None
    person = Person(
        region_id=row.grid.pk,
        name=data["name"],
        doc_type=data.get("doc_type") or DocumentType.CITIZEN_ID,
        source_state=SourceState.ENTERED,
        created_at=now,
        identity_color=IdentityColor.WHITE,
    )
    for key in PLAIN:
        if key in data:
            setattr(person, key, data[key])
    for column, value in people.identity_columns(row.id_number).items():
        setattr(person, column, value)
    for column, value in people.phone_columns(data.get("phone", "")).items():
        setattr(person, column, value)
    person.name_pinyin, person.name_initials = name_keys(person.name)
    return person


# --- places ----------------------------------------------------------------------------------------------


def _floor(number: str) -> int:
    digits = "".join(ch for ch in number if ch.isdigit())
    return int(digits[:-2]) if len(digits) >= 3 and int(digits[:-2]) < 100 else 1


class Places:
    """The compounds, buildings and houses of the grids a file touches, found by what ledgers call them."""

    def __init__(self, rows: Sequence[RowPlan]) -> None:
        grid_ids = {r.grid.pk for r in rows if r.grid is not None}
        self.compounds = {
            (c.region_id, c.name): c
            for c in Compound.all_objects.filter(region_id__in=grid_ids, deleted_at__isnull=True)
        }
        self.buildings = {
            (b.region_id, b.compound_id, b.name): b
            for b in Building.all_objects.filter(region_id__in=grid_ids, deleted_at__isnull=True)
        }
        self.houses = {
            (h.building_id, h.unit, h.number): h
            for h in House.all_objects.filter(building__region_id__in=grid_ids, deleted_at__isnull=True)
        }
        self.loose = {
            (h.region_id, h.address): h
            for h in House.all_objects.filter(region_id__in=grid_ids, building__isnull=True, deleted_at__isnull=True)
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
            house = self.houses.get((building.pk, data.get("unit") or 1, data["house_number"])) if building else None
            return house.pk if house else None
        if data.get("address"):
            house = self.loose.get((row.grid.pk, data["address"]))
            return house.pk if house else None
        return None

    def resolve(self, row: RowPlan) -> int | None:
        """The house a row names, created (with its building and compound) if need be."""
        data = row.data
        if row.grid is None or not any(data.get(k) for k in PLACE_KEYS):
            return None
        grid_id = row.grid.pk
        if data.get("building"):
            compound = None
            if data.get("compound"):
                compound = self.compounds.get((grid_id, data["compound"]))
                if compound is None:
                    compound = Compound.all_objects.create(region_id=grid_id, name=data["compound"])
                    self.compounds[(grid_id, compound.name)] = compound
            building_key = (grid_id, compound.pk if compound else None, data["building"])
            building = self.buildings.get(building_key)
            if building is None:
                building = Building.all_objects.create(region_id=grid_id, compound=compound, name=data["building"])
                self.buildings[building_key] = building
            unit = data.get("unit") or 1
            house_key = (building.pk, unit, data["house_number"])
            house = self.houses.get(house_key)
            if house is None:
                house = House.all_objects.create(
                    region_id=grid_id,
                    building=building,
                    unit=unit,
                    number=data["house_number"],
                    floor=_floor(data["house_number"]),
                )
                self.houses[house_key] = house
                self.created += 1
                _grow_building(building, unit=unit, floor=house.floor)
        else:
            address = data["address"]
            house = self.loose.get((grid_id, address))
            if house is None:
                house = House.all_objects.create(
                    region_id=grid_id, address=address, number=data.get("house_number", "")
                )
                self.loose[(grid_id, address)] = house
                self.created += 1
        self.by_row[row.number] = house.pk
        return house.pk

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


# --- households ----------------------------------------------------------------------------------------


@dataclass
class Households:
    by_key: dict[tuple[int, str], Household] = field(default_factory=dict)
    created: int = 0
    recolour: list[int] = field(default_factory=list)


def _write_households(rows: Sequence[RowPlan], houses: Places, *, today: date) -> Households:
    """Create the new households and the memberships of new people; existing people join in `_update_person`."""
    result = Households()
    groups: dict[tuple[int, str], list[RowPlan]] = defaultdict(list)
    for row in rows:
        if row.data.get("household_number") and row.grid is not None:
            groups[(row.grid.pk, row.data["household_number"])].append(row)
    if not groups:
        return result
    for household in Household.all_objects.filter(
        region_id__in={k[0] for k in groups}, number__in={k[1] for k in groups}, deleted_at__isnull=True
    ):
        result.by_key[(household.region_id, household.number)] = household
    fresh: list[Household] = []
    for key, members in groups.items():
        if key in result.by_key:
            continue
        head = next(r for r in members if r.data["relation"] == Relation.HEAD)
        assert head.existing is not None
        kind = head.data.get("household_kind") or (
            HouseholdKind.TENANT
            if head.data.get("residency") in (Residency.TENANT, Residency.FLOATING)
            else HouseholdKind.LOCAL
        )
        household = Household(
            region_id=key[0], number=key[1], kind=kind, head_id=head.existing.pk, house_id=houses.of(head)
        )
        result.by_key[key] = household
        fresh.append(household)
    fast_insert(fresh)
    result.created = len(fresh)
    fresh_keys = {(h.region_id, h.number) for h in fresh}
    memberships = []
    for key, members in groups.items():
        household = result.by_key[key]
        for row in members:
            if row.status != NEW or row.existing is None:
                continue
            memberships.append(
                Membership(
                    household_id=household.pk,
                    person_id=row.existing.pk,
                    relation=row.data["relation"],
                    started_on=_started(row, today),
                )
            )
            if key in fresh_keys:
                row.existing.identity_color = identity_color(
                    is_head=household.head_id == row.existing.pk, household_kind=household.kind
                )
            else:
                result.recolour.append(row.existing.pk)
            if row.data["relation"] == Relation.HEAD and household.head_id is None:
                Household.all_objects.filter(pk=household.pk).update(head_id=row.existing.pk)
                household.head_id = row.existing.pk
    fast_insert(memberships)
    colours: dict[str, list[int]] = defaultdict(list)
    for key in fresh_keys:
        for row in groups[key]:
            if row.status == NEW and row.existing is not None and row.existing.identity_color != IdentityColor.WHITE:
                colours[row.existing.identity_color].append(row.existing.pk)
    for colour, ids in colours.items():
        Person.all_objects.filter(pk__in=ids).update(identity_color=colour)
    fast_insert(
        [
            Change(
                object_type="household",
                object_id=h.pk,
                action="import",
                changes={"number": [None, h.number], "head": [None, h.head_id]},
            )
            for h in fresh
        ]
    )
    return result


def _update_person(row: RowPlan, *, actor: User, houses: Places, households: Households, source: str) -> bool:
    """Apply one row's changes to an existing person through the registry's services."""
    person = row.existing
    assert person is not None and row.grid is not None
    changes = dict(row.changes)
    changed = False
    fields = {k: v for k, v in changes.items() if k in PLAIN}
    if fields or "phone" in changes:
        people.person_update(actor=actor, person=person, phone=changes.get("phone"), source=source, **fields)
        changed = True
    if "region" in changes:
        Person.all_objects.filter(pk=person.pk).update(region=row.grid)
        people.Change.objects.create(
            object_type="person",
            object_id=person.pk,
            actor=actor,
            action="move",
            changes={"region": [person.region.name, row.grid.name]},
            source=source[:200],
        )
        changed = True
    if "household" in changes:
        household = households.by_key[(row.grid.pk, row.data["household_number"])]
        people.household_add_member(
            actor=actor, household=household, person=person, relation=row.data["relation"], source=source
        )
        changed = True
    house_id = houses.of(row)
    if house_id is not None and changes.get("house"):
        people.residence_set(actor=actor, person=person, house=House.all_objects.get(pk=house_id), source=source)
        changed = True
    for tag in changes.get("tags", []):
        people.tag_add(actor=actor, person=person, tag=tag, source=source)
        changed = True
    return changed


def summary_audit(*, actor: User, job_id: str, source: str, counts: dict[str, int], written: Written) -> None:
    audit_record(
        actor=actor,
        action="ledger.import",
        object_type="ledgers.importjob",
        object_id=job_id,
        detail={
            "file": source,
            "rows": counts,
            "created": written.created,
            "updated": written.updated,
            "households": written.households,
            "houses": written.houses,
        },
    )
