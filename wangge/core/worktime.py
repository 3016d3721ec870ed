"""Working time: pure arithmetic over a holiday calendar and office hours.

A `WorkCalendar` knows which dates are official holidays, which weekend dates are workdays
(调休), and for which years it has data at all. For a year without data it falls back to plain
weekends and says so (`missing_years`, and a logged warning), so deadlines are still computed
but the operator learns that the calendar needs the year.

Office hours are a tuple of (start, end) periods per working day, e.g. 08:30-12:00 and
14:00-17:30 (settings `WANGGE_OFFICE_HOURS`, "08:30-12:00,14:00-17:30"). Every function takes
aware datetimes and answers in the same time zone; nothing here reads the clock or the database
except `load_calendar`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings

logger = logging.getLogger(__name__)

Period = tuple[time, time]
Interval = tuple[datetime, datetime]

DEFAULT_OFFICE_HOURS = "08:30-12:00,14:00-17:30"
_MAX_DAYS = 3660  # ten years: a bound so a broken calendar cannot loop for ever


def parse_office_hours(text: str) -> tuple[Period, ...]:
    """ "08:30-12:00,14:00-17:30" → ((08:30, 12:00), (14:00, 17:30)); periods must be ordered and apart."""
    periods: list[Period] = []
    for chunk in text.split(","):
        start_text, _sep, end_text = chunk.strip().partition("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        if end <= start or (periods and start < periods[-1][1]):
            raise ValueError(f"office hours must be ordered, non-overlapping periods: {text!r}")
        periods.append((start, end))
    if not periods:
        raise ValueError("office hours are empty")
    return tuple(periods)


def office_hours_from_settings() -> tuple[Period, ...]:
    return parse_office_hours(getattr(settings, "WANGGE_OFFICE_HOURS", DEFAULT_OFFICE_HOURS))


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # weekend days that are workdays (调休)
    known_years: frozenset[int] = frozenset()
    office_hours: tuple[Period, ...] = field(default_factory=lambda: parse_office_hours(DEFAULT_OFFICE_HOURS))
    tz: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def is_workday(self, day: date) -> bool:
        if day.year not in self.known_years:
            _warn_missing(day.year)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def missing_years(self, start: date, end: date) -> list[int]:
        """Years between two dates for which the calendar has no data (deadlines there use plain weekends)."""
        return [year for year in range(start.year, end.year + 1) if year not in self.known_years]

    @property
    def day_length(self) -> timedelta:
        return sum((_span(start, end) for start, end in self.office_hours), timedelta())

    def periods_on(self, day: date) -> list[Interval]:
        """The office periods of one date as aware datetimes (none on a day off)."""
        if not self.is_workday(day):
            return []
        return [
            (datetime.combine(day, start, tzinfo=self.tz), datetime.combine(day, end, tzinfo=self.tz))
            for start, end in self.office_hours
        ]


_warned_years: set[int] = set()


def _warn_missing(year: int) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        logger.warning("holiday calendar has no data for %s: deadlines use plain weekends", year)


def _span(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


def _days_from(day: date) -> Iterable[date]:
    for offset in range(_MAX_DAYS):
        yield day + timedelta(days=offset)
    raise RuntimeError("no working time found within ten years: check the holiday calendar")


def add_working_time(calendar: WorkCalendar, start: datetime, amount: timedelta) -> datetime:
    """The moment `amount` of office time after `start` (start itself when amount is zero)."""
    if amount < timedelta(0):
        raise ValueError("amount must not be negative")
    if amount == timedelta(0):
        return start
    remaining = amount
    start = calendar.local(start)
    for day in _days_from(start.date()):
        for period_start, period_end in calendar.periods_on(day):
            begin = max(period_start, start)
            if begin >= period_end:
                continue
            available = period_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def add_working_hours(calendar: WorkCalendar, start: datetime, hours: float) -> datetime:
    return add_working_time(calendar, start, timedelta(hours=hours))


def add_working_days(calendar: WorkCalendar, start: datetime, days: int) -> datetime:
    """Close of office on the `days`-th working day after the day of `start` (that day not counted).

    "3 working days" from Friday 10:00 ends Wednesday at closing time; a holiday week is skipped
    and a 调休 Saturday counts. Zero days means closing time today (or the next working day).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    counted = 0
    start = calendar.local(start)
    for day in _days_from(start.date()):
        if not calendar.is_workday(day):
            continue
        close = datetime.combine(day, calendar.office_hours[-1][1], tzinfo=calendar.tz)
        if days == 0:
            if close >= start:
                return close
            continue
        if day == start.date():
            continue
        counted += 1
        if counted == days:
            return close
    raise AssertionError("unreachable")  # pragma: no cover


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _office_overlap(calendar: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    total = timedelta(0)
    if end <= start:
        return total
    start, end = calendar.local(start), calendar.local(end)
    day = start.date()
    while day <= end.date():
        for period_start, period_end in calendar.periods_on(day):
            overlap = min(period_end, end) - max(period_start, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def working_time_between(
    calendar: WorkCalendar, start: datetime, end: datetime, pauses: Sequence[Interval] = ()
) -> timedelta:
    """Office time from `start` to `end`, less the office time inside pause intervals (clipped, merged)."""
    if end <= start:
        return timedelta(0)
    total = _office_overlap(calendar, start, end)
    clipped = [(max(p_start, start), min(p_end, end)) for p_start, p_end in pauses]
    for p_start, p_end in merge_intervals(clipped):
        total -= _office_overlap(calendar, p_start, p_end)
    return total


def used_fraction(
    calendar: WorkCalendar, *, start: datetime, due: datetime, now: datetime, pauses: Sequence[Interval] = ()
) -> float:
    """Share of the allowed office time already used (1.0 and above: overdue).

    `due` already includes the time added by pauses and extensions; the pauses are taken out of
    both the time used and the time allowed.
    """
    allowed = working_time_between(calendar, start, due, pauses)
    if allowed <= timedelta(0):
        return 1.0 if now >= due else 0.0
    return working_time_between(calendar, start, now, pauses) / allowed


def load_calendar(office_hours: tuple[Period, ...] | None = None) -> WorkCalendar:
    """The calendar as stored in `core.Holiday` (a year is known when it has at least one row)."""
    from wangge.core.models import Holiday

    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in Holiday.objects.values_list("date", "kind"):
        (holidays if kind == Holiday.Kind.HOLIDAY else workdays).add(day)
    return WorkCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        known_years=frozenset(d.year for d in holidays | workdays),
        office_hours=office_hours or office_hours_from_settings(),
        tz=ZoneInfo(settings.TIME_ZONE),
    )
