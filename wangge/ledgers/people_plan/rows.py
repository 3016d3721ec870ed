"""The planned rows of a people ledger and the plan that holds them: what the check decided for each row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from wangge.ledgers.kinds import INVALID, NEW, SKIP, UNCHANGED, UPDATE, FailingRow, RowsPlan
from wangge.ledgers.values import joined
from wangge.people import services as people
from wangge.people.models import Person, Tag
from wangge.regions.models import GRID_LEVELS, Region

REPEATED = "repeated"  # a row that repeats an earlier one word for word: left out, with a note
WARNED, LEFT_OUT = "warnings", "left_out"  # counts of rows kept with a warning, and of lines left out
NAME_ONLY = "name_only"  # count of new people with only a name: imported only if the user allows it
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
    name_only: bool = False  # a new person with a name and nothing else to know them by (`mark_name_only`)

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


def grids_of(region: Region) -> list[Region]:
    return list(
        Region.all_objects.filter(path__startswith=region.path, level__in=GRID_LEVELS, is_active=True).order_by("path")
    )


def name_only_warning() -> str:
    return "姓名：" + _(
        "Only a name: no ID number and no birth date to tell this person from another. Left out unless you tick "
        "“also import the rows that have only a name” when confirming; better, add the ID number or birth date."
    )


def mark_name_only(rows: Sequence[RowPlan]) -> None:
    """A row that would add a person known by nothing but a name (no document number, no birth date) is a
    warning: the import leaves it out unless the user allows such rows when confirming. A name that finds
    its registered person (same grid, no number either) updates them and is not one of these."""
    warning = name_only_warning()
    for row in rows:
        data = row.data
        row.name_only = (
            row.status == NEW and bool(data.get("name")) and not row.id_number and not data.get("birth_date")
        )
        if row.name_only:
            row.warn(warning)
        elif warning in row.warnings:  # matched since the check: no longer a new person
            row.warnings.remove(warning)


def count_rows(rows: Sequence[RowPlan], left_out: Sequence[tuple[int, str]] = ()) -> dict[str, int]:
    counts = dict.fromkeys((NEW, UPDATE, UNCHANGED, SKIP, INVALID), 0)
    warned = name_only = 0
    for row in rows:
        counts[row.status] += 1
        warned += bool(row.warnings) and row.status != INVALID
        name_only += row.name_only and row.status == NEW
    counts[WARNED] = warned
    counts[NAME_ONLY] = name_only
    counts[LEFT_OUT] = len(left_out)
    return counts
