from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.conftest import Tree
from wangge.core.errors import NotFound
from wangge.core.models import AuditEvent, HistoryEntry, User
from wangge.core.roles import Role
from wangge.core.services import user_set_capabilities
from wangge.people import services
from wangge.people.choices import HouseholdKind, IdentityColor, Relation, SourceState, identity_color
from wangge.people.models import Household, Membership, Person, PersonTag, Tag
from wangge.places.models import House


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.GRID_WORKER)  # grid_a1


def test_create_derives_gender_and_birth_and_stores_no_plain_number(tree: Tree, worker: User, new_id) -> None:  # type: ignore[no-untyped-def]
    number = new_id(date(1950, 3, 2), "F")
    person = services.person_create(
        actor=worker, region=tree.grid_a1, name="曾秀英", id_number=number, phone="13871501108"
    )
    assert person.gender == "F" and person.birth_date == date(1950, 3, 2)
    assert person.id_number_masked == number[:3] + "*" * 11 + number[-4:]
    assert person.phone_masked == "138****1108"
    assert (person.name_pinyin, person.name_initials) == ("zengxiuying", "zxy")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        raw = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert number not in raw and "13871501108" not in raw and number[-8:] not in raw
    assert HistoryEntry.objects.filter(object_type="people.person", object_id=person.pk, action="create").exists()


def test_typed_gender_or_birth_that_contradicts_the_id_is_refused(tree: Tree, worker: User, new_id) -> None:  # type: ignore[no-untyped-def]
    number = new_id(date(1950, 3, 2), "F")
    with pytest.raises(ValidationError) as info:
        services.person_create(actor=worker, region=tree.grid_a1, name="王", id_number=number, gender="M")
    assert info.value.code == "id_mismatch_gender"
    assert not Person.all_objects.exists()


@pytest.mark.parametrize("bad", ["421202195003021234", "4212021950030", "42120219501302123X"])
def test_malformed_id_numbers_are_refused(tree: Tree, worker: User, bad: str) -> None:
    with pytest.raises(ValidationError):
        services.person_create(actor=worker, region=tree.grid_a1, name="王", id_number=bad)
    assert not Person.all_objects.exists()


def test_the_same_citizen_id_is_one_person_everywhere(tree: Tree, make_user: Callable[..., User], new_id) -> None:  # type: ignore[no-untyped-def]
    number = new_id()
    first = services.person_create(actor=None, region=tree.grid_b1, name="张三", id_number=number)
    with pytest.raises(ValidationError) as info:
        services.person_create(
            actor=make_user(Role.GRID_WORKER), region=tree.grid_a1, name="张三", id_number=number.lower()
        )
    # registered outside the worker's grid: refused without naming the record (tests/people/test_duplicate_elsewhere.py)
    assert info.value.code == "duplicate_elsewhere" and not info.value.params
    assert str(first.pk) not in info.value.messages[0].replace("乙社区", "")
    assert Person.all_objects.count() == 1


def test_legacy_15_digit_number_is_the_same_person(tree: Tree, worker: User) -> None:
    from wangge.core.idcard import parse_citizen_id

    legacy = "421202500302123"
    modern = parse_citizen_id(legacy).number
    services.person_create(actor=worker, region=tree.grid_a1, name="李", id_number=legacy)
    with pytest.raises(ValidationError):
        services.person_create(actor=worker, region=tree.grid_a1, name="李", id_number=modern)


def test_people_belong_to_a_grid_in_scope(tree: Tree, worker: User) -> None:
    with pytest.raises(ValidationError):
        services.person_create(actor=None, region=tree.community_a, name="王")
    with pytest.raises(NotFound):
        services.person_create(actor=worker, region=tree.grid_b1, name="王")


def test_update_keeps_old_and_new_and_masks_sensitive(tree: Tree, worker: User, new_id) -> None:  # type: ignore[no-untyped-def]
    person = services.person_create(actor=worker, region=tree.grid_a1, name="张三", phone="13800000001")
    services.person_update(actor=worker, person=person, occupation="退休", health_status="chronic", phone="13900000002")
    change = HistoryEntry.objects.filter(object_id=person.pk, action="update").get()
    assert change.changes["occupation"] == ["", "退休"]
    assert change.changes["health_status"] == ["***", "***"]
    assert change.changes["phone"] == ["138****0001", "139****0002"]
    assert AuditEvent.objects.filter(action="person.update", object_id=str(person.pk)).exists()


def test_claim_then_verify(tree: Tree, worker: User) -> None:
    person = services.person_create(actor=None, region=tree.grid_a1, name="外来", source="台账.xlsx")
    assert person.source_state == SourceState.ENTERED
    services.person_claim(actor=worker, person=person)
    with pytest.raises(ValidationError):
        services.person_claim(actor=worker, person=person)
    verified = services.person_verify(actor=worker, person=person)
    assert verified.source_state == SourceState.VERIFIED and verified.verified_by == worker
    assert HistoryEntry.objects.filter(object_id=person.pk, action="create", source="台账.xlsx").exists()


