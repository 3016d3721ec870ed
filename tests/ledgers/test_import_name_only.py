"""Rows with only a name are imported only when the user allows them; a file of only a header says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import Tree, sign_in
from tests.ledgers import builders
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.ledgers import services
from wangge.ledgers.models import ImportJob
from wangge.ledgers.readers import LedgerError
from wangge.people import services as people_services
from wangge.people.models import Person

State = ImportJob.State


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.GRID_WORKER)  # grid_a1


def ledger(new_id: Callable[..., str]) -> bytes:
    return builders.xlsx(
        [
            ["姓名", "身份证号码", "出生日期", "联系电话"],
            ["王建国", new_id(date(1950, 1, 1), "M"), "", ""],
            ["王小宝", "", "2019-05-01", ""],  # a child without an ID number yet: known by the birth date
            ["张婆婆", "", "", "13871500001"],  # only a name (a phone does not say who she is)
            ["李大爷", "", "", ""],
            ["合计", "共4人", "", ""],  # a totals line: left out, not a person with only a name
        ]
    )


def test_the_preview_lists_rows_with_only_a_name_and_leaves_them_out_unless_allowed(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, ledger(new_id), confirm=False)
    assert job.state == State.CHECKED
    assert job.counts["new"] == 4 and job.counts["name_only"] == 2 and job.counts["left_out"] == 1
    notes = dict(job.first_notes)
    assert {n for n, text in notes.items() if "只有姓名" in text} == {4, 5}
    page = sign_in(Client(), worker).get(reverse("ledgers:import", args=[job.pk])).content.decode()
    assert 'data-testid="include-name-only"' in page and "同时导入只有姓名的 2 行" in page

    services.import_confirm(actor=worker, job=job)  # not ticked
    services.run_import(str(job.pk))
    job.refresh_from_db()
    assert job.state == State.DONE and job.result["created"] == 2 and job.counts["skip"] == 2
    assert not job.include_name_only
    assert sorted(Person.all_objects.values_list("name", flat=True)) == ["王小宝", "王建国"]


def test_ticking_the_box_imports_the_rows_with_only_a_name(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    job = run_import(worker, tree.grid_a1, ledger(new_id), confirm=False)
    response = sign_in(Client(), worker).post(
        reverse("ledgers:import_confirm", args=[job.pk]), {"include_name_only": "on"}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == State.QUEUED and job.include_name_only
    services.run_import(str(job.pk))
    job.refresh_from_db()
    assert job.state == State.DONE and job.result["created"] == 4
    assert set(Person.all_objects.values_list("name", flat=True)) == {"王建国", "王小宝", "张婆婆", "李大爷"}


def test_a_file_of_only_names_is_refused_until_they_are_allowed(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob]
) -> None:
    data = builders.xlsx([["姓名", "性别"], ["张婆婆", "女"], ["李大爷", "男"]])
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, data, confirm=False)
        with pytest.raises(LedgerError, match="所有新增的行都只有姓名"):
            services.import_confirm(actor=worker, job=job)
    job.refresh_from_db()
    assert job.state == State.CHECKED and not Person.all_objects.exists()
    services.import_confirm(actor=worker, job=job, include_name_only=True)
    services.run_import(str(job.pk))
    job.refresh_from_db()
    assert job.state == State.DONE and job.result["created"] == 2


def test_a_name_that_finds_its_registered_person_is_an_update_not_a_name_only_row(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob]
) -> None:
    people_services.person_create(actor=worker, region=tree.grid_a1, name="张婆婆")
    data = builders.xlsx([["姓名", "工作单位"], ["张婆婆", "纺织厂"]])
    job = run_import(worker, tree.grid_a1, data)
    assert job.counts["name_only"] == 0 and job.counts["update"] == 1
    assert job.state == State.DONE and Person.all_objects.get(name="张婆婆").work_unit == "纺织厂"


def test_a_header_only_file_is_not_ready_to_import(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob]
) -> None:
    client = sign_in(Client(), worker)
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx([["姓名", "身份证号码", "户号", "与户主关系"]]))
    assert job.state == State.CHECKED
    for url in (reverse("ledgers:import", args=[job.pk]), reverse("ledgers:imports")):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert 'data-testid="no-rows"' in page and "文件没有数据行" in page
        assert "可以导入" not in page  # the state's own label ("Checked: ready to import")


def test_a_file_with_errors_that_stop_the_import_is_not_ready_to_import(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob]
) -> None:
    client = sign_in(Client(), worker)
    data = builders.xlsx([["姓名", "身份证号码"], ["钱多多", "420000000000000000"]])  # a wrong check digit
    job = run_import(worker, tree.grid_a1, data)
    assert job.state == State.CHECKED and job.counts["invalid"] == 1
    page = client.get(reverse("ledgers:import", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="has-errors"' in page and "可以导入" not in page
