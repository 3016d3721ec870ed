"""The holiday calendar: seeding from `chinesecalendar`, and the administrator's edits.

`chinesecalendar` knows the State Council's holiday notices up to the year it was released
(1.11.0: 2004-2026) and raises for later years; a later year is typed in by the system
administrator once the notice is published (usually in November) or loaded by a newer release.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core.audit import audit_record
from wangge.core.holiday_text import ParsedCalendar, parse_calendar_text
from wangge.core.models import Holiday, HolidayYear, User
from wangge.core.roles import Cap


def require(actor: User | None, capability: str) -> None:
    if actor is not None and not actor.has_perm(capability):
        raise PermissionDenied(_("You do not have permission to do this."))


# chinesecalendar names its holidays in English; the calendar shows them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def library_days(year: int) -> list[tuple[dt.date, str, str]] | None:
    """(date, kind, Chinese name) for every special day of `year`, or None when the library lacks the year."""
    import chinese_calendar

    try:
        chinese_calendar.is_holiday(dt.date(year, 1, 1))
    except NotImplementedError:
        return None
    days = [
        (day, Holiday.Kind.HOLIDAY.value, HOLIDAY_NAMES.get(name, name))
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    days += [
        (day, Holiday.Kind.WORKDAY.value, HOLIDAY_NAMES.get(name, name))
        for day, name in chinese_calendar.workdays.items()
        if day.year == year
    ]
    return sorted(days)


def library_years() -> list[int]:
    import chinese_calendar

    return sorted({day.year for day in chinese_calendar.holidays})


def seed_year(holiday_model: Any, year: int) -> int | None:
    """Insert the library's days of `year` that are not in the table yet; None if the library lacks the year.

    Takes the model as an argument so the data migration can pass its historical model.
    """
    days = library_days(year)
    if days is None:
        return None
    existing = set(holiday_model.objects.filter(date__year=year).values_list("date", flat=True))
    rows = [holiday_model(date=day, kind=kind, name=name) for day, kind, name in days if day not in existing]
    holiday_model.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def holidays_load(*, actor: User | None, year: int) -> int | None:
    """Load one year from the library (days already entered are kept); None when the library lacks the year."""
    require(actor, Cap.MANAGE_CALENDAR)
    added = seed_year(Holiday, year)
    if added is not None:
        HolidayYear.objects.get_or_create(year=year, defaults={"source": HolidayYear.Source.LIBRARY})
    audit_record(
        actor=actor,
        action="holiday.load",
        object_type="core.holiday",
        object_id=year,
        result="ok" if added is not None else "failed",
        detail={"year": year, "added": added},
    )
    return added


@transaction.atomic
def holiday_set(*, actor: User | None, day: dt.date, kind: str, name: str = "") -> Holiday:
    """Mark one date as an official holiday or a 调休 workday (creating or changing its row)."""
    require(actor, Cap.MANAGE_CALENDAR)
    if kind not in Holiday.Kind.values:
        raise ValidationError(_("Choose holiday or workday."), code="bad_kind")
    if kind == Holiday.Kind.WORKDAY and day.weekday() < 5:
        raise ValidationError(_("Only a Saturday or a Sunday can become a workday."), code="workday_not_weekend")
    holiday, created = Holiday.objects.select_for_update().get_or_create(
        date=day, defaults={"kind": kind, "name": name.strip()}
    )
    if not created:
        holiday.kind, holiday.name = kind, name.strip()
        holiday.save(update_fields=["kind", "name", "updated_at"])
    audit_record(
        actor=actor,
        action="holiday.create" if created else "holiday.update",
        obj=holiday,
        detail={"date": day.isoformat(), "kind": kind, "name": name},
    )
    return holiday


@transaction.atomic
def holiday_delete(*, actor: User | None, holiday: Holiday) -> None:
    """Remove a row: the date follows the plain weekend rule again."""
    require(actor, Cap.MANAGE_CALENDAR)
    detail = {"date": holiday.date.isoformat(), "kind": holiday.kind, "name": holiday.name}
    pk = holiday.pk
    holiday.delete()
    audit_record(actor=actor, action="holiday.delete", object_type="core.holiday", object_id=pk, detail=detail)


# --- a whole year at once, and whether a year is complete ------------------------------------------


@dataclass
class YearPreview:
    """What importing a pasted year would change, before anything is written."""

    year: int
    parsed: ParsedCalendar
    added: list[Any]
    changed: list[tuple[Holiday, Any]]
    removed: list[Holiday]
    unchanged: int

    @property
    def ok(self) -> bool:
        return not self.parsed.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def year_preview(*, year: int, text: str) -> YearPreview:
    """Read the pasted notice (or spreadsheet lines) and compare it with the year as stored: new, changed, removed."""
    parsed = parse_calendar_text(text, year=year)
    stored = {h.date: h for h in Holiday.objects.filter(date__year=year)}
    added, changed, unchanged = [], [], 0
    for day in parsed.days:
        current = stored.get(day.day)
        if current is None:
            added.append(day)
        elif (current.kind, current.name) != (day.kind, day.name):
            changed.append((current, day))
        else:
            unchanged += 1
    listed = {day.day for day in parsed.days}
    removed = [h for d, h in sorted(stored.items()) if d not in listed]
    return YearPreview(year, parsed, added, changed, removed, unchanged)


@transaction.atomic
def holidays_import(*, actor: User | None, year: int, text: str, complete: bool) -> YearPreview:
    """Make the year exactly the pasted list (days not in it go back to the weekend rule); all or nothing.

    `complete` also marks the year complete, which stops the warning about it.
    """
    require(actor, Cap.MANAGE_CALENDAR)
    preview = year_preview(year=year, text=text)
    if not preview.ok:
        raise ValidationError(preview.parsed.errors, code="bad_calendar_text")
    Holiday.objects.filter(pk__in=[h.pk for h in preview.removed]).delete()
    for holiday, day in preview.changed:
        holiday.kind, holiday.name = day.kind, day.name
        holiday.save(update_fields=["kind", "name", "updated_at"])
    Holiday.objects.bulk_create([Holiday(date=d.day, kind=d.kind, name=d.name) for d in preview.added])
    audit_record(
        actor=actor,
        action="holiday.import",
        object_type="core.holiday",
        object_id=year,
        detail={
            "year": year,
            "added": [d.day.isoformat() for d in preview.added],
            "changed": [h.date.isoformat() for h, _day in preview.changed],
            "removed": [h.date.isoformat() for h in preview.removed],
        },
    )
    if complete:
        holiday_year_complete(actor=actor, year=year)
    return preview


@transaction.atomic
def holiday_year_complete(*, actor: User | None, year: int) -> HolidayYear:
    """The administrator declares that every holiday and 调休 day of `year` is entered."""
    require(actor, Cap.MANAGE_CALENDAR)
    if not Holiday.objects.filter(date__year=year, kind=Holiday.Kind.HOLIDAY).exists():
        raise ValidationError(
            _("%(year)s has no official holiday yet: enter the year before marking it complete.") % {"year": year},
            code="year_empty",
        )
    marked, created = HolidayYear.objects.get_or_create(year=year)
    if created:
        audit_record(actor=actor, action="holiday.year_complete", obj=marked, detail={"year": year})
    return marked


@transaction.atomic
def holiday_year_reopen(*, actor: User | None, year: int) -> None:
    """Take back "complete" (the notice was amended): the administrator is warned again until it is marked."""
    require(actor, Cap.MANAGE_CALENDAR)
    deleted, _detail = HolidayYear.objects.filter(year=year).delete()
    if deleted:
        audit_record(
            actor=actor, action="holiday.year_reopen", object_type="core.holidayyear", object_id=year, detail={}
        )


def complete_years(years: list[int]) -> set[int]:
    return set(HolidayYear.objects.filter(year__in=years).values_list("year", flat=True))


def years_to_warn(today: dt.date) -> list[int]:
    """The years the system administrator must complete now: this year, and from November on the next."""
    wanted = [today.year, today.year + 1] if today.month >= 11 else [today.year]
    done = complete_years(wanted)
    return [year for year in wanted if year not in done]


def missing_years(years: list[int]) -> list[int]:
    """Which of these years have no calendar data at all (deadlines there fall back to plain weekends)."""
    known = set(Holiday.objects.filter(date__year__in=years).values_list("date__year", flat=True).distinct())
    return [year for year in years if year not in known]


class HolidayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Holiday.Kind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64, required=False)
