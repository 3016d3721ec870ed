"""The console's action form and the API read an action the same way (wangge.cases.action_input).

Each rule is checked through both edges: the console answers with a message on the case page, the
API with a status and a code, and a refused action changes nothing in either.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Tree, api_token
from wangge.cases.choices import Action
from wangge.cases.models import Case, CaseStep
from wangge.core.models import AccessRefusal, User
from wangge.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")

CONFLICT_ZH = "此事件在读取后已有变动（他人已处理，或同一操作被重复提交），请刷新后核对再操作。"


def fingerprint() -> list[Any]:
    return [
        list(Case.all_objects.order_by("pk").values()),
        list(CaseStep.objects.order_by("pk").values_list("pk", "case_id", "action")),
    ]


class Edges:
    """One user, through the console (signed in) and through the API (a token)."""

    def __init__(self, user: User, console: Client) -> None:
        self.user = user
        self.console = console
        self.api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")

    def by_console(self, case: Case, body: dict[str, Any]) -> list[str]:
        """Post the form; the messages the case page (or the list) then shows."""
        answer = self.console.post(reverse("cases:act", args=[case.pk]), body, follow=True)
        assert answer.status_code == 200, answer.status_code
        return [str(m) for m in answer.context["messages"]]

    def by_api(self, case: Case, body: dict[str, Any]) -> Any:
        return self.api.post(f"/api/v1/cases/{case.pk}/actions", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def edges_for(make_user: Callable[..., User], client_for: Callable[..., Client]) -> Callable[..., Edges]:
    def make(role: str, **kwargs: object) -> Edges:
        console = client_for(role, **kwargs)
        return Edges(console.user, console)  # type: ignore[attr-defined]

    return make


@pytest.mark.parametrize("edge", ["console", "api"])
@pytest.mark.parametrize("by", ["number", "id"])
def test_merge_takes_the_other_case_by_number_or_id_at_both_edges(
    edge: str, by: str, new_case: Callable[..., Case], edges_for: Callable[..., Edges]
) -> None:
    kept, duplicate = new_case("accepted"), new_case("reported")
    user = edges_for(Role.GRID_WORKER)
    body = {"action": "merge", "version": duplicate.version, "case": kept.number if by == "number" else kept.pk}
    if edge == "console":
        user.by_console(duplicate, body)
    else:
        assert user.by_api(duplicate, body).status_code == 200
    assert Case.all_objects.get(pk=duplicate.pk).merged_into_id == kept.pk


def test_a_case_outside_the_scope_is_no_target_at_either_edge_and_counted(
    tree: Tree, new_case: Callable[..., Case], edges_for: Callable[..., Edges]
) -> None:
    foreign, duplicate = new_case("accepted", region=tree.grid_b1), new_case("reported")
    user = edges_for(Role.GRID_WORKER)
    before = fingerprint()
    body = {"action": "merge", "version": duplicate.version, "case": str(foreign.pk)}
    assert user.by_console(duplicate, body) == ["您的辖区内没有这个编号的事件。"]
    answer = user.by_api(duplicate, body)
    assert answer.status_code == 422 and answer.json()["code"] == "bad_target"
    assert fingerprint() == before
    assert AccessRefusal.objects.get(user=user.user).count == 2  # each probe by id is counted


def test_an_unknown_assignee_is_refused_alike_at_both_edges(
    new_case: Callable[..., Case], edges_for: Callable[..., Edges]
) -> None:
    case = new_case("accepted")
    user = edges_for(Role.COMMUNITY_STAFF)
    before = fingerprint()
    body = {"action": "dispatch", "version": case.version, "assignee": 999_999}
    answer = user.by_api(case, body)
    assert answer.status_code == 422 and answer.json()["code"] == "bad_assignee"
    assert user.by_console(case, body) == [answer.json()["detail"]] == ["此人不能办理这里的事件。"]
    assert fingerprint() == before


def test_the_api_takes_a_dispatch_deadline_as_the_console_does(
    tree: Tree, new_case: Callable[..., Case], edges_for: Callable[..., Edges]
) -> None:
    case = new_case("accepted")
    user = edges_for(Role.COMMUNITY_STAFF)
    body = {"action": "dispatch", "version": case.version, "region": tree.grid_a1.pk, "due_on": "2026-11-27"}
    answer = user.by_api(case, body)
    assert answer.status_code == 200, answer.content
    assert answer.json()["due_at"].startswith("2026-11-27")


def test_the_console_form_sent_twice_or_from_a_stale_page_is_refused_in_chinese(
    new_case: Callable[..., Case], edges_for: Callable[..., Edges]
) -> None:
    case = new_case("reported")
    user = edges_for(Role.COMMUNITY_STAFF)
    form = {"action": "accept", "version": case.version}
    assert user.by_console(case, form) == [f"已完成：{Action.ACCEPT.label}。"]
    after_first = fingerprint()
    assert user.by_console(case, form) == [CONFLICT_ZH]  # the same form again
    assert user.by_console(case, {"action": "reject", "version": case.version, "note": "重复"}) == [CONFLICT_ZH]
    assert fingerprint() == after_first
    assert Case.all_objects.get(pk=case.pk).state == "accepted"


def test_the_console_form_without_a_version_changes_nothing(
    new_case: Callable[..., Case], edges_for: Callable[..., Edges]
) -> None:
    case = new_case("reported")
    user = edges_for(Role.COMMUNITY_STAFF)
    before = fingerprint()
    assert user.by_console(case, {"action": "accept"}) == ["页面已过期，请刷新事件后重试。"]
    assert fingerprint() == before


@pytest.mark.parametrize("ref", ["²", "³4", "¹²³"])
def test_a_case_reference_of_superscript_digits_is_no_target_not_a_crash(
    ref: str, new_case: Callable[..., Case], edges_for: Callable[..., Edges]
) -> None:
    duplicate = new_case("reported")
    user = edges_for(Role.GRID_WORKER)
    before = fingerprint()
    body = {"action": "merge", "version": duplicate.version, "case": ref}
    assert user.by_console(duplicate, body) == ["您的辖区内没有这个编号的事件。"]
    answer = user.by_api(duplicate, body)
    assert answer.status_code == 422 and answer.json()["code"] == "bad_target"
    assert fingerprint() == before
