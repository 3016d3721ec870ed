from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Tree
from tests.places.factories import make_block
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.people import homes
from wangge.people import services as people_services
from wangge.people.models import Residence
from wangge.places import services


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.GRID_WORKER)


def colours(grid: homes.BuildingGrid) -> dict[str, str]:
    return {cell.house.number: cell.color for row in grid.rows for houses in row.cells for cell in houses}


def test_building_grid_is_floors_top_down_by_units_in_red_pink_white(tree: Tree, worker: User) -> None:
    block = make_block(tree)
    grid = homes.building_grid(user=worker, building=block.building)
    assert [row.floor for row in grid.rows] == [6, 5, 4, 3, 2, 1]
    assert grid.units == [1, 2]
    assert colours(grid) == {"301": "red", "302": "pink", "601": "white", "101": "empty", "102": "empty"}
    third = grid.rows[3]
    assert [[c.house.number for c in cell] for cell in third.cells] == [["301"], ["302"]]
    assert {p.name for p in third.cells[0][0].residents} == {"张建国", "刘桂兰"}
    assert grid.counts == {"red": 1, "pink": 1, "white": 1, "empty": 2}
    assert (grid.n_houses, grid.n_residents) == (5, 4)


def test_building_grid_takes_a_fixed_number_of_queries(tree: Tree, worker: User) -> None:
    block = make_block(tree)
    homes.building_grid(user=worker, building=block.building)  # warm the scope cache
    with CaptureQueriesContext(connection) as before:
        homes.building_grid(user=worker, building=block.building)
    for floor in (2, 4, 5):
        house = services.house_create(actor=None, building=block.building, unit=2, floor=floor, number=f"{floor}02")
        person = people_services.person_create(actor=None, region=tree.grid_a1, name=f"住户{floor}")
        people_services.residence_set(actor=None, person=person, house=house)
    with CaptureQueriesContext(connection) as after:
        grid = homes.building_grid(user=worker, building=block.building)
    assert grid.n_houses == 8
    assert len(after.captured_queries) == len(before.captured_queries) == 2


def test_people_outside_the_scope_are_not_shown(tree: Tree, make_user: Callable[..., User]) -> None:
    block = make_block(tree)
    stranger = people_services.person_create(actor=None, region=tree.grid_b1, name="外网格人")
    # a record from before people moved with their home (or registered elsewhere on purpose)
    Residence.objects.create(person=stranger, house=block.houses["101"], is_default=True)
    worker = make_user(Role.GRID_WORKER)
    assert colours(homes.building_grid(user=worker, building=block.building))["101"] == "empty"


def test_overview_counts_houses_and_residents(tree: Tree, worker: User) -> None:
    block = make_block(tree)
    services.compound_create(actor=None, region=tree.grid_a1, name="空小区")
    groups = homes.buildings_overview(user=worker)
    assert [g.compound.name for g in groups if g.compound] == ["福源小区", "空小区"]
    (building,) = groups[0].buildings
    assert building.pk == block.building.pk
    assert (building.n_houses, building.n_residents) == (5, 4)  # type: ignore[attr-defined]
    assert homes.buildings_overview(user=worker, region=tree.micro_a1) == []