def test_identity_colours_follow_households(tree: Tree, worker: User) -> None:
    head = services.person_create(actor=worker, region=tree.grid_a1, name="户主甲")
    wife = services.person_create(actor=worker, region=tree.grid_a1, name="妻子甲")
    tenant = services.person_create(actor=worker, region=tree.grid_a1, name="租户乙")
    home = services.household_create(actor=worker, region=tree.grid_a1, number="H001", head=head)
    services.household_add_member(actor=worker, household=home, person=wife, relation=Relation.WIFE)
    services.household_create(actor=worker, region=tree.grid_a1, number="T001", head=tenant, kind=HouseholdKind.TENANT)
    colours = dict(Person.all_objects.values_list("name", "identity_color"))
    assert colours == {"户主甲": IdentityColor.RED, "妻子甲": IdentityColor.WHITE, "租户乙": IdentityColor.PINK}
    # The wife becomes head: colours follow.
    services.household_set_head(actor=worker, household=home, person=wife)
    colours = dict(Person.all_objects.values_list("name", "identity_color"))
    assert colours["妻子甲"] == IdentityColor.RED and colours["户主甲"] == IdentityColor.WHITE


def test_a_person_is_in_one_household_and_moves_keep_history(tree: Tree, worker: User) -> None:
    a = services.person_create(actor=worker, region=tree.grid_a1, name="甲")
    b = services.person_create(actor=worker, region=tree.grid_a1, name="乙")
    child = services.person_create(actor=worker, region=tree.grid_a1, name="丙")
    first = services.household_create(actor=worker, region=tree.grid_a1, number="H1", head=a)
    second = services.household_create(actor=worker, region=tree.grid_a1, number="H2", head=b)
    services.household_add_member(actor=worker, household=first, person=child, relation=Relation.SON)
    services.household_add_member(actor=worker, household=second, person=child, relation=Relation.SON)
    memberships = list(Membership.objects.filter(person=child).order_by("id"))
    assert [m.household_id for m in memberships] == [first.pk, second.pk]
    assert memberships[0].ended_on is not None and memberships[1].ended_on is None
    with pytest.raises(ValidationError):
        services.household_add_member(actor=worker, household=second, person=a, relation=Relation.HEAD)


def test_whole_family_moves_to_another_house(tree: Tree, worker: User) -> None:
    head = services.person_create(actor=worker, region=tree.grid_a1, name="甲")
    son = services.person_create(actor=worker, region=tree.grid_a1, name="乙")
    household = services.household_create(actor=worker, region=tree.grid_a1, number="H1", head=head)
    services.household_add_member(actor=worker, household=household, person=son, relation=Relation.SON)
    old = House.all_objects.create(region=tree.grid_a1, number="101")
    new = House.all_objects.create(region=tree.grid_a1, number="202")
    for person in (head, son):
        services.residence_set(actor=worker, person=person, house=old)
    services.household_move(actor=worker, household=household, house=new)
    assert set(new.residences.filter(ended_on__isnull=True).values_list("person__name", flat=True)) == {"甲", "乙"}
    assert not old.residences.filter(ended_on__isnull=True).exists()
    assert old.residences.count() == 2  # history kept


def test_a_person_moving_to_a_home_in_another_grid_moves_there_with_history(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)  # community_a: both grids
    person = services.person_create(actor=staff, region=tree.grid_a1, name="搬家")
    there = House.all_objects.create(region=tree.grid_a2, number="303")
    services.residence_set(actor=staff, person=person, house=there)
    person.refresh_from_db()
    assert person.region == tree.grid_a2
    change = HistoryEntry.objects.get(object_id=person.pk, action="home")
    assert change.changes["region"] == ["第一网格", "第二网格"]
    worker = make_user(Role.GRID_WORKER)  # grid_a1 only: may not move someone into another grid
    other = services.person_create(actor=worker, region=tree.grid_a1, name="不许搬")
    with pytest.raises((PermissionDenied, NotFound)):
        services.residence_set(actor=worker, person=other, house=there)
    other.refresh_from_db()
    assert other.region == tree.grid_a1


