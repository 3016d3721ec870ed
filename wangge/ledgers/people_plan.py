"""Planning a people ledger import: every row parsed, validated with the registry's rules and matched.

Nothing here writes. `plan_people` is what the check runs and what the preview shows; the plan is
stored (encrypted) so that the import writes exactly what was checked, after matching the rows
against the registry once more inside its transaction.
"""

from __future__ import annotations

import pickle
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record
from wangge.core.idcard import DocumentType
from wangge.core.models import AuditEvent, User
from wangge.core.pinyin import name_keys
from wangge.core.refusals import Kind, refusal_record
from wangge.core.roles import Cap
from wangge.ledgers.kinds import INVALID, NEW, SKIP, UNCHANGED, UPDATE, FailingRow, RowsPlan
from wangge.ledgers.parallel import Spread
from wangge.ledgers.people_schema import CHILD_BY_GENDER, RECORD_HEADER
from wangge.ledgers.places import PLACE_KEYS, Places
from wangge.ledgers.readers import LedgerError, Table
from wangge.ledgers.schema import Header, Schema
from wangge.ledgers.values import CellError, CellWarning, joined, text
from wangge.people import services as people
from wangge.people.choices import HouseholdKind, Relation, Residency
from wangge.people.models import Household, Membership, Person, PersonTag, Residence, Tag
from wangge.people.relations import child_of_gender
from wangge.regions.models import Level, Region, scope_paths

REPEATED = "repeated"  # a row that repeats an earlier one word for word: left out, with a note
WARNED, LEFT_OUT = "warnings", "left_out"  # counts of rows kept with a warning, and of lines left out
PLAIN = [f for f in people.PLAIN_FIELDS]
Progress = Callable[[int, int], None]


@dataclass
class RowPlan(FailingRow):
    number: int  # the spreadsheet's row number, as the user sees it
    raw: list[Any]
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    status: str = NEW
    grid: Region | None = None
    id_number: str = ""
    id_hash: str = ""
    existing: Person | None = None
    person_id: int = 0  # once written (new) or found (existing)
    changes: dict[str, Any] = field(default_factory=dict)
    stored: str = ""  # a new person's encrypted, hashed and pinyin columns, in STORED order, joined by SEPARATOR
    warnings: list[str] = field(default_factory=list)  # kept, but the user is told (e.g. 户主待补)

    def warn(self, message: str) -> None:
        if message not in self.warnings:  # a stored plan is checked again before the import
            self.warnings.append(message)


@dataclass
class Plan(RowsPlan[RowPlan]):
    rows: list[RowPlan]
    counts: dict[str, int]
    tags: dict[str, Tag | None]
    left_out: list[tuple[int, str]] = field(default_factory=list)  # lines that are not people: (row, why)

    @property
    def notes(self) -> list[tuple[int, str]]:
        """What the user should read before importing: rows kept with a warning, and lines left out."""
        notes = [(r.number, joined(r.warnings)) for r in self.rows if r.warnings and r.status != INVALID]
        notes += self.left_out
        return sorted(notes)


def _grids(region: Region) -> list[Region]:
    return list(
        Region.all_objects.filter(
            path__startswith=region.path, level__in=[Level.GRID, Level.MICROGRID], is_active=True
        ).order_by("path")
    )


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
    data_rows = table.rows[header.data_start :]
    offsets = range(len(data_rows))  # blank rows are left out by the workers
    sheet = _Sheet(
        rows=data_rows,
        first_number=header.data_start + 1,
        parsers=[(index, column, CellMemo(column)) for index, column in columns],
        default_grid=default_grid,
        grid_by_name=grid_by_name,
        tags=tags,
        today=timezone.localdate(),
        example=example,
    )
    global _SHEET
    with _SHEET_LOCK:  # one check at a time per process (the worker's threads): each uses every core
        _SHEET = sheet
        try:
            checked = Spread(_check_share, offsets, progress=progress).result()  # parsing and checking on every core
        finally:
            _SHEET = None
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
    left_out += _mark_duplicates(rows, {column.key: column.header for _index, column in columns})
    rows = [row for row in rows if row.status != REPEATED]
    elsewhere = _match_existing(rows, actor=actor, places=Places(rows))
    if elsewhere:  # counted for the security page, and one audit row per check (the rows are not named)
        refusal_record(user=actor, kind=Kind.DUPLICATE, n=elsewhere)
        audit_record(
            actor=actor,
            action="ledger.duplicates_elsewhere",
            obj=region,
            result=AuditEvent.Result.DENIED,
            detail={"rows": elsewhere},
        )
    _tenant_households(rows)
    _check_households(rows)
    if progress is not None:
        progress(len(data_rows), len(data_rows))
    return Plan(rows=rows, counts=_count(rows, left_out), tags=tags, left_out=sorted(left_out))


