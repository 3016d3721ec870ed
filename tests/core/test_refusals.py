"""Denied access to resident data is counted per user and hour, and the security administrator sees who stands out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import Tree
from wangge.cases import services as case_services
from wangge.cases.catalogue import seed
from wangge.cases.models import Category
from wangge.core.actors import SYSTEM
from wangge.core.models import AccessRefusal, AuditEvent, User
from wangge.core.roles import Role
from wangge.core.services import token_issue
from wangge.people import services
from wangge.people.models import Person


@pytest.fixture
def foreign(tree: Tree) -> dict[str, object]:
    """Records of 乙第一网格, outside the grid worker of 第一网格."""
    person = services.person_create(actor=None, region=tree.grid_b1, name="赵外人")
    household = services.household_create(actor=None, region=tree.grid_b1, number="B1", head=person)
    if not Category.objects.filter(code="QZ01").exists():
        seed(Category)
    case = case_services.case_create(
        actor=SYSTEM, region=tree.grid_b1, category=Category.objects.get(code="QZ01"), title="乙网格的事"
    ).case
    return {"person": person, "household": household, "case": case}


def _api(user: User) -> Client:
    _token, raw = token_issue(actor=None, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_records_outside_the_scope_are_counted_in_one_row_per_hour(
    foreign: dict[str, object], client_for: Callable[..., Client]
) -> None:
    worker = client_for(Role.GRID_WORKER)  # 第一网格
    api = _api(worker.user)  # type: ignore[attr-defined]
    person, household, case = foreign["person"], foreign["household"], foreign["case"]
    events_before = AuditEvent.objects.count()
    urls = [
        f"/people/{person.pk}/",  # type: ignore[attr-defined]
        f"/people/{person.pk}/",  # type: ignore[attr-defined]
        f"/people/{person.pk}/edit/",  # type: ignore[attr-defined]
        f"/people/households/{household.pk}/",  # type: ignore[attr-defined]
        f"/cases/{case.pk}/",  # type: ignore[attr-defined]
    ]
    for url in urls:
        assert worker.get(url).status_code == 404
    assert api.get(f"/api/v1/people/{person.pk}").status_code == 404  # type: ignore[attr-defined]
    assert worker.get("/people/999999/").status_code == 404  # no such record: nothing refused

    row = AccessRefusal.objects.get()
    assert (row.user_id, row.kind, row.count) == (worker.user.pk, "out_of_scope", 6)  # type: ignore[attr-defined]
    assert row.last_object == f"people.person:{person.pk}"  # type: ignore[attr-defined]
    assert AuditEvent.objects.count() == events_before  # counted, not one audit row per request


def test_a_refused_reveal_is_counted(tree: Tree, client_for: Callable[..., Client]) -> None:
    person = services.person_create(actor=None, region=tree.grid_a1, name="钱某", phone="13871501108")
    worker = client_for(Role.GRID_WORKER)
    response = worker.post(f"/people/{person.pk}/reveal/", {"field": "phone", "reason": "核对"})
    assert response.status_code == 403 and "13871501108" not in response.content.decode()
    assert AccessRefusal.objects.get(kind="reveal").count == 1
    assert not AuditEvent.objects.filter(action__startswith="reveal").exists()


def test_the_security_page_shows_users_with_unusual_counts(
    foreign: dict[str, object], client_for: Callable[..., Client], settings: object
) -> None:
    settings.WANGGE_REFUSALS_UNUSUAL = 5  # type: ignore[attr-defined]
    prober = client_for(Role.GRID_WORKER, username="prober")
    careless = client_for(Role.GRID_WORKER, username="careless")
    person = foreign["person"]
    for _i in range(5):
        prober.get(f"/people/{person.pk}/")  # type: ignore[attr-defined]
    careless.get(f"/people/{person.pk}/")  # type: ignore[attr-defined]

    security = client_for(Role.SECURITY_ADMIN)
    page = security.get("/security/")
    assert page.status_code == 200
    listed = [r.user.username for r in page.context["refusals"]]
    assert listed == ["prober"]
    assert page.context["refusals"][0].counts["out_of_scope"] == 5
    assert "prober" in page.content.decode()
    assert not Person.all_objects.filter(name="赵外人", deleted_at__isnull=False).exists()


def test_naming_a_person_outside_the_scope_in_a_case_report_is_counted(
    tree: Tree, foreign: dict[str, object], make_user: Callable[..., User]
) -> None:
    api = _api(make_user(Role.GRID_WORKER))
    body = {"region": tree.grid_a1.pk, "category": "QZ01", "title": "求助", "person": foreign["person"].pk}  # type: ignore[attr-defined]
    answer = api.post("/api/v1/cases", data=body, content_type="application/json")
    assert answer.status_code == 404
    assert AccessRefusal.objects.get(kind="out_of_scope").last_object == f"people.person:{body['person']}"


def test_old_counters_are_dropped_by_the_nightly_maintenance(
    foreign: dict[str, object], make_user: Callable[..., User]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from wangge.core.refusals import refusal_record
    from wangge.core.tasks import nightly_maintenance

    user = make_user(Role.GRID_WORKER)
    refusal_record(user=user, kind="out_of_scope", now=timezone.now() - timedelta(days=91))
    refusal_record(user=user, kind="out_of_scope", now=timezone.now() - timedelta(days=89))
    assert nightly_maintenance()["refusals"] == 1
    assert AccessRefusal.objects.count() == 1
