"""Residents and Open311 clients in the case workflow: report in public categories, read and rate their own cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from tests.cases.conftest import PATHS
from tests.conftest import Tree
from wangge.cases import public, services
from wangge.cases.choices import Action, Source, State, Urgency
from wangge.cases.models import Case, CaseStep, Category
from wangge.cases.services import case_act, case_create
from wangge.core.actors import SYSTEM, PublicActor
from wangge.core.audit import audit_verify
from wangge.core.errors import NotFound
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.people.services import person_create

pytestmark = pytest.mark.usefixtures("clock")

ALICE = "13871501234"
BOB = "13971505678"


@pytest.fixture
def open_category(category: Category) -> Category:
    """生活求助, opened to residents by the catalogue's administrator."""
    Category.objects.filter(pk=category.pk).update(is_public=True)
    category.refresh_from_db()
    return category


def resident(phone: str = ALICE) -> PublicActor:
    return PublicActor.resident(phone, ip="192.0.2.7")


def report(tree: Tree, category: Category, actor: PublicActor, **kwargs: Any) -> Case:
    fields: dict[str, Any] = {
        "region": tree.grid_a1,
        "category": category,
        "title": "楼道漏水",
        "source": public.SOURCE[actor.kind],
    }
    return case_create(actor=actor, **(fields | kwargs)).case


def drive(case: Case, state: str) -> Case:
    """Staff (here the system) take the case to `state`, as conftest's `new_case` does."""
    for action, data in PATHS[state]:
        if action == Action.DISPATCH:
            data = {"region": case.handling_region}
        case = case_act(actor=SYSTEM, case=case, action=action, **data)
    return case


def fingerprint() -> tuple[object, ...]:
    return (
        list(Case.all_objects.values_list("pk", "state", "rating", "version")),
        CaseStep.objects.count(),
        AuditEvent.objects.filter(result=AuditEvent.Result.OK).count(),
    )


def test_a_resident_reports_in_a_public_category(tree: Tree, open_category: Category) -> None:
    case = report(tree, open_category, resident(), description="三楼楼道天花板漏水")
    assert (case.source, case.state, case.reported_by_id) == (Source.PORTAL, State.REPORTED, None)
    assert case.public_reporter == resident().key
    assert case.reporter_phone_masked == "138****1234"  # staff can call back
    step = CaseStep.objects.get(case=case)
    assert (step.actor_id, step.public_kind, step.public_label) == (None, "resident", "138****1234")
    row = AuditEvent.objects.get(action="case.report", object_id=str(case.pk))
    assert (row.user_id, row.actor_kind, row.username, row.ip) == (None, "resident", "138****1234", "192.0.2.7")
    with translation.override("zh-hans"):
        assert step.by == "居民 138****1234"
    assert audit_verify()[1] == []


def test_an_open311_client_reports_with_its_own_source(tree: Tree, open_category: Category) -> None:
    client = PublicActor.open311_client("city-app")
    case = report(tree, open_category, client, reporter_name="李", reporter_phone="13800001111")
    assert (case.source, case.public_reporter, case.reporter_phone_masked) == (
        Source.OPEN311,
        "open311:city-app",
        "138****1111",
    )
    row = AuditEvent.objects.get(action="case.report")
    assert (row.actor_kind, row.username) == ("open311", "city-app")


def test_a_category_not_marked_public_is_refused_and_nothing_is_made(tree: Tree, category: Category) -> None:
    before = fingerprint()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        report(tree, category, resident())
    assert refused.value.code == "not_public_category"
    assert "居民" in refused.value.messages[0]
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"source": Source.PATROL}, "bad_source"),
        ({"urgency": Urgency.EMERGENCY}, "bad_urgency"),
        ({"reporter_phone": BOB}, "not_the_confirmed_phone"),
        ({"title": ""}, "title_required"),  # the workflow's own checks hold for a public caller too
    ],
)
def test_what_a_resident_may_not_set_is_refused(
    tree: Tree, open_category: Category, change: dict[str, Any], code: str
) -> None:
    before = fingerprint()
    with pytest.raises(ValidationError) as refused:
        report(tree, open_category, resident(), **change)
    assert refused.value.code == code
    assert fingerprint() == before


