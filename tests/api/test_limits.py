"""What the API takes is what the services take, and refusals are 4xx: pages, ids, person fields, phones."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import Tree
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.core.services import token_issue
from wangge.people import services as people_services
from wangge.people.models import Person

HUGE = "99999999999999999999"


@pytest.fixture
def api(make_user: Callable[..., User]) -> Client:
    _token, raw = token_issue(actor=None, user=make_user(Role.COMMUNITY_STAFF), name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def person(tree: Tree) -> Person:
    return people_services.person_create(actor=None, region=tree.grid_a1, name="张三", phone="13871501108")


def patch(client: Client, url: str, body: dict[str, object]) -> object:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/people", "/api/v1/regions"])
@pytest.mark.parametrize(
    "query", [f"offset={HUGE}", f"limit={HUGE}", "offset=9223372036854775808", "limit=0", "offset=-1"]
)
def test_every_list_refuses_a_page_beyond_its_range(path: str, query: str, tree: Tree, api: Client) -> None:
    answer = api.get(f"{path}?{query}")
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid" and answer.json()["errors"]


@pytest.mark.parametrize(
    "url",
    [f"/api/v1/people/{HUGE}", f"/api/v1/cases/{HUGE}", f"/api/v1/regions/{HUGE}", f"/api/v1/cases?region={HUGE}"],
)
def test_an_id_beyond_the_integer_range_is_refused(url: str, tree: Tree, api: Client) -> None:
    assert api.get(url).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"disability_grade": -5}, "disability_grade"),
        ({"disability_grade": 99999}, "disability_grade"),
        ({"name": "名" * 5000}, "name"),
        ({"birth_date": "1800-01-01"}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"marital_status": "zz"}, "marital_status"),
        ({"phone": "abc"}, "phone"),
        ({"occupation": "职" * 65}, "occupation"),
        ({"doc_type": "bogus"}, "doc_type"),
    ],
)
def test_a_field_beyond_its_limits_is_a_422_and_changes_nothing(
    body: dict[str, object], field: str, person: Person, api: Client
) -> None:
    before = Person.all_objects.filter(pk=person.pk).values().get()
    answer = patch(api, f"/api/v1/people/{person.pk}", body)
    assert answer.status_code == 422, answer.content  # type: ignore[attr-defined]
    assert Person.all_objects.filter(pk=person.pk).values().get() == before
    assert Person.all_objects.get(pk=person.pk).phone_masked == "138****1108"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"disability_grade": -5}, "bad_disability_grade"),
        ({"disability_grade": 5}, "bad_disability_grade"),
        ({"birth_date": date(1800, 1, 1)}, "bad_birth_date"),
        ({"birth_date": date(2999, 1, 1)}, "bad_birth_date"),
        ({"name": "名" * 65}, "too_long"),
        ({"marital_status": "zz"}, "bad_marital_status"),
    ],
)
def test_the_service_holds_the_limits_for_every_caller(fields: dict[str, object], code: str, person: Person) -> None:
    with pytest.raises(ValidationError) as exc:
        people_services.person_update(actor=None, person=person, **fields)
    assert exc.value.code == code


def test_a_phone_of_letters_is_refused_not_deleted(person: Person) -> None:
    with pytest.raises(ValidationError) as exc:
        people_services.person_update(actor=None, person=person, phone="abc")
    assert exc.value.code == "bad_phone"
    assert Person.all_objects.get(pk=person.pk).phone_masked == "138****1108"
    people_services.person_update(actor=None, person=person, phone="（0715）8123 456")  # as typed on a phone
    assert Person.all_objects.get(pk=person.pk).phone_masked != "138****1108"
    people_services.person_update(actor=None, person=person, phone="")  # empty clears it: said, not guessed
    assert Person.all_objects.get(pk=person.pk).phone_masked == ""


def test_the_document_states_the_limits(api: Client) -> None:
    doc = api.get("/api/v1/openapi.json").json()
    fields = doc["components"]["schemas"]["PersonPatchIn"]["properties"]
    grade = fields["disability_grade"]["anyOf"][0]
    assert (grade["minimum"], grade["maximum"]) == (1, 4)
    assert {"married", "single", ""} <= set(fields["marital_status"]["enum"])
    assert fields["name"]["anyOf"][0]["maxLength"] == 64
    action = doc["components"]["schemas"]["ActionIn"]
    assert "version" in action["required"] and "dispatch" in action["properties"]["action"]["enum"]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "401" in codes, (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
    assert "409" in doc["paths"]["/api/v1/cases/{case_id}/actions"]["post"]["responses"]
    assert "409" in doc["paths"]["/api/v1/people"]["post"]["responses"]


def test_the_rules_across_fields_hold_for_the_api_as_for_the_importer(person: Person, api: Client) -> None:
    """A disability grade needs its type, in the API as in the importer (the rule is the service's)."""
    before = Person.all_objects.filter(pk=person.pk).values().get()
    answer = patch(api, f"/api/v1/people/{person.pk}", {"disability_grade": 2})
    assert answer.status_code == 422, answer.content  # type: ignore[attr-defined]
    assert answer.json()["code"] == "grade_without_type"  # type: ignore[attr-defined]
    assert Person.all_objects.filter(pk=person.pk).values().get() == before
