from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client

from tests.conftest import Tree
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.regions.models import Assignment, Region, UserScope


def test_staff_creates_a_grid_and_a_double_post_creates_one(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.COMMUNITY_STAFF)
    data = {"name": "第三网格", "grid_code": "G-A3", "sort_order": "3", "declared_households": "580"}
    first = client.post(f"/regions/{tree.community_a.pk}/new/", data)
    assert first.status_code == 302
    again = client.post(f"/regions/{tree.community_a.pk}/new/", data)
    assert again.status_code == 200
    assert "第三网格" in again.context["form"].non_field_errors()[0]
    assert Region.all_objects.filter(name="第三网格").count() == 1
    created = Region.all_objects.get(name="第三网格")
    assert created.level == "grid" and created.declared_households == 580


def test_bad_codes_and_boundary_show_a_message_and_change_nothing(
    tree: Tree, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.COMMUNITY_STAFF)
    url = f"/regions/{tree.grid_a1.pk}/edit/"
    for data in (
        {"name": "第一网格", "area_code": "12"},
        {"name": "第一网格", "boundary": "{not json"},
        {"name": "第一网格", "boundary": json.dumps({"type": "LineString", "coordinates": []})},
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["form"].errors
    grid = Region.all_objects.get(pk=tree.grid_a1.pk)
    assert grid.area_code == "" and grid.boundary is None


def test_edit_boundary_and_service_centre(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.COMMUNITY_STAFF)
    polygon = {"type": "Polygon", "coordinates": [[[114.31, 29.85], [114.32, 29.85], [114.32, 29.86], [114.31, 29.85]]]}
    response = client.post(
        f"/regions/{tree.grid_a1.pk}/edit/",
        {
            "name": "第一网格",
            "boundary": json.dumps(polygon),
            "service_address": "三元路 18 号",
            "service_phone": "0715-8235678",
            "area_code": "421202",
            "community_code": "",
        },
    )
    assert response.status_code == 302
    grid = Region.all_objects.get(pk=tree.grid_a1.pk)
    assert grid.boundary == polygon and grid.service_phone == "0715-8235678"
    geo = client.get(f"/regions/{tree.community_a.pk}/map.json").json()
    assert [f["properties"]["name"] for f in geo["features"]] == ["第一网格"]


def test_move_merge_split_through_the_console(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.STREET_SUPERVISOR)  # street_a
    second = client.post(f"/regions/{tree.street_a.pk}/new/", {"name": "丙社区"})
    assert second.status_code == 302
    other = Region.all_objects.get(name="丙社区")
    moved = client.post(f"/regions/{tree.grid_a2.pk}/move/", {"new_parent": other.pk})
    assert moved.status_code == 302, moved.context["form"].errors
    assert Region.all_objects.get(pk=tree.grid_a2.pk).parent == other
    split = client.post(
        f"/regions/{tree.grid_a1.pk}/split/", {"new_name": "第一网格乙", "children": [tree.micro_a1.pk]}
    )
    assert split.status_code == 302
    new = Region.all_objects.get(name="第一网格乙")
    assert Region.all_objects.get(pk=tree.micro_a1.pk).parent == new
    merge = client.post(f"/regions/{new.pk}/merge/", {"target": tree.grid_a1.pk, "confirm": "on"})
    assert merge.status_code == 302
    assert Region.all_objects.get(pk=tree.micro_a1.pk).parent == tree.grid_a1
    assert not Region.all_objects.get(pk=new.pk).is_active
    merged_page = client.get(f"/regions/{new.pk}/")
    assert merged_page.status_code == 200 and "第一网格" in merged_page.content.decode()


def test_merge_target_outside_scope_is_not_offered(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.STREET_SUPERVISOR)
    response = client.post(f"/regions/{tree.grid_a1.pk}/merge/", {"target": tree.grid_b1.pk, "confirm": "on"})
    assert response.status_code == 200 and response.context["form"].errors
    assert Region.all_objects.get(pk=tree.grid_a1.pk).is_active


def test_assign_a_grid_worker_and_the_card_shows_them(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.COMMUNITY_STAFF)
    response = client.post(
        f"/regions/{tree.grid_a2.pk}/assign/",
        {
            "role": "grid_worker",
            "employment": "part_time",
            "name": "唐少欢",
            "phone": "13871501101",
            "duties": "入户走访",
        },
    )
    assert response.status_code == 302
    card = client.get(f"/regions/{tree.grid_a2.pk}/card/").content.decode()
    assert "唐少欢" in card and "13871501101" in card and "入户走访" in card
    assignment = Assignment.all_objects.get(name="唐少欢")
    assert client.post(f"/regions/assignments/{assignment.pk}/end/").status_code == 302
    assert "唐少欢" not in client.get(f"/regions/{tree.grid_a2.pk}/card/").content.decode()


def test_card_shows_households_residents_and_cadre(tree: Tree, client_for: Callable[..., Client]) -> None:
    html = client_for(Role.GRID_WORKER).get(f"/regions/{tree.grid_a1.pk}/card/").content.decode()
    assert "刘平珍" in html and "13871501108" in html and "600" in html and "2100" in html


def test_export_is_audited(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.STREET_SUPERVISOR)
    assert client.get(f"/regions/{tree.street_a.pk}/export.xlsx").status_code == 200
    event = AuditEvent.objects.get(action="export.regions")
    assert event.object_id == str(tree.street_a.pk) and '"rows": 5' in event.detail


def test_admin_sets_a_users_scope(
    tree: Tree, client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    worker = make_user(Role.GRID_WORKER, scope=None)
    response = client.post(f"/regions/scopes/{worker.pk}/", {"regions": [tree.grid_b1.pk]})
    assert response.status_code == 302
    assert list(UserScope.objects.filter(user=worker).values_list("region_id", flat=True)) == [tree.grid_b1.pk]


def test_language_is_chosen_per_user(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.GRID_WORKER)
    assert "网格" in client.get("/").content.decode()
    client.post("/account/language/", {"language": "en"})
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Grids in your area" in english


def test_the_card_of_every_level_opens(tree: Tree, client_for: Callable[..., Client]) -> None:
    """A community's, a street's and the district's card show their own service centre (none has a community above)."""
    Region.all_objects.filter(pk=tree.community_a.pk).update(
        service_address="甲社区党群服务中心", service_phone="0715-8123456"
    )
    client = client_for(Role.SYSTEM_ADMIN)
    for region in (tree.district, tree.street_a, tree.community_a, tree.grid_a1):
        assert client.get(f"/regions/{region.pk}/card/").status_code == 200, region.level
    assert "甲社区党群服务中心" in client.get(f"/regions/{tree.community_a.pk}/card/").content.decode()
    assert "0715-8123456" in client.get(f"/regions/{tree.grid_a2.pk}/card/").content.decode()  # the community's
