"""Reading a plain address the way ledgers write it: 小区, 楼栋, 单元 and 房号 out of one cell.

"福源小区1栋101", "福源小区1栋1单元101室", "兴旺街8号院3-2-401" and "福源小区1号楼2单元301" name the same
kind of house that the columns 小区 / 楼栋 / 单元 / 房号 name; read into those parts, they find the house the
columns made instead of making a second one. (Client IP addresses are `wangge.core.addresses`.)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

BUILDING_SUFFIXES = ("号楼", "幢", "栋", "号")


def building_name(raw: str) -> str:
    """3, 3栋, 3号楼, 3幢 → 3栋 (how the registry names buildings); other names as written (at most 32)."""
    for suffix in BUILDING_SUFFIXES:
        if raw.endswith(suffix) and raw[: -len(suffix)].isdigit():
            return f"{raw[: -len(suffix)]}栋"
    return f"{raw}栋" if raw.isdigit() else raw[:32]


@dataclass(frozen=True)
class PlainAddress:
    compound: str  # "" when the address names no compound (a building on its own)
    building: str  # as the registry names it: 1栋
    unit: int | None
    room: str


_ROOM = r"(?P<room>[0-9]{1,6}[A-Za-z]?)(?:室|号|房)?"
_FORMS = (
    # 1栋1单元101室, 1号楼2单元301, 3幢502, 3栋2-502, A座1201
    re.compile(
        r"^(?P<compound>.*?)(?P<building>[0-9A-Za-z]{1,4})(?:号楼|栋|幢|座|#楼?)"
        r"(?:(?P<unit>[0-9]{1,2})(?:单元|-))?-?" + _ROOM + "$"
    ),
    # 3-2-401 (building, unit, room)
    re.compile(r"^(?P<compound>.*?)(?P<building>[0-9]{1,4})-(?P<unit>[0-9]{1,2})-" + _ROOM + "$"),
)


def parse_address(text: str) -> PlainAddress | None:
    """The compound, building, unit and room a plain address names, or None if it is not one of the usual forms.

    Full-width digits and spaces are read as half-width and ignored; the compound is whatever comes before
    the building ("兴旺街8号院"), and may be empty.
    """
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if not value:
        return None
    for form in _FORMS:
        match = form.match(value)
        if match is None:
            continue
        compound = match["compound"].rstrip("-")
        if len(compound) > 64:
            return None
        unit = int(match["unit"]) if match["unit"] else None
        if unit == 0:
            return None
        return PlainAddress(
            compound=compound, building=building_name(match["building"]), unit=unit, room=match["room"].upper()
        )
    return None
