"""The home page shows each role its own work; residents and volunteers get their grid, its card and worker's phone."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from tests.conftest import Tree
from wangge.core.roles import Role
from wangge.regions import services


def test_a_resident_sees_what_to_do_their_grid_worker_and_opens_their_grid_card(
    tree: Tree, client_for: Callable[..., Client]
) -> None:
    resident = client_for(Role.RESIDENT, scope="grid_a1")
    response = resident.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="own-grid"' in html and "刘平珍" in html and "tel:13871501108" in html
    assert "Administrator roles do not read resident data" not in html and "管理员角色" not in html
    assert resident.get(reverse("regions:card", args=[tree.grid_a1.pk])).status_code == 200
    # another grid's card, and the console pages, stay closed
    assert resident.get(reverse("regions:card", args=[tree.grid_b1.pk])).status_code == 404
    assert resident.get(reverse("regions:detail", args=[tree.grid_a1.pk])).status_code == 403


def test_a_resident_without_a_grid_is_told_whom_to_ask(client_for: Callable[..., Client]) -> None:
    volunteer = client_for(Role.VOLUNTEER)
    response = volunteer.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["panels"] and 'data-testid="own-grid"' in response.content.decode()
    assert 'data-testid="own-grid-card"' not in response.content.decode()


def test_administrators_keep_their_panel_and_see_no_resident_panel(client_for: Callable[..., Client]) -> None:
    html = client_for(Role.SYSTEM_ADMIN).get(reverse("home")).content.decode()
    assert 'data-testid="admin-home"' in html and 'data-testid="own-grid"' not in html


def test_grids_on_the_home_page_sort_naturally(tree: Tree, client_for: Callable[..., Client]) -> None:
    for name in ("第10网格", "第3网格"):
        services.region_create(actor=None, parent=tree.community_a, name=name)
    grids = client_for(Role.COMMUNITY_STAFF).get(reverse("home")).context["panels"]
    html = "".join(grids)
    positions = [html.index(name) for name in ("第一网格", "第二网格", "第3网格", "第10网格")]
    assert positions == sorted(positions)
