"""A grid worker cannot read, find, count or export anything of another grid (console and API)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import Tree
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.core.scoping import ScopeNotApplied
from wangge.core.services import token_issue
from wangge.regions import services as region_services
from wangge.regions.models import Assignment, Region
from wangge.regions.selectors import grids_visible


def test_an_unscoped_read_fails_loudly(tree: Tree) -> None:
    with pytest.raises(ScopeNotApplied):
        list(Region.objects.filter(level="grid"))
    with pytest.raises(ScopeNotApplied):
        Region.objects.count()
    with pytest.raises(ScopeNotApplied):
        Assignment.objects.filter(name="刘平珍").exists()


def test_for_user_limits_to_the_subtree(tree: Tree, make_user: Callable[..., User]) -> None:
    worker = make_user(Role.GRID_WORKER)
    assert set(Region.objects.for_user(worker).values_list("name", flat=True)) == {"第一网格", "福源小区"}
    nobody = make_user(Role.GRID_WORKER, scope=None)
    assert Region.objects.for_user(nobody).count() == 0


def test_console_other_grid_is_not_found_and_not_counted(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.GRID_WORKER)
    for url in (
        f"/regions/{tree.grid_b1.pk}/",
        f"/regions/{tree.grid_b1.pk}/card/",
        f"/regions/{tree.grid_b1.pk}/map.json",
        f"/regions/{tree.grid_b1.pk}/export.xlsx",
        f"/regions/{tree.community_a.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    home = client.get("/").content.decode()
    assert "第一网格" in home
    assert "乙第一网格" not in home and "第二网格" not in home and "王秀英" not in home
    assert client.get("/").context["summary"].by_level["grid"] == 1


def test_export_contains_only_the_own_grid(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.GRID_WORKER)
    response = client.get(f"/regions/{tree.grid_a1.pk}/export.xlsx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "第一网格" in strings and "刘平珍" in strings
    assert "乙第一网格" not in strings and "王秀英" not in strings and "第二网格" not in strings


def test_api_other_grid_is_not_found_and_not_listed(tree: Tree, make_user: Callable[..., User]) -> None:
    worker = make_user(Role.GRID_WORKER)
    _token, raw = token_issue(actor=None, user=worker, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    listed = client.get("/api/v1/regions").json()
    assert {r["name"] for r in listed["items"]} == {"第一网格", "福源小区"}
    assert listed["count"] == 2
    assert client.get(f"/api/v1/regions/{tree.grid_b1.pk}").status_code == 404
    assert client.get("/api/v1/regions", {"q": "乙"}).json()["count"] == 0
    me = client.get("/api/v1/me").json()
    assert me["roles"] == ["grid_worker"]
    assert [s["name"] for s in me["scopes"]] == ["第一网格"]


def test_street_supervisor_sees_the_whole_street(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.STREET_SUPERVISOR)
    summary = client.get("/").context["summary"]
    assert summary.by_level["grid"] == 2 and summary.by_level["community"] == 1
    assert client.get(f"/regions/{tree.grid_a2.pk}/").status_code == 200
    assert client.get(f"/regions/{tree.grid_b1.pk}/").status_code == 404


def test_the_grids_in_a_users_scope_are_its_active_grids_and_micro_grids_in_tree_order(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)  # scoped to community_a
    region_services.region_create(actor=None, parent=tree.community_a, name="第三网格")
    closed = region_services.region_create(actor=None, parent=tree.community_a, name="撤销网格")
    Region.all_objects.filter(pk=closed.pk).update(is_active=False)
    grids = list(grids_visible(user=staff))
    names = [g.name for g in grids]
    assert set(names) == {"第一网格", "福源小区", "第二网格", "第三网格"}
    assert [g.path for g in grids] == sorted(g.path for g in grids)
    assert all(g.files_records for g in grids)
    with_communities = [g.name for g in grids_visible(user=staff, with_communities=True)]
    assert with_communities[0] == "甲社区" and set(with_communities[1:]) == set(names)
    assert not tree.community_a.files_records
