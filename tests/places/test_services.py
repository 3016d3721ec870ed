from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import Tree
from tests.places.factories import make_block
from wangge.core.errors import NotFound
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.places import services
from wangge.places.models import Building, Compound, House


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.GRID_WORKER)  # grid_a1


@pytest.fixture
def building(tree: Tree, worker: User) -> Building:
    return services.building_create(actor=worker, region=tree.grid_a1, name="5栋", floors=6, units=3)


def code_of(call: Callable[[], object]) -> str:
    with pytest.raises(ValidationError) as info:
        call()
    return str(info.value.code)


def test_writes_are_audited(tree: Tree, worker: User) -> None:
    compound = services.compound_create(actor=worker, region=tree.grid_a1, name="  福源小区 ")
    building = services.building_create(actor=worker, region=tree.grid_a1, compound=compound, name="3栋")
    house = services.house_create(actor=worker, building=building, unit=1, floor=2, number="201", area=88)
    services.house_update(actor=worker, house=house, owner_name="张三")
    assert compound.name == "福源小区" and house.region == tree.grid_a1
    actions = set(AuditEvent.objects.filter(user_id=worker.pk).values_list("action", flat=True))
    assert {"compound.create", "building.create", "house.create", "house.update"} <= actions


def test_places_belong_to_a_grid(tree: Tree, worker: User) -> None:
    assert code_of(lambda: services.compound_create(actor=None, region=tree.community_a, name="甲")) == "not_a_grid"
    services.building_create(actor=None, region=tree.micro_a1, name="1栋")  # a micro-grid is fine


def test_another_grid_is_not_found_and_a_reader_cannot_write(
    tree: Tree, worker: User, make_user: Callable[..., User]
) -> None:
    with pytest.raises(NotFound):
        services.compound_create(actor=worker, region=tree.grid_b1, name="乙小区")
    with pytest.raises(PermissionDenied):
        services.compound_create(actor=make_user(Role.DEPARTMENT_HANDLER), region=tree.grid_a1, name="甲小区")
    assert not Compound.all_objects.exists()


@pytest.mark.parametrize(
    ("unit", "floor", "code"), [(1, 7, "bad_floor"), (1, 0, "bad_floor"), (4, 1, "bad_unit"), (0, 1, "bad_unit")]
)
def test_a_house_lies_inside_its_building(building: Building, worker: User, unit: int, floor: int, code: str) -> None:
    assert (
        code_of(lambda: services.house_create(actor=worker, building=building, unit=unit, floor=floor, number="x"))
        == code
    )


def test_house_numbers_are_unique_per_unit(building: Building, worker: User) -> None:
    services.house_create(actor=worker, building=building, unit=1, floor=3, number="301")
    services.house_create(actor=worker, building=building, unit=2, floor=3, number="301")
    assert (
        code_of(lambda: services.house_create(actor=worker, building=building, unit=1, floor=3, number=" 301"))
        == "duplicate_house"
    )


def test_rental_needs_a_landlord_and_tenants_are_not_negative(building: Building, worker: User) -> None:
    make = services.house_create
    assert (
        code_of(lambda: make(actor=worker, building=building, unit=1, floor=1, number="101", is_rental=True))
        == "landlord_required"
    )
    assert (
        code_of(lambda: make(actor=worker, building=building, unit=1, floor=1, number="101", tenants_count=-1))
        == "bad_tenants"
    )
    house = make(actor=worker, building=building, unit=1, floor=1, number="101", is_rental=True, landlord_name="周")
    assert code_of(lambda: services.house_update(actor=worker, house=house, landlord_name=" ")) == "landlord_required"


def test_a_building_cannot_shrink_under_its_houses(building: Building, worker: User) -> None:
    services.house_create(actor=worker, building=building, unit=3, floor=6, number="603")
    assert code_of(lambda: services.building_update(actor=worker, building=building, floors=5)) == "houses_outside"
    assert code_of(lambda: services.building_update(actor=worker, building=building, units=2)) == "houses_outside"
    assert services.building_update(actor=worker, building=building, floors=7).floors == 7


def test_building_and_compound_share_the_grid(tree: Tree) -> None:
    compound = services.compound_create(actor=None, region=tree.grid_a2, name="二区")
    assert (
        code_of(lambda: services.building_create(actor=None, region=tree.grid_a1, compound=compound, name="1栋"))
        == "other_grid"
    )


def test_soft_delete_frees_the_number_and_keeps_the_row(building: Building, worker: User) -> None:
    house = services.house_create(actor=worker, building=building, unit=1, floor=1, number="101")
    services.house_delete(actor=worker, house=house)
    assert House.all_objects.get(pk=house.pk).deleted_at is not None
    services.house_create(actor=worker, building=building, unit=1, floor=1, number="101")
    assert code_of(lambda: services.building_delete(actor=worker, building=building)) == "building_not_empty"


def test_an_occupied_house_cannot_be_removed(tree: Tree) -> None:
    block = make_block(tree)
    assert code_of(lambda: services.house_delete(actor=None, house=block.houses["301"])) == "house_occupied"
    services.house_delete(actor=None, house=block.houses["101"])


def test_every_change_to_a_house_is_kept_and_shown(tree: Tree, make_user: Callable[..., User]) -> None:
    from django.test import Client

    from tests.conftest import sign_in
    from wangge.core.models import HistoryEntry

    staff = make_user(Role.COMMUNITY_STAFF)
    house = services.house_create(actor=staff, region=tree.grid_a1, number="101", address="福源路1号")
    services.house_update(
        actor=staff,
        house=house,
        is_rental=True,
        landlord_name="王房东",
        landlord_phone="13871501108",
        area=Decimal("86.5"),
    )
    changes = list(HistoryEntry.objects.filter(object_type="places.house", object_id=house.pk).order_by("id"))
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[1].changes["is_rental"] == [False, True] and changes[1].actor == staff
    assert changes[1].changes["landlord_phone"] == ["", "138****1108"]  # the history never holds the number
    page = sign_in(Client(), staff).get(f"/places/houses/{house.pk}/").content.decode()
    assert 'data-testid="history"' in page and "138****1108" in page and "13871501108" not in page
