from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import time_machine

from tests.conftest import Tree
from wangge.core.models import User
from wangge.core.pinyin import COMPOUND_SURNAMES, SURNAMES, name_keys
from wangge.core.roles import Role
from wangge.people import services
from wangge.people.choices import HouseholdKind, Residency
from wangge.people.models import Person, Tag
from wangge.people.selectors import PersonFilters, people_search, unverified_by_grid
from wangge.places.models import Building, Compound, House


@pytest.fixture
def people(tree: Tree, new_id) -> dict[str, object]:  # type: ignore[no-untyped-def]
    zhang_id = new_id(date(1948, 1, 9), "M")
    zhang = services.person_create(
        actor=None, region=tree.grid_a1, name="张三", id_number=zhang_id, phone="13871501108"
    )
    zeng = services.person_create(
        actor=None, region=tree.grid_a1, name="曾小燕", residency=Residency.TENANT, birth_date=date(1990, 6, 1)
    )
    shan = services.person_create(actor=None, region=tree.grid_a1, name="单田芳", birth_date=date(1960, 2, 1))
    other_grid = services.person_create(actor=None, region=tree.grid_b1, name="张思", phone="13900001108")
    compound = Compound.all_objects.create(region=tree.grid_a1, name="福源小区")
    building = Building.all_objects.create(region=tree.grid_a1, compound=compound, name="3栋")
    house = House.all_objects.create(region=tree.grid_a1, building=building, unit=1, floor=3, number="301")
    services.residence_set(actor=None, person=shan, house=house)
    services.household_create(actor=None, region=tree.grid_a1, number="H1", head=zhang)
    services.household_create(actor=None, region=tree.grid_a1, number="T1", head=zeng, kind=HouseholdKind.TENANT)
    services.tag_add(actor=None, person=zhang, tag=Tag.objects.get(code="living_alone_elderly"))
    services.tag_add(actor=None, person=shan, tag=Tag.objects.get(code="community_correction"))
    return {"zhang": zhang, "zeng": zeng, "shan": shan, "other": other_grid, "zhang_id": zhang_id}


def names(user: User, **kwargs: object) -> set[str]:
    return set(people_search(user=user, filters=PersonFilters(**kwargs)).values_list("name", flat=True))  # type: ignore[arg-type]


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user(Role.STREET_SUPERVISOR)  # street_a: grid_a1 and grid_a2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zs", {"张三"}),
        ("zhangs", {"张三"}),
        ("zxy", {"曾小燕"}),
        ("zeng", {"曾小燕"}),
        ("stf", {"单田芳"}),
        ("张", {"张三"}),
        ("1108", {"张三"}),  # last 4 of the phone; 张思 is outside the scope
        ("福源", {"单田芳"}),
        ("3栋", {"单田芳"}),
        ("nobody", set()),
    ],
)
def test_search_box(people: dict[str, object], staff: User, query: str, expected: set[str]) -> None:
    assert names(staff, q=query) == expected


def test_search_by_full_id_and_id_tails(people: dict[str, object], staff: User) -> None:
    number = str(people["zhang_id"])
    assert names(staff, q=number) == {"张三"}
    assert names(staff, q=number.lower()) == {"张三"}
    assert names(staff, q=number[-4:]) == {"张三"}
    assert names(staff, q=number[-6:]) == {"张三"}
    assert names(staff, q="13871501108") == {"张三"}


def test_a_chinese_query_finds_names_former_names_and_addresses_together(
    people: dict[str, object], staff: User, tree: Tree
) -> None:
    services.person_create(actor=None, region=tree.grid_a1, name="李四", former_name="张三")
    compound = Compound.all_objects.create(region=tree.grid_a1, name="张家湾小区")
    building = Building.all_objects.create(region=tree.grid_a1, compound=compound, name="1栋")
    house = House.all_objects.create(region=tree.grid_a1, building=building, unit=1, floor=1, number="101")
    neighbour = services.person_create(actor=None, region=tree.grid_a1, name="王五")
    services.residence_set(actor=None, person=neighbour, house=house)

    assert names(staff, q="张三") == {"张三", "李四"}  # by name, and by the former name
    assert names(staff, q="张") == {"张三", "王五"}  # by name, and by the compound 张家湾小区
    assert names(staff, q="张家湾") == {"王五"}


def test_an_address_outside_any_building_is_found_by_a_fragment(staff: User, tree: Tree) -> None:
    house = House.all_objects.create(region=tree.grid_a1, number="12", address="咸安区解放路12号")
    person = services.person_create(actor=None, region=tree.grid_a1, name="赵六")
    services.residence_set(actor=None, person=person, house=house)

    assert names(staff, q="解放路") == {"赵六"}
    assert names(staff, q="解放") == {"赵六"}  # too short for a trigram: found all the same
    assert names(staff, q="12号") == {"赵六"}
    assert names(staff, q="温泉路") == set()


