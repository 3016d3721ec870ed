"""Writing a checked people ledger: new people, households and houses in bulk, computed as the registry's
services compute them; changes to people who already exist through those services themselves.
The caller holds the transaction: all or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from wangge.core import history
from wangge.core.audit import audit_record
from wangge.core.bulk import BATCH, Inserter, WriteBehind
from wangge.core.idcard import DocumentType
from wangge.core.models import HistoryEntry, User
from wangge.ledgers.kinds import tick as _tick
from wangge.ledgers.people_plan import (
    NEW,
    PLAIN,
    SEPARATOR,
    STORED,
    UPDATE,
    Plan,
    Progress,
    RowPlan,
    stored_columns,
)
from wangge.ledgers.places import Places
from wangge.people import services as people
from wangge.people.choices import HouseholdKind, IdentityColor, Relation, Residency, SourceState, identity_color
from wangge.people.models import Household, Membership, Person, PersonTag, Residence
from wangge.places.models import House

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
    new_rows = [r for r in rows if r.status == NEW]
    total = len(rows)
    _tick(progress, cancelled, 0, total)
    houses = Places(rows)
    houses.resolve_all(rows, actor_id=actor.pk, source=source, now=now)
    _mark_rentals(rows, houses)
    households = Households(rows)
    colours = households.colours()
    source = source[:200]
    persons = Inserter(Person)
    person_ids = persons.reserve(len(new_rows)) if new_rows else []
    for row, pk in zip(new_rows, person_ids, strict=True):
        row.person_id = pk
    households.reserve()
    _tick(progress, cancelled, 0, total)
    # The people go in batch by batch while the next batch, then the households, homes, tags and
    # history are built: the database updates the people's indexes meanwhile (see WriteBehind).
    with WriteBehind() as writer:
        for start in range(0, len(new_rows), BATCH):
            batch = new_rows[start : start + BATCH]
            person_rows = [
                _person_row(persons, row, now=now, colour=colours.get(row.number, IdentityColor.WHITE)) for row in batch
            ]
            persons.adapt(person_rows)
            writer.submit(
                _write_people,
                persons,
                person_rows,
                person_ids[start : start + BATCH],
                progress,
                ((start + len(batch)) * PEOPLE_SHARE // 100, total),
            )
            _tick(None, cancelled, 0, total)
        households.write(writer, houses, today=today, actor=actor, source=source, now=now)
        if progress is not None:  # told by the writer once the households are in
            writer.submit(progress, len(new_rows) * HOUSEHOLDS_SHARE // 100, total)
        residences = Inserter(Residence)
        writer.insert(
            residences,
            [
                residences.row(
                    person_id=row.person_id, house_id=house_id, is_default=True, started_on=_started(row, today)
                )
                for row in new_rows
                if (house_id := houses.of(row)) is not None
            ],
        )
        tags = Inserter(PersonTag)
        writer.insert(
            tags,
            [
                tags.row(
                    person_id=row.person_id,
                    tag_id=tag.pk,
                    started_on=_started(row, today),
                    source_state=SourceState.ENTERED,
                    set_by_id=actor.pk,
                    set_at=now,
                )
                for row in new_rows
                for tag in row.data.get("tags", [])
            ],
        )
        entries = Inserter(HistoryEntry)
        writer.insert(
            entries,
            [
                entries.row(
                    **history.columns(
                        model=Person,
                        object_id=row.person_id,
                        at=now,
                        actor_id=actor.pk,
                        action="import",
                        changes={"name": [None, row.data["name"]]},
                        source=source,
                    )
                )
                for row in new_rows
            ],
        )
    households.finish()
    _tick(progress, cancelled, len(new_rows), total)
    result = Written(created=len(new_rows), households=households.created, houses=houses.created)
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


# How far the progress of the new rows has come once their people (per batch), then their households, are
# written; their homes, tags and history fill the rest (the bar moves through the write, not only at its end).
PEOPLE_SHARE = 50
HOUSEHOLDS_SHARE = 75


def _write_people(
    persons: Inserter, rows: list[list[Any]], ids: Sequence[int], progress: Progress | None, done: tuple[int, int]
) -> None:
    """In the writer's thread: a batch of people (adapted by the caller), then how far the import has come."""
    persons.insert(rows, ids=ids, adapted=True)
    if progress is not None:
        progress(*done)


