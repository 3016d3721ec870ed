"""Records that belong to a grid: merge, split and move take every region-bound row where its app's rule says."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Sum
from django.test import Client
from django.test.utils import isolate_apps
from django.utils import timezone, translation

from tests.cases.conftest import PATHS
from tests.conftest import Tree
from tests.places.factories import make_block
from wangge.cases import services as case_services
from wangge.cases import stats
from wangge.cases.choices import Action
from wangge.cases.models import Case, CaseMonthStat, Category, EscalationRule
from wangge.core.actors import SYSTEM
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.ledgers.models import ImportJob
from wangge.people.models import Household, Person
from wangge.places.models import Building, Compound, House
from wangge.regions import owned, services
from wangge.regions.checks import region_bound_check, region_bound_errors
from wangge.regions.models import Assignment, AssignmentRole, Region, UserScope

# --- building a grid full of records -------------------------------------------------------------


def categories() -> list[Category]:
    if not Category.objects.filter(code="QZ01").exists():  # an earlier transactional test flushed the seeded rows
        from wangge.cases.catalogue import seed

        seed(Category)
    return [Category.objects.get(code="QZ01"), Category.objects.get(code="SS02")]


def make_case(region: Region, category: Category, state: str, months_ago: int = 0) -> Case:
    case = case_services.case_create(actor=SYSTEM, region=region, category=category, title=f"{state} 事件").case
    for action, data in PATHS[state]:
        if action == "merge":
            into = case_services.case_create(actor=SYSTEM, region=region, category=category, title="同一件事").case
            action, data = Action.MERGE, {"into": into}
        if action == Action.DISPATCH and not data:
            data = {"region": case.handling_region}  # a dispatch names its target
        case = case_services.case_act(actor=SYSTEM, case=case, action=action, **data)
    if months_ago:
        Case.all_objects.filter(pk=case.pk).update(reported_at=case.reported_at - timedelta(days=31 * months_ago))
    return case


def import_job(user: User, region: Region, state: str) -> ImportJob:
    return ImportJob.objects.create(
        user=user, region=region, file_name=f"{state}.xlsx", file_sha256="0" * 64, state=state
    )


def stat_totals() -> dict[tuple[int, date], tuple[int, ...]]:
    """The statistics summed per category and month over every grid."""
    sums = ("received", "accepted", "closed", "on_time", "rated", "rating_sum", "handling_seconds")
    return {
        (row["category_id"], row["month"]): tuple(row[s] for s in sums)
        for row in CaseMonthStat.objects.values("category_id", "month").annotate(**{s: Sum(s) for s in sums})
    }


def stats_by_grid() -> Counter[tuple[int, int, date]]:
    return Counter(
        {
            (s.region_id, s.category_id, s.month): s.received
            for s in CaseMonthStat.objects.all()  # type: ignore[misc]
        }
    )


def cases_by_grid() -> Counter[tuple[int, int, date]]:
    """What the statistics must say, counted from the cases themselves."""
    counted: Counter[tuple[int, int, date]] = Counter()
    for region_id, category_id, reported_at in Case.all_objects.values_list("region_id", "category_id", "reported_at"):
        counted[(region_id, category_id, timezone.localtime(reported_at).date().replace(day=1))] += 1
    return counted


@pytest.fixture
def full_grid(tree: Tree, make_user: Callable[..., User]) -> dict[str, object]:
    """grid_a1 with people, households, houses, cases in several states and months, imports, rules and scopes."""
    block = make_block(tree)
    first, second = categories()
    staff = make_user(Role.COMMUNITY_STAFF)
    worker = make_user(Role.GRID_WORKER)  # scope: grid_a1
    both = make_user(Role.GRID_WORKER, scope=None)
    services.scope_set(actor=None, user=both, regions=[tree.grid_a1, tree.grid_a2])
    ended = services.assignment_create(actor=None, region=tree.grid_a1, role=AssignmentRole.CADRE, name="老包保")
    services.assignment_end(actor=staff, assignment=ended)
    cases = {
        "handling": make_case(tree.grid_a1, first, "handling"),
        "verified": make_case(tree.grid_a1, second, "verified", months_ago=1),
        "closed": make_case(tree.grid_a1, first, "closed", months_ago=2),
        "rejected": make_case(tree.grid_a1, second, "rejected"),
        "merged": make_case(tree.grid_a1, first, "merged", months_ago=1),
        "micro": make_case(tree.micro_a1, first, "accepted"),
        "street_open": make_case(tree.grid_a1, second, "accepted"),  # SS02 is handled by the street
        "target_closed": make_case(tree.grid_a2, first, "closed", months_ago=2),
        "target_open": make_case(tree.grid_a2, second, "reported", months_ago=1),
    }
    only_a1 = EscalationRule.objects.create()
    only_a1.copy_regions.set([tree.grid_a1])
    a1_and_a2 = EscalationRule.objects.create()
    a1_and_a2.copy_regions.set([tree.grid_a1, tree.grid_a2])
    elsewhere = EscalationRule.objects.create()
    elsewhere.copy_regions.set([tree.grid_b1])
    stats.refresh()
    return {
        "block": block,
        "cases": cases,
        "staff": staff,
        "worker": worker,
        "both": both,
        "ended": ended,
        "rules": (only_a1, a1_and_a2, elsewhere),
        "pending": import_job(staff, tree.grid_a1, ImportJob.State.CHECKED),
        "done": import_job(staff, tree.grid_a1, ImportJob.State.DONE),
    }


def region_of(model: type[models.Model], pk: object, field: str = "region_id") -> object:
    return model._base_manager.values_list(field, flat=True).get(pk=pk)


# --- merge ----------------------------------------------------------------------------------------


def test_merge_takes_every_row_where_its_rule_says(tree: Tree, full_grid: dict[str, object]) -> None:
    a1, a2 = tree.grid_a1.pk, tree.grid_a2.pk
    totals_before = stat_totals()
    cases: dict[str, Case] = full_grid["cases"]  # type: ignore[assignment]

    services.region_merge(actor=full_grid["staff"], source=tree.grid_a1, target=tree.grid_a2)  # type: ignore[arg-type]

    # the registry and the places follow the grid
    assert set(Person.all_objects.values_list("region_id", flat=True)) == {a2}
    assert set(Household.all_objects.values_list("region_id", flat=True)) == {a2}
    for model in (House, Building, Compound):
        assert set(model._base_manager.values_list("region_id", flat=True)) == {a2}
    # open cases (and one waiting for its rating) follow; closed, rejected and merged stay as history
    for name in ("handling", "verified", "street_open"):
        assert region_of(Case, cases[name].pk) == a2
        handled_by = cases[name].handling_region_id
        assert region_of(Case, cases[name].pk, "handling_region_id") == (a2 if handled_by == a1 else handled_by)
    assert cases["handling"].handling_region_id == a1  # 生活求助 is handled in the grid (SS02 in the street)
    for name in ("closed", "rejected", "merged"):
        assert region_of(Case, cases[name].pk) == a1
        assert region_of(Case, cases[name].pk, "handling_region_id") == cases[name].handling_region_id
    assert region_of(Case, cases["micro"].pk) == tree.micro_a1.pk  # the micro-grid moved with its records
    # an import waiting to run goes into the merged grid; a finished one records where it went
    assert region_of(ImportJob, full_grid["pending"].pk) == a2  # type: ignore[attr-defined]
    assert region_of(ImportJob, full_grid["done"].pk) == a1  # type: ignore[attr-defined]
    # escalation rules copy the merged grid instead, once
    only_a1, a1_and_a2, elsewhere = full_grid["rules"]  # type: ignore[misc]
    assert list(only_a1.copy_regions.values_list("pk", flat=True)) == [a2]
    assert list(a1_and_a2.copy_regions.values_list("pk", flat=True)) == [a2]
    assert list(elsewhere.copy_regions.values_list("pk", flat=True)) == [tree.grid_b1.pk]
    # scopes: once each; serving assignments follow, an ended one stays where it served
    assert list(UserScope.objects.filter(user=full_grid["worker"]).values_list("region_id", flat=True)) == [a2]
    assert list(UserScope.objects.filter(user=full_grid["both"]).values_list("region_id", flat=True)) == [a2]
    assert region_of(Assignment, full_grid["ended"].pk) == a1  # type: ignore[attr-defined]
    assert Assignment.all_objects.filter(region_id=a2, name="刘平珍").exists()
    # the statistics were recounted: per grid they say what the cases say, and they still add up
    assert stats_by_grid() == cases_by_grid()
    assert stat_totals() == totals_before
    stats.refresh()
    assert stats_by_grid() == cases_by_grid()
    moved = AuditEvent.objects.filter(action="region.merge").get().detail
    assert "ledgers.importjob.region" in moved and "cases.escalationrule.copy_regions" in moved


def test_a_grid_with_a_running_import_cannot_be_merged_and_nothing_changes(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    person = Person.all_objects.create(region=tree.grid_a1, name="张三")
    waiting = import_job(staff, tree.grid_a1, ImportJob.State.CHECKED)
    import_job(staff, tree.grid_a1, ImportJob.State.RUNNING)

    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        services.region_merge(actor=staff, source=tree.grid_a1, target=tree.grid_a2)

    assert info.value.code == "bound_records"
    assert info.value.messages[0] == "现在不能这样调整：有导入本网格的台账正在检查或写入，请等它结束（1 项导入）。"
    assert Region.all_objects.get(pk=tree.grid_a1.pk).is_active
    assert region_of(Person, person.pk) == tree.grid_a1.pk
    assert region_of(ImportJob, waiting.pk) == tree.grid_a1.pk
    assert region_of(Region, tree.micro_a1.pk, "parent_id") == tree.grid_a1.pk
    assert not AuditEvent.objects.filter(action="region.merge").exists()


def test_the_console_says_why_a_merge_is_refused(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.COMMUNITY_STAFF)
    import_job(client.user, tree.grid_a1, ImportJob.State.RUNNING)  # type: ignore[attr-defined]

    response = client.post(f"/regions/{tree.grid_a1.pk}/merge/", {"target": tree.grid_a2.pk, "confirm": "on"})

    assert response.status_code == 200
    assert "有导入本网格的台账正在检查或写入，请等它结束（1 项导入）" in response.content.decode()
    assert Region.all_objects.get(pk=tree.grid_a1.pk).is_active


def test_the_merge_page_says_what_moves_what_stays_and_what_stops_it(
    tree: Tree, full_grid: dict[str, object], client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.COMMUNITY_STAFF)
    import_job(client.user, tree.grid_a1, ImportJob.State.RUNNING)  # type: ignore[attr-defined]

    page = client.get(f"/regions/{tree.grid_a1.pk}/merge/").content.decode()

    rows = re.findall(r'<tr data-testid="plan-line"><td>(.*?)</td>(.*?)</tr>', page)
    cells = {label: re.findall(r'<td class="text-end">(.*?)</td>', rest) for label, rest in rows}
    assert cells["人员"] == ["4", "—", "—"]
    assert cells["事件"] == ["4", "3", "—"]  # open: 3 and the case the merged one went into; closed, rejected, merged
    assert cells["导入"] == ["1", "1", "—"]
    assert cells["事件月度统计"] == ["—", "—", "5"]  # one per category and month
    assert "1 项导入暂时阻止合并。" in page


# --- split and move --------------------------------------------------------------------------------


def test_split_keeps_every_row_in_its_grid_and_the_statistics_add_up(tree: Tree, full_grid: dict[str, object]) -> None:
    totals_before = stat_totals()
    rows_before = {
        model: sorted(model._base_manager.values_list("pk", "region_id"))
        for model in (Person, Household, House, Case, ImportJob)
    }
    cases: dict[str, Case] = full_grid["cases"]  # type: ignore[assignment]

    new = services.region_split(
        actor=full_grid["staff"],  # type: ignore[arg-type]
        region=tree.grid_a1,
        new_name="第三网格",
        child_ids=[tree.micro_a1.pk],
    )

    for model, rows in rows_before.items():
        assert sorted(model._base_manager.values_list("pk", "region_id")) == rows
    # the micro-grid's open case was handled by the grid it left: now by the new grid
    assert cases["micro"].handling_region_id == tree.grid_a1.pk
    assert region_of(Case, cases["micro"].pk, "handling_region_id") == new.pk
    assert region_of(Case, cases["handling"].pk, "handling_region_id") == tree.grid_a1.pk
    # the micro-grid's case now counts in the new grid's subtree, the grid's own stay in the grid
    assert Case.all_objects.filter(region__path__startswith=new.path).get() == cases["micro"]
    assert stat_totals() == totals_before
    new_stats = CaseMonthStat.objects.filter(region__path__startswith=new.path).aggregate(n=Sum("received"))
    assert new_stats["n"] == 1
    assert stats_by_grid() == cases_by_grid()


def test_move_keeps_every_row_and_a_declared_refusal_stops_it(
    tree: Tree, full_grid: dict[str, object], make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    people_before = sorted(Person.all_objects.values_list("pk", "region_id"))
    moving = Case.all_objects.filter(region__path__startswith=tree.grid_a1.path).count()
    refusing = owned.RegionBound(
        model=ImportJob,
        field="region",
        merge=owned.Rule.REASSIGN,
        move=owned.Rule.REFUSE,
        keep=~models.Q(state=ImportJob.State.CHECKED),
        refuse_reason="测试：有待导入的台账",
    )

    with translation.override("zh-hans"), owned.declarations(refusing), pytest.raises(ValidationError) as info:
        services.region_move(actor=admin, region=tree.grid_a1, new_parent=tree.community_b)
    assert "测试：有待导入的台账（1 项导入）" in info.value.messages[0]
    assert region_of(Region, tree.grid_a1.pk, "parent_id") == tree.community_a.pk

    totals_before = stat_totals()
    services.region_move(actor=admin, region=tree.grid_a1, new_parent=tree.community_b)
    assert region_of(Region, tree.grid_a1.pk, "parent_id") == tree.community_b.pk
    assert sorted(Person.all_objects.values_list("pk", "region_id")) == people_before
    assert stat_totals() == totals_before
    # an open case handled by the street it left is now handled by the street it is in; the grid's own stay
    cases: dict[str, Case] = full_grid["cases"]  # type: ignore[assignment]
    assert cases["street_open"].handling_region_id == tree.street_a.pk
    assert region_of(Case, cases["street_open"].pk, "handling_region_id") == tree.street_b.pk
    assert region_of(Case, cases["handling"].pk, "handling_region_id") == tree.grid_a1.pk
    assert region_of(Case, cases["rejected"].pk, "handling_region_id") == tree.street_a.pk  # history
    b_path = Region.all_objects.get(pk=tree.community_b.pk).path
    assert CaseMonthStat.objects.filter(region__path__startswith=b_path).aggregate(n=Sum("received"))["n"] == moving


def test_a_split_refused_by_a_declaration_creates_no_region(tree: Tree, make_user: Callable[..., User]) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    import_job(staff, tree.micro_a1, ImportJob.State.QUEUED)
    services.region_split(actor=staff, region=tree.grid_a1, new_name="第四网格")  # an import only stops a merge
    refusing = owned.RegionBound(
        model=ImportJob, field="region", merge=owned.Rule.REASSIGN, split=owned.Rule.REFUSE, refuse_reason="测试"
    )
    with owned.declarations(refusing), pytest.raises(ValidationError):
        services.region_split(actor=staff, region=tree.grid_a1, new_name="第三网格", child_ids=[tree.micro_a1.pk])
    assert not Region.all_objects.filter(name="第三网格").exists()
    assert region_of(Region, tree.micro_a1.pk, "parent_id") == tree.grid_a1.pk


# --- the registry itself ------------------------------------------------------------------------


def test_every_relation_to_region_in_the_project_is_declared() -> None:
    assert region_bound_check(None) == []


def test_forgetting_a_declaration_fails_the_system_check() -> None:
    with owned.declarations(without=[("cases.casemonthstat", "region"), ("cases.escalationrule", "copy_regions")]):
        errors = region_bound_check(None)
    assert {e.id for e in errors} == {"regions.E001"}
    assert sorted(e.msg.split()[0] for e in errors) == [
        "cases.CaseMonthStat.region",
        "cases.EscalationRule.copy_regions",
    ]


@isolate_apps("wangge.regions")
def test_a_new_model_pointing_at_region_fails_until_declared() -> None:
    class Visit(models.Model):
        grid = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
        copied_to = models.ManyToManyField(Region, related_name="+")
        note = models.CharField(max_length=10)

        class Meta:
            app_label = "regions"

        def __str__(self) -> str:
            return self.note

    assert owned.undeclared([Visit]) == ["regions.Visit.grid", "regions.Visit.copied_to"]
    assert [e.id for e in region_bound_errors([Visit])] == ["regions.E001", "regions.E001"]
    grid = owned.RegionBound(model=Visit, field="grid", merge=owned.Rule.REASSIGN)
    copied = owned.RegionBound(model=Visit, field="copied_to", merge=owned.Rule.KEEP)
    with owned.declarations(grid, copied):
        assert owned.undeclared([Visit]) == []


def test_a_declaration_that_cannot_work_is_refused_at_start_up() -> None:
    with owned.declarations():
        with pytest.raises(ImproperlyConfigured):
            owned.declare(Person, "region", merge=owned.Rule.REASSIGN, split=owned.Rule.REASSIGN)
        with pytest.raises(ImproperlyConfigured):
            owned.declare(Person, "region", merge=owned.Rule.REAGGREGATE)
        with pytest.raises(ImproperlyConfigured):
            owned.declare(Person, "region", merge=owned.Rule.REFUSE)
        with pytest.raises(ImproperlyConfigured):
            owned.declare(Person, "name", merge=owned.Rule.KEEP)
