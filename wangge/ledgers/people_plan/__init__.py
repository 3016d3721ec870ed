"""Planning a people ledger import: every row parsed, validated with the registry's rules and matched.

Nothing here writes. `plan_people` is what the check runs and what the preview shows; the plan is
stored (encrypted) so that the import writes exactly what was checked, after matching the rows
against the registry once more inside its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record
from wangge.core.models import AuditEvent, User
from wangge.core.refusals import Kind, refusal_record
from wangge.core.roles import Cap
from wangge.ledgers.kinds import INVALID, NEW, SKIP, UNCHANGED, UPDATE
from wangge.ledgers.people_plan.cells import CellMemo, not_a_person
from wangge.ledgers.people_plan.check import CheckedSheet, check_sheet
from wangge.ledgers.people_plan.compounds import check_compounds
from wangge.ledgers.people_plan.duplicates import mark_duplicates
from wangge.ledgers.people_plan.households import check_households, tenant_households
from wangge.ledgers.people_plan.matching import match_existing, update_lines
from wangge.ledgers.people_plan.rows import (
    NAME_ONLY,
    PLAIN,
    REPEATED,
    Plan,
    Progress,
    RowPlan,
    count_rows,
    grids_of,
    mark_name_only,
)
from wangge.ledgers.people_plan.stored import (
    SEPARATOR,
    STORED,
    StoredColumns,
    add_stored_columns,
    plan_dump,
    plan_load,
    stored_columns,
    stored_share,
)
from wangge.ledgers.places import Places
from wangge.ledgers.readers import LedgerError, Table
from wangge.ledgers.schema import Header, Schema
from wangge.people.models import Tag
from wangge.regions.models import GRID_LEVELS, Region

__all__ = [
    "INVALID",
    "NAME_ONLY",
    "NEW",
    "PLAIN",
    "SEPARATOR",
    "SKIP",
    "STORED",
    "UNCHANGED",
    "UPDATE",
    "CellMemo",
    "Plan",
    "Progress",
    "RowPlan",
    "StoredColumns",
    "add_stored_columns",
    "not_a_person",
    "plan_dump",
    "plan_load",
    "plan_people",
    "stored_columns",
    "stored_share",
    "update_lines",
]


def _visible_tags(actor: User) -> dict[str, Tag | None]:
    """Tag name → tag; a sensitive tag the user may not see maps to None (named, but refused)."""
    allowed = actor.has_perm(Cap.VIEW_SENSITIVE_GROUPS)
    return {t.name: t if allowed or not t.is_sensitive else None for t in Tag.objects.all()}


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
    grids = grids_of(region)
    if not grids:
        raise LedgerError(
            _("%(region)s has no active grid to import people into.") % {"region": region.name}, code="no_grid"
        )
    default_grid = region if region.level in GRID_LEVELS else None
    grid_by_name: dict[str, Region | None] = {}
    for grid in grids:
        for key in (grid.name, grid.grid_code):
            if key:
                grid_by_name[key] = None if key in grid_by_name and grid_by_name[key] != grid else grid
    tags = _visible_tags(actor)
    columns = [(index, schema.by_key[key]) for index, key in enumerate(mapping) if key]
    example = [(i, str(c.example)) for i, c in columns if c.example not in ("", None)]
    data_rows = table.rows[header.data_start :]
    offsets = range(len(data_rows))  # blank rows are left out by the workers
    sheet = CheckedSheet(
        rows=data_rows,
        first_number=header.data_start + 1,
        parsers=[(index, column, CellMemo(column)) for index, column in columns],
        default_grid=default_grid,
        grid_by_name=grid_by_name,
        tags=tags,
        today=timezone.localdate(),
        example=example,
    )
    checked = check_sheet(sheet, offsets, progress)  # parsing and checking on every core
    grid_by_pk = {grid.pk: grid for grid in grids}
    tag_by_pk = {tag.pk: tag for tag in tags.values() if tag is not None}
    rows: list[RowPlan] = []
    left_out: list[tuple[int, str]] = []
    for offset, data, tag_ids, errors, grid_id, id_number, id_hash, warnings in checked:
        if data is None:  # a totals line or a signature under the data: not a person
            left_out.append((header.data_start + offset + 1, warnings[0]))
            continue
        row = RowPlan(
            number=header.data_start + offset + 1, raw=data_rows[offset], data=data, errors=errors, warnings=warnings
        )
        if errors:
            row.status = INVALID
        data["tags"] = [tag_by_pk[pk] for pk in tag_ids]
        row.grid = grid_by_pk.get(grid_id) if grid_id is not None else None
        row.id_number, row.id_hash = id_number, id_hash
        rows.append(row)
    left_out += mark_duplicates(rows, {column.key: column.header for _index, column in columns})
    rows = [row for row in rows if row.status != REPEATED]
    check_compounds(rows, actor=actor)
    elsewhere = match_existing(rows, actor=actor, places=Places(rows))
    if elsewhere:  # counted for the security page, and one audit row per check (the rows are not named)
        refusal_record(user=actor, kind=Kind.DUPLICATE, n=elsewhere)
        audit_record(
            actor=actor,
            action="ledger.duplicates_elsewhere",
            obj=region,
            result=AuditEvent.Result.DENIED,
            detail={"rows": elsewhere},
        )
    tenant_households(rows)
    check_households(rows)
    mark_name_only(rows)
    if progress is not None:
        progress(len(data_rows), len(data_rows))
    return Plan(rows=rows, counts=count_rows(rows, left_out), tags=tags, left_out=sorted(left_out))
