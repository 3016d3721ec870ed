"""The holiday calendar table: seeded by migration, loaded by command, edited by the system administrator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from wangge.core import holidays
from wangge.core.models import AuditEvent, Holiday, User
from wangge.core.roles import Role
from wangge.core.worktime import load_calendar

pytestmark = pytest.mark.django_db


def test_the_migration_seeded_2026() -> None:
    assert Holiday.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert Holiday.objects.get(date=date(2026, 10, 10)).kind == Holiday.Kind.WORKDAY
    calendar = load_calendar()
    assert not calendar.is_workday(date(2026, 2, 17))
    assert calendar.is_workday(date(2026, 2, 28))
    assert 2026 in calendar.known_years and 2027 not in calendar.known_years


def test_the_command_reports_a_year_the_library_lacks(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("holidays_load", "2026", "2027")
    out, err = capsys.readouterr()
    assert "2026: 0" in out
    assert "2027" in err
    assert holidays.missing_years([2026, 2027]) == [2027]


def test_the_admin_enters_next_years_days(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    holidays.holiday_set(actor=admin, day=date(2027, 1, 1), kind="holiday", name="元旦")
    holidays.holiday_set(actor=admin, day=date(2027, 1, 1), kind="holiday", name="元旦节")
    assert Holiday.objects.get(date=date(2027, 1, 1)).name == "元旦节"
    assert holidays.missing_years([2027]) == []
    assert not load_calendar().is_workday(date(2027, 1, 1))
    assert AuditEvent.objects.filter(action__in=["holiday.create", "holiday.update"]).count() == 2


def test_a_workday_must_be_a_weekend_day(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError) as exc:
        holidays.holiday_set(actor=admin, day=date(2027, 1, 4), kind="workday")
    assert exc.value.code == "workday_not_weekend"


def test_only_the_calendar_manager_edits(make_user: Callable[..., User]) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    with pytest.raises(PermissionDenied):
        holidays.holiday_set(actor=staff, day=date(2027, 1, 1), kind="holiday")
    assert not Holiday.objects.filter(date=date(2027, 1, 1)).exists()


def test_the_page_lists_adds_and_deletes(client_for: Callable[..., Client]) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    url = reverse("core:holidays")
    response = client.get(url, {"year": 2027})
    assert response.status_code == 200 and response.context["missing"] == [2027]
    response = client.post(url, {"action": "set", "date": "2027-02-06", "kind": "holiday", "name": "春节"})
    assert response.status_code == 302
    day = Holiday.objects.get(date=date(2027, 2, 6))
    assert client.get(url, {"year": 2027}).context["missing"] == []
    assert client.post(url, {"action": "delete", "holiday": day.pk}).status_code == 302
    assert not Holiday.objects.filter(pk=day.pk).exists()
    assert client.post(url, {"action": "load", "year": "2027"}).status_code == 302