@dataclass
class _Sheet:
    """What checking a row needs; set before the check's worker processes fork, so they inherit it."""

    rows: list[list[Any]]
    first_number: int
    parsers: list[tuple[int, Any, CellMemo]]
    default_grid: Region | None
    grid_by_name: dict[str, Region | None]
    tags: dict[str, Tag | None]
    today: date
    example: list[tuple[int, str]]  # the blank template's example row: (column, its text)


_SHEET: _Sheet | None = None
_SHEET_LOCK = threading.Lock()


def _check_share(offsets: Sequence[int]) -> list[tuple[Any, ...]]:
    """Parse and check these data rows; plain values come back (grid and tags by primary key).

    Blank rows are left out, and the blank template's example row if the user left it in; a line that is
    not a person (a total, a signature) comes back as `(offset, None, …, [its label])`.
    """
    sheet = _SHEET
    assert sheet is not None
    checked: list[tuple[Any, ...]] = []
    example = sheet.example
    for offset in offsets:
        raw = sheet.rows[offset]
        if not any(cell not in ("", None) for cell in raw) or (
            example and all(text(raw[i]) == value for i, value in example if i < len(raw))
        ):
            continue
        footer = not_a_person(raw)
        if footer:
            checked.append((offset, None, [], [], None, "", "", [footer]))
            continue
        row = RowPlan(number=sheet.first_number + offset, raw=raw)
        _parse_row(row, sheet.parsers)
        _check_row(
            row, default_grid=sheet.default_grid, grid_by_name=sheet.grid_by_name, tags=sheet.tags, today=sheet.today
        )
        if row.id_number:
            row.id_hash = people.crypto.lookup_hash(row.id_number, kind="id")
        tag_ids = [tag.pk for tag in row.data.pop("tags", [])]
        grid_id = row.grid.pk if row.grid is not None else None
        checked.append((offset, row.data, tag_ids, row.errors, grid_id, row.id_number, row.id_hash, row.warnings))
    return checked


# Lines under (or between) the data that are not people: totals, "nothing below", signatures, dates.
_FOOTER = re.compile(
    r"^(?:合\s*计|总\s*计|小\s*计|累\s*计|共\s*[0-9０-９]+\s*[人户名个]|以下空白|以下无内容|此页空白|"
    r"填\s*表\s*人|填报人|制表人|审核人|审批人|负责人|统计人|经办人|核对人|联系人|单位负责人|"
    r"填\s*表\s*日\s*期|填报日期|制表日期|报送日期|日\s*期\s*[:：]|签\s*字|签\s*名|[（(]?盖\s*章[)）]?)"
)
_FOOTER_FIRST = frozenset("合总小累共以此填报制审负统经核联单日签盖（(")  # the first characters of `_FOOTER`
_ID_LIKE = re.compile(r"[0-9]{15}|[0-9]{17}[0-9Xx]")


