"""/api/v1/cases: scoped and permissioned like the console; one report per client key; actions with conflicts."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import Tree, api_token
from wangge.cases.models import Case
from wangge.core.models import User
from wangge.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def api_for(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(role: str, **kwargs: object) -> Client:
        user = make_user(role, **kwargs)
        raw = api_token(user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


def post(client: Client, url: str, body: dict[str, object]) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_report_once_list_read_and_act(tree: Tree, api_for: Callable[..., Client]) -> None:
    worker = api_for(Role.GRID_WORKER)
    body = {
        "region": tree.grid_a1.pk,
        "category": "SS05",
        "title": "井盖缺失",
        "reporter_name": "李四",
        "reporter_phone": "13871502222",
        "client_key": "offline-42",
    }
    first = post(worker, "/api/v1/cases", body)
    again = post(worker, "/api/v1/cases", body)
    assert first.status_code == 201 and again.status_code == 200  # type: ignore[attr-defined]
    case = first.json()["case"]  # type: ignore[attr-defined]
    assert again.json()["case"]["id"] == case["id"] and Case.all_objects.count() == 1  # type: ignore[attr-defined]
    assert case["reporter_phone"] == "138****2222" and case["department"] == "城管"
    listing = worker.get("/api/v1/cases").json()
    assert listing["count"] == 1 and listing["items"][0]["number"] == case["number"]
    assert worker.get(f"/api/v1/cases/{case['id']}/actions").json() == ["link"]  # handled by the street's 城管

    street = api_for(Role.STREET_SUPERVISOR)
    assert "accept" in street.get(f"/api/v1/cases/{case['id']}/actions").json()
    accepted = post(street, f"/api/v1/cases/{case['id']}/actions", {"action": "accept", "version": case["version"]})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"  # type: ignore[attr-defined]
    stale = post(street, f"/api/v1/cases/{case['id']}/actions", {"action": "reject", "version": case["version"]})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"  # type: ignore[attr-defined]
    refused = post(
        worker,
        f"/api/v1/cases/{case['id']}/actions",
        {"action": "supervise", "level": "red", "version": case["version"] + 1},
    )
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert Case.all_objects.get().supervision == ""


def test_outside_the_scope_is_not_found(
    tree: Tree, api_for: Callable[..., Client], client_for: Callable[..., Client], new_case: Callable[..., Case]
) -> None:
    case = new_case("reported", region=tree.grid_b1)
    worker = api_for(Role.GRID_WORKER)
    assert worker.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert (
        post(worker, f"/api/v1/cases/{case.pk}/actions", {"action": "accept", "version": case.version}).status_code
        == 404
    )  # type: ignore[attr-defined]
    body = {"region": tree.grid_b1.pk, "category": "QZ01", "title": "越界"}
    assert post(worker, "/api/v1/cases", body).status_code == 404  # type: ignore[attr-defined]
    assert client_for(Role.SYSTEM_ADMIN).get("/api/v1/cases").status_code == 403  # a session: tokens need 2FA
