"""Importing people ledgers through the services, as the worker runs them."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date

import pytest
import python_calamine
from django.core.exceptions import PermissionDenied
from django.utils import translation

from tests.conftest import Tree
from tests.ledgers import builders
from wangge.core import crypto
from wangge.core.errors import NotFound
from wangge.core.jobs import files
from wangge.core.models import AccessRefusal, AuditEvent, HistoryEntry, User
from wangge.core.roles import Cap, Role
from wangge.core.services import user_set_capabilities
from wangge.ledgers import kinds, reports, services
from wangge.ledgers.models import ImportJob, MappingTemplate
from wangge.ledgers.people_schema import people_schema
from wangge.ledgers.readers import LedgerError
from wangge.people import services as people_services
from wangge.people.choices import IdentityColor, Relation, Residency, SourceState
from wangge.people.models import Household, Membership, Person, PersonTag, Residence
from wangge.places.models import Building, Compound, House

State = ImportJob.State
HEADERS = ["姓名", "身份证号码", "联系电话", "户号", "与户主关系", "小区", "楼栋", "单元", "房号", "人员类型", "标签"]


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user(Role.COMMUNITY_STAFF)  # community_a: grid_a1, grid_a2


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.GRID_WORKER)  # grid_a1


def family(new_id: Callable[..., str]) -> list[list[object]]:
    return [
        HEADERS,
        [
            "张建国",
            new_id(date(1950, 3, 2), "M"),
            "13871501108",
            "H001",
            "户主",
            "福源小区",
            "3栋",
            "1单元",
            "301",
            "户籍",
            "高龄老人",
        ],
        ["李秀英", new_id(date(1952, 7, 9), "F"), "", "H001", "配偶", "福源小区", "3栋", "1", "301室", "户籍", ""],
        [
            "王磊",
            new_id(date(1990, 1, 1), "M"),
            "15971500001",
            "H002",
            "户主",
            "福源小区",
            "3栋",
            "2",
            "502",
            "租户",
            "",
        ],
        ["王小雨", new_id(date(2015, 6, 1), "F"), "", "H002", "女", "福源小区", "3栋", "2", "502", "租户", "留守儿童"],
    ]


def test_a_family_ledger_under_a_title_row_builds_people_households_and_houses(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    job = run_import(
        worker, tree.grid_a1, builders.xlsx(family(new_id), title="第一网格人口台账"), name="八月台账.xlsx"
    )

    assert job.state == State.DONE, job.message
    assert job.counts["new"] == 4 and job.result["households"] == 2 and job.result["houses"] == 2
    zhang = Person.all_objects.get(name="张建国")
    assert zhang.birth_date == date(1950, 3, 2) and zhang.gender == "M"
    assert zhang.source_state == SourceState.ENTERED and zhang.region == tree.grid_a1
    assert zhang.phone_masked == "138****1108"
    assert HistoryEntry.objects.get(object_type="people.person", object_id=zhang.pk).source == "八月台账.xlsx"
    # 红粉白: the local head red, the tenant head pink, members white
    colours = dict(Person.all_objects.values_list("name", "identity_color"))
    assert colours == {
        "张建国": IdentityColor.RED,
        "李秀英": IdentityColor.WHITE,
        "王磊": IdentityColor.PINK,
        "王小雨": IdentityColor.WHITE,
    }
    h001 = Household.all_objects.get(number="H001")
    assert h001.head == zhang and h001.house is not None and h001.house.label == "福源小区3栋1单元301"
    assert Membership.objects.get(person__name="李秀英").relation == Relation.SPOUSE
    assert Membership.objects.get(person__name="王小雨").relation == Relation.DAUGHTER
    assert Compound.all_objects.filter(name="福源小区").count() == 1
    assert Building.all_objects.get(name="3栋").units == 2
    house = House.all_objects.get(number="502")
    assert house.floor == 5 and {r.person.name for r in house.residences.all()} == {"王磊", "王小雨"}
    assert set(PersonTag.objects.values_list("tag__name", flat=True)) == {"高龄老人", "留守儿童"}
    assert Person.all_objects.get(name="王磊").residency == Residency.TENANT
    assert HistoryEntry.objects.filter(object_type="places.house", action="import", source="八月台账.xlsx").count() == 2
    event = AuditEvent.objects.filter(action="ledger.import", result="ok").get()
    assert json.loads(event.detail)["created"] == 4


def test_registered_places_are_found_and_grown_new_ones_created_beside_them(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    grid = tree.grid_a1
    compound = Compound.all_objects.create(region=grid, name="福源小区")
    building = Building.all_objects.create(region=grid, compound=compound, name="3栋", floors=6, units=1)
    registered = House.all_objects.create(region=grid, building=building, unit=1, floor=3, number="301")
    rows = [
        ["姓名", "身份证号码", "小区", "楼栋", "单元", "房号", "现住址"],
        ["张建国", new_id(date(1950, 3, 2), "M"), "福源小区", "3栋", "1", "301", ""],  # a registered house
        ["李秀英", new_id(date(1952, 7, 9), "F"), "福源小区", "3栋", "2", "1802", ""],  # 18th floor, 2nd unit
        ["王磊", new_id(date(1990, 1, 1), "M"), "福源小区", "5栋", "1", "101", ""],  # a new building
        ["赵敏", new_id(date(1991, 2, 2), "F"), "", "", "", "", "幸福路8号"],  # a free address
    ]
    job = run_import(worker, grid, builders.xlsx(rows))

    assert job.state == State.DONE, (job.first_errors, job.message)
    assert job.result["houses"] == 3
    building.refresh_from_db()
    assert (building.floors, building.units) == (18, 2)  # the file shows it taller and wider
    homes = {r.person.name: r.house for r in Residence.objects.select_related("person", "house")}
    assert homes["张建国"] == registered
    assert homes["李秀英"].building == building and homes["李秀英"].floor == 18
    assert homes["王磊"].building.name == "5栋" and homes["王磊"].building.compound == compound  # type: ignore[union-attr]
    assert homes["赵敏"].address == "幸福路8号" and homes["赵敏"].building is None
    assert Compound.all_objects.filter(region=grid).count() == 1
    assert HistoryEntry.objects.filter(object_type="places.house", action="import").count() == 3


@pytest.mark.parametrize(
    "cell", ["1950-03-02", "1950/3/2", "1950.3.2", "19500302", "1950年3月2日", date(1950, 3, 2), 18324]
)
def test_every_date_form_is_read(tree: Tree, worker: User, run_import: Callable[..., ImportJob], cell: object) -> None:
    rows = [["姓名", "出生日期", "性别", "民族"], ["赵大爷", cell, "男性", "汉"]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    assert job.state == State.DONE, (job.first_errors, job.message)
    person = Person.all_objects.get(name="赵大爷")
    assert (person.birth_date, person.gender, person.ethnicity) == (date(1950, 3, 2), "M", "01")


def test_xls_and_gbk_csv_ledgers_import_like_xlsx(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    rows = [["姓名", "公民身份号码", "手机号"], ["钱一", new_id(), "13800000001"]]
    assert run_import(worker, tree.grid_a1, builders.xls(rows), name="a.xls").state == State.DONE
    rows = [["姓名", "证件号码", "电话"], ["孙二", new_id(), "13800000002"]]
    csv = builders.csv_bytes(rows, encoding="gbk")
    assert run_import(worker, tree.grid_a1, csv, name="b.csv").state == State.DONE
    assert set(Person.all_objects.values_list("name", flat=True)) == {"钱一", "孙二"}


def test_ids_mangled_by_excel_are_reported_on_their_rows(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    rows = [["姓名", "身份证号码"], ["周三", new_id()], ["吴四", new_id()]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows, numeric_ids=True))
    assert job.state == State.CHECKED and job.counts["invalid"] == 2
    assert "Excel" in job.first_errors[0][1] and job.first_errors[0][0] == 2
    assert not Person.all_objects.exists()


def test_the_report_gives_back_an_id_excel_made_a_number_as_the_file_had_it(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    number = new_id()
    upload = builders.xlsx([["姓名", "身份证号码", "联系电话"], ["周三", number, 13871501108]], numeric_ids=True)
    as_stored = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(upload)).get_sheet_by_index(0).to_python()
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, upload)
        report = services.job_report(job)
        assert report is not None
        sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(report)).get_sheet_by_index(0).to_python()
        assert sheet[1][1] == as_stored[1][1] and not str(sheet[1][1]).startswith(number[:17])  # no invented digits
        assert sheet[1][2] == "13871501108"  # a phone Excel kept whole comes back as text
        again = run_import(worker, tree.grid_a1, report, name="错误行.xlsx")
    message = dict(again.first_errors)[2]
    assert "Excel" in message and "文本" in message and "校验" not in message


@pytest.fixture(params=["one process", "spread over processes"])
def check_processes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, settings: object) -> None:
    """The check in this process, or its rows shared with forked workers even for a small file."""
    from wangge.core.jobs import parallel

    if request.param == "spread over processes":
        monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
        settings.WANGGE_LEDGER_WORKERS = 2  # type: ignore[attr-defined]


def test_each_bad_row_says_what_is_wrong_and_nothing_is_written(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob], check_processes: None
) -> None:
    good = new_id(date(1970, 1, 1), "M")
    twice = new_id()
    rows = [
        ["姓名", "身份证号码", "性别", "户号", "与户主关系", "标签", "联系电话"],
        ["甲", good, "", "", "", "", ""],
        ["乙", good[:-1] + ("0" if good[-1] != "0" else "1"), "", "", "", "", ""],  # check digit
        ["丙", new_id(date(1970, 1, 1), "M"), "女", "", "", "", ""],  # gender contradicts the ID
        ["丁", new_id(), "", "", "", "不存在的标签", ""],
        ["戊", new_id(), "", "", "配偶", "", ""],  # relation without household
        ["己", twice, "", "", "", "", ""],
        ["庚", twice, "", "", "", "", ""],  # the same ID twice in one file
        ["", new_id(), "", "", "", "", ""],  # no name
        ["辛", new_id(), "", "H9", "子", "", ""],  # a new household with no head: kept, with a warning
        ["壬", new_id(), "", "", "", "", "12"],  # not a phone
    ]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    assert job.state == State.CHECKED
    assert job.counts == {
        "rows": 10,
        "new": 2,
        "update": 0,
        "unchanged": 0,
        "skip": 0,
        "invalid": 8,
        "warnings": 1,
        "left_out": 0,
        "name_only": 0,
    }
    errors = dict(job.first_errors)
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9, 11}
    assert "证件号码" in errors[3] and "性别" in errors[4] and "标签" in errors[5] and "户号" in errors[6]
    assert "第8行" in errors[7] and "姓名 己 / 庚" in errors[8] and "姓名" in errors[9]  # the conflict side by side
    assert "联系电话" in errors[11]
    assert dict(job.first_notes)[10].startswith("户号：户号 H9") and "户主待补" in dict(job.first_notes)[10]
    assert not any("The " in message for message in errors.values())  # in Chinese, whichever process wrote it
    with pytest.raises(LedgerError):
        services.import_confirm(actor=worker, job=job)  # rows with errors and "stop": refused
    assert not Person.all_objects.exists()


def test_the_error_report_is_the_bad_rows_and_comes_back_in_once_fixed(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    rows = [["姓名", "身份证号码", "出生日期"], ["好人", new_id(), ""], ["坏日期", "", "1950-02-30"]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows, title="台账"), on_invalid="skip")
    assert job.state == State.DONE and job.result["created"] == 1
    report = services.job_report(job)
    assert report is not None
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(report)).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["姓名", "身份证号码", "出生日期", "行号", "错误说明"]
    assert sheet[1][0] == "坏日期" and sheet[1][3] == 4 and "出生日期" in sheet[1][4]
    # the user fixes the date in the report and uploads it as it is
    fixed = builders.xlsx([sheet[0], ["坏日期", "", "1950-02-28", 4, sheet[1][4]]])
    again = run_import(worker, tree.grid_a1, fixed, name="错误行.xlsx")
    assert again.state == State.DONE and Person.all_objects.get(name="坏日期").birth_date == date(1950, 2, 28)


@pytest.fixture
def registered(tree: Tree, worker: User, new_id: Callable[..., str]) -> tuple[Person, str]:
    number = new_id(date(1960, 1, 1), "F")
    person = people_services.person_create(
        actor=worker, region=tree.grid_a1, name="陈桂兰", id_number=number, phone="13900000000"
    )
    return person, number


def test_existing_people_are_updated_with_history(
    tree: Tree, worker: User, registered: tuple[Person, str], run_import: Callable[..., ImportJob]
) -> None:
    person, number = registered
    rows = [["姓名", "身份证号码", "联系电话", "工作单位"], ["陈桂兰", number, "13911112222", "咸宁市纺织厂"]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows), name="更新.xlsx", on_existing="update")
    assert job.state == State.DONE and job.counts["update"] == 1 and job.result["updated"] == 1
    person.refresh_from_db()
    assert person.phone_masked == "139****2222" and person.work_unit == "咸宁市纺织厂"
    change = HistoryEntry.objects.filter(object_id=person.pk, action="update").get()
    assert change.source == "更新.xlsx" and "work_unit" in change.changes
    # the same file again changes nothing
    again = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False)
    assert again.counts["unchanged"] == 1 and again.counts["update"] == 0


def test_existing_people_can_be_skipped_or_stop_the_import(
    tree: Tree,
    worker: User,
    registered: tuple[Person, str],
    new_id: Callable[..., str],
    run_import: Callable[..., ImportJob],
) -> None:
    person, number = registered
    rows = [["姓名", "身份证号码", "工作单位"], ["陈桂兰", number, "别处"], ["新人", new_id(), ""]]
    stopped = run_import(worker, tree.grid_a1, builders.xlsx(rows), on_existing="stop")
    assert stopped.state == State.CHECKED and stopped.counts["unchanged"] + stopped.counts["update"] == 1
    with pytest.raises(LedgerError):
        services.import_confirm(actor=worker, job=stopped)
    assert Person.all_objects.count() == 1
    skipped = run_import(worker, tree.grid_a1, builders.xlsx(rows), on_existing="skip")
    assert skipped.state == State.DONE and skipped.result == {"created": 1, "updated": 0, "households": 0, "houses": 0}
    person.refresh_from_db()
    assert person.work_unit == ""


def test_a_person_registered_outside_the_users_area_is_not_touched(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    number = new_id()
    people_services.person_create(actor=None, region=tree.grid_b1, name="外人", id_number=number)
    job = run_import(worker, tree.grid_a1, builders.xlsx([["姓名", "身份证号码"], ["外人", number]]))
    # as the registry's own refusal: the community to contact, not the grid or the record; and it is counted
    assert job.counts["invalid"] == 1 and "乙社区" in job.first_errors[0][1]
    assert "乙第一网格" not in job.first_errors[0][1]
    assert AccessRefusal.objects.get(user=worker, kind="duplicate").count == 1
    assert AuditEvent.objects.get(action="ledger.duplicates_elsewhere").detail == '{"rows": 1}'


def test_sensitive_tags_need_the_permission(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    rows = [["姓名", "身份证号码", "标签"], ["隐私", new_id(), "社区矫正"]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False)
    assert job.counts["invalid"] == 1 and "社区矫正" in job.first_errors[0][1]


def test_a_community_import_places_rows_by_their_grid_column(
    tree: Tree, staff: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    rows = [
        ["姓名", "身份证号码", "所属网格"],
        ["一号", new_id(), "第一网格"],
        ["二号", new_id(), "第二网格"],
        ["三号", new_id(), "乙第一网格"],
        ["四号", new_id(), ""],
    ]
    job = run_import(staff, tree.community_a, builders.xlsx(rows), on_invalid="skip")
    assert job.state == State.DONE and job.counts["invalid"] == 2
    assert dict(Person.all_objects.values_list("name", "region__name")) == {"一号": "第一网格", "二号": "第二网格"}


def test_a_failure_while_writing_leaves_nothing_behind(
    tree: Tree,
    worker: User,
    new_id: Callable[..., str],
    run_import: Callable[..., ImportJob],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(ids: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(people_services, "refresh_identity_colors", broken)
    job = run_import(worker, tree.grid_a1, builders.xlsx(family(new_id)))
    assert job.state == State.FAILED and job.message
    assert not Person.all_objects.exists() and not Household.all_objects.exists() and not House.all_objects.exists()
    assert not HistoryEntry.objects.exists()


def test_a_cancelled_import_writes_nothing(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    job = run_import(worker, tree.grid_a1, builders.xlsx(family(new_id)), confirm=False)
    services.import_confirm(actor=worker, job=job)
    services.import_confirm(actor=worker, job=job)  # a double click queues it once
    assert job.state == State.QUEUED
    ImportJob.objects.filter(pk=job.pk).update(state=State.RUNNING)
    job.state = State.RUNNING
    services.import_cancel(actor=worker, job=job)  # the worker sees the flag at its next step
    ImportJob.objects.filter(pk=job.pk).update(state=State.QUEUED)
    services.run_import(str(job.pk))
    job.refresh_from_db()
    assert job.state == State.CANCELLED and not Person.all_objects.exists()


def test_someone_elses_import_cannot_be_driven(
    tree: Tree,
    worker: User,
    make_user: Callable[..., User],
    new_id: Callable[..., str],
    run_import: Callable[..., ImportJob],
) -> None:
    job = run_import(worker, tree.grid_a1, builders.xlsx(family(new_id)), confirm=False)
    other = make_user(Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        services.import_confirm(actor=other, job=job)
    with pytest.raises((PermissionDenied, NotFound)):
        services.import_upload(
            actor=worker, region=tree.grid_b1, file_name="a.xlsx", data=builders.xlsx(family(new_id))
        )


def test_a_corrected_mapping_is_saved_as_a_template_for_next_month(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    rows = [["居民", "身份证号码", "手机"], ["郑五", new_id(), "13800000003"]]
    job = services.import_upload(actor=worker, region=tree.grid_a1, file_name="a.xlsx", data=builders.xlsx(rows))
    assert job.mapping == ["", "id_number", "phone"]  # 居民 is not a name anyone taught it
    with pytest.raises(LedgerError):
        services.import_set_mapping(actor=worker, job=job, mapping=job.mapping, on_existing="update", on_invalid="stop")
    services.import_set_mapping(
        actor=worker, job=job, mapping=["name", "id_number", "phone"], on_existing="update", on_invalid="stop"
    )
    template = services.template_save(actor=worker, job=job, name="第一网格月报")
    next_month = services.import_upload(
        actor=worker, region=tree.grid_a1, file_name="b.xlsx", data=builders.xlsx(rows), template=template
    )
    assert next_month.mapping == ["name", "id_number", "phone"]
    assert MappingTemplate.objects.count() == 1


def test_the_blank_template_reads_back_and_its_example_row_is_ignored(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob]
) -> None:
    template = reports.blank_template(people_schema())
    job = run_import(worker, tree.grid_a1, template, name="人口台账模板.xlsx")
    assert job.mapping == [c.key for c in people_schema().columns]
    assert job.counts["rows"] == 0 and job.state == State.CHECKED
    assert not Person.all_objects.exists()


def test_registry_editors_with_sensitive_permission_can_tag_sensitive_groups(
    tree: Tree,
    worker: User,
    make_user: Callable[..., User],
    new_id: Callable[..., str],
    run_import: Callable[..., ImportJob],
) -> None:
    user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=worker, capabilities={Cap.VIEW_SENSITIVE_GROUPS})
    worker = User.objects.get(pk=worker.pk)
    rows = [["姓名", "身份证号码", "标签"], ["矫正", new_id(), "社区矫正"]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    assert job.state == State.DONE and PersonTag.objects.filter(tag__name="社区矫正").exists()


def test_the_import_matches_the_registry_again_after_the_check(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    number = new_id()
    rows = [["姓名", "身份证号码", "工作单位"], ["后登记", number, "新单位"], ["另一人", new_id(), ""]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False)
    assert job.counts["new"] == 2
    # between the check and the import, a colleague registers the first person by hand
    person = people_services.person_create(actor=worker, region=tree.grid_a1, name="后登记", id_number=number)
    services.import_confirm(actor=worker, job=job)
    services.run_import(str(job.pk))
    job.refresh_from_db()
    assert job.state == State.DONE and job.result["created"] == 1 and job.result["updated"] == 1
    person.refresh_from_db()
    assert person.work_unit == "新单位" and Person.all_objects.filter(name="后登记").count() == 1
    assert not files.load(job.pk, "plan") and services.job_report(job) is None


def test_blank_rows_between_the_data_are_left_out_and_row_numbers_stay_the_sheets(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    rows = [
        ["姓名", "身份证号码", "出生日期"],
        ["甲", new_id(), ""],
        ["", "", ""],
        ["乙", "", "1950-02-30"],
        [None, None],
    ]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False, on_invalid="skip")
    assert job.counts["rows"] == 2 and job.counts["new"] == 1 and job.counts["invalid"] == 1
    assert [number for number, _message in job.first_errors] == [4]


def test_the_error_report_is_built_at_its_first_download_and_kept(
    tree: Tree,
    worker: User,
    new_id: Callable[..., str],
    run_import: Callable[..., ImportJob],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [["姓名", "身份证号码", "出生日期"], ["好人", new_id(), ""], ["坏日期", "", "1950-02-30"]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False, on_invalid="skip")
    assert job.counts["invalid"] == 1
    assert files.load(job.pk, "report") is None and files.load(job.pk, "errors") is not None  # not built yet
    report = services.job_report(job)
    assert report is not None and files.load(job.pk, "report") == report  # built once, then served as kept
    assert services.job_report(job) == report
    # a report built from rows that a new check replaced meanwhile is served, not kept
    files.remove(job.pk, "report")
    calls = iter([files.load(job.pk, "errors"), b"the rows of another check"])
    real_load = files.load
    monkeypatch.setattr(
        files, "load", lambda job_id, suffix: next(calls) if suffix == "errors" else real_load(job_id, suffix)
    )
    assert services.job_report(job)
    assert files.load(job.pk, "report") is None
    monkeypatch.undo()
    # a new mapping means a new check: the rows with errors and their report go
    services.import_set_mapping(actor=worker, job=job, mapping=job.mapping, on_existing="update", on_invalid="skip")
    assert files.load(job.pk, "errors") is None and services.job_report(job) is None


def test_many_rows_with_errors_get_their_report_at_the_check(
    tree: Tree,
    worker: User,
    new_id: Callable[..., str],
    run_import: Callable[..., ImportJob],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "REPORT_AT_CHECK", 1)  # a download must not build a very large report
    rows = [
        ["姓名", "身份证号码", "出生日期"],
        ["好人", new_id(), ""],
        ["甲", "", "1950-02-30"],
        ["乙", "", "1950-13-01"],
    ]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False, on_invalid="skip")
    assert job.counts["invalid"] == 2
    assert files.load(job.pk, "errors") is None and files.load(job.pk, "report") is not None
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(services.job_report(job) or b""))
    assert [row[0] for row in sheet.get_sheet_by_index(0).to_python()[1:]] == ["甲", "乙"]


def test_the_check_reads_the_cells_kept_at_upload_not_the_workbook_again(
    tree: Tree, worker: User, new_id: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    job = services.import_upload(
        actor=worker, region=tree.grid_a1, file_name="台账.xlsx", data=builders.xlsx(family(new_id))
    )
    assert files.path_for(job.pk, "table").exists()

    def no_second_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was read again")

    monkeypatch.setattr(kinds, "read_table", no_second_read)  # what every kind reads a ledger with
    services.import_check(actor=worker, job=job)
    services.run_check(str(job.pk))
    job.refresh_from_db()
    assert job.state == State.CHECKED and job.counts["new"] == 4


def test_a_job_without_kept_cells_reads_its_upload(
    tree: Tree, worker: User, new_id: Callable[..., str], run_import: Callable[..., ImportJob]
) -> None:
    job = services.import_upload(
        actor=worker, region=tree.grid_a1, file_name="台账.xlsx", data=builders.xlsx(family(new_id))
    )
    files.remove(job.pk, "table")  # uploaded before the cells were kept
    services.import_check(actor=worker, job=job)
    services.run_check(str(job.pk))
    job.refresh_from_db()
    assert job.state == State.CHECKED and job.counts["new"] == 4


def test_a_check_spread_over_processes_imports_what_one_process_imports(
    tree: Tree,
    worker: User,
    new_id: Callable[..., str],
    run_import: Callable[..., ImportJob],
    monkeypatch: pytest.MonkeyPatch,
    settings: object,
) -> None:
    from wangge.core.jobs import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    settings.WANGGE_LEDGER_WORKERS = 2  # type: ignore[attr-defined]
    rows = family(new_id)
    zhang_id = str(rows[1][1])
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows))

    assert job.state == State.DONE, job.message
    for person in Person.all_objects.all():
        assert (person.name_pinyin, person.name_initials) != ("", "")
        assert person.id_hash and person.id_tail4 and person.id_number_masked
    zhang = Person.all_objects.get(name="张建国")
    assert zhang.name_pinyin == "zhangjianguo" and zhang.phone_masked == "138****1108"
    assert crypto.decrypt(zhang.id_number_enc, context="person.id_number") == zhang_id


def test_relation_words_of_real_ledgers_import_with_their_standard_codes(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    rows = [
        ["户主本人", "F", date(1950, 3, 2)],
        ["子女", "F", date(1975, 6, 1)],  # a daughter, by her ID
        ["子女", "M", date(1977, 6, 1)],
        ["女婿", "M", date(1974, 1, 1)],
        ["儿媳", "F", date(1978, 1, 1)],
        ["长子", "M", date(1972, 1, 1)],
        ["外孙女", "F", date(2001, 1, 1)],
    ]
    sheet = [["姓名", "身份证号码", "户号", "与户主关系"]]
    sheet += [[f"成员{i}", new_id(born, gender), "080480", word] for i, (word, gender, born) in enumerate(rows)]
    job = run_import(worker, tree.grid_a1, builders.xlsx(sheet))
    assert job.state == ImportJob.State.DONE, job.counts
    got = dict(Membership.objects.values_list("person__name", "relation"))
    assert got == {
        "成员0": "02",
        "成员1": "30",
        "成员2": "20",
        "成员3": "28",
        "成员4": "38",
        "成员5": "22",
        "成员6": "44",
    }


def test_totals_and_signature_lines_are_not_people(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    rows = [
        ["序号", "姓名", "身份证号码", "户号", "与户主关系"],
        [1, "王建国", new_id(date(1950, 1, 1), "M"), "080480", "户主"],
        [2, "李秀英", new_id(date(1952, 1, 1), "F"), "080480", "妻"],
        [3, "王强", new_id(date(1975, 1, 1), "M"), "080480", "子女"],
        ["合计", "共3人", "", "共1户", ""],
        ["", "以下空白", "", "", ""],
        ["填表人：刘平珍", "", "审核人：何建华", "", "制表日期：2026年11月1日"],
    ]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows, title="三元社区第八网格人口台账"))
    assert job.state == ImportJob.State.DONE, (job.message, job.counts)
    assert job.counts["left_out"] == 3 and job.counts["rows"] == 3 and job.counts["invalid"] == 0
    assert sorted(Person.all_objects.values_list("name", flat=True)) == ["李秀英", "王建国", "王强"]
    assert [number for number, _text in job.first_notes] == [6, 7, 8]
    assert dict(job.first_notes)[6] == "合计"


def test_a_name_that_merely_looks_like_a_label_with_an_id_is_a_person() -> None:
    from wangge.ledgers.people_plan import not_a_person

    assert not_a_person(["共3人", "", ""]) == "共3人"
    assert not_a_person(["填表人：张三", None]) == "填表人：张三"
    assert not_a_person(["合计", "421202195003021234"]) == ""  # an ID number: a row to check, not to drop
    assert not_a_person(["王合计", "", ""]) == ""
    labels = [
        "合计",
        "总 计",
        "小计",
        "累计",
        "共131人",
        "共 12 户",
        "以下空白",
        "以下无内容",
        "此页空白",
        "填表人：张三",
    ]
    labels += ["填报人", "制表人", "审核人", "审批人", "负责人", "统计人", "经办人", "核对人", "联系人", "单位负责人"]
    labels += ["填表日期", "填报日期：2026-11-01", "制表日期", "报送日期", "日期：11月", "签字", "签名", "（盖章）"]
    for label in labels:
        assert not_a_person([None, 3, label, ""]) == label, label


def test_an_unknown_relation_word_keeps_the_person_with_a_warning(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    rows = [
        ["姓名", "身份证号码", "户号", "与户主关系"],
        ["王建国", new_id(date(1950, 1, 1), "M"), "H1", "户主"],
        ["王小宝", new_id(date(2010, 1, 1), "M"), "H1", "干儿子"],
    ]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    assert job.state == ImportJob.State.DONE and job.counts["warnings"] == 1
    assert Membership.objects.get(person__name="王小宝").relation == Relation.OTHER
    assert "干儿子" in dict(job.first_notes)[3] and "其他" in dict(job.first_notes)[3]


def test_members_of_a_household_whose_head_row_failed_are_imported_with_the_head_pending(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    good = new_id(date(1950, 1, 1), "M")
    rows = [
        ["姓名", "身份证号码", "户号", "与户主关系"],
        ["王建国", good[:-1] + ("0" if good[-1] != "0" else "1"), "H1", "户主"],  # a wrong check digit
        ["李秀英", new_id(date(1952, 1, 1), "F"), "H1", "妻"],
        ["王强", new_id(date(1975, 1, 1), "M"), "H1", "子"],
    ]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows), on_invalid="skip")
    assert job.state == ImportJob.State.DONE and job.result["created"] == 2
    household = Household.all_objects.get(number="H1")
    assert household.head_id is None
    assert set(household.memberships.values_list("person__name", flat=True)) == {"李秀英", "王强"}
    assert {n for n, text in job.first_notes if "户主待补" in text} == {3, 4}
    assert set(Person.all_objects.values_list("identity_color", flat=True)) == {IdentityColor.WHITE}


def test_a_row_typed_twice_is_imported_once_and_the_copy_named(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    same = ["王建国", new_id(date(1950, 1, 1), "M"), "1950/1/1"]
    rows = [["姓名", "身份证号码", "出生日期"], same, ["李秀英", new_id(), ""], [*same[:2], "1950-01-01"], same]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    assert job.state == ImportJob.State.DONE and job.result["created"] == 2
    assert job.counts["left_out"] == 2 and job.counts["invalid"] == 0
    assert dict(job.first_notes) == {4: "与第2行重复，已略去。", 5: "与第2行重复，已略去。"}


def test_a_header_without_rows_says_so(tree: Tree, worker: User, run_import: Callable[..., ImportJob]) -> None:
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx([["姓名", "身份证号码", "户号", "与户主关系"]]))
        assert job.state == ImportJob.State.CHECKED
        assert services._refusal(job, job.counts) == "文件表头下面没有数据行。"


def test_the_same_file_twice_is_named_and_changes_nothing(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    from django.test import Client
    from django.urls import reverse

    from tests.conftest import sign_in

    rows = [
        ["姓名", "身份证号码", "出生日期", "户号", "与户主关系"],
        ["王建国", new_id(date(1950, 1, 1), "M"), "", "H1", "户主"],
        ["王小宝", "", "2019-05-01", "H1", "孙子"],  # a child without an ID number yet
        ["张婆婆", "", "", "", ""],
    ]
    data = builders.xlsx(rows)
    first = run_import(worker, tree.grid_a1, data, include_name_only=True)
    assert first.state == ImportJob.State.DONE and first.result["created"] == 3
    fingerprint = sorted(Person.all_objects.values_list("pk", "name"))

    again = run_import(worker, tree.grid_a1, data, confirm=False)
    assert again.counts["new"] == 0 and again.counts["unchanged"] == 3
    page = sign_in(Client(), worker).get(reverse("ledgers:import", args=[again.pk]))
    assert page.status_code == 200 and 'data-testid="earlier-import"' in page.content.decode()
    assert services.earlier_import(again) == first
    assert sorted(Person.all_objects.values_list("pk", "name")) == fingerprint


def test_updates_show_each_change_before_confirming_and_rows_can_be_left_out(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    a, b = new_id(date(1960, 1, 1), "F"), new_id(date(1962, 1, 1), "M")
    people_services.person_create(actor=worker, region=tree.grid_a1, name="陈桂兰", id_number=a, phone="13900000000")
    people_services.person_create(actor=worker, region=tree.grid_a1, name="李四", id_number=b)
    rows = [["姓名", "身份证号码", "联系电话", "工作单位"], ["陈桂兰", a, "13911112222", ""], ["李思", b, "", "纺织厂"]]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False, on_existing="update")
    assert job.counts["update"] == 2
    updates = {number: (name, changes) for number, name, changes in job.first_updates}
    assert updates[2] == ("陈桂兰", [["联系电话", "139****0000", "139****2222", False]])
    name_change = next(c for c in updates[3][1] if c[0] == "姓名")
    assert name_change == ["姓名", "李四", "李思", True]  # another name may be another person: weighty

    with pytest.raises(LedgerError):
        services.import_confirm(actor=worker, job=job, exclude=[99])  # not a listed update
    services.import_confirm(actor=worker, job=job, exclude=[3])
    services.run_import(str(job.pk))
    job.refresh_from_db()
    assert job.state == State.DONE and job.result["updated"] == 1
    assert Person.all_objects.filter(name="李思").count() == 0 and Person.all_objects.get(name="李四").work_unit == ""
    assert Person.all_objects.get(name="陈桂兰").phone_masked == "139****2222"


def test_a_tenants_csv_in_gbk_builds_pink_tenant_households_in_rentals_with_their_landlord(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    rows = [
        ["姓名", "身份证号", "户籍地址", "小区", "楼栋", "单元", "房号", "房东姓名", "房东电话", "与承租人关系"],
        [
            "赵大",
            new_id(date(1985, 1, 1), "M"),
            "河南省信阳市光山县",
            "福源小区",
            "3栋",
            "1",
            "402",
            "刘房东",
            "13871500001",
            "承租人",
        ],
        [
            "钱二",
            new_id(date(1987, 1, 1), "F"),
            "河南省信阳市光山县",
            "福源小区",
            "3栋",
            "1",
            "402",
            "刘房东",
            "13871500001",
            "妻",
        ],
        ["孙三", new_id(date(1995, 1, 1), "M"), "湖南省岳阳市", "福源小区", "5栋", "2", "101", "周房东", "", ""],
        ["李四", new_id(date(1996, 1, 1), "M"), "湖南省岳阳市", "福源小区", "5栋", "2", "101", "周房东", "", ""],
    ]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.csv_bytes(rows, encoding="gbk"), name="租户.csv")
    assert job.state == ImportJob.State.DONE, (job.message, job.first_errors)
    colours = dict(Person.all_objects.values_list("name", "identity_color"))
    assert colours == {"赵大": "pink", "钱二": "white", "孙三": "pink", "李四": "white"}
    assert set(Person.all_objects.values_list("residency", flat=True)) == {Residency.TENANT}
    assert Person.all_objects.get(name="赵大").domicile == "河南省信阳市光山县"
    relations = dict(Membership.objects.values_list("person__name", "relation"))
    assert relations == {"赵大": "02", "钱二": "12", "孙三": "02", "李四": "99"}
    assert set(Household.all_objects.values_list("kind", flat=True)) == {"tenant"}
    house = House.all_objects.get(building__name="3栋", number="402")
    assert house.is_rental and house.landlord_name == "刘房东" and house.landlord_phone == "13871500001"
    assert House.all_objects.get(building__name="5栋", number="101").landlord_name == "周房东"


def test_a_masked_landlord_phone_comes_back_as_registered(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    """An export without permission masks the landlord's phone; the file comes back without touching it."""
    number = new_id(date(1985, 1, 1), "M")
    header = ["姓名", "身份证号", "小区", "楼栋", "单元", "房号", "房东姓名", "房东电话"]
    first = [header, ["赵大", number, "福源小区", "3栋", "1", "402", "刘房东", "13871500001"]]
    assert run_import(worker, tree.grid_a1, builders.xlsx(first)).state == ImportJob.State.DONE
    again = [header, ["赵大", number, "福源小区", "3栋", "1", "402", "刘房东", "138****0001"]]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(again))
    assert job.counts["invalid"] == 0 and job.counts["unchanged"] == 1, job.counts  # nothing to change
    assert House.all_objects.get(building__name="3栋", number="402").landlord_phone == "13871500001"