def not_a_person(raw: Sequence[Any]) -> str:
    """Why this line is not a person (its label, as the file has it), or "" for a line that may be one.

    A line is left out when one of its cells starts with a totals or signature label (合计, 共131人,
    以下空白, 填表人：, 制表日期 …) and none holds an ID number: a person named 合计 does not exist.
    Most lines have no such label: each text cell costs one look at its first character.
    """
    label = ""
    for cell in raw:
        if type(cell) is str and cell:
            value = cell.strip()
            if value[:1] in _FOOTER_FIRST and _FOOTER.match(value):
                label = value[:40]
                break
    if not label:
        return ""
    if any(_ID_LIKE.search(str(cell).replace(" ", "")) for cell in raw if cell not in (None, "")):
        return ""
    return label


class StoredColumns:
    """Encrypt, hash and spell out (pinyin) what the import will store for each new person, ahead of it.

    Spread over the machine's cores: the other processes start at once, `apply()` does this
    process's share and puts the columns on the rows (the caller may write the error report between).
    """

    def __init__(self, plan: Plan) -> None:
        self.rows = [row for row in plan.rows if row.status == NEW]
        items = [(row.id_number, row.data.get("phone", ""), row.data["name"]) for row in self.rows]
        self.spread: Spread[tuple[str, str, str], str] = Spread(_stored_share, items)

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


def _count(rows: Sequence[RowPlan], left_out: Sequence[tuple[int, str]] = ()) -> dict[str, int]:
    counts = dict.fromkeys((NEW, UPDATE, UNCHANGED, SKIP, INVALID), 0)
    warned = 0
    for row in rows:
        counts[row.status] += 1
        warned += bool(row.warnings) and row.status != INVALID
    counts[WARNED] = warned
    counts[LEFT_OUT] = len(left_out)
    return counts


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


def _stored_share(items: Sequence[tuple[str, str, str]]) -> list[str]:
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
    grids = {g.pk: g for g in _grids(region)}
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
    _match_existing(rows, actor=actor, places=Places(rows))
    _check_households(rows)
    return Plan(rows=rows, counts=_count(rows, left_out), tags={}, left_out=list(left_out))


class CellMemo:
    """A column's parser, remembering what each distinct cell gave.

    A ledger's gender, ethnicity, relation, tag, date-of-moving-in or building columns hold a few
    hundred distinct values over 100,000 rows: each is parsed once. Columns whose values hardly
    repeat (names, numbers, notes) stop being remembered after the first `PROBE` cells.
    """

    PROBE = 2000
    LIMIT = 50_000
    __slots__ = ("calls", "column", "hits", "seen")

    def __init__(self, column: Any) -> None:
        self.column = column
        self.seen: dict[tuple[type, Any], Any] | None = {}
        self.calls = self.hits = 0

    def parse(self, cell: Any) -> Any:
        seen = self.seen
        if seen is None:
            return self.column.parse(cell)
        self.calls += 1
        key = (cell.__class__, cell)  # 1, 1.0 and True are equal keys but not the same cell
        if key in seen:
            self.hits += 1
            result = seen[key]
        else:
            try:
                result = self.column.parse(cell)
            except CellError as exc:
                result = _Failed(str(exc))
            except CellWarning as warning:
                result = _Warned(warning.value, warning.message)
            if len(seen) < self.LIMIT:
                seen[key] = result
        if self.calls == self.PROBE and self.hits * 2 < self.calls:
            self.seen = None
        if type(result) is _Failed:
            raise CellError(result.message)
        if type(result) is _Warned:
            raise CellWarning(result.value, result.message)
        return list(result) if type(result) is list else result  # rows never share a list


@dataclass(frozen=True)
class _Failed:
    message: str


@dataclass(frozen=True)
class _Warned:
    value: Any
    message: str


def _parse_row(row: RowPlan, columns: Sequence[tuple[int, Any, CellMemo]]) -> None:
    raw = row.raw
    width = len(raw)
    data = row.data
    for index, column, memo in columns:
        cell = raw[index] if index < width else None
        if cell is None or cell == "":
            continue
        try:
            value = memo.parse(cell)
        except CellError as exc:
            row.fail(f"{column.header}：{exc}")
            continue
        except CellWarning as warning:
            value = warning.value
            row.warn(f"{column.header}：{warning.message}")
        if value is not None and value != "" and value != []:
            data[column.key] = value