def test_a_moved_out_resident_is_not_found_by_the_old_address(people: dict[str, object], staff: User) -> None:
    shan = people["shan"]
    assert isinstance(shan, Person)
    new_home = House.all_objects.create(region=shan.region, number="9", address="桂花路9号")
    services.residence_set(actor=None, person=shan, house=new_home)

    assert names(staff, q="桂花路") == {"单田芳"}
    assert names(staff, q="福源") == set()


def test_letters_match_initials_of_some_and_full_pinyin_of_others(people: dict[str, object], staff: User) -> None:
    services.person_create(actor=None, region=people["zhang"].region, name="孙红")  # type: ignore[attr-defined]

    assert names(staff, q="sh") == {"孙红", "单田芳"}  # initials "sh"; pinyin "shantianfang"


def test_initials_and_full_pinyin_start_with_the_same_letter() -> None:
    """The initials search on PostgreSQL bounds its walk by the first letter of the full pinyin."""
    mismatched = []
    for code in range(0x3400, 0xA000):
        for name in (chr(code) + "明", "王" + chr(code), "·" + chr(code), "A" + chr(code)):
            full, initials = name_keys(name)
            if initials and full[:1] != initials[:1]:
                mismatched.append(name)
    for name in [*SURNAMES, *COMPOUND_SURNAMES, "John Smith", "3John", "Émile Zola", "ê", "呣", "嗯"]:
        full, initials = name_keys(name)
        if initials and full[:1] != initials[:1]:
            mismatched.append(name)
    assert mismatched == []


def test_search_results_come_in_pinyin_order(people: dict[str, object], staff: User, tree: Tree) -> None:
    for name in ("张伟", "张三丰", "张爱国"):
        services.person_create(actor=None, region=tree.grid_a2, name=name)

    found = people_search(user=staff, filters=PersonFilters(q="张"))

    assert [p.name for p in found] == ["张爱国", "张三", "张三丰", "张伟"]


def test_filters(people: dict[str, object], staff: User) -> None:
    assert names(staff, color="red") == {"张三"}
    assert names(staff, color="pink") == {"曾小燕"}
    assert names(staff, residency=Residency.TENANT) == {"曾小燕"}
    assert names(staff, tag=Tag.objects.get(code="living_alone_elderly")) == {"张三"}
    with time_machine.travel(date(2026, 11, 25)):
        assert names(staff, age_min=60) == {"张三", "单田芳"}
        assert names(staff, age_min=30, age_max=40) == {"曾小燕"}
    assert names(staff, source_state="entered") == {"张三", "曾小燕", "单田芳"}


def test_sensitive_tag_filter_finds_nothing_without_the_permission(people: dict[str, object], staff: User) -> None:
    assert names(staff, tag=Tag.objects.get(code="community_correction")) == set()


def test_unverified_counts_per_grid(people: dict[str, object], staff: User) -> None:
    rows = unverified_by_grid(user=staff)
    assert [(r.name, entered, claimed) for r, entered, claimed in rows] == [("第一网格", 3, 0)]


@pytest.mark.parametrize(
    "query",
    ["福源小区3栋", "福源小区3栋1单元301", "3栋1单元301", "3栋1单元", "3栋301", "福源3栋1单元"],
)
def test_a_house_is_found_as_the_list_writes_it(people: dict[str, object], staff: User, query: str) -> None:
    assert names(staff, q=query) == {"单田芳"}


@pytest.mark.parametrize("query", ["福源小区4栋", "3栋2单元", "3栋1单元302", "桂花苑3栋"])
def test_another_house_finds_nobody(people: dict[str, object], staff: User, query: str) -> None:
    assert names(staff, q=query) == set()


def test_a_household_number_finds_its_members(people: dict[str, object], staff: User, tree: Tree) -> None:
    zhang = people["zhang"]
    wife = services.person_create(actor=None, region=tree.grid_a1, name="李兰", birth_date=date(1950, 3, 3))
    household = services.household_create(actor=None, region=tree.grid_a1, number="080480", head=zhang)  # type: ignore[arg-type]
    services.household_add_member(actor=None, household=household, person=wife, relation="10")
    services.household_create(actor=None, region=tree.grid_a1, number="0804", head=people["shan"])  # type: ignore[arg-type]
    assert names(staff, q="080480") == {"张三", "李兰"}
    assert names(staff, q="0804") == {"单田芳"}
    assert names(staff, q="H1") == set()  # 张三 moved to 080480: only current members count
    other = services.person_create(actor=None, region=tree.grid_b1, name="王五")
    services.household_create(actor=None, region=tree.grid_b1, number="080481", head=other)
    assert names(staff, q="080481") == set()  # another street's household stays outside the scope


def test_the_list_count_is_exact(people: dict[str, object], staff: User, tree: Tree) -> None:
    from wangge.people.selectors import people_count

    for filters, expected in (
        (PersonFilters(), 3),  # 张思 is in the other street
        (PersonFilters(region=tree.grid_a1), 3),
        (PersonFilters(region=tree.grid_b1), 0),
        (PersonFilters(q="zs"), 1),
        (PersonFilters(residency=Residency.TENANT), 1),
    ):
        assert people_count(user=staff, filters=filters) == expected
