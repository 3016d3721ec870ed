"""The case workflow as people use it: reporting, deadlines, departments, pauses, extensions, merges, races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.cases.conftest import at
from tests.conftest import Tree
from wangge.cases import selectors, services
from wangge.cases.choices import Action, DeadlineStatus, HandlingLevel, Source, State, Urgency
from wangge.cases.models import Case, CaseReporter, CaseStep, Category
from wangge.cases.services import case_act, case_create
from wangge.core import crypto
from wangge.core.actors import SYSTEM
from wangge.core.errors import NotFound
from wangge.core.models import Notification, User
from wangge.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")


def test_a_grid_worker_reports_a_case_with_a_masked_encrypted_phone(
    tree: Tree, category: Category, make_user: Callable[..., User]
) -> None:
    worker = make_user(Role.GRID_WORKER)
    created = case_create(
        actor=worker,
        region=tree.grid_a1,
        category=category,
        title="独居老人想学上网",
        source=Source.VISIT,
        reporter_name="王竟",
        reporter_phone="13871501234",
    )
    case = created.case
    assert created.created and case.state == State.REPORTED
    assert case.number.startswith("SJ20261123")
    assert case.reporter_phone_masked == "138****1234"
    assert "13871501234" not in case.reporter_phone_enc
    assert crypto.decrypt(case.reporter_phone_enc, context="case.reporter_phone") == "13871501234"
    assert case.handling_region == tree.grid_a1 and case.handling_level == HandlingLevel.GRID
    assert case.stage_due_at == at("2026-11-23T11:00")  # 求助: accept within 2 working hours
    assert CaseStep.objects.get(case=case).action == Action.REPORT


def test_a_double_submitted_form_creates_one_case(
    tree: Tree, category: Category, make_user: Callable[..., User]
) -> None:
    worker = make_user(Role.GRID_WORKER)
    first = case_create(actor=worker, region=tree.grid_a1, category=category, title="井盖缺失", client_key="k-123")
    second = case_create(actor=worker, region=tree.grid_a1, category=category, title="井盖缺失", client_key="k-123")
    assert first.created and not second.created
    assert first.case.pk == second.case.pk
    assert Case.all_objects.count() == 1


def test_reporting_outside_scope_or_without_the_right_is_refused(
    tree: Tree, category: Category, make_user: Callable[..., User]
) -> None:
    with pytest.raises(NotFound):
        case_create(actor=make_user(Role.GRID_WORKER), region=tree.grid_b1, category=category, title="x")
    with pytest.raises(ValidationError) as exc:
        case_create(actor=SYSTEM, region=tree.community_a, category=category, title="x")
    assert exc.value.code == "not_a_grid"
    with pytest.raises(ValidationError) as exc:
        case_create(actor=SYSTEM, region=tree.grid_a1, category=category.parent, title="x")  # type: ignore[arg-type]
    assert exc.value.code == "bad_category"
    assert Case.all_objects.count() == 0


def test_a_collective_case_counts_its_reporters(new_case: Callable[..., Case], make_user: Callable[..., User]) -> None:
    case = new_case("reported", title="下水道堵塞")
    worker = make_user(Role.GRID_WORKER)
    for n in range(16):
        services.case_reporter_add(actor=worker, case=case, name=f"住户{n}", phone=f"1387160{n:04d}")
    with pytest.raises(ValidationError) as exc:
        services.case_reporter_add(actor=worker, case=case, name="重复", phone="13871600003")
    assert exc.value.code == "duplicate_reporter"
    case.refresh_from_db()
    assert case.reporter_count == 17
    assert CaseReporter.objects.filter(case=case).count() == 17


def test_the_full_flow_through_a_department(tree: Tree, make_user: Callable[..., User], clock: object) -> None:
    water = Category.objects.get(code="SS02")  # 下水道堵塞: handled by 水务 at street level
    worker = make_user(Role.GRID_WORKER)
    community = make_user(Role.COMMUNITY_STAFF)
    street = make_user(Role.STREET_SUPERVISOR)
    handler = make_user(Role.DEPARTMENT_HANDLER, department="水务")
    other_department = make_user(Role.DEPARTMENT_HANDLER, department="城管")
    case = case_create(actor=worker, region=tree.grid_a1, category=water, title="下水道堵塞").case
    assert case.handling_level == HandlingLevel.DEPARTMENT and case.department == "水务"
    assert case.handling_region == tree.street_a
    with pytest.raises(services.CaseForbidden):
        case_act(actor=worker, case=case, action=Action.ACCEPT)  # not handled at the grid
    with pytest.raises(NotFound):
        case_act(actor=other_department, case=case, action=Action.ACCEPT)  # another department never sees it
    case = case_act(actor=street, case=case, action=Action.ACCEPT)
    case = case_act(actor=street, case=case, action=Action.DISPATCH, department="水务")
    assert case.due_at == at("2026-11-25T17:30")  # 2 working days
    assert list(selectors.case_list(user=handler, filters=selectors.CaseFilters(list="todo"))) == [case]
    case = case_act(actor=handler, case=case, action=Action.HANDLE, note="已派疏通车")
    case = case_act(actor=handler, case=case, action=Action.FINISH, note="已疏通")
    with pytest.raises(services.CaseForbidden):
        case_act(actor=handler, case=case, action=Action.VERIFY_PASS)  # the reporting level verifies
    case = case_act(actor=community, case=case, action=Action.VERIFY_FAIL, note="仍有积水")
    assert case.state == State.HANDLING and case.finished_at is None
    case = case_act(actor=handler, case=case, action=Action.FINISH, note="再次疏通")
    case = case_act(actor=worker, case=case, action=Action.VERIFY_PASS)
    case = case_act(actor=worker, case=case, action=Action.RATE, rating=5)
    assert case.state == State.CLOSED and case.rating == 5
    assert [s.action for s in CaseStep.objects.filter(case=case)] == [
        "report",
        "accept",
        "dispatch",
        "handle",
        "finish",
        "verify_fail",
        "finish",
        "verify_pass",
        "rate",
    ]


def test_escalation_climbs_grid_community_street_department(
    tree: Tree, new_case: Callable[..., Case], make_user: Callable[..., User]
) -> None:
    case = new_case("accepted")
    worker = make_user(Role.GRID_WORKER)
    case = case_act(actor=worker, case=case, action=Action.ESCALATE, note="网格解决不了")
    assert (case.handling_level, case.handling_region, case.state) == ("community", tree.community_a, State.REPORTED)
    with pytest.raises(services.CaseForbidden):
        case_act(actor=worker, case=case, action=Action.ACCEPT)
    case = case_act(actor=SYSTEM, case=case, action=Action.ESCALATE, note="社区解决不了")
    assert case.handling_region == tree.street_a
    with pytest.raises(ValidationError) as exc:
        case_act(actor=SYSTEM, case=case, action=Action.ESCALATE, note="上报部门")
    assert exc.value.code == "department_required"
    case = case_act(actor=SYSTEM, case=case, action=Action.ESCALATE, note="上报部门", department="民政")
    assert (case.handling_level, case.department) == ("department", "民政")
    with pytest.raises(ValidationError) as exc:
        case_act(actor=SYSTEM, case=case, action=Action.ESCALATE, note="再上报")
    assert exc.value.code == "top_level"


def test_return_sends_the_case_back_to_the_dispatcher(tree: Tree, new_case: Callable[..., Case]) -> None:
    case = new_case("accepted")
    case = case_act(actor=SYSTEM, case=case, action=Action.ESCALATE, note="社区处理")
    case = case_act(actor=SYSTEM, case=case, action=Action.ACCEPT)
    with pytest.raises(ValidationError) as exc:
        case_act(actor=SYSTEM, case=case, action=Action.DISPATCH, region=tree.grid_b1)
    assert exc.value.code == "bad_region"
    case = case_act(actor=SYSTEM, case=case, action=Action.DISPATCH, region=tree.grid_a1)
    assert case.handling_region == tree.grid_a1 and case.handling_level == "community"
    case = case_act(actor=SYSTEM, case=case, action=Action.RETURN, note="不归网格管")
    assert case.state == State.ACCEPTED and case.handling_region == tree.community_a


def test_dispatch_over_national_day(tree: Tree, category: Category, clock: object) -> None:
    clock.move_to(at("2026-09-30T15:00"))  # type: ignore[attr-defined]
    case = case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="家里停水").case
    case = case_act(actor=SYSTEM, case=case, action=Action.ACCEPT)
    case = case_act(actor=SYSTEM, case=case, action=Action.DISPATCH, region=tree.grid_a1)
    assert case.due_at == at("2026-10-09T17:30")  # 2 working days: 8 Oct, 9 Oct


def test_an_urgent_case_gets_half_the_time(tree: Tree, category: Category) -> None:
    case = case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="急", urgency=Urgency.URGENT).case
    assert case.stage_due_at == at("2026-11-23T10:00")  # half of 2 working hours


def test_a_pause_stops_the_clock_and_moves_the_deadline(new_case: Callable[..., Case], clock: object) -> None:
    case = new_case("handling")
    due = case.due_at
    assert due == at("2026-11-25T17:30")
    case = case_act(actor=SYSTEM, case=case, action=Action.PAUSE, note="居民外出")
    clock.move_to(at("2026-11-24T10:00"))  # type: ignore[attr-defined]  # 8 office hours later
    with pytest.raises(ValidationError) as exc:
        case_act(actor=SYSTEM, case=case, action=Action.FINISH)
    assert exc.value.code == "paused"
    case = case_act(actor=SYSTEM, case=case, action=Action.RESUME)
    assert case.due_at == at("2026-11-27T09:30")  # Wednesday 17:30 + 8 office hours
    assert [[datetime.fromisoformat(t) for t in pause] for pause in case.pauses] == [
        [at("2026-11-23T09:00"), at("2026-11-24T10:00")]
    ]


def test_an_approved_extension_adds_working_days(new_case: Callable[..., Case], make_user: Callable[..., User]) -> None:
    case = new_case("handling_ext")
    staff = make_user(Role.COMMUNITY_STAFF)
    case = case_act(actor=staff, case=case, action=Action.APPROVE_EXTENSION)
    assert case.due_at == at("2026-11-27T17:30")  # Wednesday + 2 working days
    assert case.extended_days == 2 and case.extension_requested_days is None


def test_merging_moves_the_reporters(new_case: Callable[..., Case]) -> None:
    first = new_case("accepted", title="路灯不亮")
    duplicate = new_case("reported", title="路灯坏了")
    case_act(actor=SYSTEM, case=duplicate, action=Action.MERGE, into=first)
    first.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.state == State.MERGED and duplicate.merged_into == first
    assert first.reporter_count == 2 and CaseReporter.objects.filter(case=first).count() == 2


def test_a_stale_form_is_a_conflict(new_case: Callable[..., Case], make_user: Callable[..., User]) -> None:
    case = new_case("reported")
    seen_version = case.version
    staff = make_user(Role.COMMUNITY_STAFF)
    case_act(actor=staff, case=case, action=Action.ACCEPT, expected_version=seen_version)
    with pytest.raises(ValidationError) as exc:
        case_act(actor=staff, case=case, action=Action.REJECT, note="重复", expected_version=seen_version)
    assert exc.value.code == "conflict"
    assert Case.all_objects.get(pk=case.pk).state == State.ACCEPTED


def test_the_second_of_two_accepts_is_refused(new_case: Callable[..., Case], make_user: Callable[..., User]) -> None:
    case = new_case("reported")
    copy = Case.all_objects.get(pk=case.pk)  # what the second person's page loaded
    case_act(actor=make_user(Role.GRID_WORKER), case=case, action=Action.ACCEPT)
    with pytest.raises(ValidationError) as exc:
        case_act(actor=make_user(Role.COMMUNITY_STAFF), case=copy, action=Action.REJECT, note="重复")
    assert exc.value.code == "wrong_state"
    assert CaseStep.objects.filter(case=case).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_people_accepting_at_once_only_one_succeeds(
    tree: Tree, category: Category, make_user: Callable[..., User]
) -> None:
    case = case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="同时受理").case
    actors = [make_user(Role.GRID_WORKER), make_user(Role.COMMUNITY_STAFF)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def act(actor: User) -> None:
        barrier.wait()
        try:
            case_act(actor=actor, case=case, action=Action.ACCEPT)
            results.append("ok")
        except ValidationError as exc:
            results.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "wrong_state"]
    assert CaseStep.objects.filter(case=case, action=Action.ACCEPT).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a real race needs PostgreSQL")
def test_the_same_report_sent_twice_at_once_makes_one_case(tree: Tree, category: Category) -> None:
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []

    def send() -> None:
        barrier.wait()
        try:
            created = case_create(
                actor=SYSTEM, region=tree.grid_a1, category=category, title="重复提交", client_key="k-race"
            )
            results.append((created.case.pk, created.created))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({pk for pk, _created in results}) == 1
    assert sorted(created for _pk, created in results) == [False, True]
    assert Case.all_objects.count() == 1


def test_notifications_reach_the_grid_worker_on_commit(
    tree: Tree,
    category: Category,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    worker = make_user(Role.GRID_WORKER)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        case_create(actor=SYSTEM, region=tree.grid_a1, category=category, title="楼道堆物")
    note = Notification.objects.get(user=worker)
    assert note.kind == "cases.report" and "楼道堆物" in note.text


def test_lists_are_scoped(new_case: Callable[..., Case], make_user: Callable[..., User], tree: Tree) -> None:
    mine = new_case("reported")
    new_case("reported", region=tree.grid_b1, title="乙社区的事")
    worker = make_user(Role.GRID_WORKER)
    assert list(selectors.case_list(user=worker)) == [mine]
    assert list(selectors.case_list(user=worker, filters=selectors.CaseFilters(list="todo"))) == [mine]
    assert list(selectors.case_list(user=worker, filters=selectors.CaseFilters(list="overdue"))) == []
    assert selectors.deadline_counts(user=worker, by="region")[0]["open"] == 1
    assert mine.deadline_status == DeadlineStatus.ON_TIME


def test_finished_cases_wait_in_the_todo_of_who_verifies_them(
    new_case: Callable[..., Case], make_user: Callable[..., User], tree: Tree
) -> None:
    from wangge.cases.models import Case as CaseModel

    in_micro = new_case("finished", region=tree.micro_a1, title="微网格里的事")
    by_window = new_case("finished", title="窗口登记的事")
    staff = make_user(Role.COMMUNITY_STAFF)
    CaseModel.all_objects.filter(pk=by_window.pk).update(reported_by=staff)
    worker = make_user(Role.GRID_WORKER)  # grid_a1, above micro_a1
    todo = selectors.CaseFilters(list="todo")
    assert {c.pk for c in selectors.case_list(user=worker, filters=todo)} == {in_micro.pk, by_window.pk}
    staff = User.objects.get(pk=staff.pk)
    assert [c.pk for c in selectors.case_list(user=staff, filters=todo)] == [by_window.pk]


def test_a_person_dispatches_only_to_a_department_that_serves_the_area(
    tree: Tree, make_user: Callable[..., User], new_case: Callable[..., Case]
) -> None:
    from wangge.cases.models import Case as CaseModel

    make_user(Role.DEPARTMENT_HANDLER, department="水务")  # scope: street_a
    make_user(Role.DEPARTMENT_HANDLER, department="城管", scope="street_b")
    street = make_user(Role.STREET_SUPERVISOR)
    case = new_case("accepted")
    CaseModel.all_objects.filter(pk=case.pk).update(handling_level=HandlingLevel.STREET, handling_region=tree.street_a)
    case.refresh_from_db()
    assert services_departments(tree) == ["水务"]
    for typo in ("水务局", "城管"):  # a typo, or a department that does not work here
        with pytest.raises(ValidationError) as exc:
            case_act(actor=street, case=case, action=Action.DISPATCH, department=typo)
        assert exc.value.code == "unknown_department"
    case.refresh_from_db()
    assert case.department == "" and case.state == "accepted"
    case = case_act(actor=street, case=case, action=Action.DISPATCH, department="水务")
    assert case.department == "水务"


def services_departments(tree: Tree) -> list[str]:
    from wangge.cases.departments import departments_serving

    return departments_serving(tree.grid_a1)


def test_a_report_key_gives_the_case_back_only_to_its_reporter(
    tree: Tree, category: Category, make_user: Callable[..., User]
) -> None:
    first = make_user(Role.GRID_WORKER)
    case = case_create(actor=first, region=tree.grid_a1, category=category, title="楼道灯", client_key="k-1").case
    assert (
        case_create(actor=first, region=tree.grid_a1, category=category, title="楼道灯", client_key="k-1").case == case
    )
    other = make_user(Role.COMMUNITY_STAFF)
    with pytest.raises(ValidationError) as exc:
        case_create(actor=other, region=tree.grid_a1, category=category, title="别的事", client_key="k-1")
    assert exc.value.code == "client_key_taken"
    assert Case.all_objects.count() == 1


def test_date_filters_count_local_days(new_case: Callable[..., Case], make_user: Callable[..., User]) -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from wangge.cases.models import Case as CaseModel

    late = new_case("reported", title="深夜上报")
    CaseModel.all_objects.filter(pk=late.pk).update(
        reported_at=datetime(2026, 11, 20, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # 15:30 UTC
    )
    worker = make_user(Role.GRID_WORKER)

    def listed(since: date | None = None, until: date | None = None) -> bool:
        found = selectors.case_list(user=worker, filters=selectors.CaseFilters(since=since, until=until))
        return found.filter(pk=late.pk).exists()

    assert listed(until=date(2026, 11, 20)) and listed(since=date(2026, 11, 20))
    assert not listed(since=date(2026, 11, 21)) and not listed(until=date(2026, 11, 19))
