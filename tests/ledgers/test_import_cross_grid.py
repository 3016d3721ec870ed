"""Compounds are found across the district before a file creates one: no second 福源小区 in the wrong grid."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils import translation

from tests.conftest import Tree
from tests.ledgers import builders
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.ledgers.models import ImportJob
from wangge.people.models import Person
from wangge.places.models import Compound

HEADERS = ["姓名", "身份证号码", "网格", "小区", "楼栋", "单元", "房号"]


def test_a_compound_of_a_grid_the_user_may_not_import_into_refuses_the_row_naming_that_grid(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    Compound.all_objects.create(region=tree.grid_a2, name="福源小区")
    worker = make_user(Role.GRID_WORKER)  # grid_a1 only
    rows = [
        HEADERS[:2] + HEADERS[3:],
        ["张建国", new_id(date(1950, 3, 2), "M"), "福源小区", "1", "1", "101"],
        ["李秀英", new_id(date(1952, 7, 9), "F"), "兴旺小区", "2", "1", "202"],
    ]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows), on_invalid="skip")
    assert job.state == ImportJob.State.DONE, job.message
    assert dict(job.first_errors)[2] == "小区：福源小区 属于 第二网格，您无权在该网格导入。"
    assert list(Person.all_objects.values_list("name", flat=True)) == ["李秀英"]
    assert Compound.all_objects.filter(name="福源小区").count() == 1


def test_a_compound_of_another_grid_the_user_may_edit_asks_for_that_grid(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    Compound.all_objects.create(region=tree.grid_a2, name="福源小区")
    staff = make_user(Role.COMMUNITY_STAFF)  # community_a: both grids
    born = new_id(date(1950, 3, 2), "M")
    wrong = [HEADERS, ["张建国", born, "第一网格", "福源小区", "1", "1", "101"]]
    with translation.override("zh-hans"):
        job = run_import(staff, tree.community_a, builders.xlsx(wrong))
    assert job.state == ImportJob.State.CHECKED and "第二网格" in dict(job.first_errors)[2]
    right = [HEADERS, ["张建国", born, "第二网格", "福源小区", "1", "1", "101"]]
    job = run_import(staff, tree.community_a, builders.xlsx(right))
    assert job.state == ImportJob.State.DONE and job.result["houses"] == 1
    assert Compound.all_objects.filter(name="福源小区").count() == 1


def test_a_new_compound_named_like_one_in_another_community_is_a_warning(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    Compound.all_objects.create(region=tree.grid_b1, name="福源小区")
    worker = make_user(Role.GRID_WORKER)
    rows = [HEADERS[:2] + HEADERS[3:], ["张建国", new_id(date(1950, 3, 2), "M"), "福源小区", "1", "1", "101"]]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False)
    assert job.counts["new"] == 1 and job.counts["warnings"] == 1
    assert "其他社区" in dict(job.first_notes)[2] and "第一网格" in dict(job.first_notes)[2]
