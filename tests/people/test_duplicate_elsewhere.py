"""The duplicate-ID check is district-wide but no oracle: outside the scope it names only the community to contact,
is audited and is rate-limited per user, in the console and the API alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.conftest import Tree
from wangge.core.models import AccessRefusal, AuditEvent, User
from wangge.core.roles import Role
from wangge.core.services import token_issue
from wangge.people import services
from wangge.people.models import Person
from wangge.regions import services as region_services


@pytest.fixture
def elsewhere(tree: Tree, new_id: Callable[..., str]) -> dict[str, object]:
    region_services.region_update(actor=None, region=tree.community_b, service_phone="0715-8123456")
    number = new_id(date(1962, 4, 1), "F")
    person = services.person_create(actor=None, region=tree.grid_b1, name="吴外地", id_number=number)
    return {"person": person, "number": number}


def _api(user: User) -> Client:
    _token, raw = token_issue(actor=None, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(api: Client, body: dict[str, object]) -> object:
    return api.post("/api/v1/people", data=json.dumps(body), content_type="application/json")


def test_outside_the_scope_the_refusal_names_only_the_community(
    tree: Tree, elsewhere: dict[str, object], client_for: Callable[..., Client]
) -> None:
    person, number = elsewhere["person"], elsewhere["number"]
    worker = client_for(Role.GRID_WORKER)
    form = {"region": tree.grid_a1.pk, "name": "吴某", "doc_type": "citizen_id", "id_number": number}
    page = worker.post("/people/new/", {**form, "residency": "registered", "form_token": ""})
    text = page.content.decode()
    assert page.status_code == 200 and "乙社区" in text and "0715-8123456" in text and "请联系该社区" in text
    assert f"/people/{person.pk}/" not in text and page.context["duplicate_id"] is None  # type: ignore[attr-defined]

    answer = _post(_api(worker.user), {"region": tree.grid_a1.pk, "name": "吴某", "id_number": number})  # type: ignore[attr-defined]
    assert answer.status_code == 409  # type: ignore[attr-defined]
    body = answer.json()  # type: ignore[attr-defined]
    assert body["code"] == "duplicate_elsewhere" and body["existing_id"] is None and "乙社区" in body["detail"]
    tree.community_b.refresh_from_db()
    assert body["detail"] == services.registered_elsewhere_message(tree.community_b)  # no record, no link

    assert Person.all_objects.count() == 1
    events = AuditEvent.objects.filter(action="person.duplicate_elsewhere")
    assert events.count() == 2 and {e.result for e in events} == {"denied"}
    assert all(number not in e.detail and person.id_number_masked in e.detail for e in events)  # type: ignore[attr-defined]
    assert AccessRefusal.objects.get(kind="duplicate").count == 2


def test_inside_the_scope_the_refusal_still_names_the_record(
    tree: Tree, elsewhere: dict[str, object], client_for: Callable[..., Client]
) -> None:
    person, number = elsewhere["person"], elsewhere["number"]
    street = client_for(Role.STREET_SUPERVISOR, scope="street_b")
    answer = _post(_api(street.user), {"region": tree.grid_b1.pk, "name": "吴某", "id_number": number})  # type: ignore[attr-defined]
    assert answer.status_code == 409 and answer.json()["existing_id"] == person.pk  # type: ignore[attr-defined]
    assert not AccessRefusal.objects.exists()


def test_the_check_is_paused_for_a_user_who_meets_too_many_ids_registered_elsewhere(
    tree: Tree,
    elsewhere: dict[str, object],
    client_for: Callable[..., Client],
    settings: object,
    new_id: Callable[..., str],
) -> None:
    settings.WANGGE_DUPLICATE_CHECKS_PER_HOUR = 2  # type: ignore[attr-defined]
    worker = client_for(Role.GRID_WORKER)
    api = _api(worker.user)  # type: ignore[attr-defined]
    probe = {"region": tree.grid_a1.pk, "name": "吴某", "id_number": elsewhere["number"]}
    fresh = {"region": tree.grid_a1.pk, "name": "新居民", "id_number": new_id(date(1990, 1, 1), "M")}
    with time_machine.travel(timezone.now().replace(minute=5), tick=False) as clock:
        assert [_post(api, probe).status_code for _i in range(2)] == [409, 409]  # type: ignore[attr-defined]
        paused = _post(api, fresh)  # even an ID registered nowhere: the answer tells nothing
        assert paused.status_code == 429 and paused.json()["code"] == "duplicate_checks_paused"  # type: ignore[attr-defined]
        assert _post(api, probe).status_code == 429  # type: ignore[attr-defined]
        page = worker.post("/people/new/", {**fresh, "doc_type": "citizen_id", "residency": "registered"})
        assert "暂停保存证件号码" in page.content.decode() and "乙社区" not in page.content.decode()
        assert not Person.all_objects.filter(name="新居民").exists()
        assert AuditEvent.objects.filter(action="person.duplicate_elsewhere").count() == 2

        clock.shift(timedelta(hours=1))
        assert _post(api, fresh).status_code == 201  # type: ignore[attr-defined]
