"""The holiday calendar table: seeded by migration, loaded by command, edited by the system administrator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import at
from wangge.core import holidays
from wangge.core.holiday_text import parse_calendar_text
from wangge.core.models import AuditEvent, Holiday, HolidayYear, User
from wangge.core.roles import Role
from wangge.core.worktime import load_calendar

pytestmark = pytest.mark.django_db

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（农历除夕、周六）至13日（农历正月初七、周六）放假调休，共8天。2月14日（周日）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天。
六、中秋节：9月15日（周三）放假1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
"""


def test_the_migration_seeded_2026_and_marked_it_complete() -> None:
    assert HolidayYear.objects.get(year=2026).source == HolidayYear.Source.LIBRARY
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert Holiday.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    assert Holiday.objects.get(date=date(2026, 10, 10)).kind == Holiday.Kind.WORKDAY
    calendar = load_calendar()
    assert not calendar.is_workday(date(2026, 2, 17))
    assert calendar.is_workday(date(2026, 2, 28))
    assert 2026 in calendar.known_years and 2027 not in calendar.known_years


def test_the_command_fails_for_a_year_the_library_lacks(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError, match="2027"):  # manage.py exits with status 1: a scheduled job notices
        call_command("holidays_load", "2026", "2027")
    out, err = capsys.readouterr()
    assert "2026: 0" in out
    assert "2027" in err
    assert holidays.missing_years([2026, 2027]) == [2027]


