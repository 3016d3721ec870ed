"""Rows of one file that are the same person: a repeated row left out, the same number with other details a conflict."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from wangge.core import crypto
from wangge.ledgers.people_plan.rows import REPEATED, RowPlan


def mark_duplicates(rows: list[RowPlan], labels: dict[str, str]) -> list[tuple[int, str]]:
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
            row.id_hash = row.id_hash or crypto.lookup_hash(row.id_number, kind="id")
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