def test_a_landlord_needs_the_rented_house(
    tree: Tree, worker: User, run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    rows = [["姓名", "身份证号", "房东姓名", "房东电话"], ["赵大", new_id(), "刘房东", "abc"]]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    errors = dict(job.first_errors)[2]
    assert "房东电话" in errors and "房东姓名" in errors and not Person.all_objects.exists()


def test_a_masked_export_comes_back_by_its_record_numbers(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    from django.http import QueryDict

    from wangge.core import exports

    staff = make_user(Role.COMMUNITY_STAFF)  # no permission to see numbers in full
    number = new_id(date(1950, 3, 2), "F")
    person = people_services.person_create(
        actor=staff, region=tree.grid_a1, name="曾秀英", id_number=number, phone="13871501108"
    )
    built = exports.export(actor=staff, code="people", params=QueryDict())
    assert isinstance(built, exports.Built)
    headers, *exported = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(built.content)).get_sheet_by_index(0).to_python()
    )
    row = dict(zip(headers, exported[0], strict=True))
    headers = [h for h in headers if h not in ("红粉白", "信息状态")]  # derived, or workflow state
    assert "*" in row["证件号码"] and "*" in row["联系电话"] and row["记录编号"] == person.pk
    row["工作单位"] = "咸宁市纺织厂"  # the correction staff make in the exported file
    data = builders.xlsx([headers, [row[h] for h in headers]])

    with translation.override("zh-hans"):
        job = run_import(staff, tree.community_a, data, name="导出改后.xlsx", on_existing="update")
    assert job.state == ImportJob.State.DONE, (job.message, job.first_errors)
    assert job.result["updated"] == 1 and job.result["created"] == 0
    person.refresh_from_db()
    assert person.work_unit == "咸宁市纺织厂" and person.phone_masked == "138****1108"
    assert people_services.reveal_value(person, "id_number") == number  # the masked cell changed nothing

    # Without the record number, a masked number is refused on its row, saying what to do.
    del row["记录编号"]
    rows = [[h for h in headers if h != "记录编号"], [row[h] for h in headers if h != "记录编号"]]
    with translation.override("zh-hans"):
        again = run_import(staff, tree.community_a, builders.xlsx(rows), confirm=False)
    assert "记录编号" in dict(again.first_errors)[2]


def test_a_record_number_outside_the_users_area_is_refused(
    tree: Tree, worker: User, make_user: Callable[..., User], run_import: Callable[..., ImportJob]
) -> None:
    elsewhere = people_services.person_create(actor=None, region=tree.grid_b1, name="外区")
    rows = [["姓名", "记录编号"], ["外区", elsewhere.pk]]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False)
    assert "没有记录编号" in dict(job.first_errors)[2]
