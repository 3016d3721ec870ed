"""Crashes and silent damage in the case workflow: positions, limits, stats years, versions, empty dispatches."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import at
from tests.conftest import Tree
from wangge.cases.choices import Action, DeadlineStatus, State
from wangge.cases.models import Case, Category
from wangge.cases.selectors import CaseFilters, case_list
from wangge.cases.services import case_act, case_create
from wangge.core.actors import SYSTEM
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.core.services import token_issue
from wangge.regions.models import Region

pytestmark = pytest.mark.usefixtures("clock")

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[114.30, 29.80], [114.31, 29.80], [114.31, 29.81], [114.30, 29.81], [114.30, 29.80]]],
}


@pytest.fixture
def api_for(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(role: str, **kwargs: object) -> Client:
        user = make_user(role, **kwargs)
        _token, raw = token_issue(actor=None, user=user, name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


def post(client: Client, url: str, body: dict[str, object]) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


# --- positions --------------------------------------------------------------------------------------


def test_an_impossible_position_is_refused_and_nothing_is_saved(tree: Tree, api_for: Callable[..., Client]) -> None:
    worker = api_for(Role.GRID_WORKER)
    body = {"region": tree.grid_a1.pk, "category": "QZ01", "title": "路灯不亮", "lat": 99999, "lng": 114.3}
    answer = post(worker, "/api/v1/cases", body)
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"][-1] == "lat"  # type: ignore[attr-defined]
    assert not Case.all_objects.exists()
    assert worker.get("/api/v1/cases").status_code == 200


def test_the_service_checks_the_position_for_every_caller(tree: Tree, category: Category) -> None:
    with pytest.raises(ValidationError) as exc:
        case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="x", lat=99999, lng=114.3)
    assert exc.value.code == "bad_position"
    with pytest.raises(ValidationError) as exc:
        case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="x", lat=29.8)  # no longitude
    assert exc.value.code == "bad_position"
    assert not Case.all_objects.exists()


def test_a_position_far_outside_the_grid_is_refused_near_it_is_taken(tree: Tree, category: Category) -> None:
    Region.all_objects.filter(pk=tree.grid_a1.pk).update(boundary=SQUARE)
    grid = Region.all_objects.get(pk=tree.grid_a1.pk)
    with pytest.raises(ValidationError) as exc:
        case_create(actor=SYSTEM, region=grid, category=category, title="x", lat=39.9, lng=116.4)  # Beijing
    assert exc.value.code == "position_outside_grid"
    inside = case_create(actor=SYSTEM, region=grid, category=category, title="里面", lat=29.805, lng=114.305).case
    across_the_street = case_create(
        actor=SYSTEM, region=grid, category=category, title="边上", lat=29.8025, lng=114.3125
    )
    assert str(inside.lat) == "29.805000" and across_the_street.case.lng is not None  # ~240 m east of the edge


def test_the_database_refuses_an_impossible_position_so_no_list_can_break(tree: Tree, category: Category) -> None:
    case = case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="x").case
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.all_objects.filter(pk=case.pk).update(lat=95, lng=1)  # fits the column, not the planet
    assert list(case_list(user=_staff(tree), filters=CaseFilters())) == [case]


def _staff(tree: Tree) -> User:
    from wangge.core import services as core_services
    from wangge.regions import services as region_services

    user = core_services.user_create(
        actor=None,
        username="staff-x",
        password="Str0ng!Passw0rd",
        roles={Role.COMMUNITY_STAFF},
        must_change_password=False,
    )
    region_services.scope_set(actor=None, user=user, regions=[tree.community_a])
    return user


# --- input limits -----------------------------------------------------------------------------------


def test_a_title_too_long_is_refused_not_cut(tree: Tree, category: Category, api_for: Callable[..., Client]) -> None:
    with pytest.raises(ValidationError) as exc:
        case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="长" * 5000)
    assert exc.value.code == "too_long"
    answer = post(
        api_for(Role.GRID_WORKER), "/api/v1/cases", {"region": tree.grid_a1.pk, "category": "QZ01", "title": "长" * 101}
    )
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert not Case.all_objects.exists()


def test_a_reporter_phone_of_letters_is_refused(tree: Tree, category: Category) -> None:
    with pytest.raises(ValidationError) as exc:
        case_create(
            actor=SYSTEM, region=tree.grid_a1, category=category, title="x", reporter_name="李", reporter_phone="abc"
        )
    assert exc.value.code == "bad_phone"


# --- the statistics' year -----------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["0", "-1", "99999", "1999", "abc"])
def test_a_year_out_of_range_shows_this_year(year: str, tree: Tree, client_for: Callable[..., Client]) -> None:
    page = client_for(Role.COMMUNITY_STAFF).get(reverse("cases:stats"), {"year": year})
    assert page.status_code == 200 and page.context["year"] == 2026


# --- actions: the version is required on the API ------------------------------------------------------


def test_an_api_action_without_version_is_refused(
    new_case: Callable[..., Case], api_for: Callable[..., Client]
) -> None:
    case = new_case("reported")
    staff = api_for(Role.COMMUNITY_STAFF)
    answer = post(staff, f"/api/v1/cases/{case.pk}/actions", {"action": "accept"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"][-1] == "version"  # type: ignore[attr-defined]
    assert Case.all_objects.get(pk=case.pk).state == State.REPORTED
    done = post(staff, f"/api/v1/cases/{case.pk}/actions", {"action": "accept", "version": case.version})
    assert done.status_code == 200  # type: ignore[attr-defined]


# --- dispatch -------------------------------------------------------------------------------------------


def test_an_empty_dispatch_is_refused_and_the_case_stays_overdue(
    tree: Tree, new_case: Callable[..., Case], make_user: Callable[..., User], clock: time_machine.Coordinates
) -> None:
    case = new_case("accepted")
    clock.move_to(case.stage_due_at + timedelta(hours=1))  # type: ignore[operator]
    Case.all_objects.filter(pk=case.pk).update(deadline_status=DeadlineStatus.OVERDUE)  # as the sweep marks it
    worker = make_user(Role.GRID_WORKER)
    before = Case.all_objects.get(pk=case.pk)
    with pytest.raises(ValidationError) as exc:
        case_act(actor=worker, case=before, action=Action.DISPATCH, expected_version=before.version)
    assert exc.value.code == "target_required"
    after = Case.all_objects.get(pk=case.pk)
    assert (after.state, after.version, after.stage_due_at) == (State.ACCEPTED, before.version, before.stage_due_at)
    assert case_list(user=worker, filters=CaseFilters(list="overdue")).filter(pk=case.pk).exists()


def test_a_late_dispatch_keeps_the_deadline_it_missed(
    tree: Tree, new_case: Callable[..., Case], make_user: Callable[..., User], clock: time_machine.Coordinates
) -> None:
    case = new_case("accepted")
    missed = case.stage_due_at
    clock.move_to(missed + timedelta(hours=1))  # type: ignore[operator]
    worker = make_user(Role.GRID_WORKER)
    case = case_act(actor=worker, case=case, action=Action.DISPATCH, assignee=worker)
    assert (case.state, case.due_at, case.deadline_status, case.was_overdue) == (
        State.DISPATCHED,
        missed,
        DeadlineStatus.OVERDUE,
        True,
    )
    assert case_list(user=worker, filters=CaseFilters(list="overdue")).filter(pk=case.pk).exists()


def test_sending_back_and_dispatching_again_does_not_move_a_passed_deadline(
    tree: Tree, new_case: Callable[..., Case], clock: time_machine.Coordinates
) -> None:
    case = new_case("dispatched")
    due = case.due_at
    clock.move_to(due + timedelta(days=1))  # type: ignore[operator]
    case = case_act(actor=SYSTEM, case=case, action=Action.RETURN, note="不归我们管")
    case = case_act(actor=SYSTEM, case=case, action=Action.DISPATCH, region=tree.grid_a1)
    assert case.due_at == due and case.deadline_status == DeadlineStatus.OVERDUE
    # only an approved extension moves it
    case = case_act(actor=SYSTEM, case=case, action=Action.REQUEST_EXTENSION, days=3, note="等配件")
    case = case_act(actor=SYSTEM, case=case, action=Action.APPROVE_EXTENSION)
    assert case.due_at > due and case.deadline_status == DeadlineStatus.ON_TIME  # type: ignore[operator]


def test_an_on_time_dispatch_gets_the_handling_time(tree: Tree, new_case: Callable[..., Case]) -> None:
    case = new_case("accepted")
    case = case_act(actor=SYSTEM, case=case, action=Action.DISPATCH, region=tree.grid_a1)
    assert case.due_at == at("2026-11-25T17:30") and case.deadline_status == DeadlineStatus.ON_TIME
