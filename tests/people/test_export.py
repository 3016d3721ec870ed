"""The people export through its page: the columns and cells it writes (pinned), masked unless the user may reveal."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import python_calamine
from django.test import Client

from tests.conftest import Tree, sign_in
from wangge.core.models import User
from wangge.core.roles import Cap, Role
from wangge.core.services import user_set_capabilities
from wangge.people import services
from wangge.people.models import Person, Tag
from wangge.places import services as places_services

HEADERS = [
    "姓名", "曾用名", "性别", "出生日期", "民族", "证件类型", "证件号码", "联系电话", "网格", "户号", "与户主关系",
    "户类型", "小区", "楼栋", "单元", "房号", "现住址", "人口类型", "迁入日期", "迁出日期", "标签", "政治面貌",
    "文化程度", "婚姻状况", "职业", "工作单位", "户籍地", "居住证号", "房东姓名", "房东电话", "健康状况", "疫苗接种", "残疾类型",
    "残疾等级", "是否党员", "是否志愿者", "是否退役军人", "是否死亡", "死亡日期", "备注", "记录编号", "红粉白", "信息状态",
]  # fmt: skip


def _sheet(content: bytes) -> list[list[Any]]:
    rows: list[list[Any]] = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    )
    return rows


@pytest.fixture
def registry(tree: Tree, new_id: Callable[..., str]) -> dict[str, Any]:
    number = new_id(date(1948, 1, 9), "M")
    zhang = services.person_create(
        actor=None, region=tree.grid_a1, name="张三", id_number=number, phone="13871501108", work_unit="粮食局"
    )
    services.household_create(actor=None, region=tree.grid_a1, number="H1", head=zhang)
    services.tag_add(actor=None, person=zhang, tag=Tag.objects.get(code="living_alone_elderly"))
    building = places_services.building_create(actor=None, region=tree.grid_a1, name="3栋")
    house = places_services.house_create(
        actor=None,
        building=building,
        number="402",
        is_rental=True,
        landlord_name="刘房东",
        landlord_phone="13871500001",
    )
    services.residence_set(actor=None, person=zhang, house=house)
    li = services.person_create(actor=None, region=tree.grid_a1, name="李四", birth_date=date(1990, 6, 1))
    services.person_create(actor=None, region=tree.grid_b1, name="赵六")  # another grid: not the worker's
    return {"zhang": zhang, "li": li, "number": number}


def _zhang(pk: int, *, id_number: str, phone: str, landlord: str) -> list[Any]:
    return [
        "张三", "", "男", 17541.0, "", "居民身份证", id_number, phone, "第一网格", "H1", "户主", "本地", "", "3栋", 1.0,
        "402", "", "户籍", "", "", "独居老人", "", "", "", "", "粮食局", "", "", "刘房东", landlord, "", "", "", "", "",
        "", "", "", "", "", float(pk), "红", "录入",
    ]  # fmt: skip


def _li(pk: int) -> list[Any]:
    return [
        "李四", "", "", 33025.0, "", "居民身份证", "", "", "第一网格", "", "", "", "", "", "", "", "", "户籍", "", "",
        "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", float(pk), "白", "录入",
    ]  # fmt: skip


def test_the_people_export_writes_the_ledger_columns_masked_in_the_users_grid(
    registry: dict[str, Any], client_for: Callable[..., Client]
) -> None:
    rows = _sheet(client_for(Role.GRID_WORKER).get("/people/export.xlsx").content)
    zhang, li = registry["zhang"], registry["li"]
    assert rows[0] == HEADERS
    assert rows[1:] == [
        _li(li.pk),
        _zhang(zhang.pk, id_number=zhang.id_number_masked, phone="138****1108", landlord="138****0001"),
    ]
    assert "*" in zhang.id_number_masked


def test_the_people_export_is_in_full_for_a_user_who_may_reveal(
    registry: dict[str, Any], make_user: Callable[..., User]
) -> None:
    user = make_user(Role.GRID_WORKER)
    user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=user, capabilities={Cap.REVEAL_SENSITIVE})
    revealer = sign_in(Client(), User.objects.get(pk=user.pk))
    rows = _sheet(revealer.get("/people/export.xlsx", {"q": "张三"}).content)
    zhang = registry["zhang"]
    assert rows == [
        HEADERS,
        _zhang(zhang.pk, id_number=registry["number"], phone="13871501108", landlord="13871500001"),
    ]
    assert Person.all_objects.count() == 3
