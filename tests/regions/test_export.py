"""The region ledger export: the columns and cells it writes (pinned, the tree import's names), scoped, audited."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import python_calamine
from django.test import Client

from tests.conftest import Tree
from wangge.core.models import AuditEvent
from wangge.core.roles import Role

HEADERS = [
    "区域", "层级", "上级区域", "行政区划代码", "统计用区划代码", "网格编码", "网格员", "网格员电话", "包保干部",
    "户数（公示）", "人数（公示）", "服务站地址", "服务站电话",
]  # fmt: skip


def _sheet(content: bytes) -> list[list[Any]]:
    rows: list[list[Any]] = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    )
    return rows


def test_the_region_export_writes_the_subtree_with_who_serves_it(tree: Tree, client_for: Callable[..., Client]) -> None:
    rows = _sheet(client_for(Role.STREET_SUPERVISOR).get(f"/regions/{tree.community_a.pk}/export.xlsx").content)
    assert rows == [
        HEADERS,
        ["甲社区", "社区", "", "", "421202001001", "", "", "", "", "", "", "", ""],
        ["第一网格", "网格", "甲社区", "", "", "G-A1", "刘平珍", "13871501108", "", 600.0, 2100.0, "", ""],
        ["福源小区", "微网格", "第一网格", "", "", "", "", "", "", "", "", "", ""],
        ["第二网格", "网格", "甲社区", "", "", "G-A2", "", "", "", "", "", "", ""],
    ]
    event = AuditEvent.objects.get(action="export.regions")
    assert event.object_id == str(tree.community_a.pk) and '"rows": 4' in event.detail


def test_a_region_outside_the_users_scope_is_not_exported(tree: Tree, client_for: Callable[..., Client]) -> None:
    response = client_for(Role.STREET_SUPERVISOR).get(f"/regions/{tree.community_b.pk}/export.xlsx")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export.regions").exists()
