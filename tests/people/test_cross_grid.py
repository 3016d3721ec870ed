"""A household lives in one grid; a case names only people and houses of its grid; pages show no member the
viewer may not see."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import Tree, sign_in
from wangge.cases import services as case_services
from wangge.cases.catalogue import seed
from wangge.cases.models import Category
from wangge.core.errors import NotFound
from wangge.core.models import AuditEvent, HistoryEntry, User
from wangge.core.roles import Role
from wangge.core.services import token_issue
from wangge.people import services
from wangge.people.choices import Relation
from wangge.people.models import Household, Membership, Person, Residence
from wangge.places import services as place_services


@pytest.fixture
def family(tree: Tree) -> Household:
    """A household of 第一网格 at 福源小区 1栋 101."""
    compound = place_services.compound_create(actor=None, region=tree.grid_a1, name="福源小区")
    building = place_services.building_create(
        actor=None, region=tree.grid_a1, compound=compound, name="1栋", floors=3, units=1
    )
    house = place_services.house_create(actor=None, building=building, unit=1, floor=1, number="101")
    head = services.person_create(actor=None, region=tree.grid_a1, name="周家长")
    return services.household_create(actor=None, region=tree.grid_a1, number="A101", head=head, house=house)


def test_joining_a_household_of_another_grid_is_a_move_with_history(
    tree: Tree, family: Household, make_user: Callable[..., User]
) -> None:
    bride = services.person_create(actor=None, region=tree.grid_a2, name="吴新娘")
    staff = make_user(Role.COMMUNITY_STAFF)  # 甲社区: both grids
    services.household_add_member(actor=staff, household=family, person=bride, relation=Relation.WIFE)

    bride.refresh_from_db()
    assert bride.region == tree.grid_a1  # the household's grid
    home = Residence.objects.get(person=bride, ended_on__isnull=True, is_default=True)
    assert home.house_id == family.house_id
    change = HistoryEntry.objects.filter(object_type="people.person", object_id=bride.pk, action="move").get()
    assert change.changes["region"] == ["第二网格", "第一网格"]
    assert AuditEvent.objects.filter(action="person.move", object_id=str(bride.pk), user_id=staff.pk).exists()


def test_only_who_may_change_both_grids_moves_a_person(
    tree: Tree, family: Household, make_user: Callable[..., User]
) -> None:
    stranger = services.person_create(actor=None, region=tree.grid_a2, name="郑二网格")
    worker = make_user(Role.GRID_WORKER)  # 第一网格 only
    with pytest.raises(NotFound):
        services.household_add_member(actor=worker, household=family, person=stranger, relation=Relation.OTHER)
    assert not Membership.objects.filter(person=stranger).exists()
    assert Person.all_objects.get(pk=stranger.pk).region == tree.grid_a2

    client = sign_in(Client(), worker)
    response = client.post(f"/people/households/{family.pk}/members/add/", {"person": stranger.pk, "relation": "99"})
    assert response.status_code == 404
    assert not Membership.objects.filter(person=stranger).exists()


def test_pages_never_show_a_member_the_viewer_may_not_see(
    tree: Tree, family: Household, make_user: Callable[..., User]
) -> None:
    # a record from before households were bound to one grid: a member of 第一网格's household lives in 乙第一网格
    outsider = services.person_create(actor=None, region=tree.grid_b1, name="钱乙网格", id_number="")
    Membership.objects.create(household=family, person=outsider, relation=Relation.SON)
    worker = make_user(Role.GRID_WORKER)
    client = sign_in(Client(), worker)

    household_page = client.get(f"/people/households/{family.pk}/").content.decode()
    card = client.get(f"/people/{family.head_id}/").content.decode()
    _token, raw = token_issue(actor=None, user=worker, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"/api/v1/households/{family.pk}").json()
    assert "周家长" in household_page and "周家长" in card
    for shown in (household_page, card, json.dumps(api, ensure_ascii=False)):
        assert "钱乙网格" not in shown and f"/people/{outsider.pk}/" not in shown
    assert [m["name"] for m in api["members"]] == ["周家长"]

    # the other grid's worker opens the household of their resident's record? Outside their scope: 404
    other = sign_in(Client(), make_user(Role.GRID_WORKER, scope="grid_b1"))
    assert other.get(f"/people/households/{family.pk}/").status_code == 404
    assert "周家长" not in other.get(f"/people/{outsider.pk}/").content.decode()


def test_a_merge_keeps_the_household_in_one_grid(tree: Tree, make_user: Callable[..., User]) -> None:
    """The duplicate's household (第二网格) becomes the kept record's: the kept record moves into that grid."""
    head = services.person_create(actor=None, region=tree.grid_a2, name="冯户主")
    household = services.household_create(actor=None, region=tree.grid_a2, number="A2-1", head=head)
    duplicate = services.person_create(actor=None, region=tree.grid_a2, name="冯小")
    services.household_add_member(actor=None, household=household, person=duplicate, relation=Relation.SON)
    keep = services.person_create(actor=None, region=tree.grid_a1, name="冯小")
    services.person_merge(actor=make_user(Role.COMMUNITY_STAFF), keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert Membership.objects.get(person=keep, ended_on__isnull=True).household == household
    assert keep.region == tree.grid_a2
    assert HistoryEntry.objects.get(object_type="people.person", object_id=keep.pk, action="merge").changes[
        "region"
    ] == [
        "第一网格",
        "第二网格",
    ]


def test_a_case_names_only_a_person_or_house_of_its_own_grid(
    tree: Tree, family: Household, make_user: Callable[..., User]
) -> None:
    if not Category.objects.filter(code="QZ01").exists():
        seed(Category)
    category = Category.objects.get(code="QZ01")
    staff = make_user(Role.COMMUNITY_STAFF)
    neighbour = services.person_create(actor=None, region=tree.grid_a2, name="王二网格")
    with pytest.raises(ValidationError) as refused:
        case_services.case_create(actor=staff, region=tree.grid_a1, category=category, title="噪音", person=neighbour)
    assert refused.value.code == "outside_grid" and "第一网格" in refused.value.messages[0]
    micro = services.person_create(actor=None, region=tree.micro_a1, name="孙微网格")
    case = case_services.case_create(
        actor=staff, region=tree.grid_a1, category=category, title="噪音", person=micro, house=family.house
    ).case
    assert case.person == micro and case.house == family.house
