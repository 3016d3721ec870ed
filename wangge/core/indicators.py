"""Figures (指标): how an app offers its numbers to dashboards and assessment.

Each app lists its indicators in its own `indicators.py` (found at start-up; core imports no
feature app):

    from wangge.core.indicators import Direction, Indicator, register

    register(Indicator(code="cases.received", label=_("Cases received"), unit=_("cases"),
                       direction=Direction.NEUTRAL, levels=ALL_LEVELS, value=..., rows=...))

An indicator gives, for a subject (a region — its whole subtree — or a staff user) and a period,
one value, and the rows it counted, so every figure can be opened to the records behind it.
Dashboards and assessment read only this interface, never another app's tables.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from wangge.core.models import User


class RegionSubject(Protocol):
    """A region (`wangge.regions.models.Region`) as an indicator sees it: its level tells which apply."""

    pk: Any
    level: str


Subject = RegionSubject | User

Value = float | int | None


class Direction(enum.StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"
    NEUTRAL = "neutral"  # a volume: neither more nor less is better (cases received)


class SubjectKind(enum.StrEnum):
    REGION = "region"
    USER = "user"


@dataclass(frozen=True)
class Period:
    """From `start` (included) to `end` (excluded), in local days."""

    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        return cls(start, (start + timedelta(days=32)).replace(day=1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year + 1, 1, 1))

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes in the local time zone, for `__gte` / `__lt` filters."""
        return (
            timezone.make_aware(datetime.combine(self.start, time.min)),
            timezone.make_aware(datetime.combine(self.end, time.min)),
        )


class NotApplicable(ValueError):
    """The indicator is not defined for this subject (a level it does not apply to, or a person)."""


@dataclass(frozen=True)
class Indicator:
    code: str  # "<app>.<name>", stable: assessment schemes refer to it
    label: str | Promise
    unit: str | Promise
    direction: Direction
    levels: tuple[str, ...]  # the region levels it applies to
    value: Callable[[Any, Period], Value]
    rows: Callable[[Any, Period], QuerySet[Any]]
    subjects: frozenset[SubjectKind] = frozenset({SubjectKind.REGION})
    help_text: str | Promise = ""

    def applies_to(self, subject: Any) -> bool:
        """A staff user counts as a user; any other subject is a region (core knows no region model)."""
        if isinstance(subject, User):
            return SubjectKind.USER in self.subjects
        return SubjectKind.REGION in self.subjects and subject.level in self.levels

    def _check(self, subject: Any) -> None:
        if not self.applies_to(subject):
            raise NotApplicable(f"{self.code} does not apply to {subject!r}")

    def compute(self, subject: Subject, period: Period) -> Value:
        self._check(subject)
        return self.value(subject, period)

    def counted(self, subject: Subject, period: Period) -> QuerySet[Any]:
        """The rows behind the value (for a rate: the rows of its denominator)."""
        self._check(subject)
        return self.rows(subject, period)


_registry: dict[str, Indicator] = {}
_discovered = False


def register(indicator: Indicator) -> Indicator:
    if "." not in indicator.code:
        raise ValueError(f"An indicator code is '<app>.<name>': {indicator.code!r}")
    existing = _registry.get(indicator.code)
    if existing is not None and existing != indicator:
        raise ValueError(f"Indicator {indicator.code} is registered twice.")
    _registry[indicator.code] = indicator
    return indicator


def discover() -> None:
    """Import every app's `indicators.py` once (called from CoreConfig.ready)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("indicators")
        _discovered = True


def registered() -> list[Indicator]:
    return sorted(_registry.values(), key=lambda i: i.code)


def get(code: str) -> Indicator:
    try:
        return _registry[code]
    except KeyError:
        raise LookupError(f"No indicator {code!r}; registered: {', '.join(sorted(_registry))}") from None


def for_level(level: str) -> list[Indicator]:
    return [i for i in registered() if SubjectKind.REGION in i.subjects and level in i.levels]


@contextmanager
def registry_override(*extra: Indicator) -> Iterator[None]:
    """For tests: indicators added for the duration of a block."""
    saved = dict(_registry)
    try:
        for indicator in extra:
            register(indicator)
        yield
    finally:
        _registry.clear()
        _registry.update(saved)
