"""The demo year of cases: every shape the lists and statistics need, written through the services."""

from __future__ import annotations

import io

import pytest

from wangge.cases import demo
from wangge.cases.choices import State
from wangge.cases.models import Case, CaseStep
from wangge.cases.selectors import cases_visible, deadline_counts
from wangge.cases.stats import _live_report, region_report
from wangge.core import demo as core_demo
from wangge.core.models import Notification, User
from wangge.regions import demo as regions_demo


@pytest.mark.django_db
def test_a_year_of_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANGGE_DEMO_SCALE", "0.2")
    out = io.StringIO()
    core_demo.load(stdout=out)
    regions_demo.load(stdout=out)
    demo.load(stdout=out)
    cases = Case.all_objects.all()
    assert cases.count() >= 300
    states = set(cases.values_list("state", flat=True))
    assert {State.CLOSED, State.REJECTED, State.MERGED} <= states
    assert states & {State.REPORTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.FINISHED}
    assert cases.filter(was_overdue=True).exists()
    assert cases.exclude(supervision="").exists()
    assert cases.filter(reporter_count__gt=3).exists()
    assert cases.filter(rating__isnull=False).exists()
    assert cases.filter(handling_level="department").exists()
    assert CaseStep.objects.filter(action="escalate").exists()
    assert cases.filter(lat__isnull=False).exists()
    assert Notification.objects.count() == 0  # history notifies nobody
    staff = User.objects.get(username="staff")
    year = cases.order_by("reported_at").first().reported_at.year  # type: ignore[union-attr]
    report = region_report(user=staff, year=year)
    assert report.total.received > 0
    # the monthly statistics say exactly what counting the cases says
    live = _live_report(cases=cases_visible(user=staff), year=year)
    for mine, theirs in [
        (report.total, live.total),
        *list(zip(report.by_month, live.by_month, strict=True)),
        *list(zip(report.by_category, live.by_category, strict=True)),
        *list(zip(report.by_grid, live.by_grid, strict=True)),
    ]:
        assert (mine.label, mine.received, mine.accepted, mine.closed, mine.on_time, mine.overdue_now, mine.rated) == (
            theirs.label,
            theirs.received,
            theirs.accepted,
            theirs.closed,
            theirs.on_time,
            theirs.overdue_now,
            theirs.rated,
        )
        assert mine.rating_display == theirs.rating_display and mine.handling_hours == theirs.handling_hours
    assert deadline_counts(user=staff, by="region")
    demo.load(stdout=out)  # idempotent
    assert Case.all_objects.count() == cases.count()


@pytest.mark.django_db
def test_the_demo_restores_a_flushed_catalogue_and_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    """Transactional tests flush the tables the data migrations filled; the demo must still load."""
    from wangge.cases.models import Category
    from wangge.core.models import Holiday

    monkeypatch.setenv("WANGGE_DEMO_SCALE", "0.02")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    Holiday.objects.all().delete()
    out = io.StringIO()
    core_demo.load(stdout=out)
    regions_demo.load(stdout=out)
    demo.load(stdout=out)
    assert Category.objects.count() == 47 and Holiday.objects.exists()
    assert Case.all_objects.count() >= 30