def test_a_resident_names_no_registry_record(tree: Tree, open_category: Category) -> None:
    person = person_create(actor=None, region=tree.grid_a1, name="王竟")
    before = fingerprint()
    with pytest.raises(ValidationError) as refused:
        report(tree, open_category, resident(), person=person)
    assert refused.value.code == "no_record"
    assert fingerprint() == before


def test_none_is_no_longer_the_system(tree: Tree, category: Category) -> None:
    with pytest.raises(TypeError):
        case_create(actor=None, region=tree.grid_a1, category=category, title="x")  # type: ignore[arg-type]
    assert not Case.all_objects.exists()


def test_a_resident_reads_only_their_own_reports(tree: Tree, open_category: Category) -> None:
    mine = report(tree, open_category, resident(ALICE), title="路灯不亮")
    theirs = report(tree, open_category, resident(BOB), title="垃圾未清运")
    staff_case = case_create(
        actor=SYSTEM, region=tree.grid_a1, category=open_category, title="巡查发现", reporter_phone=ALICE
    ).case
    assert list(public.public_cases(actor=resident(ALICE))) == [mine]
    assert public.public_case(actor=resident(ALICE), number=mine.number or "") == mine
    for number in (theirs.number, staff_case.number, "SJ000"):
        with pytest.raises(NotFound):
            public.public_case(actor=resident(ALICE), number=number or "")
    with pytest.raises(NotFound):
        case_act(actor=resident(ALICE), case=drive(theirs, "verified"), action=Action.RATE, rating=1)
    assert Case.all_objects.get(pk=theirs.pk).state == State.VERIFIED


def test_past_the_hourly_limit_a_resident_is_refused_in_chinese_and_the_block_is_audited(
    tree: Tree, open_category: Category, settings: Any
) -> None:
    settings.WANGGE_RESIDENT_REPORTS_PER_HOUR = 2
    for n in range(2):
        report(tree, open_category, resident(), title=f"第{n}件")
    before = fingerprint()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        report(tree, open_category, resident(), title="第三件")
    assert refused.value.code == "rate_limited"
    assert refused.value.messages == ["上报过于频繁：1 小时内最多 2 次，请稍后再试。"]
    assert fingerprint() == before
    block = AuditEvent.objects.get(result=AuditEvent.Result.DENIED)
    assert (block.action, block.actor_kind, block.username) == ("case.report", "resident", "138****1234")
    report(tree, open_category, resident(BOB), title="另一位居民")  # the limit is per phone
    with time_machine.travel(timedelta(hours=1, minutes=1)):
        report(tree, open_category, resident(), title="一小时后")


def test_the_daily_limit_counts_the_whole_day(tree: Tree, open_category: Category, settings: Any) -> None:
    settings.WANGGE_RESIDENT_REPORTS_PER_DAY = 2
    report(tree, open_category, resident(), title="早上")
    with time_machine.travel(timedelta(hours=3)):
        report(tree, open_category, resident(), title="中午")
    with time_machine.travel(timedelta(hours=6)), pytest.raises(ValidationError) as refused:
        report(tree, open_category, resident(), title="下午")
    assert refused.value.code == "rate_limited"
    with time_machine.travel(timedelta(days=1, minutes=1)):
        report(tree, open_category, resident(), title="第二天")


def test_an_open311_client_has_its_own_limits(tree: Tree, open_category: Category, settings: Any) -> None:
    settings.WANGGE_RESIDENT_REPORTS_PER_HOUR = 1
    settings.WANGGE_OPEN311_REPORTS_PER_HOUR = 3
    client = PublicActor.open311_client("city-app")
    for n in range(3):
        report(tree, open_category, client, title=f"第{n}件")
    with pytest.raises(ValidationError):
        report(tree, open_category, client, title="第四件")
    report(tree, open_category, PublicActor.open311_client("other-app"), title="另一个客户端")


