"""What a checked plan stores: each new person's encrypted and hashed columns, and the plan kept between the check and the import."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from wangge.core.jobs.parallel import Spread
from wangge.core.models import User
from wangge.core.pinyin import name_keys
from wangge.core.roles import Cap
from wangge.ledgers.kinds import INVALID, NEW
from wangge.ledgers.people_plan.compounds import check_compounds
from wangge.ledgers.people_plan.households import check_households
from wangge.ledgers.people_plan.matching import match_existing
from wangge.ledgers.people_plan.rows import Plan, RowPlan, count_rows, grids_of, mark_name_only
from wangge.ledgers.places import Places
from wangge.ledgers.readers import LedgerError
from wangge.people import services as people
from wangge.people.models import Tag
from wangge.regions.models import Region


class StoredColumns:
    """Encrypt, hash and spell out (pinyin) what the import will store for each new person, ahead of it.

    Spread over the machine's cores: the other processes start at once, `apply()` does this
    process's share and puts the columns on the rows (the caller may write the error report between).
    """

    def __init__(self, plan: Plan) -> None:
        self.rows = [row for row in plan.rows if row.status == NEW]
        items = [(row.id_number, row.data.get("phone", ""), row.data["name"]) for row in self.rows]
        self.spread: Spread[tuple[str, str, str], str] = Spread(stored_share, items)

    def apply(self) -> None:
        for row, stored in zip(self.rows, self.spread.result(), strict=True):
            row.stored = stored

    def __enter__(self) -> StoredColumns:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.spread.close()


def add_stored_columns(plan: Plan) -> None:
    with StoredColumns(plan) as stored:
        stored.apply()


# what `people.services.person_create` stores for a person's numbers and name (never the plain numbers)
STORED = (*people.NUMBER_COLUMNS, "name_pinyin", "name_initials")
SEPARATOR = "\x1f"  # between the stored columns of a row: never in a token, mask, hash or pinyin key


def stored_columns(row: RowPlan) -> tuple[str, ...]:
    """The row's values of `STORED`."""
    return stored_values(row.id_number, row.data.get("phone", ""), row.data["name"])


def stored_values(id_number: str, phone: str, name: str) -> tuple[str, ...]:
    columns = people.identity_columns(id_number)
    columns.update(people.phone_columns(phone))
    columns["name_pinyin"], columns["name_initials"] = name_keys(name)
    return tuple(columns[key] for key in STORED)


def stored_share(items: Sequence[tuple[str, str, str]]) -> list[str]:
    """Each as one string (`SEPARATOR` between the columns): one object per row to send back, not eleven."""
    join = SEPARATOR.join
    return [join(stored_values(id_number, phone, name)) for id_number, phone, name in items]


# --- the plan between the check and the import ---------------------------------------------------------

PLAN_FORMAT = 3


def plan_dump(plan: Plan) -> bytes:
    """The checked rows, to be stored encrypted (they hold ID numbers) until the import runs.

    Compact because it is written and read for every row of a large ledger: each row's values as
    a tuple in the order of `keys`, its stored columns as one string; rows with errors keep only
    their number and errors.
    """
    keys = sorted({key for row in plan.rows if row.status != INVALID for key in row.data} - {"tags"})
    rows = [
        (r.number, r.errors)
        if r.status == INVALID
        else (
            r.number,
            r.errors,
            tuple(r.data.get(key) for key in keys),
            [t.pk for t in r.data.get("tags", [])],
            r.grid.pk if r.grid is not None else None,
            r.id_number,
            r.id_hash,
            r.stored,
            r.warnings,
        )
        for r in plan.rows
    ]
    return pickle.dumps((PLAN_FORMAT, keys, rows, plan.left_out), protocol=pickle.HIGHEST_PROTOCOL)


def plan_load(blob: bytes, *, actor: User, region: Region) -> Plan:
    """A stored plan, matched against the registry again: people and households may have changed since."""
    loaded = pickle.loads(blob)  # noqa: S301  (our own file, under authenticated encryption)
    if loaded[0] != PLAN_FORMAT:
        raise LedgerError(_("Check the file again before importing it."), code="stale_plan")
    _format, keys, stored_rows, left_out = loaded
    grids = {g.pk: g for g in grids_of(region)}
    allowed = actor.has_perm(Cap.VIEW_SENSITIVE_GROUPS)
    tags = {t.pk: t for t in Tag.objects.all() if allowed or not t.is_sensitive}
    rows = []
    for stored_row in stored_rows:
        if len(stored_row) == 2:
            number, errors = stored_row
            row = RowPlan(number=number, raw=[], errors=list(errors), status=INVALID)
            rows.append(row)
            continue
        number, errors, values, tag_ids, grid_id, id_number, id_hash, stored, warnings = stored_row
        data = {key: value for key, value in zip(keys, values, strict=True) if value is not None}
        row = RowPlan(number=number, raw=[], data=data, errors=list(errors), id_number=id_number, id_hash=id_hash)
        row.warnings = list(warnings)
        row.grid = grids.get(grid_id) if grid_id is not None else None
        row.stored = stored
        if row.grid is None:
            row.fail("网格：" + _("The grid of this row is no longer active in this region."))
        data["tags"] = [tags[pk] for pk in tag_ids if pk in tags]
        rows.append(row)
    check_compounds(rows, actor=actor)
    match_existing(rows, actor=actor, places=Places(rows))
    check_households(rows)
    mark_name_only(rows)
    return Plan(rows=rows, counts=count_rows(rows, left_out), tags={}, left_out=list(left_out))
