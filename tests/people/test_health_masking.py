"""Health data follows one rule in every output: the card, the edit form, the export and the API."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import Tree, api_token, sign_in
from wangge.core.models import User
from wangge.core.roles import Cap, Role
from wangge.core.services import user_set_capabilities
from wangge.people import services
from wangge.people.models import Person


@pytest.fixture
def patient(tree: Tree) -> Person:
    return services.person_create(
        actor=None,
        region=tree.grid_a1,
        name="孙残",
        health_status="disabled",
        vaccination_status="已接种三针",
        disability_type="physical",
        disability_grade=2,
    )


def _worker(make_user: Callable[..., User], *capabilities: str) -> User:
    user = make_user(Role.GRID_WORKER)
    if capabilities:
        user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=user, capabilities=set(capabilities))
    return User.objects.get(pk=user.pk)


def _api(user: User) -> Client:
    raw = api_token(user)  # with the second factor the reveal permission requires
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return book.read("xl/sharedStrings.xml").decode()


HIDDEN = {"health_status": "***", "vaccination_status": "***", "disability_type": "***", "disability_grade": None}
SHOWN = {
    "health_status": "disabled",
    "vaccination_status": "已接种三针",
    "disability_type": "physical",
    "disability_grade": 2,
}


def test_the_api_hides_health_from_a_grid_worker_without_the_permission(
    patient: Person, make_user: Callable[..., User]
) -> None:
    api = _api(_worker(make_user))
    detail = api.get(f"/api/v1/people/{patient.pk}").json()
    listed = api.get("/api/v1/people").json()["items"][0]
    for person in (detail, listed):
        assert {k: person[k] for k in HIDDEN} == HIDDEN
    assert "已接种三针" not in api.get("/api/v1/people").content.decode()


@pytest.mark.parametrize("capability", [Cap.VIEW_SENSITIVE_GROUPS, Cap.REVEAL_SENSITIVE])
def test_the_api_shows_health_to_who_may_see_it(
    patient: Person, make_user: Callable[..., User], capability: str
) -> None:
    api = _api(_worker(make_user, capability))
    detail = api.get(f"/api/v1/people/{patient.pk}").json()
    assert {k: detail[k] for k in SHOWN} == SHOWN


def test_the_card_the_edit_form_and_the_export_follow_the_same_rule(
    patient: Person, make_user: Callable[..., User]
) -> None:
    hidden = sign_in(Client(), _worker(make_user))
    card = hidden.get(f"/people/{patient.pk}/").content.decode()
    assert "已接种三针" not in card and "肢体" not in card
    form = hidden.get(f"/people/{patient.pk}/edit/").content.decode()
    assert "已接种三针" not in form and 'name="disability_grade"' not in form
    export = _xlsx_text(hidden.get("/people/export.xlsx").content)
    assert "已接种三针" not in export and "肢体" not in export and "***" in export

    allowed = sign_in(Client(), _worker(make_user, Cap.VIEW_SENSITIVE_GROUPS))
    assert "已接种三针" in allowed.get(f"/people/{patient.pk}/").content.decode()
    assert "已接种三针" in allowed.get(f"/people/{patient.pk}/edit/").content.decode()
    assert "已接种三针" in _xlsx_text(allowed.get("/people/export.xlsx").content)


def test_saving_the_edit_form_without_the_permission_keeps_the_health_data(
    tree: Tree, patient: Person, make_user: Callable[..., User]
) -> None:
    hidden = sign_in(Client(), _worker(make_user))
    data = {"name": "孙残", "doc_type": "citizen_id", "residency": "registered", "occupation": "退休"}
    assert hidden.post(f"/people/{patient.pk}/edit/", data).status_code == 302
    patient.refresh_from_db()
    assert patient.occupation == "退休"
    assert (patient.health_status, patient.disability_type, patient.disability_grade) == ("disabled", "physical", 2)
    assert patient.vaccination_status == "已接种三针"


def test_the_change_history_keeps_no_health_value(patient: Person, make_user: Callable[..., User]) -> None:
    services.person_update(actor=None, person=patient, vaccination_status="已接种四针", health_status="chronic")
    hidden = sign_in(Client(), _worker(make_user))
    card = hidden.get(f"/people/{patient.pk}/").content.decode()
    assert "已接种" not in card and "慢性" not in card
