"""Schemathesis against /api/v1/openapi.json with a grid worker's token: no 5xx, no answer the document does not describe.

Bounded so it adds well under a minute: schemathesis' coverage phase (every documented boundary and a
value just past it, missing and wrong-typed fields, unexpected methods) and five derandomised fuzzed
examples per operation, valid and invalid.
The requests go through Django's WSGI handler in the test's transaction, like the test client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Tree
from tests.places.factories import matrix_places
from wangge.cases.catalogue import seed
from wangge.cases.models import Category
from wangge.cases.services import case_create
from wangge.core.actors import SYSTEM
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.core.services import token_issue

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def worker_token(tree: Tree, make_user: Callable[..., User]) -> str:
    """A grid worker of grid_a1 with a person, a household, a house and a case in reach."""
    if not Category.objects.filter(code="QZ01").exists():
        seed(Category)
    matrix_places(tree)
    case_create(actor=SYSTEM, region=tree.grid_a1, category=Category.objects.get(code="QZ01"), title="楼道灯坏了")
    _token, raw = token_issue(actor=None, user=make_user(Role.GRID_WORKER), name="schemathesis")
    return raw


@pytest.fixture
def api_schema(worker_token: str) -> Iterator[Any]:
    # as Django's test client does: the handler must not close the test's connection between requests
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_only_what_its_document_says(case: Any, worker_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {worker_token}"}, checks=CHECKS)
