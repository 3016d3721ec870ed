"""Plain addresses find the houses that the 小区 / 楼栋 / 单元 / 房号 columns made."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from tests.conftest import Tree
from tests.ledgers import builders
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.ledgers.models import ImportJob
from wangge.people.models import Residence
from wangge.places.addresses import PlainAddress, parse_address
from wangge.places.models import Building, Compound, House


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("福源小区1栋101", PlainAddress("福源小区", "1栋", None, "101")),
        ("福源小区1栋1单元101室", PlainAddress("福源小区", "1栋", 1, "101")),
        ("兴旺街8号院3-2-401", PlainAddress("兴旺街8号院", "3栋", 2, "401")),
        ("福源小区1号楼2单元301", PlainAddress("福源小区", "1栋", 2, "301")),
        ("福源小区 3幢 2-502", PlainAddress("福源小区", "3栋", 2, "502")),
        ("福源小区１１栋１０１", PlainAddress("福源小区", "11栋", None, "101")),
        ("3-2-401", PlainAddress("", "3栋", 2, "401")),
        ("兴旺街8号", None),
        ("福源小区", None),
        ("", None),
    ],
)
def test_usual_address_forms_are_read_into_their_parts(text: str, parsed: PlainAddress | None) -> None:
    assert parse_address(text) == parsed


def test_a_file_mixing_plain_addresses_and_columns_makes_one_house_per_home(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    worker = make_user(Role.GRID_WORKER)  # grid_a1
    rows = [
        ["姓名", "身份证号码", "小区", "楼栋", "单元", "房号", "现住址"],
        ["张建国", new_id(date(1950, 3, 2), "M"), "福源小区", "1栋", "1", "101", ""],
        ["李秀英", new_id(date(1952, 7, 9), "F"), "", "", "", "", "福源小区1栋101"],
        ["张强", new_id(date(1975, 1, 1), "M"), "", "", "", "", "福源小区1号楼1单元101室"],
        ["王磊", new_id(date(1990, 1, 1), "M"), "", "", "", "", "兴旺街8号院3-2-401"],
        ["王芳", new_id(date(1991, 1, 1), "F"), "兴旺街8号院", "3号楼", "2单元", "401室", ""],
        ["赵六", new_id(date(1980, 1, 1), "M"), "", "", "", "", "兴旺街8号"],  # not a usual form: as written
    ]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    assert job.state == ImportJob.State.DONE, (job.message, job.first_errors)
    assert job.result["houses"] == 3
    assert sorted(Compound.all_objects.values_list("name", flat=True)) == ["兴旺街8号院", "福源小区"]
    assert Building.all_objects.count() == 2
    first = House.all_objects.get(building__compound__name="福源小区", unit=1, number="101")
    assert set(Residence.objects.filter(house=first).values_list("person__name", flat=True)) == {
        "张建国",
        "李秀英",
        "张强",
    }
    second = House.all_objects.get(building__compound__name="兴旺街8号院", building__name="3栋", unit=2, number="401")
    assert set(Residence.objects.filter(house=second).values_list("person__name", flat=True)) == {"王磊", "王芳"}
    assert House.all_objects.get(building__isnull=True).address == "兴旺街8号"


def test_a_plain_address_finds_a_registered_house(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    worker = make_user(Role.GRID_WORKER)
    columns = [
        ["姓名", "身份证号码", "小区", "楼栋", "单元", "房号"],
        ["张建国", new_id(), "福源小区", "1", "2", "301"],
    ]
    assert run_import(worker, tree.grid_a1, builders.xlsx(columns)).state == ImportJob.State.DONE
    plain = [["姓名", "身份证号码", "地址"], ["李秀英", new_id(date(1960, 1, 1), "F"), "福源小区1栋2单元301室"]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(plain))
    assert job.state == ImportJob.State.DONE and job.result["houses"] == 0
    assert Residence.objects.get(person__name="李秀英").house.number == "301"