def test_the_command_succeeds_once_the_administrator_completed_the_year(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    holidays.holidays_import(actor=admin, year=2027, text=NOTICE_2027, complete=True)
    call_command("holidays_load", "2026", "2027")


def test_the_admin_enters_next_years_days(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    holidays.holiday_set(actor=admin, day=date(2027, 1, 1), kind="holiday", name="元旦")
    holidays.holiday_set(actor=admin, day=date(2027, 1, 1), kind="holiday", name="元旦节")
    assert Holiday.objects.get(date=date(2027, 1, 1)).name == "元旦节"
    assert holidays.missing_years([2027]) == []
    assert holidays.years_to_warn(date(2026, 11, 23)) == [2027]  # one day entered is not a complete year
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


def test_the_notice_as_published_is_read_day_by_day() -> None:
    parsed = parse_calendar_text(NOTICE_2027, year=2027)
    assert not parsed.errors
    assert [line for line, _text in parsed.ignored] == [1, 9]  # the title and the closing paragraph
    days = {p.day: (p.kind, p.name) for p in parsed.days}
    assert len([d for d in days.values() if d[0] == "holiday"]) == 28
    assert days[date(2027, 2, 13)] == ("holiday", "春节")
    assert days[date(2027, 2, 14)] == ("workday", "春节")
    assert days[date(2027, 4, 25)] == ("workday", "劳动节") and days[date(2027, 5, 8)] == ("workday", "劳动节")
    assert days[date(2027, 10, 7)] == ("holiday", "国庆节") and date(2027, 10, 8) not in days


def test_spreadsheet_lines_and_their_mistakes_in_chinese() -> None:
    from django.utils import translation

    text = "2027-01-01\t休\t元旦\n2027/2/14 班 春节\n2027-10-01 至 2027-10-03 放假 国庆节\n"
    parsed = parse_calendar_text(text, year=2027)
    assert not parsed.errors
    assert [(p.day.isoformat(), p.kind, p.name) for p in parsed.days][:2] == [
        ("2027-01-01", "holiday", "元旦"),
        ("2027-02-14", "workday", "春节"),
    ]
    assert len(parsed.days) == 5
    with translation.override("zh-hans"):
        bad = parse_calendar_text("2027-10-04 上班\n2026-12-31 休\n2027-02-30 休\n2027-03-01 元旦", year=2027)
    assert len(bad.errors) == 4
    joined = "\n".join(bad.errors)
    assert "第1行" in joined and "周六或周日" in joined
    assert "不在2027年" in joined and "不是有效日期" in joined and "放假" in joined


def test_a_pasted_year_is_previewed_then_imported_whole(client_for: Callable[..., Client], clock: object) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    url = reverse("core:holidays")
    holidays.holiday_set(actor=None, day=date(2027, 3, 8), kind="holiday", name="妇女节")  # not in the notice
    response = client.post(url, {"year": "2027", "action": "preview", "text": NOTICE_2027})
    preview = response.context["preview"]
    assert preview.ok and len(preview.added) == 33 and [h.date for h in preview.removed] == [date(2027, 3, 8)]
    assert 'data-testid="calendar-preview"' in response.content.decode()
    assert Holiday.objects.filter(date__year=2027).count() == 1  # the preview saved nothing
    response = client.post(url, {"year": "2027", "action": "import", "text": NOTICE_2027, "complete": "1"})
    assert response.status_code == 302
    assert Holiday.objects.filter(date__year=2027).count() == 33
    assert not Holiday.objects.filter(date=date(2027, 3, 8)).exists()
    assert HolidayYear.objects.filter(year=2027, source=HolidayYear.Source.ADMINISTRATOR).exists()
    assert AuditEvent.objects.filter(action="holiday.import").count() == 1
    assert AuditEvent.objects.filter(action="holiday.year_complete").count() == 1
    calendar = load_calendar()
    assert calendar.is_workday(date(2027, 2, 14)) and not calendar.is_workday(date(2027, 2, 8))
    assert 'data-testid="calendar-incomplete"' not in client.get(reverse("home")).content.decode()


def test_a_bad_paste_imports_nothing(client_for: Callable[..., Client]) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    url = reverse("core:holidays")
    bad = NOTICE_2027.replace("2月14日（周日）上班", "2月15日（周一）上班")
    response = client.post(url, {"year": "2027", "action": "preview", "text": bad})
    assert not response.context["preview"].ok
    assert 'data-testid="calendar-errors"' in response.content.decode()
    assert 'value="import"' not in response.content.decode()
    client.post(url, {"year": "2027", "action": "import", "text": bad, "complete": "1"})
    assert not Holiday.objects.filter(date__year=2027).exists()
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_the_administrator_marks_a_year_complete_and_can_take_it_back(
    make_user: Callable[..., User], client_for: Callable[..., Client], clock: object
) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    url = reverse("core:holidays")
    client.post(url, {"year": "2027", "action": "complete"})  # nothing entered: refused
    assert not HolidayYear.objects.filter(year=2027).exists()
    holidays.holiday_set(actor=None, day=date(2027, 1, 1), kind="holiday", name="元旦")
    assert 'data-testid="calendar-incomplete"' in client.get(reverse("home")).content.decode()
    client.post(url, {"year": "2027", "action": "complete"})
    assert HolidayYear.objects.filter(year=2027).exists()
    assert 'data-testid="calendar-incomplete"' not in client.get(reverse("home")).content.decode()
    client.post(url, {"year": "2027", "action": "reopen"})
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert AuditEvent.objects.filter(action__in=["holiday.year_complete", "holiday.year_reopen"]).count() == 2
    with pytest.raises(PermissionDenied):
        holidays.holiday_year_complete(actor=make_user(Role.COMMUNITY_STAFF), year=2027)


def test_only_the_system_administrator_is_warned_and_only_from_november(
    client_for: Callable[..., Client], clock: object
) -> None:
    admin = client_for(Role.SYSTEM_ADMIN)
    page = admin.get(reverse("home")).content.decode()  # 23 November 2026, 2027 not entered
    assert 'data-testid="calendar-incomplete"' in page and "2027" in page
    clock.move_to(at("2026-10-31T09:00"))  # type: ignore[attr-defined]
    assert 'data-testid="calendar-incomplete"' not in admin.get(reverse("home")).content.decode()
    assert holidays.years_to_warn(date(2027, 3, 1)) == [2027]  # a year already begun and not complete
    for role in (Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF, Role.SECURITY_ADMIN):
        clock.move_to(at("2026-11-23T09:00"))  # type: ignore[attr-defined]
        page = client_for(role).get(reverse("home")).content.decode()
        assert 'data-testid="calendar-incomplete"' not in page
