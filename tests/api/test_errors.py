"""Every API module refuses in one body and by one status rule (wangge.api.errors): the shapes are pinned here."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from tests.conftest import Tree, api_token
from wangge.api.errors import status_of
from wangge.cases import services as case_services
from wangge.cases.models import Case, Category
from wangge.core.actors import SYSTEM
from wangge.core.idcard import random_citizen_id
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.people import services as people_services
from wangge.people.models import Person

ID_NUMBER = random_citizen_id(random.Random(1), "421202", date(1985, 5, 5), "F")


@pytest.fixture
def api_for(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(role: str, **kwargs: object) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {api_token(make_user(role, **kwargs))}")

    return make


@pytest.fixture
def case(tree: Tree) -> Case:
    if not Category.objects.filter(code="QZ01").exists():  # an earlier transactional test flushed the seeded rows
        from wangge.cases.catalogue import seed

        seed(Category)
    category = Category.objects.get(code="QZ01")
    return case_services.case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="楼道灯坏了").case


def send(client: Client, method: str, url: str, body: object) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def problem(answer: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is a refusal in the one shape: a sentence, the code, JSON."""
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"].startswith("application/json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code and isinstance(body["detail"], str) and body["detail"], body
    return body


def test_a_body_that_is_not_json_is_a_400_in_every_module(
    tree: Tree, case: Case, api_for: Callable[..., Client]
) -> None:
    api = api_for(Role.COMMUNITY_STAFF)
    for url in ("/api/v1/people", "/api/v1/cases", f"/api/v1/cases/{case.pk}/actions"):
        answer = api.post(url, data="{not json", content_type="application/json")
        problem(answer, 400, "bad_request")
    assert Person.all_objects.count() == 0 and Case.all_objects.count() == 1


def test_a_missing_capability_is_a_403_in_every_module(tree: Tree, case: Case, api_for: Callable[..., Client]) -> None:
    auditor = api_for(Role.AUDITOR)  # sees neither the registry nor cases
    with translation.override("zh-hans"):
        expected = translation.gettext("You do not have permission to do this.")
    for url in ("/api/v1/people", "/api/v1/cases", "/api/v1/regions"):
        assert problem(auditor.get(url), 403, "forbidden")["detail"] == expected  # in the user's language
    worker = api_for(Role.GRID_WORKER)  # sees the case, may not supervise it
    refused = send(worker, "post", f"/api/v1/cases/{case.pk}/actions", {"action": "supervise", "version": case.version})
    problem(refused, 403, "forbidden")
    assert Case.all_objects.get(pk=case.pk).supervision == ""


def test_outside_the_scope_is_the_same_404_in_every_module(
    tree: Tree, case: Case, api_for: Callable[..., Client]
) -> None:
    person = people_services.person_create(actor=None, region=tree.grid_a1, name="张三")
    outsider = api_for(Role.GRID_WORKER, scope="grid_b1")
    bodies = [
        problem(outsider.get(url), 404, "not_found")
        for url in (
            f"/api/v1/people/{person.pk}",
            f"/api/v1/cases/{case.pk}",
            f"/api/v1/regions/{tree.grid_a1.pk}",
            "/api/v1/people/999999",  # absent answers as outside
        )
    ]
    assert all(body == bodies[0] for body in bodies)
    moved = send(outsider, "post", "/api/v1/people", {"region": tree.grid_a1.pk, "name": "李四"})
    problem(moved, 404, "not_found")
    assert Person.all_objects.count() == 1


def test_a_conflict_is_a_409_in_every_module(tree: Tree, case: Case, api_for: Callable[..., Client]) -> None:
    staff = api_for(Role.COMMUNITY_STAFF)
    stale = send(staff, "post", f"/api/v1/cases/{case.pk}/actions", {"action": "accept", "version": case.version + 3})
    body = problem(stale, 409, "conflict")
    assert body["existing_id"] is None
    assert Case.all_objects.get(pk=case.pk).state == "reported"

    first = people_services.person_create(actor=None, region=tree.grid_a1, name="陈红", id_number=ID_NUMBER)
    duplicate = send(
        staff, "post", "/api/v1/people", {"region": tree.grid_a1.pk, "name": "陈红", "id_number": ID_NUMBER}
    )
    assert problem(duplicate, 409, "duplicate_person")["existing_id"] == first.pk
    assert Person.all_objects.count() == 1

    report = {"region": tree.grid_a1.pk, "category": "QZ01", "title": "路灯不亮", "client_key": "k-1"}
    assert send(staff, "post", "/api/v1/cases", report).status_code == 201
    other = api_for(Role.COMMUNITY_STAFF)  # another user replaying someone else's key
    problem(send(other, "post", "/api/v1/cases", report), 409, "client_key_taken")
    assert Case.all_objects.count() == 2


def test_input_refused_is_a_422_with_the_fields_or_the_services_code(
    tree: Tree, case: Case, api_for: Callable[..., Client]
) -> None:
    staff = api_for(Role.COMMUNITY_STAFF)
    schema = problem(send(staff, "post", f"/api/v1/cases/{case.pk}/actions", {"action": "accept"}), 422, "invalid")
    assert [e["loc"][-1] for e in schema["errors"]] == ["version"]
    service = send(staff, "post", "/api/v1/people", {"region": tree.grid_a1.pk, "name": "王", "gender": "X"})
    problem(service, 422, "bad_gender")
    unknown = send(staff, "post", f"/api/v1/cases/{case.pk}/actions", {"action": "fly", "version": case.version})
    problem(unknown, 422, "unknown_action")
    problem(staff.get("/api/v1/cases?category=XX99"), 422, "bad_category")
    problem(staff.get("/api/v1/people?color=purple"), 422, "bad_color")
    assert Person.all_objects.count() == 0 and Case.all_objects.get(pk=case.pk).state == "reported"


def test_no_token_is_a_401(tree: Tree) -> None:
    problem(Client().get("/api/v1/cases"), 401, "unauthorized")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("conflict", 409),
        ("duplicate_person", 409),
        ("duplicate_elsewhere", 409),
        ("client_key_taken", 409),
        ("duplicate_checks_paused", 429),
        ("bad_phone", 422),
        (None, 422),
    ],
)
def test_one_status_rule_for_a_refused_write(code: str | None, status: int) -> None:
    assert status_of(ValidationError("no", code=code)) == status