def _check_row(
    row: RowPlan,
    *,
    default_grid: Region | None,
    grid_by_name: dict[str, Region | None],
    tags: dict[str, Tag | None],
    today: date,
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
            if not data.get("record"):  # with its record number, a masked number means "as registered"
                row.fail(
                    "证件号码："
                    + _(
                        "This number is masked (exported without permission to see it): it comes back only with "
                        "the export's 记录编号 column, which finds the person."
                    )
                )
        else:
            try:
                row.id_number, derived = people.normalise_identity(doc_type=doc_type, id_number=number, today=today)
            except ValidationError as exc:
                row.fail(f"证件号码：{' '.join(exc.messages)}")
            else:
                for key, value in derived.items():
                    typed = data.get(key)
                    if typed not in (None, "") and typed != value:
                        label = "性别" if key == "gender" else "出生日期"
                        row.fail(_("%(field)s：does not match the ID number.") % {"field": label})
                    data[key] = value
    if data.get("relation") == CHILD_BY_GENDER:
        data["relation"] = child_of_gender(data.get("gender", ""))
    phone = data.get("phone", "")
    if phone and "*" in phone:
        data.pop("phone")  # a masked phone changes nothing: the registered one stays
        if not data.get("record"):
            row.fail(
                "联系电话：" + _("This phone number is masked: it comes back only with the export's 记录编号 column.")
            )
    elif phone:
        try:
            data["phone"] = people.clean_phone(phone)
        except ValidationError as exc:
            row.fail(f"联系电话：{' '.join(exc.messages)}")
    landlord_phone = data.get("landlord_phone", "")
    if landlord_phone:
        try:
            data["landlord_phone"] = people.clean_phone(landlord_phone)
        except ValidationError as exc:
            row.fail(f"房东电话：{' '.join(exc.messages)}")
    if data.get("landlord_name") or data.get("landlord_phone"):
        if not any(data.get(k) for k in PLACE_KEYS):
            row.fail(
                "房东姓名：" + _("A landlord belongs to a rented house: give its address (小区 楼栋 房号, or 地址).")
            )
        data.setdefault("residency", Residency.TENANT)  # who lives in a rented house and names its landlord rents it
    if data.get("deceased_on"):
        data["is_deceased"] = True
    if data.get("disability_grade") and not data.get("disability_type"):
        row.fail("残疾等级：" + _("Give the disability type too."))
    rents_here = data.get("residency") == Residency.TENANT and any(data.get(k) for k in PLACE_KEYS)
    if data.get("relation") and not data.get("household_number") and not rents_here:
        row.fail("与户主关系：" + _("Give the household number (户号) too."))
    if data.get("household_number") and not data.get("relation"):
        row.fail("户号：" + _("Give the relation to the head of household (与户主关系) too."))
    if (data.get("building") or data.get("compound")) and not data.get("house_number"):
        row.fail("房号：" + _("A house in a building needs its house number."))
    if data.get("house_number") and not (data.get("building") or data.get("address")):
        row.fail("楼栋：" + _("A house number needs its building (or an address)."))
    unknown, forbidden, chosen = [], [], []
    for name in data.get("tags", []):
        tag = tags.get(name)
        if tag is not None:
            chosen.append(tag)
        elif name in tags:
            forbidden.append(name)
        else:
            unknown.append(name)
    if unknown:
        row.fail("标签：" + _("Unknown tag %(names)s.") % {"names": "、".join(unknown)})
    if forbidden:
        row.fail(
            "标签："
            + _("%(names)s is a sensitive group you may not record; ask a colleague with that permission.")
            % {"names": "、".join(forbidden)}
        )
    data["tags"] = chosen


def _mark_duplicates(rows: list[RowPlan], labels: dict[str, str]) -> list[tuple[int, str]]:
    """A row that repeats an earlier one is left out (returned as a note naming the first); the same number
    with different details is a conflict on both rows, its differences side by side: which is right is
    the user's call."""
    by_hash: dict[str, RowPlan] = {}
    by_content: dict[tuple[Any, ...], RowPlan] = {}
    flagged: set[int] = set()
    repeated: list[tuple[int, str]] = []

    def repeat(row: RowPlan, first: RowPlan) -> None:
        row.status = REPEATED
        repeated.append((row.number, _("Repeats row %(row)d: left out.") % {"row": first.number}))

    for row in rows:
        content = tuple(row.raw)
        if row.id_number:
            row.id_hash = row.id_hash or people.crypto.lookup_hash(row.id_number, kind="id")
            first = by_hash.setdefault(row.id_hash, row)
            if first is not row:
                if content == tuple(first.raw) or (not row.errors and row.data == first.data):
                    repeat(row, first)
                    continue
                differences = _side_by_side(first, row, labels)
                row.fail(
                    "证件号码："
                    + _("The same number as row %(row)d, with other details: %(diff)s. Keep the right one.")
                    % {"row": first.number, "diff": differences}
                )
                if first.number not in flagged:
                    first.fail(
                        "证件号码："
                        + _("The same number as row %(row)d, with other details: %(diff)s. Keep the right one.")
                        % {"row": row.number, "diff": _side_by_side(row, first, labels)}
                    )
                    flagged.add(first.number)
                continue
        first = by_content.setdefault(content, row)
        if first is not row:
            repeat(row, first)
    return repeated


def _side_by_side(first: RowPlan, other: RowPlan, labels: dict[str, str]) -> str:
    """`姓名 张三 / 张山；出生日期 …`: the fields where two rows of one person disagree, this row's value last."""
    keys = [k for k in labels if k != "tags" and first.data.get(k) != other.data.get(k)]
    if not keys:
        return _("the cells are written differently")

    def shown(value: Any) -> str:
        return "—" if value in (None, "") else str(value)

    return "；".join(f"{labels[k]} {shown(first.data.get(k))} / {shown(other.data.get(k))}" for k in keys[:4])


def _match_existing(rows: list[RowPlan], *, actor: User, places: Places) -> int:
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
_OTHER_LABELS = {"region": "网格", "household": "户号", "house": "住址", "tags": "标签", "phone": "联系电话"}


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
        return person.phone_masked or "—", people.mask_phone(new)
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


def _tenant_households(rows: list[RowPlan]) -> None:
    """A tenants' ledger names no 户号: the tenants of one rented house form one tenant household (租户户),
    its head the row the file names (户主 / 承租人) or else the first, pink as 红粉白 says; the others
    keep the relation the file gives, or 99 非亲属 (people sharing a flat)."""
    groups: dict[tuple[int, tuple[str, ...]], list[RowPlan]] = defaultdict(list)
    for row in rows:
        data = row.data
        if row.status == INVALID or row.grid is None or data.get("household_number"):
            continue
        if data.get("residency") != Residency.TENANT:
            continue
        place = tuple(str(data.get(k) or "") for k in PLACE_KEYS)
        if any(place):
            groups[(row.grid.pk, place)].append(row)
    for (_grid, place), members in groups.items():
        number = ("租" + "".join(place))[:32]
        if not any(r.data.get("relation") == Relation.HEAD for r in members):
            members[0].data["relation"] = Relation.HEAD
        for row in members:
            row.data["household_number"] = number
            row.data.setdefault("relation", Relation.NON_RELATIVE)
            row.data.setdefault("household_kind", HouseholdKind.TENANT)


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
        elif not heads and household is None:  # built all the same, its head to be added (户主待补)
            for row in members:
                row.warn(
                    "户号："
                    + _(
                        "Household %(number)s has no valid head row: it is created with its head to be added "
                        "(户主待补); add the head in the registry or in a corrected file."
                    )
                    % {"number": key[1]}
                )
        elif heads and household is not None and household.head_id not in (None, _person_id(heads[0])):
            heads[0].fail(
                "与户主关系："
                + _("Household %(number)s already has another head; change the head in the registry first.")
                % {"number": key[1]}
            )


def _person_id(row: RowPlan) -> int | None:
    return row.existing.pk if row.existing is not None else None
