"""The indicator engine: an indicator registered from outside the engine is listed, computed and opened to its rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from django.db.models import QuerySet

from tests.conftest import Tree
from wangge.core import indicators
from wangge.core.indicators import Direction, Indicator, NotApplicable, Period
from wangge.regions import services as region_services
from wangge.regions.models import Assignment, AssignmentRole, Level


def assignments_started(region: Any, period: Period) -> QuerySet[Assignment]:
    return Assignment.all_objects.filter(
        region__path__startswith=region.path, started_on__gte=period.start, started_on__lt=period.end
    )


# A test-only figure, as a feature app would offer it from its own indicators.py.
NEW_ASSIGNMENTS = Indicator(
    code="testapp.new_assignments",
    label="新上岗人数",
    unit="人",
    direction=Direction.NEUTRAL,
    levels=(Level.GRID, Level.MICROGRID),
    value=lambda region, period: assignments_started(region, period).count(),
    rows=assignments_started,
)


@pytest.fixture
def registered() -> Iterator[None]:
    with indicators.registry_override(NEW_ASSIGNMENTS):
        yield


def test_a_registered_indicator_is_listed_for_its_levels_and_computed(tree: Tree, registered: None) -> None:
    with time_machine.travel(date(2026, 3, 9), tick=False):
        started = region_services.assignment_create(
            actor=None, region=tree.micro_a1, role=AssignmentRole.BUILDING_HEAD, name="楼栋长"
        )
    march = Period.month(2026, 3)

    assert indicators.get("testapp.new_assignments") is NEW_ASSIGNMENTS
    assert NEW_ASSIGNMENTS in indicators.for_level(Level.GRID)
    assert NEW_ASSIGNMENTS not in indicators.for_level(Level.COMMUNITY)
    assert NEW_ASSIGNMENTS.compute(tree.grid_a1, march) == 1
    assert list(NEW_ASSIGNMENTS.counted(tree.grid_a1, march)) == [started]
    assert NEW_ASSIGNMENTS.compute(tree.grid_a1, Period.month(2026, 4)) == 0
    with pytest.raises(NotApplicable):
        NEW_ASSIGNMENTS.compute(tree.community_a, march)


def test_the_registry_forgets_a_test_indicator_afterwards() -> None:
    with indicators.registry_override(NEW_ASSIGNMENTS):
        assert "testapp.new_assignments" in {i.code for i in indicators.registered()}
    with pytest.raises(LookupError):
        indicators.get("testapp.new_assignments")


def test_two_different_indicators_cannot_share_a_code(registered: None) -> None:
    other = Indicator(
        code=NEW_ASSIGNMENTS.code,
        label="别的",
        unit="人",
        direction=Direction.HIGHER_IS_BETTER,
        levels=(Level.GRID,),
        value=NEW_ASSIGNMENTS.value,
        rows=NEW_ASSIGNMENTS.rows,
    )
    with pytest.raises(ValueError, match="twice"):
        indicators.register(other)


def test_apps_offer_their_figures_without_the_engine_knowing_them() -> None:
    assert "cases.received" in {i.code for i in indicators.registered()}  # found in wangge/cases/indicators.py


def test_periods_are_local_months_and_years() -> None:
    assert Period.month(2026, 12) == Period(date(2026, 12, 1), date(2027, 1, 1))
    assert Period.year(2026) == Period(date(2026, 1, 1), date(2027, 1, 1))
    start, end = Period.month(2026, 2).bounds()
    assert start.isoformat() == "2026-02-01T00:00:00+08:00" and end.isoformat() == "2026-03-01T00:00:00+08:00"
