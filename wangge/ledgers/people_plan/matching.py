"""Matching the rows against the registry (record number, document number, or name in the grid), and what an update would change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from wangge.core import crypto
from wangge.core.idcard import mask_id, mask_phone
from wangge.core.models import User
from wangge.ledgers.kinds import INVALID, UNCHANGED, UPDATE
from wangge.ledgers.people_plan.rows import PLAIN, Plan, RowPlan
from wangge.ledgers.people_schema import RECORD_HEADER
from wangge.ledgers.places import PLACE_KEYS, Places
from wangge.people import services as people
from wangge.people.models import Membership, Person, PersonTag, Residence
from wangge.regions.models import Region, scope_paths


def match_existing(rows: list[RowPlan], *, actor: User, places: Places) -> int:
    """People who already exist (by document number): in scope they are updates, elsewhere errors that name
    only the community to contact (as the registry's own refusal does). Returns how many were elsewhere."""
    elsewhere = _match_records(rows, actor=actor, places=places)
    hashes = _registered([r.id_hash for r in rows if r.id_hash and r.status != INVALID and r.existing is None])
    existing: dict[str, Person] = {}
    for start in range(0, len(hashes), 5000):
        for person in Person.all_objects.filter(
            id_hash__in=hashes[start : start + 5000], deleted_at__isnull=True, merged_into__isnull=True
        ).select_related("region"):
            existing[person.id_hash] = person
    _match_unnumbered(rows, places=places)
    if not existing:
        return elsewhere
    paths = scope_paths(actor)
    memberships, homes, current_tags = _registry_context([p.pk for p in existing.values()])
    communities: dict[int, Region] = {}
    for row in rows:
        found = existing.get(row.id_hash) if row.id_hash else None
        if found is None or row.status == INVALID or row.existing is not None:
            continue
        person = found
        if not any(person.region.path.startswith(p) for p in paths):
            community = communities.setdefault(person.region_id, people.community_of(person.region))
            row.fail("证件号码：" + people.registered_elsewhere_message(community))
            elsewhere += 1
            continue
        row.existing = person
        row.person_id = person.pk
        row.changes = _differences(
            row, person, memberships.get(person.pk), homes.get(person.pk), places.find(row), current_tags[person.pk]
        )
        row.status = UPDATE if row.changes else UNCHANGED
    return elsewhere


# Changes a user must look at twice before confirming: another name, birth date or grid may be another person.
WEIGHTY = ("name", "birth_date", "region")
_HIDDEN = ("health_status", "disability_type", "disability_grade")  # sensitive: never shown in the preview
_OTHER_LABELS = {
    "region": "网格",
    "household": "户号",
    "house": "住址",
    "tags": "标签",
    "phone": "联系电话",
    "residence_permit": "居住证号",
}


def update_lines(plan: Plan, labels: dict[str, str], limit: int) -> list[list[Any]]:
    """The first `limit` people the import would update, each change as [field, old, new, weighty]."""
    lines: list[list[Any]] = []
    for row in plan.rows:
        if row.status != UPDATE or row.existing is None:
            continue
        person = row.existing
        changes = []
        for key, new in row.changes.items():
            label = labels.get(key) or _OTHER_LABELS.get(key, key)
            changes.append([label, *_shown_change(person, key, new), key in WEIGHTY])
        lines.append([row.number, person.name, changes])
        if len(lines) >= limit:
            break
    return lines


def _shown_change(person: Person, key: str, new: Any) -> tuple[str, str]:
    """Old and new value of one change as a person reads them (choice labels, masked numbers)."""
    if key in _HIDDEN:
        return "***", "***"
    if key == "phone":
        return person.phone_masked or "—", mask_phone(new)
    if key == "residence_permit":
        return person.residence_permit_masked or "—", mask_id(new)
    if key == "region":
        return person.region.name, new.name
    if key == "household":
        return "", str(new)
    if key == "house":
        return "", _("another home")
    if key == "tags":
        return "", "、".join(tag.name for tag in new)
    field = Person._meta.get_field(key)
    choices = dict(getattr(field, "choices", None) or [])

    def shown(value: Any) -> str:
        if value in (None, ""):
            return "—"
        return str(choices.get(value, value))

    return shown(getattr(person, key)), shown(new)


def _registry_context(
    ids: list[int],
) -> tuple[dict[int, Membership], dict[int, int], dict[int, set[int]]]:
    """The current membership, default home and tags of these people, to tell what a row would change."""
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
    return memberships, homes, current_tags


def _match_records(rows: list[RowPlan], *, actor: User, places: Places) -> int:
    """Rows carrying the export's 记录编号 are that person (an exported ledger comes back, masked or not), if the
    user may see them; a number outside the user's area answers as the registry does. Returns how many were."""
    numbered = [r for r in rows if r.data.get("record") and r.status != INVALID]
    if not numbered:
        return 0
    wanted = sorted({r.data["record"] for r in numbered})
    found: dict[int, Person] = {}
    for start in range(0, len(wanted), 2000):
        for registered in Person.all_objects.filter(
            pk__in=wanted[start : start + 2000], deleted_at__isnull=True, merged_into__isnull=True
        ).select_related("region"):
            found[registered.pk] = registered
    paths = scope_paths(actor)
    memberships, homes, current_tags = _registry_context(list(found))
    elsewhere = 0
    for row in numbered:
        record = row.data["record"]  # kept: the stored plan is matched again before the import
        person = found.get(record)
        if person is None or not any(person.region.path.startswith(p) for p in paths):
            elsewhere += person is not None
            row.fail(RECORD_HEADER + "：" + _("No person with record number %(n)s in your area.") % {"n": record})
            continue
        if row.id_hash and person.id_hash != row.id_hash:
            row.fail(
                "证件号码："
                + _("Not the number of record %(n)s (%(name)s): correct the number on the person's card.")
                % {"n": record, "name": person.name}
            )
            continue
        row.existing, row.person_id = person, person.pk
        row.changes = _differences(
            row, person, memberships.get(person.pk), homes.get(person.pk), places.find(row), current_tags[person.pk]
        )
        row.status = UPDATE if row.changes else UNCHANGED
    return elsewhere


def _match_unnumbered(rows: list[RowPlan], *, places: Places) -> None:
    """A row without a document number is the registered person of its grid who has none either, the same
    name and no other birth date or household: the same ledger uploaded again (next month's, or the same
    file twice) updates them instead of adding them again. Two such people, or none, and the row is new."""
    pending = [
        r
        for r in rows
        if not r.id_hash and r.status != INVALID and r.grid is not None and r.data.get("name") and r.existing is None
    ]
    if not pending:
        return
    grids = {r.grid.pk for r in pending if r.grid is not None}
    names = sorted({r.data["name"] for r in pending})
    candidates: dict[tuple[int, str], list[Person]] = defaultdict(list)
    for start in range(0, len(names), 2000):
        for person in Person.all_objects.filter(
            region_id__in=grids,
            name__in=names[start : start + 2000],
            id_hash="",
            deleted_at__isnull=True,
            merged_into__isnull=True,
        ):
            candidates[(person.region_id, person.name)].append(person)
    if not candidates:
        return
    memberships, homes, current_tags = _registry_context([p.pk for found in candidates.values() for p in found])
    taken: set[int] = set()
    for row in pending:
        assert row.grid is not None
        born, number = row.data.get("birth_date"), row.data.get("household_number")
        options = [
            p
            for p in candidates.get((row.grid.pk, row.data["name"]), [])
            if p.pk not in taken
            and (born is None or p.birth_date in (None, born))
            and (not number or p.pk not in memberships or memberships[p.pk].household.number == number)
        ]
        if len(options) != 1:
            continue
        person = options[0]
        taken.add(person.pk)
        row.existing, row.person_id = person, person.pk
        row.changes = _differences(
            row, person, memberships.get(person.pk), homes.get(person.pk), places.find(row), current_tags[person.pk]
        )
        row.status = UPDATE if row.changes else UNCHANGED


def _registered(hashes: Sequence[str]) -> list[str]:
    """Which of these document hashes belong to a registered person: one plain query per 5,000 (a ledger of
    new people finds none, and the ORM spends longer preparing 100,000 parameters than the database answers)."""
    table = connection.ops.quote_name(Person._meta.db_table)
    found: list[str] = []
    with connection.cursor() as cursor:
        for start in range(0, len(hashes), 5000):
            chunk = hashes[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT id_hash FROM {table} WHERE id_hash IN ({marks}) "  # noqa: S608  (placeholders only)
                "AND deleted_at IS NULL AND merged_into_id IS NULL",
                chunk,
            )
            found.extend(h for (h,) in cursor.fetchall())
    return found


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
    if data.get("phone") and person.phone_hash != crypto.lookup_hash(data["phone"], kind="phone"):
        changes["phone"] = data["phone"]
    if data.get("residence_permit") and data["residence_permit"] != people.reveal_value(person, "residence_permit"):
        changes["residence_permit"] = data["residence_permit"]
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
