"""Checking one row with the registry's rules, on every core: the sheet the workers share and the row's check."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wangge.core import crypto
from wangge.core.idcard import DocumentType
from wangge.core.jobs.parallel import Spread
from wangge.core.phones import clean_phone
from wangge.ledgers.people_plan.cells import CellMemo, not_a_person, parse_row
from wangge.ledgers.people_plan.rows import Progress, RowPlan
from wangge.ledgers.people_schema import CHILD_BY_GENDER
from wangge.ledgers.places import PLACE_KEYS
from wangge.ledgers.values import text
from wangge.people import services as people
from wangge.people.choices import Residency
from wangge.people.models import Tag
from wangge.people.relations import child_of_gender
from wangge.places.addresses import parse_address
from wangge.regions.models import Region


@dataclass
class CheckedSheet:
    """What checking a row needs; set before the check's worker processes fork, so they inherit it."""

    rows: list[list[Any]]
    first_number: int
    parsers: list[tuple[int, Any, CellMemo]]
    default_grid: Region | None
    grid_by_name: dict[str, Region | None]
    tags: dict[str, Tag | None]
    today: date
    example: list[tuple[int, str]]  # the blank template's example row: (column, its text)


_SHEET: CheckedSheet | None = None
_SHEET_LOCK = threading.Lock()


def check_sheet(sheet: CheckedSheet, offsets: Sequence[int], progress: Progress | None) -> list[tuple[Any, ...]]:
    """`check_share` over every offset, spread over the cores (the workers fork with the sheet set)."""
    global _SHEET
    with _SHEET_LOCK:  # one check at a time per process (the worker's threads): each uses every core
        _SHEET = sheet
        try:
            return Spread(check_share, offsets, progress=progress).result()
        finally:
            _SHEET = None


def check_share(offsets: Sequence[int]) -> list[tuple[Any, ...]]:
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
        parse_row(row, sheet.parsers)
        check_row(
            row, default_grid=sheet.default_grid, grid_by_name=sheet.grid_by_name, tags=sheet.tags, today=sheet.today
        )
        if row.id_number:
            row.id_hash = crypto.lookup_hash(row.id_number, kind="id")
        tag_ids = [tag.pk for tag in row.data.pop("tags", [])]
        grid_id = row.grid.pk if row.grid is not None else None
        checked.append((offset, row.data, tag_ids, row.errors, grid_id, row.id_number, row.id_hash, row.warnings))
    return checked


def check_row(
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
            data["phone"] = clean_phone(phone)
        except ValidationError as exc:
            row.fail(f"联系电话：{' '.join(exc.messages)}")
    permit = data.get("residence_permit", "")
    if permit and "*" in permit:
        data.pop("residence_permit")  # masked (an export without permission): the registered number stays
    elif permit:
        try:
            data["residence_permit"] = people.clean_permit(permit)
        except ValidationError as exc:
            row.fail(f"居住证号：{' '.join(exc.messages)}")
    landlord_phone = data.get("landlord_phone", "")
    if landlord_phone and "*" in landlord_phone:
        data.pop("landlord_phone")  # masked (an export without permission): the house's landlord phone stays
    elif landlord_phone:
        try:
            data["landlord_phone"] = clean_phone(landlord_phone)
        except ValidationError as exc:
            row.fail(f"房东电话：{' '.join(exc.messages)}")
    if data.get("landlord_name") or data.get("landlord_phone"):
        if not any(data.get(k) for k in PLACE_KEYS):
            row.fail(
                "房东姓名：" + _("A landlord belongs to a rented house: give its address (小区 楼栋 房号, or 地址).")
            )
        data.setdefault("residency", Residency.TENANT)  # who lives in a rented house and names its landlord rents it
    try:
        people.check_together(data)  # the registry's rules across fields (a death date, a grade without its type)
    except ValidationError as exc:
        row.fail("残疾等级：" + " ".join(exc.messages))
    rents_here = data.get("residency") == Residency.TENANT and any(data.get(k) for k in PLACE_KEYS)
    if data.get("relation") and not data.get("household_number") and not rents_here:
        row.fail("与户主关系：" + _("Give the household number (户号) too."))
    if data.get("household_number") and not data.get("relation"):
        row.fail("户号：" + _("Give the relation to the head of household (与户主关系) too."))
    if data.get("address") and not data.get("building"):
        _read_address(data)
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


def _read_address(data: dict[str, Any]) -> None:
    """A plain address of the usual forms (福源小区1栋1单元101室, 兴旺街8号院3-2-401) is read into 小区, 楼栋,
    单元 and 房号, so that it finds the house those columns make; any other address stays as written."""
    parsed = parse_address(data["address"])
    if parsed is None:
        return
    if parsed.compound:
        if data.get("compound") not in (None, "", parsed.compound):
            return  # the 小区 column names another compound: the address is something else (kept as written)
        data["compound"] = parsed.compound
    data["building"] = parsed.building
    if parsed.unit is not None:
        data.setdefault("unit", parsed.unit)
    data.setdefault("house_number", parsed.room)
    del data["address"]