def test_merge_combines_duplicates_with_their_history(tree: Tree, worker: User) -> None:
    keep = services.person_create(actor=worker, region=tree.grid_a1, name="王五")
    dup = services.person_create(actor=worker, region=tree.grid_a1, name="王五", phone="13700000000", occupation="司机")
    services.tag_add(actor=worker, person=dup, tag=Tag.objects.get(code="veteran"))
    services.person_merge(actor=worker, keep=keep, duplicate=dup)
    keep.refresh_from_db()
    assert keep.phone_masked == "137****0000" and keep.occupation == "司机"
    assert PersonTag.objects.filter(person=keep, tag__code="veteran").exists()
    assert HistoryEntry.objects.filter(object_id=keep.pk, action="create").count() == 2
    dup.refresh_from_db()
    assert dup.merged_into == keep and dup.deleted_at is not None


def test_soft_delete_and_restore(tree: Tree, worker: User) -> None:
    person = services.person_create(actor=worker, region=tree.grid_a1, name="王")
    with pytest.raises(ValidationError):
        services.person_delete(actor=worker, person=person, reason=" ")
    services.person_delete(actor=worker, person=person, reason="重复录入")
    assert not Person.objects.for_user(worker).alive().exists()
    services.person_restore(actor=worker, person=person)
    assert Person.objects.for_user(worker).alive().count() == 1


def test_sensitive_tags_need_the_permission(tree: Tree, worker: User, make_user: Callable[..., User]) -> None:
    person = services.person_create(actor=worker, region=tree.grid_a1, name="王")
    correction = Tag.objects.get(code="community_correction")
    with pytest.raises(PermissionDenied):
        services.tag_add(actor=worker, person=person, tag=correction)
    admin = make_user(Role.SYSTEM_ADMIN)
    user_set_capabilities(actor=admin, user=worker, capabilities={"core.view_sensitive_groups"})
    worker = User.objects.get(pk=worker.pk)
    services.tag_add(actor=worker, person=person, tag=correction, attention="serious")
    assert PersonTag.objects.get(person=person).attention == "serious"


def test_reveal_needs_permission_and_reason_and_is_audited(
    tree: Tree, worker: User, make_user: Callable[..., User], new_id
) -> None:  # type: ignore[no-untyped-def]
    number = new_id()
    person = services.person_create(actor=worker, region=tree.grid_a1, name="王", id_number=number)
    with pytest.raises(PermissionDenied):
        services.person_reveal(actor=worker, person=person, field="id_number", reason="核对低保")
    user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=worker, capabilities={"core.reveal_sensitive"})
    worker = User.objects.get(pk=worker.pk)
    with pytest.raises(ValidationError):
        services.person_reveal(actor=worker, person=person, field="id_number", reason="")
    assert services.person_reveal(actor=worker, person=person, field="id_number", reason="核对低保") == number
    event = AuditEvent.objects.get(action="reveal.id_number")
    assert event.object_id == str(person.pk) and "核对低保" in event.detail


def test_household_numbers_are_unique_per_grid(tree: Tree, worker: User) -> None:
    a = services.person_create(actor=worker, region=tree.grid_a1, name="甲")
    b = services.person_create(actor=worker, region=tree.grid_a1, name="乙")
    services.household_create(actor=worker, region=tree.grid_a1, number="H1", head=a)
    with pytest.raises(ValidationError):
        services.household_create(actor=worker, region=tree.grid_a1, number="H1", head=b)
    assert Household.all_objects.count() == 1


@pytest.mark.parametrize(
    ("is_head", "kind", "colour"),
    [
        (True, HouseholdKind.LOCAL, IdentityColor.RED),
        (True, HouseholdKind.TENANT, IdentityColor.PINK),
        (False, HouseholdKind.LOCAL, IdentityColor.WHITE),
        (False, HouseholdKind.TENANT, IdentityColor.WHITE),
    ],
)
def test_red_pink_white_is_one_rule(is_head: bool, kind: str, colour: str) -> None:
    assert identity_color(is_head=is_head, household_kind=kind) == colour


def test_the_rules_across_fields_hold_for_every_caller(tree: Tree, worker: User) -> None:
    """A death date means deceased; a disability grade needs its type (the console, the API and the importer)."""
    with pytest.raises(ValidationError) as exc:
        services.person_create(actor=None, region=tree.grid_a1, name="钱", disability_grade=2)
    assert exc.value.code == "grade_without_type"
    assert not Person.all_objects.filter(name="钱").exists()

    person = services.person_create(actor=None, region=tree.grid_a1, name="钱", deceased_on=date(2026, 1, 5))
    assert person.is_deceased

    other = services.person_create(actor=None, region=tree.grid_a1, name="孙", disability_type="physical")
    services.person_update(actor=None, person=other, disability_grade=3)  # the type is already on the record
    assert Person.all_objects.get(pk=other.pk).disability_grade == 3
    with pytest.raises(ValidationError):
        services.person_update(actor=None, person=other, disability_type="", disability_grade=3)
    services.person_update(actor=None, person=other, deceased_on=date(2026, 2, 1))
    assert Person.all_objects.get(pk=other.pk).is_deceased