def _started(row: RowPlan, today: date) -> date:
    moved_in = row.data.get("moved_in_on")
    return moved_in if isinstance(moved_in, date) else today


def _person_row(persons: Inserter, row: RowPlan, *, now: Any, colour: str) -> list[Any]:
    """What `people.services.person_create` stores for this row, as a plain row."""
    data = row.data
    assert row.grid is not None
    values = persons.row(
        region_id=row.grid.pk,
        doc_type=data.get("doc_type") or DocumentType.CITIZEN_ID,
        source_state=SourceState.ENTERED,
        created_at=now,
        identity_color=colour,
    )
    index = persons.index
    for key in PLAIN:
        if key in data:
            values[index[key]] = data[key]
    for key, value in zip(STORED, row.stored.split(SEPARATOR) if row.stored else stored_columns(row), strict=True):
        values[index[key]] = value
    if data.get("residence_permit"):  # few rows carry one: encrypted here, not among the columns spread ahead
        for key, value in people.permit_columns(data["residence_permit"]).items():
            values[index[key]] = value
    return values


# --- households ----------------------------------------------------------------------------------------


class Households:
    """The households a file names: existing ones found, new ones created with their head and home."""

    def __init__(self, rows: Sequence[RowPlan]) -> None:
        self.groups: dict[tuple[int, str], list[RowPlan]] = defaultdict(list)
        for row in rows:
            if row.data.get("household_number") and row.grid is not None:
                self.groups[(row.grid.pk, row.data["household_number"])].append(row)
        self.by_key: dict[tuple[int, str], Household | NewHousehold] = {}
        if self.groups:
            for household in Household.all_objects.filter(
                region_id__in={k[0] for k in self.groups},
                number__in={k[1] for k in self.groups},
                deleted_at__isnull=True,
            ):
                self.by_key[(household.region_id, household.number)] = household
        self.kinds = {}
        for key, members in list(self.groups.items()):
            if key in self.by_key:
                continue
            head = next((r for r in members if r.data["relation"] == Relation.HEAD), None)
            if head is None and not any(r.status == NEW for r in members):
                del self.groups[key]  # its only rows are registered people the user chose to skip
            else:  # a household whose head row failed is built with its head to be added (户主待补)
                self.kinds[key] = _kind(head or members[0])
        self.created = 0
        self.recolour: list[int] = []

    def colours(self) -> dict[int, str]:
        """红粉白 of the new people of new households (row number → colour); the rest are recoloured after."""
        colours = {}
        for key, kind in self.kinds.items():
            for row in self.groups[key]:
                if row.status == NEW and row.data["relation"] == Relation.HEAD:
                    colours[row.number] = identity_color(is_head=True, household_kind=kind)
        return colours

    def reserve(self) -> None:
        """Keys for the new households, once their heads' keys are known (their members point at them)."""
        self.inserter = Inserter(Household)
        self.fresh = list(self.kinds)
        self.heads = {
            key: next((r for r in self.groups[key] if r.data["relation"] == Relation.HEAD), None) for key in self.fresh
        }
        self.ids = self.inserter.reserve(len(self.fresh)) if self.fresh else []
        for key, pk in zip(self.fresh, self.ids, strict=True):
            head = self.heads[key]
            self.by_key[key] = NewHousehold(pk=pk, head_id=head.person_id if head is not None else None)
        self.created = len(self.fresh)
        self.new_heads: list[tuple[int, int]] = []

    def write(self, writer: WriteBehind, houses: Places, *, today: date, actor: User, source: str, now: Any) -> None:
        """The new households, every new person's membership and the households' history, to the writer."""
        households, heads = self.inserter, self.heads
        writer.insert(
            households,
            [
                households.row(
                    region_id=key[0],
                    number=key[1],
                    kind=self.kinds[key],
                    head_id=self.by_key[key].head_id,
                    house_id=houses.of(heads[key] or self.groups[key][0]),
                    created_at=now,
                )
                for key in self.fresh
            ],
            ids=self.ids,
        )
        memberships = Inserter(Membership)
        rows = []
        for key, members in self.groups.items():
            household = self.by_key[key]
            for row in members:
                if row.status != NEW:
                    continue
                rows.append(
                    memberships.row(
                        household_id=household.pk,
                        person_id=row.person_id,
                        relation=row.data["relation"],
                        started_on=_started(row, today),
                    )
                )
                if key not in self.kinds:
                    self.recolour.append(row.person_id)
                    if row.data["relation"] == Relation.HEAD and household.head_id is None:
                        self.new_heads.append((household.pk, row.person_id))
                        household.head_id = row.person_id
        writer.insert(memberships, rows)
        entries = Inserter(HistoryEntry)
        writer.insert(
            entries,
            [
                entries.row(
                    **history.columns(
                        model=Household,
                        object_id=self.by_key[key].pk,
                        at=now,
                        actor_id=actor.pk,
                        action="import",
                        changes={"number": [None, key[1]], "head": [None, self.by_key[key].head_id]},
                        source=source,
                    )
                )
                for key in self.fresh
            ],
        )

    def finish(self) -> None:
        """After the writer: registered households without a head get the head the file names."""
        for pk, head_id in self.new_heads:
            Household.all_objects.filter(pk=pk).update(head_id=head_id)


