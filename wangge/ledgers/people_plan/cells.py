"""Reading the cells of a row: each column's parser (remembering repeated cells), and lines that are not people."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wangge.ledgers.people_plan.rows import RowPlan
from wangge.ledgers.values import CellError, CellWarning

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


def parse_row(row: RowPlan, columns: Sequence[tuple[int, Any, CellMemo]]) -> None:
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
