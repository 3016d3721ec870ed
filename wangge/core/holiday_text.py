"""Reading a year's holidays and 调休 workdays from pasted text: the State Council's notice as published,
or cells copied from a spreadsheet (one day or range per line). Pure: no database, no clock.

The notice reads, line by line::

    二、春节：2月6日（农历除夕、周六）至13日（农历正月初七、周六）放假调休，共8天。2月14日（周日）上班。

and a spreadsheet copy::

    2027-02-06	休	春节
    2027-02-06 至 2027-02-13 放假 春节
    2027/2/14	班	春节

A sentence that says 上班 (or 班, workday) gives workdays; one that says 放假 / 休 (holiday) gives
holidays; "A 至 B" (also ~, 到, —) is every date from A to B. Lines without a date (the notice's
title, its closing paragraph) are returned as ignored, so the preview can show them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

HOLIDAY, WORKDAY = "holiday", "workday"

_BRACKETS = re.compile(r"（[^）]*）|\([^)]*\)")
_ENUMERATOR = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)[、.．]\s*")
_DATE = re.compile(
    r"(?P<iso>(?P<iy>\d{4})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2}))"
    r"|(?P<zh>(?:(?P<zy>\d{4})\s*年\s*)?(?:(?P<zm>\d{1,2})\s*月\s*)?(?P<zd>\d{1,2})\s*[日号])"
)
_RANGE = re.compile(r"^\s*(?:至|到|~|～|—|–|－|-{1,2})\s*$")
_WORK_WORDS = ("上班", "班", "workday", "work")
_HOLIDAY_WORDS = ("放假", "休", "假", "holiday", "off")
_NOISE = re.compile(r"[\s,，。；;：:、\t]+")


@dataclass(frozen=True)
class ParsedDay:
    day: date
    kind: str
    name: str
    line: int


@dataclass
class ParsedCalendar:
    days: list[ParsedDay] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)


def _kind_of(sentence: str) -> str | None:
    lowered = sentence.lower()
    if any(word in lowered for word in _WORK_WORDS):
        return WORKDAY
    if any(word in lowered for word in _HOLIDAY_WORDS):
        return HOLIDAY
    return None


def _strip_words(text: str) -> str:
    """What is left of a spreadsheet line once dates, range marks and kind words are taken out: the name."""
    for word in sorted((*_WORK_WORDS, *_HOLIDAY_WORDS, "调休", "至", "到"), key=len, reverse=True):
        text = re.sub(re.escape(word), " ", text, flags=re.IGNORECASE)
    return _NOISE.sub(" ", text).strip(" ~～—–-")


def _dates_in(sentence: str, year: int, line: int, errors: list[str]) -> list[tuple[date, bool]]:
    """Each date of the sentence, with whether a range mark joins it to the previous one."""
    found: list[tuple[date, bool]] = []
    month: int | None = None
    current_year = year
    previous_end = 0
    for match in _DATE.finditer(sentence):
        if match["iso"]:
            y, m, d = int(match["iy"]), int(match["im"]), int(match["id"])
        else:
            y = int(match["zy"]) if match["zy"] else current_year
            m = int(match["zm"]) if match["zm"] else (month or 0)
            d = int(match["zd"])
        if not m:
            errors.append(_("Line %(line)s: the date “%(text)s” has no month.") % {"line": line, "text": match[0]})
            continue
        try:
            day = date(y, m, d)
        except ValueError:
            errors.append(_("Line %(line)s: “%(text)s” is not a date.") % {"line": line, "text": match[0].strip()})
            continue
        month, current_year = m, y
        joined = bool(found) and bool(_RANGE.match(sentence[previous_end : match.start()]))
        found.append((day, joined))
        previous_end = match.end()
    return found


def _expand(dates: list[tuple[date, bool]], line: int, errors: list[str]) -> list[date]:
    days: list[date] = []
    for day, joined in dates:
        if joined and days:
            start = days[-1]
            if day < start or (day - start).days > 31:
                errors.append(
                    _("Line %(line)s: the range %(start)s to %(end)s is not a holiday period.")
                    % {"line": line, "start": start.isoformat(), "end": day.isoformat()}
                )
                continue
            days += [start + timedelta(days=n) for n in range(1, (day - start).days + 1)]
        else:
            days.append(day)
    return days


def parse_calendar_text(text: str, *, year: int) -> ParsedCalendar:
    """Every holiday and workday in `text`, with the errors that block an import (in the user's language)."""
    result = ParsedCalendar()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _ENUMERATOR.sub("", _BRACKETS.sub("", raw)).strip()
        if not line:
            continue
        if not _DATE.search(line):
            result.ignored.append((number, raw.strip()))
            continue
        name = ""
        titled = re.match(r"^([^：:]*)[：:](.*)$", line)
        if titled and not _DATE.search(titled[1]):
            name, line = titled[1].strip(), titled[2]
        for sentence in re.split(r"[。；;]", line):
            dates = _dates_in(sentence, year, number, result.errors)
            if not dates:
                continue
            kind = _kind_of(sentence)
            if kind is None:
                result.errors.append(
                    _("Line %(line)s: say whether the days are holidays (放假/休) or workdays (上班/班).")
                    % {"line": number}
                )
                continue
            day_name = name or _strip_words(_DATE.sub(" ", sentence))
            for day in _expand(dates, number, result.errors):
                result.days.append(ParsedDay(day, kind, day_name[:64], number))
    _check(result, year)
    return result


def _check(result: ParsedCalendar, year: int) -> None:
    seen: dict[date, ParsedDay] = {}
    unique: list[ParsedDay] = []
    for parsed in result.days:
        if parsed.day.year != year:
            result.errors.append(
                _("Line %(line)s: %(date)s is not in %(year)s.")
                % {"line": parsed.line, "date": parsed.day.isoformat(), "year": year}
            )
            continue
        if parsed.kind == WORKDAY and parsed.day.weekday() < 5:
            result.errors.append(
                _("Line %(line)s: %(date)s is a weekday; only a Saturday or a Sunday can become a workday.")
                % {"line": parsed.line, "date": parsed.day.isoformat()}
            )
            continue
        other = seen.get(parsed.day)
        if other is not None:
            if other.kind != parsed.kind:
                result.errors.append(
                    _("Line %(line)s: %(date)s is also on line %(other)s as the other kind of day.")
                    % {"line": parsed.line, "date": parsed.day.isoformat(), "other": other.line}
                )
            continue
        seen[parsed.day] = parsed
        unique.append(parsed)
    result.days = sorted(unique, key=lambda p: p.day)
    result.errors.sort(key=_line_number)  # the messages in the order of the pasted lines
    if not result.days and not result.errors:
        result.errors.append(_("No date was found. Paste the notice or one date per line."))


def _line_number(message: str) -> int:
    found = re.search(r"\d+", message)
    return int(found[0]) if found else 0
