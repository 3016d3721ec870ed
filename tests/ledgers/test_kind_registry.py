"""A ledger kind registered from outside the engine (here a test module, as a feature app would from its
`ledger_kinds.py`) runs through the whole import pipeline — upload, mapping, check, preview, confirm, write,
the job's page — without the engine knowing it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from tests.conftest import Tree, sign_in
from tests.ledgers.builders import xlsx
from wangge.core.models import User
from wangge.core.roles import Cap, Role
from wangge.ledgers import kinds
from wangge.ledgers.kinds import (
    INVALID,
    NEW,
    Cancelled,
    FailingRow,
    LedgerKind,
    Plan,
    Progress,
    ResultItem,
    RowsPlan,
    tick,
)
from wangge.ledgers.models import ImportJob
from wangge.ledgers.readers import Table
from wangge.ledgers.schema import Column, Header, Schema
from wangge.ledgers.values import CellError, limited
from wangge.regions import services as region_services
from wangge.regions.models import Assignment, AssignmentRole, Region
from wangge.regions.selectors import regions_visible


def _phone(cell: Any) -> str:
    digits = "".join(ch for ch in str(cell) if ch.isdigit())
    if len(digits) != 11:
        raise CellError("手机号应为 11 位")
    return digits


@dataclass
class DutyRow(FailingRow):
    number: int
    raw: list[Any]
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    status: str = NEW


@dataclass
class DutyPlan(RowsPlan[DutyRow]):
    rows: list[DutyRow]
    counts: dict[str, int]


class BuildingHeadsKind(LedgerKind):
    """A feature's ledger: the building heads (楼栋长) of a grid, one duty per row."""

    key = "test_heads"
    title = "导入楼栋长名单"
    result_items = (ResultItem("created", "名楼栋长"),)

    def may_import(self, user: User) -> bool:
        return user.has_perm(Cap.MANAGE_ASSIGNMENTS)

    def check_access(self, actor: User, region: Region) -> None:
        if not regions_visible(user=actor).filter(pk=region.pk).exists():
            raise PermissionDenied("不在您的辖区")

    def regions(self, user: User) -> QuerySet[Region]:
        return regions_visible(user=user).filter(is_active=True)

    def schema(self) -> Schema:
        return Schema(
            kind=self.key,
            title="楼栋长名单",
            columns=[
                Column("name", "姓名", limited(20), synonyms=("楼栋长",), required=True),
                Column("phone", "联系电话", _phone, synonyms=("电话", "手机")),
            ],
        )

    def plan(
        self,
        *,
        actor: User,
        region: Region,
        table: Table,
        header: Header,
        mapping: Sequence[str],
        progress: Progress | None = None,
    ) -> DutyPlan:
        columns = [(index, self.schema().by_key[key]) for index, key in enumerate(mapping) if key]
        rows = []
        for offset, raw in enumerate(table.rows[header.data_start :]):
            row = DutyRow(number=header.data_start + offset + 1, raw=list(raw))
            for index, column in columns:
                cell = raw[index] if index < len(raw) else None
                if cell in (None, ""):
                    continue
                try:
                    row.data[column.key] = column.parse(cell)
                except CellError as exc:
                    row.fail(f"{column.header}：{exc}")
            if not row.data.get("name"):
                row.fail("请填写姓名")
            rows.append(row)
        counts = dict.fromkeys((NEW, INVALID), 0)
        for row in rows:
            counts[row.status] += 1
        return DutyPlan(rows=rows, counts=counts)

    def write(
        self, *, actor: User, job: ImportJob, plan: Plan, progress: Progress, cancelled: Cancelled
    ) -> dict[str, Any]:
        assert isinstance(plan, DutyPlan)
        valid = [row for row in plan.rows if row.status != INVALID]
        for done, row in enumerate(valid, start=1):
            region_services.assignment_create(
                actor=actor,
                region=job.region,
                role=AssignmentRole.BUILDING_HEAD,
                name=row.data["name"],
                phone=row.data.get("phone", ""),
            )
            tick(progress, cancelled, done, len(valid))
        return {"created": len(valid)}


@pytest.fixture
def heads_kind() -> Iterator[BuildingHeadsKind]:
    kind = BuildingHeadsKind()
    kinds.register(kind)
    try:
        yield kind
    finally:
        kinds._KINDS.pop(kind.key, None)


FILE = [
    ["姓名", "电话", "备注"],
    ["周楼长", "138 7150 1101", ""],
    ["", "13871501102", "没有姓名"],
    ["吴楼长", "1387150", "号码太短"],
    ["郑楼长", "13871501104", ""],
]


def test_a_kind_registered_from_outside_runs_through_the_engine(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], heads_kind: BuildingHeadsKind
) -> None:
    admin = make_user(Role.COMMUNITY_STAFF, scope="community_a")
    assert heads_kind in kinds.kinds_for(admin)

    job = run_import(admin, tree.grid_a1, xlsx(FILE), kind="test_heads", on_invalid="skip")

    assert job.state == ImportJob.State.DONE, job.message
    assert job.counts == {"rows": 4, "new": 2, "invalid": 2}
    assert job.result["created"] == 2
    heads = Assignment.objects.unscoped("test").filter(region=tree.grid_a1, role=AssignmentRole.BUILDING_HEAD)
    assert sorted(heads.values_list("name", "phone")) == [("周楼长", "13871501101"), ("郑楼长", "13871501104")]


def test_the_engine_keeps_a_kinds_errors_and_refusals(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], heads_kind: BuildingHeadsKind
) -> None:
    admin = make_user(Role.COMMUNITY_STAFF, scope="community_a")
    before = Assignment.objects.unscoped("test").count()

    job = run_import(admin, tree.grid_a1, xlsx(FILE), kind="test_heads", on_invalid="stop")

    assert job.state == ImportJob.State.CHECKED  # errors and "stop on errors": nothing confirmed
    assert Assignment.objects.unscoped("test").count() == before
    page = sign_in(Client(), admin).get(reverse("ledgers:import", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "导入楼栋长名单" in text and "请填写姓名" in text and "手机号应为 11 位" in text

    worker = make_user(Role.GRID_WORKER)
    assert heads_kind not in kinds.kinds_for(worker)
