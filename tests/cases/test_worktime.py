"""Working-time arithmetic over the 2026 calendar: weekends, 国庆/春节, 调休 workdays, pauses, extensions."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wangge.core import worktime
from wangge.core.holidays import library_days
from wangge.core.worktime import (
    WorkCalendar,
    add_working_days,
    add_working_hours,
    add_working_time,
    parse_office_hours,
    used_fraction,
    working_time_between,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    days = library_days(2026) or []
    return WorkCalendar(
        holidays=frozenset(d for d, kind, _n in days if kind == "holiday"),
        workdays=frozenset(d for d, kind, _n in days if kind == "workday"),
        known_years=frozenset({2026}),
    )


def test_the_library_knows_2026_national_day_and_its_adjusted_saturday() -> None:
    days = {d: (kind, name) for d, kind, name in library_days(2026) or []}
    assert days[date(2026, 10, 1)] == ("holiday", "国庆节")
    assert days[date(2026, 2, 17)] == ("holiday", "春节")
    assert days[date(2026, 10, 10)][0] == "workday"  # a Saturday worked for the long week


def test_the_library_does_not_know_2027() -> None:
    assert library_days(2027) is None


def test_office_hours_parse_and_refuse_overlaps() -> None:
    assert parse_office_hours("08:30-12:00,14:00-17:30")[1] == (
        at("2026-01-01T14:00").time(),
        at("2026-01-01T17:30").time(),
    )
    with pytest.raises(ValueError):
        parse_office_hours("08:30-12:00,11:00-17:30")


def test_a_day_has_seven_office_hours(cal: WorkCalendar) -> None:
    assert cal.day_length == timedelta(hours=7)


def test_working_days_skip_the_weekend(cal: WorkCalendar) -> None:
    # Friday 2026-11-20 10:00 + 3 working days → Wednesday 25th at closing time
    assert add_working_days(cal, at("2026-11-20T10:00"), 3) == at("2026-11-25T17:30")


def test_working_days_skip_national_day_and_count_the_adjusted_saturday(cal: WorkCalendar) -> None:
    # Wednesday 30 Sept: 1-7 Oct are holidays, Sat 10 Oct is worked (调休)
    assert add_working_days(cal, at("2026-09-30T09:00"), 1) == at("2026-10-08T17:30")
    assert add_working_days(cal, at("2026-09-30T09:00"), 3) == at("2026-10-10T17:30")
    assert add_working_days(cal, at("2026-09-30T09:00"), 4) == at("2026-10-12T17:30")


def test_working_days_skip_spring_festival(cal: WorkCalendar) -> None:
    # 春节 2026: 15-23 Feb off; Sat 14 Feb and Sat 28 Feb worked
    assert add_working_days(cal, at("2026-02-13T16:00"), 1) == at("2026-02-14T17:30")
    assert add_working_days(cal, at("2026-02-14T16:00"), 1) == at("2026-02-24T17:30")


def test_zero_days_means_closing_time_today_or_the_next_working_day(cal: WorkCalendar) -> None:
    assert add_working_days(cal, at("2026-11-20T10:00"), 0) == at("2026-11-20T17:30")
    assert add_working_days(cal, at("2026-11-20T18:00"), 0) == at("2026-11-23T17:30")


def test_working_hours_skip_lunch_nights_and_weekends(cal: WorkCalendar) -> None:
    assert add_working_hours(cal, at("2026-11-20T11:00"), 2) == at("2026-11-20T15:00")
    assert add_working_hours(cal, at("2026-11-20T17:00"), 1) == at("2026-11-23T09:00")
    assert add_working_hours(cal, at("2026-11-21T10:00"), 1) == at("2026-11-23T09:30")  # reported on Saturday


def test_working_hours_over_national_day(cal: WorkCalendar) -> None:
    assert add_working_hours(cal, at("2026-09-30T17:00"), 15) == at("2026-10-10T09:00")  # 调休 Saturday


def test_utc_input_is_read_in_local_office_time(cal: WorkCalendar) -> None:
    start = datetime(2026, 11, 20, 3, 0, tzinfo=ZoneInfo("UTC"))  # 11:00 in Beijing
    assert add_working_hours(cal, start, 2) == at("2026-11-20T15:00")


def test_elapsed_working_time_excludes_nights_weekends_and_holidays(cal: WorkCalendar) -> None:
    assert working_time_between(cal, at("2026-11-20T16:30"), at("2026-11-23T09:30")) == timedelta(hours=2)
    assert working_time_between(cal, at("2026-09-30T17:00"), at("2026-10-08T09:00")) == timedelta(minutes=60)


def test_pauses_are_taken_out_of_elapsed_time(cal: WorkCalendar) -> None:
    pauses = [(at("2026-11-23T08:00"), at("2026-11-23T12:00")), (at("2026-11-23T11:00"), at("2026-11-23T14:30"))]
    # Monday 08:30-17:30 is 7 h of office time; the overlapping pauses cover 08:30-12:00 and 14:00-14:30
    assert working_time_between(cal, at("2026-11-23T08:00"), at("2026-11-23T18:00"), pauses) == timedelta(hours=3)


def test_a_pause_then_resume_moves_the_deadline_by_the_office_time_paused(cal: WorkCalendar) -> None:
    start = at("2026-11-23T09:00")
    due = add_working_days(cal, start, 2)  # Wednesday 17:30
    pause = (at("2026-11-24T10:00"), at("2026-11-24T16:00"))  # 4 h of office time
    due = add_working_time(cal, due, working_time_between(cal, *pause))
    assert due == at("2026-11-26T14:30")
    allowed_before = working_time_between(cal, start, add_working_days(cal, start, 2))
    assert working_time_between(cal, start, due, [pause]) == allowed_before


def test_an_extension_adds_working_days_to_the_deadline(cal: WorkCalendar) -> None:
    due = add_working_days(cal, at("2026-09-28T09:00"), 2)  # Wednesday 30 Sept 17:30
    assert add_working_days(cal, due, 2) == at("2026-10-09T17:30")


def test_used_fraction_goes_yellow_then_past_one(cal: WorkCalendar) -> None:
    start = at("2026-11-23T08:30")
    due = add_working_hours(cal, start, 7)  # Monday 17:30
    assert used_fraction(cal, start=start, due=due, now=at("2026-11-23T12:00")) == pytest.approx(0.5)
    assert used_fraction(cal, start=start, due=due, now=at("2026-11-24T09:30")) > 1.0
    pause = [(at("2026-11-23T10:00"), at("2026-11-23T12:00"))]
    due_paused = add_working_hours(cal, due, 2)
    assert used_fraction(cal, start=start, due=due_paused, now=at("2026-11-23T12:00"), pauses=pause) == pytest.approx(
        1.5 / 7
    )


def test_a_year_without_data_falls_back_to_weekends_and_warns(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    worktime._warned_years.discard(2027)
    with caplog.at_level(logging.WARNING, logger="wangge.core.worktime"):
        # 1 Jan 2027 is a Friday: without data it counts as a workday
        assert add_working_days(cal, at("2026-12-31T10:00"), 1) == at("2027-01-01T17:30")
    assert cal.missing_years(date(2026, 12, 31), date(2027, 1, 1)) == [2027]
    assert "2027" in caplog.text


@time_machine.travel(at("2026-09-30T16:00"), tick=False)
def test_a_deadline_from_now_with_a_frozen_clock(cal: WorkCalendar) -> None:
    from django.utils import timezone

    assert add_working_days(cal, timezone.now(), 1) == at("2026-10-08T17:30")
    assert add_working_hours(cal, timezone.now(), 3) == at("2026-10-08T10:00")