@dataclass
class NewHousehold:
    """A household this import created (no model instance needed for the bulk insert of its members)."""

    pk: int
    head_id: int | None


def _mark_rentals(rows: Sequence[RowPlan], houses: Places) -> None:
    """Houses whose rows are tenants, or name a landlord, are rentals (出租屋), with that landlord.

    One UPDATE per distinct landlord (and one for the rest), not one per house.
    """
    by_landlord: dict[tuple[str, str], set[int]] = defaultdict(set)
    for row in rows:
        data = row.data
        landlord = (data.get("landlord_name", ""), data.get("landlord_phone", ""))
        if not any(landlord) and data.get("residency") != Residency.TENANT:
            continue
        house_id = houses.of(row)
        if house_id is not None:
            by_landlord[landlord].add(house_id)
    for (name, phone), ids in by_landlord.items():
        fields: dict[str, Any] = {"is_rental": True}
        if name:
            fields["landlord_name"] = name
        if phone:
            fields["landlord_phone"] = phone
        ordered = sorted(ids)
        for start in range(0, len(ordered), 5000):
            House.all_objects.filter(pk__in=ordered[start : start + 5000]).update(**fields)


def _kind(head: RowPlan) -> str:
    if head.data.get("household_kind"):
        return str(head.data["household_kind"])
    tenant = head.data.get("residency") in (Residency.TENANT, Residency.FLOATING)
    return HouseholdKind.TENANT if tenant else HouseholdKind.LOCAL


def _update_person(row: RowPlan, *, actor: User, houses: Places, households: Households, source: str) -> bool:
    """Apply one row's changes to an existing person through the registry's services."""
    person = row.existing
    assert person is not None and row.grid is not None
    changes = dict(row.changes)
    changed = False
    fields = {k: v for k, v in changes.items() if k in PLAIN}
    if fields or "phone" in changes or "residence_permit" in changes:
        people.person_update(
            actor=actor,
            person=person,
            phone=changes.get("phone"),
            residence_permit=changes.get("residence_permit"),
            source=source,
            **fields,
        )
        changed = True
    if "region" in changes:
        Person.all_objects.filter(pk=person.pk).update(region=row.grid)
        old_region, person.region = person.region, row.grid
        history.record(
            obj=person, actor=actor, action="move", changes={"region": [old_region.name, row.grid.name]}, source=source
        )
        changed = True
    if "household" in changes:
        household = households.by_key[(row.grid.pk, row.data["household_number"])]
        if isinstance(household, NewHousehold):
            household = Household.all_objects.select_related("region").get(pk=household.pk)
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