def test_a_resident_rates_their_verified_case_once(tree: Tree, open_category: Category) -> None:
    case = drive(report(tree, open_category, resident()), "verified")
    assert services.allowed_actions(actor=resident(), case=case) == [Action.RATE]
    rated = case_act(actor=resident(), case=case, action=Action.RATE, rating=4, note="修得很快")
    assert (rated.state, rated.rating) == (State.CLOSED, 4)
    step = CaseStep.objects.get(case=case, action=Action.RATE)
    assert (step.public_kind, step.public_label, step.note) == ("resident", "138****1234", "修得很快")
    row = AuditEvent.objects.get(action="case.rate")
    assert (row.actor_kind, row.username, row.user_id) == ("resident", "138****1234", None)
    before = fingerprint()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        case_act(actor=resident(), case=rated, action=Action.RATE, rating=1)
    assert refused.value.code == "already_rated"
    assert refused.value.messages == ["该事件已评价过。"]
    assert fingerprint() == before
    assert services.allowed_actions(actor=resident(), case=rated) == []


def test_a_resident_cannot_rate_before_staff_verified(tree: Tree, open_category: Category) -> None:
    case = drive(report(tree, open_category, resident()), "finished")
    before = fingerprint()
    with pytest.raises(ValidationError) as refused:
        case_act(actor=resident(), case=case, action=Action.RATE, rating=5)
    assert refused.value.code == "wrong_state"
    assert fingerprint() == before


def test_a_resident_takes_no_staff_action_on_their_own_case(tree: Tree, open_category: Category) -> None:
    case = report(tree, open_category, resident())
    before = fingerprint()
    for action, data in ((Action.ACCEPT, {}), (Action.REJECT, {"note": "不受理"})):
        with pytest.raises(PermissionDenied):
            case_act(actor=resident(), case=case, action=action, **data)
    with pytest.raises(PermissionDenied):
        services.case_reporter_add(actor=resident(), case=case, name="王")
    assert fingerprint() == before


def test_a_repeated_client_key_is_not_a_way_into_another_residents_case(tree: Tree, open_category: Category) -> None:
    first = report(tree, open_category, resident(ALICE), client_key="phone-queue-1")
    assert report(tree, open_category, resident(ALICE), client_key="phone-queue-1") == first
    with pytest.raises(ValidationError) as refused:
        report(tree, open_category, resident(BOB), client_key="phone-queue-1")
    assert refused.value.code == "client_key_taken"


def test_the_console_opens_a_category_to_residents(
    tree: Tree, category: Category, client_for: Callable[..., Any]
) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    url = reverse("cases:catalogue")
    page = client.get(url, {"edit": category.pk})
    assert "is_public" in page.context["edit_form"].fields
    fields = {f: getattr(category, f) for f in ("default_level", "default_department", "accept_limit", "accept_unit")}
    fields |= {f: getattr(category, f) for f in ("handle_limit", "handle_unit", "verify_limit", "verify_unit")}
    client.post(
        url,
        {
            "action": "category",
            "category": category.pk,
            **fields,
            "yellow_percent": 70,
            "is_active": "on",
            "is_public": "on",
        },
    )
    assert Category.objects.get(pk=category.pk).is_public
    assert '"is_public": [false, true]' in AuditEvent.objects.get(action="case_category.update").detail
    assert 'data-testid="public-category"' in client.get(url).content.decode()


def test_a_grid_worker_may_not_open_a_category(category: Category, make_user: Callable[..., User]) -> None:
    from wangge.cases.catalogue_services import category_update

    with pytest.raises(PermissionDenied):
        category_update(actor=make_user(Role.GRID_WORKER), category=category, is_public=True)
    assert not Category.objects.get(pk=category.pk).is_public


def test_staff_see_who_reported_and_rated_on_the_timeline(
    tree: Tree, open_category: Category, client_for: Callable[..., Any]
) -> None:
    case = case_act(
        actor=resident(), case=drive(report(tree, open_category, resident()), "verified"), action=Action.RATE, rating=5
    )
    staff = client_for(Role.GRID_WORKER)
    html = staff.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert html.count("居民 138****1234") == 2  # the report and the rating
    assert ALICE not in html
