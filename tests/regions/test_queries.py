"""Lists and dashboards run a fixed number of queries, however many regions there are."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import Tree
from wangge.core.roles import Role
from wangge.regions import services
from wangge.regions.models import AssignmentRole


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(tree: Tree, n: int) -> None:
    for i in range(n):
        grid = services.region_create(actor=None, parent=tree.community_a, name=f"扩展网格{i}")
        services.assignment_create(actor=None, region=grid, role=AssignmentRole.GRID_WORKER, name=f"员{i}")
        services.region_create(actor=None, parent=grid, name=f"扩展微网格{i}")


def test_home_and_region_pages_do_not_grow_queries_with_the_tree(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.STREET_SUPERVISOR)
    urls = ["/", f"/regions/{tree.community_a.pk}/", f"/regions/{tree.grid_a1.pk}/card/", "/api/v1/regions"]
    before = [_count(client, url) for url in urls]
    _grow(tree, 12)
    after = [_count(client, url) for url in urls]
    assert after == before
    assert max(after) <= 20
