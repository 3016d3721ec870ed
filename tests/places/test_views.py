from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import Tree
from tests.places.factories import Block, make_block
from wangge.core.roles import Role
from wangge.people import services as people_services
from wangge.places import services
from wangge.places.models import Building, Compound, House


@pytest.fixture
def block(tree: Tree) -> Block:
    return make_block(tree)


def test_buildings_page_lists_compounds_with_counts(block: Block, client_for: Callable[..., Client]) -> None:
    response = client_for(Role.GRID_WORKER).get("/places/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "福源小区" in page and "3栋" in page
    assert response.context["n_houses"] == 5 and response.context["n_residents"] == 4


def test_buildings_page_filters_by_grid(block: Block, tree: Tree, client_for: Callable[..., Client]) -> None:
    services.compound_create(actor=None, region=tree.grid_a2, name="二网格小区")
    client = client_for(Role.COMMUNITY_STAFF)
    assert "二网格小区" in client.get("/places/").content.decode()
    page = client.get(f"/places/?grid={tree.grid_a1.pk}").content.decode()
    assert "福源小区" in page and "二网格小区" not in page


def test_building_map_colours_houses_and_names_residents(block: Block, client_for: Callable[..., Client]) -> None:
    response = client_for(Role.GRID_WORKER).get(f"/places/buildings/{block.building.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for number, colour in (("301", "red"), ("302", "pink"), ("601", "white"), ("101", "empty"), ("102", "empty")):
        assert f'href="/places/houses/{block.houses[number].pk}/" title' in page
        assert f'wg-house wg-house-{colour}" href="/places/houses/{block.houses[number].pk}/"' in page
    assert "张建国" in page and "刘桂兰" in page and "李小龙" in page and "王芳" in page
    assert page.count('class="wg-rent"') == 2  # the legend and house 302
    for number in block.id_numbers.values():
        assert number not in page and number[-4:] not in page
    assert "13871501108" not in page and "138****1108" not in page


def test_building_map_query_count_does_not_grow_with_houses(
    block: Block, tree: Tree, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.GRID_WORKER)
    url = f"/places/buildings/{block.building.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for floor in (2, 4, 5):
        house = services.house_create(actor=None, building=block.building, unit=1, floor=floor, number=f"{floor}01")
        person = people_services.person_create(actor=None, region=tree.grid_a1, name=f"新住户{floor}")
        people_services.residence_set(actor=None, person=person, house=house)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_house_page_shows_who_lives_there_and_masks_the_landlord_phone(
    block: Block, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.GRID_WORKER)
    page = client.get(f"/places/houses/{block.houses['301'].pk}/").content.decode()
    assert f'href="/people/{block.people["zhang"].pk}/"' in page and "刘桂兰" in page
    assert "H301" in page
    rented = client.get(f"/places/houses/{block.houses['302'].pk}/").content.decode()
    assert "周房东" in rented and "139****5678" in rented and "13912345678" not in rented


def test_other_grid_places_are_not_found(block: Block, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.GRID_WORKER, scope="grid_b1")
    for url in (
        f"/places/buildings/{block.building.pk}/",
        f"/places/buildings/{block.building.pk}/edit/",
        f"/places/houses/{block.houses['301'].pk}/",
        f"/places/houses/{block.houses['301'].pk}/edit/",
        f"/places/compounds/{block.compound.pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    page = client.get("/places/").content.decode()
    assert "福源小区" not in page and "3栋" not in page


def test_department_handler_cannot_open_places(block: Block, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.DEPARTMENT_HANDLER)
    assert client.get("/places/").status_code == 403
    assert client.get(f"/places/buildings/{block.building.pk}/").status_code == 403


def test_create_compound_building_and_house_through_the_forms(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.GRID_WORKER)
    response = client.post("/places/compounds/new/", {"region": tree.grid_a1.pk, "name": "新小区", "kind": "property"})
    assert response.status_code == 302
    compound = Compound.all_objects.get(name="新小区")
    response = client.post(
        "/places/buildings/new/",
        {"region": tree.grid_a1.pk, "compound": compound.pk, "name": "1栋", "floors": 6, "units": 3},
    )
    building = Building.all_objects.get(compound=compound)
    assert response.status_code == 302 and response.url == f"/places/buildings/{building.pk}/"
    form = client.get(f"/places/houses/new/?building={building.pk}&unit=2&floor=4")
    assert form.context["form"].initial["number"] == "401"
    response = client.post(
        "/places/houses/new/",
        {"building": building.pk, "unit": 2, "floor": 4, "number": "401", "use": "residential", "tenants_count": 0},
    )
    assert response.status_code == 302
    house = House.all_objects.get(building=building)
    assert (house.region_id, house.unit, house.floor) == (tree.grid_a1.pk, 2, 4)


def test_a_refused_house_shows_the_reason(block: Block, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.GRID_WORKER)
    response = client.post(
        "/places/houses/new/",
        {
            "building": block.building.pk,
            "unit": 1,
            "floor": 9,
            "number": "901",
            "use": "residential",
            "tenants_count": 0,
        },
    )
    assert response.status_code == 200
    with translation.override("zh-hans"):
        expected = gettext("Floor %(floor)s is not in the building (floors 1 to %(floors)s).") % {
            "floor": 9,
            "floors": 6,
        }
    assert expected in response.content.decode()
    response = client.post(
        f"/places/houses/{block.houses['601'].pk}/edit/",
        {"unit": 1, "floor": 6, "number": "601", "use": "residential", "is_rental": "on", "tenants_count": 1},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not House.all_objects.get(pk=block.houses["601"].pk).is_rental


def test_edit_building(block: Block, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.COMMUNITY_STAFF)
    response = client.post(
        f"/places/buildings/{block.building.pk}/edit/",
        {"compound": block.compound.pk, "name": "3栋", "floors": 7, "units": 2},
    )
    assert response.status_code == 302
    block.building.refresh_from_db()
    assert block.building.floors == 7


def test_buildings_page_query_count_does_not_grow_with_buildings(
    block: Block, tree: Tree, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.COMMUNITY_STAFF)
    client.get("/places/")
    with CaptureQueriesContext(connection) as before:
        client.get("/places/")
    compound = services.compound_create(actor=None, region=tree.grid_a2, name="二区")
    for n in range(3):
        building = services.building_create(actor=None, region=tree.grid_a2, compound=compound, name=f"{n}栋")
        services.house_create(actor=None, building=building, unit=1, floor=1, number="101")
    with CaptureQueriesContext(connection) as after:
        response = client.get("/places/")
    assert response.context["n_buildings"] == 4
    assert len(after.captured_queries) == len(before.captured_queries)
