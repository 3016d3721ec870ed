"""What a ledger kind looks like: its columns, the header names people give them, and finding the header.

A `Schema` is declared once per kind of ledger (people now; houses, visits, volunteers later) and
serves the importer (header matching, parsing), the blank template and the exports, so a ledger
that goes out comes back in with the same column names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from wangge.ledgers.readers import LedgerError, Table
from wangge.ledgers.values import text

HEADER_SCAN_ROWS = 30
IGNORED_HEADERS = {"序号", "编号", "错误说明", "行号"}
ERROR_COLUMN = "错误说明"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the canonical (exported) header, in Chinese: ledgers are Chinese documents
    parse: Callable[[Any], Any]
    synonyms: tuple[str, ...] = ()
    help: str = ""  # shown as the cell comment of the blank template
    example: Any = ""
    required: bool = False


@dataclass
class Schema:
    kind: str
    title: str
    columns: Sequence[Column]
    by_key: dict[str, Column] = field(init=False)
    by_header: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {c.key: c for c in self.columns}
        self.by_header = {}
        for column in self.columns:
            for name in (column.header, *column.synonyms):
                self.by_header.setdefault(normalise_header(name), column.key)

    def match(self, header: Any) -> str:
        """The column key a header names, or "" if none."""
        return self.by_header.get(normalise_header(header), "")


_NOTES = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_NOISE = re.compile(r"[\s*＊:：]+")


def normalise_header(value: Any) -> str:
    """“身份证号码（必填）*” → “身份证号码”: notes in brackets, stars, colons and spaces go."""
    raw = text(value)
    stripped = _NOISE.sub("", _NOTES.sub("", raw))
    return (stripped or _NOISE.sub("", raw)).lower()


@dataclass
class Header:
    """Where the data starts and what each column is called."""

    row_index: int  # 0-based index of the (last) header row
    data_start: int  # 0-based index of the first data row
    labels: list[str]  # one label per column (merged and two-row headers resolved)
    mapping: list[str]  # one column key per column, "" for a column that is not imported


def _forward_fill(
    labels: list[str], row_index: int, merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]
) -> list[str]:
    """A merged header cell's text applies to every column it spans."""
    filled = list(labels)
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row_index <= r1 and c0 < len(filled):
            value = filled[c0]
            for col in range(c0, min(c1 + 1, len(filled))):
                if not filled[col]:
                    filled[col] = value
    return filled


def _score(schema: Schema, labels: Sequence[str]) -> int:
    return len({schema.match(label) for label in labels} - {""})


def find_header(schema: Schema, table: Table) -> Header:
    """The row (or pair of rows, for a two-level header) that names the columns, under any title rows."""
    rows = table.rows
    best_index, best_score = -1, 0
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = _score(schema, [text(cell) for cell in row])
        if score > best_score:
            best_index, best_score = index, score
    if best_score < 2:
        names = "、".join(c.header for c in schema.columns if c.required) or schema.columns[0].header
        raise LedgerError(
            _(
                "No header row was recognised in the first %(rows)d rows: the sheet needs column names such as %(names)s."
            )
            % {"rows": HEADER_SCAN_ROWS, "names": names},
            code="no_header",
        )
    width = max(len(row) for row in rows[max(best_index - 1, 0) : best_index + 2])

    def labels_of(index: int) -> list[str]:
        cells = [text(c) for c in rows[index]] + [""] * (width - len(rows[index]))
        return _forward_fill(cells, index, table.merged)

    labels, data_start = labels_of(best_index), best_index + 1
    if best_index > 0:
        # The best row may be the lower half of a two-level header: 姓名 merged down over two rows
        # beside 居住地址 merged across 小区 楼栋 单元 房号.
        above = labels_of(best_index - 1)
        combined = [label if schema.match(label) else above[i] for i, label in enumerate(labels)]
        if _score(schema, combined) > best_score:
            labels = combined
    if data_start < len(rows):
        below = labels_of(data_start)
        # A label repeated across columns is a merged group label (居住地址 over 小区 楼栋 …), not a field.
        grouped = {label for label in labels if label and labels.count(label) > 1}
        combined = [
            below[i] if schema.match(below[i]) and (not schema.match(label) or label in grouped) else label
            for i, label in enumerate(labels)
        ]
        if _score(schema, combined) >= _score(schema, labels) + 2:
            labels, data_start = combined, data_start + 1
    return Header(
        row_index=data_start - 1,
        data_start=data_start,
        labels=labels,
        mapping=auto_mapping(schema, labels),
    )


def auto_mapping(schema: Schema, labels: Sequence[str]) -> list[str]:
    """Each label's column key; a key already taken by an earlier column is not mapped twice."""
    taken: set[str] = set()
    mapping = []
    for label in labels:
        key = "" if normalise_header(label) in IGNORED_HEADERS else schema.match(label)
        if key in taken:
            key = ""
        taken.add(key)
        mapping.append(key)
    return mapping


def check_mapping(schema: Schema, mapping: Sequence[str]) -> None:
    """Refuse a mapping that leaves out a required column or uses one column twice."""
    keys = [k for k in mapping if k]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise LedgerError(
            _("Each field can be taken from one column only: %(fields)s is chosen more than once.")
            % {"fields": "、".join(schema.by_key[k].header for k in twice if k in schema.by_key)},
            code="mapping_twice",
        )
    unknown = [k for k in keys if k not in schema.by_key]
    if unknown:
        raise LedgerError(_("Unknown field in the mapping."), code="mapping_unknown")
    missing = [c.header for c in schema.columns if c.required and c.key not in keys]
    if missing:
        raise LedgerError(
            _("No column is mapped to %(fields)s, which is required.") % {"fields": "、".join(missing)},
            code="mapping_required",
        )
