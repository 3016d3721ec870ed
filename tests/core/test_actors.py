"""Callers who are not staff: a resident by a confirmed mobile, an Open311 client by its id, the system by name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from io import BytesIO

import pytest
import python_calamine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from tests.conftest import Tree
from tests.core.test_audit import tamper
from wangge.core import crypto
from wangge.core.actors import SYSTEM, PublicActor, PublicKind, require_actor
from wangge.core.audit import audit_record, audit_verify, event_actor_label, request_context
from wangge.core.limits import Quota, check_quota
from wangge.core.models import User
from wangge.core.roles import Role


def test_a_resident_is_known_by_the_hash_of_their_mobile_and_shown_masked() -> None:
    resident = PublicActor.resident("+86 138 7150 1234", ip="10.0.0.9")
    assert resident.kind == PublicKind.RESIDENT
    assert resident.identifier == crypto.lookup_hash("13871501234", kind="phone")
    assert resident.masked == "138****1234"
    assert resident.key == f"resident:{resident.identifier}"
    assert "13871501234" not in repr(resident)
    with translation.override("zh-hans"):
        assert resident.label == "居民 138****1234"
    assert resident == PublicActor.resident("13871501234", ip="10.0.0.9")


@pytest.mark.parametrize("phone", ["", "12345", "0715-8881234", "1387150123x", "238 7150 1234"])
def test_a_resident_needs_a_mainland_mobile(phone: str) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        PublicActor.resident(phone)
    assert refused.value.code == "bad_mobile"
    assert "11 位" in refused.value.messages[0]


def test_an_open311_client_is_known_by_its_client_id() -> None:
    client = PublicActor.open311_client(" city-app_2 ")
    assert (client.kind, client.identifier, client.key) == (
        PublicKind.OPEN311_CLIENT,
        "city-app_2",
        "open311:city-app_2",
    )
    with translation.override("zh-hans"):
        assert client.label == "Open311 客户端 city-app_2"
    for bad in ("", "a b", "x" * 65, "<script>"):
        with pytest.raises(ValidationError):
            PublicActor.open311_client(bad)


def test_none_is_not_a_caller() -> None:
    with pytest.raises(TypeError):
        require_actor(None)
    assert require_actor(SYSTEM) is SYSTEM


def test_the_trail_records_a_public_caller_as_such_and_the_chain_verifies(
    db: None, make_user: Callable[..., User]
) -> None:
    staff = make_user(Role.GRID_WORKER)
    with request_context("10.1.1.1"):
        audit_record(actor=staff, action="test.staff")
        resident_row = audit_record(actor=PublicActor.resident("13871501234", ip="10.0.0.9"), action="test.resident")
        client_row = audit_record(actor=PublicActor.open311_client("city-app"), action="test.client")
        system_row = audit_record(actor=SYSTEM, action="test.system")
    assert (resident_row.user_id, resident_row.role, resident_row.actor_kind) == (None, "", "resident")
    assert (resident_row.username, resident_row.ip) == ("138****1234", "10.0.0.9")
    assert (client_row.username, client_row.actor_kind, client_row.ip) == ("city-app", "open311", "10.1.1.1")
    assert (system_row.username, system_row.actor_kind, system_row.user_id) == ("system", "", None)
    with translation.override("zh-hans"):
        assert event_actor_label(resident_row) == "居民 138****1234"
        assert event_actor_label(system_row) == "system"
    assert audit_verify()[1] == []


def test_a_public_callers_kind_changed_in_the_database_breaks_the_chain(db: None) -> None:
    audit_record(actor=SYSTEM, action="test.system")
    row = audit_record(actor=PublicActor.resident("13871501234"), action="test.resident")
    tamper("UPDATE core_auditevent SET actor_kind = '' WHERE id = %s", [row.pk])
    _checked, problems = audit_verify()
    assert [p.event_id for p in problems] == [row.pk]


def test_the_audit_page_finds_and_shows_a_residents_rows(tree: Tree, client_for: Callable[..., Client]) -> None:
    audit_record(actor=PublicActor.resident("13871501234"), action="case.report")
    audit_record(actor=SYSTEM, action="case.overdue")
    client = client_for(Role.AUDITOR)
    response = client.get("/audit/", {"actor_kind": "resident"})
    rows = list(response.context["page"])
    assert [(e.action, e.username) for e in rows] == [("case.report", "138****1234")]
    assert "居民" in response.content.decode() and 'data-testid="public-actor"' in response.content.decode()
    staff_rows = client.get("/audit/", {"actor_kind": "staff", "action": "case."}).context["page"]
    assert [e.action for e in staff_rows] == ["case.overdue"]
    by_mask = client.get("/audit/", {"username": "138****1234"}).context["page"]
    assert [e.action for e in by_mask] == ["case.report"]
    export = client.get("/audit/export.xlsx", {"actor_kind": "resident"})
    rows = python_calamine.CalamineWorkbook.from_filelike(BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert [row[1] for row in rows[1:]] == ["居民 138****1234"]


def test_a_quota_refuses_once_reached_in_chinese() -> None:
    now = timezone.now()
    moments = [now - timedelta(minutes=m) for m in (5, 30, 90)]

    def used_since(since: datetime) -> int:
        return sum(moment >= since for moment in moments)

    check_quota(used_since, [Quota(3, timedelta(hours=1)), Quota(4, timedelta(days=1))], now=now, what="上报")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        check_quota(used_since, [Quota(2, timedelta(hours=1))], now=now, what="上报")
    assert refused.value.code == "rate_limited"
    assert refused.value.messages == ["上报过于频繁：1 小时内最多 2 次，请稍后再试。"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        check_quota(used_since, [Quota(3, timedelta(days=1))], now=now, what="上报")
    assert "1 天内最多 3 次" in refused.value.messages[0]
