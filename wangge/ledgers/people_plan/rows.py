"""The planned rows of a people ledger and the plan that holds them: what the check decided for each row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.ledgers.kinds import INVALID, NEW, SKIP, UNCHANGED, UPDATE, FailingRow, RowsPlan
from wangge.ledgers.values import joined
from wangge.people import services as people
from wangge.people.models import Person, Tag
from wangge.regions.models import Level, Region

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


def grids_of(region: Region) -> list[Region]:
    return list(
        Region.all_objects.filter(
            path__startswith=region.path, level__in=[Level.GRID, Level.MICROGRID], is_active=True
        ).order_by("path")
    )


def _visible_tags(actor: User) -> dict[str, Tag | None]:
    """Tag name → tag; a sensitive tag the user may not see maps to None (named, but refused)."""
    allowed = actor.has_perm(Cap.VIEW_SENSITIVE_GROUPS)
    return {t.name: t if allowed or not t.is_sensitive else None for t in Tag.objects.all()}


def count_rows(rows: Sequence[RowPlan], left_out: Sequence[tuple[int, str]] = ()) -> dict[str, int]:
    counts = dict.fromkeys((NEW, UPDATE, UNCHANGED, SKIP, INVALID), 0)
    warned = 0
    for row in rows:
        counts[row.status] += 1
        warned += bool(row.warnings) and row.status != INVALID
    counts[WARNED] = warned
    counts[LEFT_OUT] = len(left_out)
    return counts
