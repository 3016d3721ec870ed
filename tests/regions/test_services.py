from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import Tree
from wangge.core.errors import NotFound
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.regions import services
from wangge.regions.models import Assignment, AssignmentRole, Level, Region, UserScope


def subtree(region: Region) -> list[str]:
    return list(Region.all_objects.filter(path__startswith=region.path).order_by("path").values_list("name", flat=True))


def test_children_get_the_next_level_and_a_materialised_path(tree: Tree) -> None:
    assert tree.grid_a1.level == Level.GRID
    assert tree.micro_a1.level == Level.MICROGRID
    assert (
        tree.micro_a1.path
        == f"{tree.district.pk}/{tree.street_a.pk}/{tree.community_a.pk}/{tree.grid_a1.pk}/{tree.micro_a1.pk}/"
    )
    assert set(subtree(tree.community_a)) == {"甲社区", "第一网格", "第二网格", "福源小区"}


def test_a_micro_grid_cannot_have_children(tree: Tree) -> None:
    with pytest.raises(ValidationError):
        services.region_create(actor=None, parent=tree.micro_a1, name="子")


def test_a_level_that_does_not_fit_is_refused(tree: Tree) -> None:
    with pytest.raises(ValidationError):
        services.region_create(actor=None, parent=tree.community_a, name="错层", level=Level.STREET)


@pytest.mark.parametrize(
    ("attrs", "code"),
    [
        ({"area_code": "42120"}, "bad_area_code"),
        ({"community_code": "4212020010"}, "bad_community_code"),
        ({"boundary": {"type": "Point", "coordinates": [1, 2]}}, "bad_boundary"),
        ({"boundary": {"type": "Polygon", "coordinates": [[[114, 29], [115, 29], [114, 30]]]}}, "bad_ring"),
        ({"boundary": {"type": "Polygon", "coordinates": [[[514, 29], [115, 29], [114, 30], [514, 29]]]}}, "bad_coord"),
        ({"name": "  "}, "name_required"),
        ({"name": "第二网格"}, "duplicate_name"),
    ],
)
def test_bad_attributes_are_refused_and_change_nothing(
    tree: Tree, make_user: Callable[..., User], attrs: dict[str, object], code: str
) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    before = Region.all_objects.values_list("name", "area_code", "community_code", "boundary").get(pk=tree.grid_a1.pk)
    with pytest.raises(ValidationError) as info:
        services.region_update(actor=staff, region=tree.grid_a1, **attrs)
    assert info.value.code == code
    assert (
        Region.all_objects.values_list("name", "area_code", "community_code", "boundary").get(pk=tree.grid_a1.pk)
        == before
    )


def test_rename_is_audited_with_old_and_new(tree: Tree, make_user: Callable[..., User]) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    services.region_update(actor=staff, region=tree.grid_a1, name="一号网格")
    event = AuditEvent.objects.get(action="region.update")
    assert "第一网格" in event.detail and "一号网格" in event.detail
    assert event.username == staff.username


def test_move_rewrites_the_whole_subtree(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    services.region_move(actor=admin, region=tree.grid_a1, new_parent=tree.community_b)
    micro = Region.all_objects.get(pk=tree.micro_a1.pk)
    assert micro.path.startswith(Region.all_objects.get(pk=tree.community_b.pk).path)
    assert "福源小区" in subtree(tree.community_b)
    assert "福源小区" not in subtree(tree.community_a)


def test_move_into_own_subtree_or_wrong_level_is_refused(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError):
        services.region_move(actor=admin, region=tree.grid_a1, new_parent=tree.street_b)
    with pytest.raises(ValidationError):
        services.region_move(actor=admin, region=tree.community_a, new_parent=tree.community_a)


def test_moving_outside_ones_scope_is_not_found(tree: Tree, make_user: Callable[..., User]) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)  # scope: community_a
    with pytest.raises(NotFound):
        services.region_move(actor=staff, region=tree.grid_a1, new_parent=tree.community_b)


def test_merge_moves_children_assignments_and_scopes_then_closes_the_source(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    worker = make_user(Role.GRID_WORKER)  # scope grid_a1
    services.region_merge(actor=staff, source=tree.grid_a1, target=tree.grid_a2)
    source = Region.all_objects.get(pk=tree.grid_a1.pk)
    target = Region.all_objects.get(pk=tree.grid_a2.pk)
    assert not source.is_active and source.merged_into == target
    assert Region.all_objects.get(pk=tree.micro_a1.pk).parent == target
    assert Region.all_objects.get(pk=tree.micro_a1.pk).path.startswith(target.path)
    assert Assignment.all_objects.filter(region=target, name="刘平珍").exists()
    assert UserScope.objects.filter(user=worker, region=target).exists()
    assert target.declared_households == 600


def test_merge_of_non_siblings_is_refused(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError):
        services.region_merge(actor=admin, source=tree.grid_a1, target=tree.grid_b1)


def test_split_creates_a_sibling_and_moves_the_chosen_micro_grids(tree: Tree, make_user: Callable[..., User]) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    other_micro = services.region_create(actor=staff, parent=tree.grid_a1, name="铁路宿舍")
    new = services.region_split(actor=staff, region=tree.grid_a1, new_name="第三网格", child_ids=[other_micro.pk])
    assert new.parent == tree.community_a and new.level == Level.GRID
    assert Region.all_objects.get(pk=other_micro.pk).parent == new
    assert Region.all_objects.get(pk=tree.micro_a1.pk).parent == tree.grid_a1


def test_split_refuses_children_of_another_region(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    foreign = services.region_create(actor=None, parent=tree.grid_b1, name="外部")
    with pytest.raises(ValidationError):
        services.region_split(actor=admin, region=tree.grid_a1, new_name="第三网格", child_ids=[foreign.pk])
    assert not Region.all_objects.filter(name="第三网格").exists()


def test_a_grid_worker_cannot_change_the_tree(tree: Tree, make_user: Callable[..., User]) -> None:
    worker = make_user(Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        services.region_update(actor=worker, region=tree.grid_a1, name="我的网格")


def test_assignment_lifecycle(tree: Tree, make_user: Callable[..., User]) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    a = services.assignment_create(
        actor=staff, region=tree.grid_a2, role=AssignmentRole.BUILDING_HEAD, name="张楼长", phone="13900000000"
    )
    services.assignment_end(actor=staff, assignment=a)
    with pytest.raises(ValidationError):
        services.assignment_end(actor=staff, assignment=a)
    with pytest.raises(ValidationError):
        services.assignment_create(
            actor=staff, region=tree.grid_a2, role=AssignmentRole.CADRE, name="李", phone="not a phone"
        )
