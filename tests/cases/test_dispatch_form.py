"""The dispatch form: the catalogue's departments, a deadline, and a case that then reads who handles it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import TZ
from tests.conftest import Tree
from wangge.cases.choices import State
from wangge.cases.models import Case, Category
from wangge.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")  # Monday 2026-11-23 09:00


@pytest.fixture
def labour_case(new_case: Callable[..., Case], make_user: Callable[..., object]) -> Case:
    """An accepted 劳资纠纷 (the catalogue routes it to 人社, at the street); a 人社 handler serves street_a."""
    make_user(Role.DEPARTMENT_HANDLER, department="人社")
    return new_case("accepted", category=Category.objects.get(code="MD04"))


def test_the_form_offers_the_catalogue_departments_its_own_first(
    labour_case: Case, client_for: Callable[..., Client]
) -> None:
    street = client_for(Role.STREET_SUPERVISOR)
    response = street.get(reverse("cases:detail", args=[labour_case.pk]))
    departments = response.context["dispatch_departments"]
    assert departments[0] == ("人社", True)
    offered = dict(departments)
    assert {"派出所", "住建", "水务", "民政", "卫健", "城管"} <= offered.keys()
    assert offered["水务"] is False  # no 水务 handler here: listed, not selectable
    html = response.content.decode()
    assert 'name="due_on"' in html and '<option value="人社">' in html and '<option value="水务" disabled>' in html


def test_dispatch_with_a_deadline(labour_case: Case, client_for: Callable[..., Client]) -> None:
    street = client_for(Role.STREET_SUPERVISOR)
    street.post(
        reverse("cases:act", args=[labour_case.pk]),
        {"action": "dispatch", "version": labour_case.version, "department": "人社", "due_on": "2026-11-27"},
    )
    case = Case.all_objects.get(pk=labour_case.pk)
    assert case.state == State.DISPATCHED and case.department == "人社"
    assert case.due_at == case.stage_due_at == datetime(2026, 11, 27, 17, 30, tzinfo=TZ)  # Friday, close of office


@pytest.mark.parametrize(
    ("due_on", "code_text"),
    [("2026-11-20", "ahead"), ("2026-11-28", "day off")],  # last Friday; a Saturday
)
def test_a_deadline_in_the_past_or_on_a_day_off_is_refused_and_nothing_changes(
    labour_case: Case, client_for: Callable[..., Client], due_on: str, code_text: str
) -> None:
    from django.utils import translation

    street = client_for(Role.STREET_SUPERVISOR)
    with translation.override("en"):
        response = street.post(
            reverse("cases:act", args=[labour_case.pk]),
            {"action": "dispatch", "version": labour_case.version, "department": "人社", "due_on": due_on},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    case = Case.all_objects.get(pk=labour_case.pk)
    assert case.state == State.ACCEPTED and case.version == labour_case.version and case.department == ""
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts, "the refusal is said"


def test_after_dispatch_to_a_grid_the_case_reads_the_grid(
    tree: Tree, new_case: Callable[..., Case], client_for: Callable[..., Client]
) -> None:
    case = new_case("accepted", category=Category.objects.get(code="SR04"))  # 噪音扰民: the community handles it
    staff = client_for(Role.COMMUNITY_STAFF)
    staff.post(
        reverse("cases:act", args=[case.pk]),
        {"action": "dispatch", "version": case.version, "region": tree.grid_a1.pk},
    )
    case.refresh_from_db()
    assert case.handling_region_id == tree.grid_a1.pk
    html = staff.get(reverse("cases:detail", args=[case.pk])).content.decode()
    handled = html.split('data-testid="handled-by">', 1)[1].split("</dd>", 1)[0]
    assert "第一网格" in handled and "社区" not in handled
