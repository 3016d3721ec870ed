"""The registry API: scoped like the console, masked like the console, writes through the services."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.test import Client

from tests.conftest import Tree, api_token
from tests.places.factories import Block, make_block
from wangge.core.idcard import random_citizen_id
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.people import services as people_services
from wangge.people.models import Person, Tag


@pytest.fixture
def block(tree: Tree) -> Block:
    return make_block(tree)


@pytest.fixture
def api_for(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(role: str, **kwargs: object) -> Client:
        user = make_user(role, **kwargs)
        raw = api_token(user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture
def stranger(tree: Tree) -> Person:
    return people_services.person_create(actor=None, region=tree.grid_b1, name="张外人", phone="13900001108")


def send(client: Client, method: str, url: str, body: dict[str, object]) -> object:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_a_grid_worker_sees_only_their_grid(block: Block, stranger: Person, api_for: Callable[..., Client]) -> None:
    api = api_for(Role.GRID_WORKER)
    listing = api.get("/api/v1/people").json()
    assert listing["count"] == 4
    assert {p["name"] for p in listing["items"]} == {"张建国", "刘桂兰", "李小龙", "王芳"}
    assert api.get("/api/v1/people?q=张").json()["count"] == 1
    assert api.get(f"/api/v1/people/{stranger.pk}").status_code == 404
    assert send(api, "patch", f"/api/v1/people/{stranger.pk}", {"name": "改"}).status_code == 404  # type: ignore[attr-defined]
    other = api_for(Role.GRID_WORKER, scope="grid_b1")
    assert other.get(f"/api/v1/people/{block.people['zhang'].pk}").status_code == 404
    assert other.get(f"/api/v1/households/{block.households['local'].pk}").status_code == 404
    assert other.get(f"/api/v1/houses/{block.houses['301'].pk}").status_code == 404
    assert other.get("/api/v1/people").json()["count"] == 1


def test_plain_numbers_never_appear(block: Block, api_for: Callable[..., Client]) -> None:
    api = api_for(Role.COMMUNITY_STAFF)
    zhang = block.people["zhang"]
    bodies = [
        api.get("/api/v1/people").content.decode(),
        api.get(f"/api/v1/people/{zhang.pk}").content.decode(),
        api.get(f"/api/v1/households/{block.households['local'].pk}").content.decode(),
        api.get(f"/api/v1/houses/{block.houses['302'].pk}").content.decode(),
    ]
    detail = json.loads(bodies[1])
    assert detail["id_number_masked"] == zhang.id_number_masked and detail["phone_masked"] == "138****1108"
    assert detail["household"]["household_number"] == "H301" and detail["home"]["house_id"] == block.houses["301"].pk
    for body in bodies:
        for number in [*block.id_numbers.values(), "13871501108", "13912345678"]:
            assert number not in body
        for secret in ("_enc", "id_hash", "phone_hash", "tail4", "tail6", zhang.id_hash):
            assert secret not in body


def test_household_and_house_details(block: Block, api_for: Callable[..., Client]) -> None:
    api = api_for(Role.GRID_WORKER)
    household = api.get(f"/api/v1/households/{block.households['local'].pk}").json()
    assert household["head_id"] == block.people["zhang"].pk
    assert {(m["name"], m["relation"]) for m in household["members"]} == {("张建国", "02"), ("刘桂兰", "12")}
    house = api.get(f"/api/v1/houses/{block.houses['302'].pk}").json()
    assert house["is_rental"] and house["landlord_phone_masked"] == "139****5678"
    assert [r["name"] for r in house["residents"]] == ["李小龙"]
    assert [h["number"] for h in house["households"]] == ["T302"]


def test_create_then_duplicate_is_a_conflict(tree: Tree, api_for: Callable[..., Client]) -> None:
    api = api_for(Role.GRID_WORKER)
    number = random_citizen_id(__import__("random").Random(1), "421202", date(1985, 5, 5), "F")
    body = {"region": tree.grid_a1.pk, "name": "陈红", "id_number": number, "phone": "13800001234"}
    created = send(api, "post", "/api/v1/people", body)
    assert created.status_code == 201, created.content  # type: ignore[attr-defined]
    person = created.json()  # type: ignore[attr-defined]
    assert person["gender"] == "F" and person["birth_date"] == "1985-05-05" and person["phone_masked"] == "138****1234"
    assert number not in created.content.decode()  # type: ignore[attr-defined]
    again = send(api, "post", "/api/v1/people", {**body, "name": "陈红二"})
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert again.json()["code"] == "duplicate_person" and again.json()["existing_id"] == person["id"]  # type: ignore[attr-defined]
    assert Person.all_objects.filter(name__startswith="陈红").count() == 1


def test_invalid_input_is_a_422_with_a_code(tree: Tree, api_for: Callable[..., Client]) -> None:
    api = api_for(Role.GRID_WORKER)
    bad_id = send(api, "post", "/api/v1/people", {"region": tree.grid_a1.pk, "name": "王", "id_number": "4212021"})
    assert bad_id.status_code == 422 and bad_id.json()["code"].startswith("id_")  # type: ignore[attr-defined]
    bad_choice = send(api, "post", "/api/v1/people", {"region": tree.grid_a1.pk, "name": "王", "gender": "X"})
    assert bad_choice.status_code == 422 and bad_choice.json()["code"] == "bad_gender"  # type: ignore[attr-defined]
    not_grid = send(api, "post", "/api/v1/people", {"region": tree.community_a.pk, "name": "王"})
    assert not_grid.status_code == 404  # the community is outside a grid worker's scope
    staff = api_for(Role.COMMUNITY_STAFF)
    community = send(staff, "post", "/api/v1/people", {"region": tree.community_a.pk, "name": "王"})
    assert community.status_code == 422 and community.json()["code"] == "not_a_grid"  # type: ignore[attr-defined]
    assert not Person.all_objects.exists()


def test_patch_changes_only_what_is_sent(block: Block, api_for: Callable[..., Client]) -> None:
    api = api_for(Role.GRID_WORKER)
    wang = block.people["wang"]
    response = send(api, "patch", f"/api/v1/people/{wang.pk}", {"occupation": "护士", "phone": "13700007777"})
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    data = response.json()  # type: ignore[attr-defined]
    assert data["occupation"] == "护士" and data["phone_masked"] == "137****7777" and data["name"] == "王芳"
    wang.refresh_from_db()
    assert wang.occupation == "护士" and wang.birth_date == date(2001, 4, 4)
    clash = send(api, "patch", f"/api/v1/people/{wang.pk}", {"id_number": block.id_numbers["zhang"]})
    assert clash.status_code == 409 and clash.json()["existing_id"] == block.people["zhang"].pk  # type: ignore[attr-defined]


def test_search_parameters(block: Block, tree: Tree, api_for: Callable[..., Client]) -> None:
    api = api_for(Role.STREET_SUPERVISOR)
    people_services.tag_add(actor=None, person=block.people["wife"], tag=Tag.objects.get(code="living_alone_elderly"))
    people_services.tag_add(actor=None, person=block.people["wife"], tag=Tag.objects.get(code="community_correction"))

    def names(query: str) -> set[str]:
        response = api.get(f"/api/v1/people?{query}")
        assert response.status_code == 200, (query, response.content)
        return {p["name"] for p in response.json()["items"]}

    assert names("color=red") == {"张建国"}
    assert names("color=pink") == {"李小龙"}
    assert names("residency=tenant") == {"李小龙"}
    assert names("tag=living_alone_elderly") == {"刘桂兰"}
    assert names("q=zjg") == {"张建国"}
    assert names(f"q={block.id_numbers['li'][-4:]}") == {"李小龙"}
    assert names(f"region={tree.grid_a2.pk}") == set()
    assert names("source_state=entered") == {"张建国", "刘桂兰", "李小龙", "王芳"}
    with time_machine.travel(date(2026, 11, 25)):
        assert names("age_min=70") == {"张建国", "刘桂兰"}
        assert names("age_min=20&age_max=30") == {"王芳"}
    assert api.get("/api/v1/people?tag=community_correction").status_code == 422  # sensitive: not even known
    wife = api.get(f"/api/v1/people/{block.people['wife'].pk}").json()
    assert [t["code"] for t in wife["tags"]] == ["living_alone_elderly"]
    page = api.get("/api/v1/people?limit=2&offset=2").json()
    assert page["count"] == 4 and len(page["items"]) == 2


def test_permissions(block: Block, api_for: Callable[..., Client], client_for: Callable[..., Client]) -> None:
    handler = api_for(Role.DEPARTMENT_HANDLER)
    assert handler.get("/api/v1/people").status_code == 403
    assert handler.get(f"/api/v1/people/{block.people['zhang'].pk}").status_code == 403
    assert handler.get(f"/api/v1/houses/{block.houses['301'].pk}").status_code == 403
    assert send(handler, "post", "/api/v1/people", {"region": 1, "name": "王"}).status_code == 403  # type: ignore[attr-defined]
    assert client_for(Role.SYSTEM_ADMIN).get("/api/v1/people").status_code == 403  # a session: tokens need 2FA
    assert Client().get("/api/v1/people").status_code == 401


def test_openapi_lists_the_registry_paths(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/people",
        "/api/v1/people/{person_id}",
        "/api/v1/households/{household_id}",
        "/api/v1/houses/{house_id}",
    ):
        assert path in paths
    assert {"get", "post"} <= set(paths["/api/v1/people"]) and {"get", "patch"} <= set(
        paths["/api/v1/people/{person_id}"]
    )
    schemas = json.dumps(Client().get("/api/v1/openapi.json").json()["components"])
    assert "id_number_enc" not in schemas and "id_hash" not in schemas
