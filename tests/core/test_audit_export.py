"""The audit trail export: the columns and cells it writes (pinned), for the auditor only, itself audited."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import python_calamine
from django.test import Client

from tests.conftest import Tree
from wangge.core.audit import audit_record
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role

HEADERS = ["时间（UTC）", "用户", "角色", "来源 IP", "操作", "对象类型", "对象 ID", "结果", "详情", "请求编号"]


def _sheet(content: bytes) -> list[list[Any]]:
    rows: list[list[Any]] = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    )
    return rows


def test_the_audit_export_writes_the_searched_rows(
    tree: Tree, client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    first = audit_record(actor=staff, action="region.update", object_type="regions.region", object_id=7, detail="x")
    audit_record(actor=staff, action="person.update", object_type="people.person", object_id=9)
    rows = _sheet(client_for(Role.AUDITOR).get("/audit/export.xlsx", {"action": "region.update"}).content)
    at = first.at.strftime("%Y-%m-%d %H:%M:%S")
    assert rows == [
        HEADERS,
        [at, staff.username, "community_staff", "cli", "region.update", "regions.region", "7", "ok", "x", ""],
    ]
    event = AuditEvent.objects.get(action="export.audit")
    assert "region.update" in event.detail


def test_only_the_auditor_exports_the_trail(tree: Tree, client_for: Callable[..., Client]) -> None:
    for role in (Role.SYSTEM_ADMIN, Role.COMMUNITY_STAFF):
        assert client_for(role).get("/audit/export.xlsx").status_code == 403
    assert not AuditEvent.objects.filter(action="export.audit").exists()
