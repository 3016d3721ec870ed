"""The case list export: the columns and cells it writes (pinned), in the user's scope, phones masked, audited."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import python_calamine
import time_machine
from django.test import Client

from tests.conftest import Tree
from wangge.cases.models import Case
from wangge.core.models import AuditEvent
from wangge.core.roles import Role

HEADERS = [
    "编号", "标题", "类别", "来源", "网格", "地址", "反映人", "反映人电话", "状态", "上报时间", "办结期限", "期限",
    "督办", "结案时间", "评价",
]  # fmt: skip


def _sheet(content: bytes) -> list[list[Any]]:
    rows: list[list[Any]] = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    )
    return rows


def test_the_case_export_writes_its_columns_in_the_users_scope(
    tree: Tree, new_case: Callable[..., Case], client_for: Callable[..., Client], clock: time_machine.Coordinates
) -> None:
    closed = new_case("closed", address="福源小区3栋")
    reported = new_case("reported")
    new_case("reported", region=tree.grid_b1, title="别的社区")  # outside the staff's community
    client = client_for(Role.COMMUNITY_STAFF)
    rows = _sheet(client.get("/cases/export.xlsx", {"list": "all"}).content)
    assert rows == [
        HEADERS,
        [
            reported.number, "楼道灯坏了2", "求助/生活求助", "网格巡查", "第一网格", "", "张小英", "138****0000",
            "已上报", "2026-11-23 09:00", "", "按期", "", "", "",
        ],
        [
            closed.number, "楼道灯坏了1", "求助/生活求助", "网格巡查", "第一网格", "福源小区3栋", "张小英",
            "138****0000", "已结案", "2026-11-23 09:00", "2026-11-25 17:30", "按期", "", "2026-11-23 09:00", 5.0,
        ],
    ]  # fmt: skip
    event = AuditEvent.objects.get(action="export.cases")
    assert '"list": "all"' in event.detail


def test_a_user_without_the_case_list_may_not_export_it(client_for: Callable[..., Client], tree: Tree) -> None:
    response = client_for(Role.AUDITOR).get("/cases/export.xlsx", {"list": "all"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export.cases").exists()
