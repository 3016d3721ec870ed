"""Generate a street with N cases (default 500,000) over the past year, straight into the configured database.

    DATABASE_URL=... python bench/gen_cases.py [--n 500000]

The street is the first street of the bench district (`基准区`, made by `gen_people.py`) when it
exists, else a new 基准区 / 第1街道 of 6 communities × 8 grids made with
`wangge.regions.services.region_create`. Accounts (made once, with bulk inserts and one password
hash, since `user_create` hashes each password for half a second): a grid worker per grid
(`bench_grid_<n>`), community staff per community (`bench_community_<n>`), a street supervisor
(`bench_case_street`) and a handler per department of the catalogue (`bench_dept_<n>`, scope: the
street); `bench/cases_lists.py` works as `bench_grid_1`, `bench_community_1`, `bench_case_street`
and the 城管 handler.

Cases are simulated one by one the way `wangge.cases.demo` drives the services (same categories and
weights, titles, sources, urgency share, escalation, rejection, duplicate, extension, lateness,
verification-failure, rating and stall odds), with the real deadline arithmetic
(`workflow.due_after` over the seeded holiday calendar, `workflow.deadline_status` for the final
sweep), and then written with COPY (PostgreSQL) or executemany (SQLite), ids assigned in time order.
What each column holds, and which service sets it that way:

- `cases_case`: number `SJ<local date><id:06>`, title, category, source, urgency, region (the grid),
  address, lat/lng (70 %), reporter name and phone (enc/masked/hash from `actions.phone_fields`, drawn
  from a pool of 5,000 phones: encrypting 500,000 is slow and changes nothing the lists read),
  reported_by, reported_at (office hours, uniform over 365 days) — as `case_create`; handling_level,
  handling_region (`level_region`: grid, community or street), department (the category's for a
  department level or a dispatch to a department), assignee (60 % of grid-level dispatches go to the
  grid's worker; the demo dispatches to the region only), stage_started_at / stage_due_at / due_at /
  deadline_status (`new_stage`, `_dispatch`, `_finish`, `_verify_pass`, `_approve_extension`),
  was_overdue (`case_deadline_mark` while dispatched or handling), supervision (`_supervise`, and the
  demo's final pass supervising half of what is overdue now), extension columns, finished_at,
  closed_at, rating, merged_into, reporter_count (`case_reporter_add`, `_merge`), version (one per
  update, as the conditional UPDATEs count), updated_at (the last step). pauses stays [] and
  paused_since NULL, escalated_by_rule "" (the demo pauses nothing; no escalation rule is seeded).
- `cases_casestep`: one row per `case_act` / `case_deadline_mark` / `case_create` with the same
  action, actor, from/to state, note and data the step functions return.
- `cases_casereporter`: the first reporter of each case with a reporter, plus 3-16 more on 30 % of
  the SS02 / SR01 / SS03 cases (collective), as `case_reporter_add`.
- Not written: audit rows, notifications and attachments. The lists and statistics never read them
  (the audit trail is a hash chain one writes through `audit_record`; the demo silences notifications).

Unrated cases are closed when their rating time runs out (as the ten-minute sweep would), not all at
the moment of generation; open cases past their step deadline are marked overdue ten minutes after it,
those past the category's yellow share are marked yellow.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from _common import BENCH_DISTRICT, machine, setup

COMMUNITIES = 6
GRIDS_PER_COMMUNITY = 8
STREET_USER = "bench_case_street"
STALL = 0.006  # as the demo: per step, about one case in twenty-five is left lying
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = [8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 19]


class Lying(Exception):
    """The next step lies in the future, or the handler let the case lie."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500_000, help="cases to generate (duplicates included)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--chunk", type=int, default=20_000, help="cases simulated and written per transaction")
    args = parser.parse_args()
    setup()

    from django.db import connection, transaction

    from wangge.cases.models import Case, CaseReporter, CaseStep, Category

    print(f"machine: {machine()}")
    started = time.perf_counter()
    with transaction.atomic():
        world = World.build()
    if Case.all_objects.filter(region__path__startswith=world.street.path).exists():
        raise SystemExit(f"{world.street.name} already has cases: use a fresh database.")
    print(f"street {world.street.name}: {len(world.grids)} grids, {len(world.users)} accounts")

    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    categories = [
        c
        for c in Category.objects.filter(is_active=True, parent__isnull=False).select_related("parent")
        for _n in range(world.weights.get(c.parent.code if c.parent else "", 1))
    ]
    sim = Simulator(rng, now, world)
    # Report times first, sorted, so ids grow with time as they do in a live database.
    # About 3 % of reports bring a duplicate (merged or left open), counted in N.
    days = sorted(sim.office_time(rng.randint(0, 364)) for _ in range(round(args.n / 1.03)))
    days = [d for d in days if d < now]  # today's later office hours have not come yet
    writer = Writer(connection)
    ids = {m: writer.next_id(m._meta.db_table) for m in (Case, CaseStep, CaseReporter)}
    made = steps = reporters = 0
    index = 0
    while index < len(days):
        sim.reset(ids[Case], ids[CaseStep], ids[CaseReporter])
        while index < len(days) and len(sim.cases) < args.chunk:
            sim.one(rng.choice(world.grids), rng.choice(categories), days[index])
            index += 1
        sim.sweep()
        with transaction.atomic():
            writer.write(Case, sim.cases)
            writer.write(CaseStep, sim.steps)
            writer.write(CaseReporter, sim.reporters)
        made += len(sim.cases)
        steps += len(sim.steps)
        reporters += len(sim.reporters)
        ids = {Case: sim.next_case, CaseStep: sim.next_step, CaseReporter: sim.next_reporter}
        elapsed = time.perf_counter() - started
        print(f"  {made:>9,} cases {steps:>10,} steps  {elapsed:7.1f} s", flush=True)
    writer.finish([Case, CaseStep, CaseReporter])
    print(f"done: {made:,} cases, {steps:,} steps, {reporters:,} reporters in {time.perf_counter() - started:.1f} s")
    from wangge.cases import stats
    from wangge.cases.models import Case as CaseModel

    # a report simulated later today than the start of the run: its last change cannot be in the future
    CaseModel.all_objects.filter(updated_at__gt=now).update(updated_at=now)
    started = time.perf_counter()
    pairs = stats.refresh()  # what the ten-minute sweep does after the cases change
    print(f"monthly statistics: {pairs:,} grid-months counted in {time.perf_counter() - started:.1f} s")
    print_shape(world)


class World:
    """The street, its grids and the accounts that act in it."""

    def __init__(self, street: Any, communities: list[Any], grids: list[Any], users: dict[str, Any]) -> None:
        from wangge.cases.demo import GIVEN, SOURCES, SURNAMES, TITLES, WEIGHTS

        self.street, self.communities, self.grids, self.users = street, communities, grids, users
        self.community_of = {g.pk: next(c for c in communities if c.pk == g.parent_id) for g in grids}
        self.titles, self.weights, self.sources = TITLES, WEIGHTS, SOURCES
        self.surnames, self.given = SURNAMES, GIVEN

    @classmethod
    def build(cls) -> World:
        from wangge.regions.models import Level, Region

        district = Region.all_objects.filter(name=BENCH_DISTRICT, parent__isnull=True).first()
        street = (
            Region.all_objects.filter(parent=district, level=Level.STREET).order_by("path").first()
            if district
            else None
        )
        if street is None:
            street = _create_street(district)
        communities = list(Region.all_objects.filter(parent=street, level=Level.COMMUNITY).order_by("pk"))
        grids = list(Region.all_objects.filter(parent__in=communities, level=Level.GRID, is_active=True).order_by("pk"))
        return cls(street, communities, grids, _accounts(street, communities, grids))


def _create_street(district: Any) -> Any:
    from wangge.regions import services as region_services

    create = region_services.region_create
    if district is None:
        district = create(actor=None, parent=None, name=BENCH_DISTRICT, area_code="421202")
    street = create(actor=None, parent=district, name="第1街道")
    for c in range(COMMUNITIES):
        community = create(actor=None, parent=street, name=f"社区{c + 1}")
        for g in range(GRIDS_PER_COMMUNITY):
            create(actor=None, parent=community, name=f"网格{c * GRIDS_PER_COMMUNITY + g + 1}")
    return street


def _accounts(street: Any, communities: list[Any], grids: list[Any]) -> dict[str, Any]:
    """Bench accounts (username → User), made with bulk inserts: one password hash for them all."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    from wangge.cases.models import Category
    from wangge.core.models import User, UserRole
    from wangge.core.roles import Role
    from wangge.regions.models import UserScope

    departments = sorted(
        set(Category.objects.exclude(default_department="").values_list("default_department", flat=True))
    )
    wanted: list[tuple[str, str, str, str, Any]] = [
        (f"bench_grid_{i + 1}", f"网格员{i + 1}", Role.GRID_WORKER, "", g) for i, g in enumerate(grids)
    ]
    wanted += [
        (f"bench_community_{i + 1}", f"社区干部{i + 1}", Role.COMMUNITY_STAFF, "", c) for i, c in enumerate(communities)
    ]
    wanted.append((STREET_USER, "基准街道主任", Role.STREET_SUPERVISOR, "", street))
    wanted += [
        (f"bench_dept_{i + 1}", f"{d}处置员", Role.DEPARTMENT_HANDLER, d, street) for i, d in enumerate(departments)
    ]
    existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    missing = [w for w in wanted if w[0] not in existing]
    if missing:
        password = make_password(settings.WANGGE_DEMO_PASSWORD)
        made = User.objects.bulk_create(
            [User(username=n, full_name=f, department=d, password=password) for n, f, _r, d, _s in missing]
        )
        UserRole.objects.bulk_create([UserRole(user=u, role=w[2]) for u, w in zip(made, missing, strict=True)])
        UserScope.objects.bulk_create([UserScope(user=u, region=w[4]) for u, w in zip(made, missing, strict=True)])
        existing.update({u.username: u for u in made})
    return existing


class Simulator:
    """One case at a time, step by step, as the demo drives the services; rows collected for writing."""

    def __init__(self, rng: random.Random, now: datetime, world: World) -> None:
        from wangge.cases import workflow
        from wangge.cases.actions import calendar, phone_fields
        from wangge.cases.choices import HandlingLevel

        self.rng, self.now, self.world = rng, now, world
        self.cal = calendar()
        self.workflow = workflow
        self.level_order = [HandlingLevel.GRID, HandlingLevel.COMMUNITY, HandlingLevel.STREET, HandlingLevel.DEPARTMENT]
        self.phones = [
            (p, *phone_fields(p))
            for p in (f"13{rng.randint(3, 9)}{rng.randint(10_000_000, 99_999_999)}" for _ in range(5000))
        ]
        users = world.users
        self.grid_worker = {g.pk: users[f"bench_grid_{i + 1}"].pk for i, g in enumerate(world.grids)}
        self.staff = {c.pk: users[f"bench_community_{i + 1}"].pk for i, c in enumerate(world.communities)}
        self.street_user = users[STREET_USER].pk
        self.department_user = {u.department: u.pk for u in users.values() if u.department}
        self.reset(1, 1, 1)

    def reset(self, case_id: int, step_id: int, reporter_id: int) -> None:
        self.next_case, self.next_step, self.next_reporter = case_id, step_id, reporter_id
        self.cases: list[dict[str, Any]] = []
        self.steps: list[dict[str, Any]] = []
        self.reporters: list[dict[str, Any]] = []

    # --- helpers ---------------------------------------------------------------------------------

    def office_time(self, day_offset: int) -> datetime:
        day = self.now.astimezone(SHANGHAI).date() - timedelta(days=day_offset)
        local = datetime(day.year, day.month, day.day, self.rng.choice(HOURS), self.rng.randrange(60), tzinfo=SHANGHAI)
        return local.astimezone(UTC)

    def person_name(self) -> str:
        return self.rng.choice(self.world.surnames) + self.rng.choice(self.world.given)

    def region_for(self, case: dict[str, Any], level: str) -> int:
        grid = case["region_id"]
        if level == "grid":
            return int(grid)
        community = self.world.community_of[grid]
        return int(community.pk if level == "community" else community.parent_id)

    def new_stage(self, case: dict[str, Any], at: datetime, stage: str) -> None:
        limit, unit = case["_category"].limit(stage)
        case["stage_started_at"] = at
        case["stage_due_at"] = self.workflow.due_after(self.cal, at, limit, unit, case["urgency"])
        case["deadline_status"] = "on_time"

    def step(
        self, case: dict[str, Any], action: str, actor: int | None, at: datetime, to: str | None = None, **extra: Any
    ) -> None:
        from_state = case["state"]
        if to is not None:
            case["state"] = to
        note = extra.pop("note", "")
        self.steps.append(
            {
                "id": self.next_step,
                "case_id": case["id"],
                "action": action,
                "actor_id": actor,
                "public_kind": "",
                "public_label": "",
                "from_state": from_state if action != "report" else "",
                "to_state": case["state"],
                "note": note,
                "data": json.dumps(extra.pop("data", {})),
                "at": at,
            }
        )
        self.next_step += 1
        if action != "report":
            case["version"] += 1
            case["updated_at"] = at

    def act(self, case: dict[str, Any], action: str, actor: int | None, at: datetime, **extra: Any) -> None:
        if at >= self.now or self.rng.random() < STALL:
            raise Lying
        self.step(case, action, actor, at, **extra)

    def acceptor(self, case: dict[str, Any]) -> int:
        if case["handling_level"] in ("street", "department"):
            return self.street_user
        return self.staff[self.world.community_of[case["region_id"]].pk]

    def handler(self, case: dict[str, Any]) -> int:
        if case["assignee_id"]:
            return int(case["assignee_id"])
        if case["department"] and case["department"] in self.department_user:
            return self.department_user[case["department"]]
        if case["handling_level"] in ("street", "department"):
            return self.street_user
        if case["handling_level"] == "grid":
            return self.grid_worker[case["region_id"]]
        return self.acceptor(case)

    # --- one case -------------------------------------------------------------------------------

    def create(self, grid: Any, category: Any, at: datetime, *, title: str, reporter: bool) -> dict[str, Any]:
        rng = self.rng
        level = category.default_level
        case: dict[str, Any] = {
            "id": self.next_case,
            "number": f"SJ{at.astimezone(SHANGHAI):%Y%m%d}{self.next_case:06d}",
            "client_key": None,
            "title": title,
            "description": "",
            "category_id": category.pk,
            "_category": category,
            "source": rng.choice(self.world.sources),
            "urgency": "urgent" if rng.random() < 0.08 else "normal",
            "region_id": grid.pk,
            "address": f"{grid.name}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元" if reporter else "",
            "lat": None,
            "lng": None,
            "person_id": None,
            "house_id": None,
            "reporter_name": "",
            "reporter_phone_enc": "",
            "reporter_phone_masked": "",
            "reporter_phone_hash": "",
            "reported_by_id": self.grid_worker[grid.pk],
            "public_reporter": "",
            "reported_at": at,
            "state": "reported",
            "version": 0,
            "handling_level": level,
            "department": category.default_department if level == "department" else "",
            "assignee_id": None,
            "due_at": None,
            "was_overdue": False,
            "escalated_by_rule": "",
            "paused_since": None,
            "pauses": "[]",
            "extension_requested_days": None,
            "extended_days": 0,
            "supervision": "",
            "finished_at": None,
            "closed_at": None,
            "rating": None,
            "merged_into_id": None,
            "reporter_count": 1,
            "updated_at": at,
        }
        case["handling_region_id"] = self.region_for(case, level)
        self.new_stage(case, at, "accept")
        self.next_case += 1
        if reporter:
            name = self.person_name()
            _phone, enc, masked, hashed = rng.choice(self.phones)
            case.update(
                reporter_name=name, reporter_phone_enc=enc, reporter_phone_masked=masked, reporter_phone_hash=hashed
            )
            if rng.random() < 0.7:
                case["lat"] = f"{29.8400 + rng.uniform(-0.02, 0.02):.6f}"
                case["lng"] = f"{114.3200 + rng.uniform(-0.02, 0.02):.6f}"
            self.reporter(case, name, enc, masked, hashed, at)
        self.cases.append(case)
        self.step(case, "report", case["reported_by_id"], at, to="reported")
        return case

    def reporter(self, case: dict[str, Any], name: str, enc: str, masked: str, hashed: str, at: datetime) -> None:
        self.reporters.append(
            {
                "id": self.next_reporter,
                "case_id": case["id"],
                "name": name,
                "phone_enc": enc,
                "phone_masked": masked,
                "phone_hash": hashed,
                "person_id": None,
                "added_at": at,
            }
        )
        self.next_reporter += 1

    def one(self, grid: Any, category: Any, reported: datetime) -> None:
        rng = self.rng
        title = rng.choice(self.world.titles.get(category.code, ["居民反映问题"]))
        case = self.create(grid, category, reported, title=title, reporter=True)
        if category.code in ("SS02", "SR01", "SS03") and rng.random() < 0.3:
            for _n in range(rng.randint(3, 16)):
                _phone, enc, masked, hashed = rng.choice(self.phones)
                self.reporter(
                    case, self.person_name(), enc, masked, hashed, reported + timedelta(minutes=rng.randint(5, 600))
                )
                case["reporter_count"] += 1
                case["version"] += 1
        if rng.random() < 0.03:
            duplicate = self.create(grid, category, reported + timedelta(minutes=40), title=title, reporter=False)
            with contextlib.suppress(Lying):  # else the duplicate stays open beside it
                self.merge(duplicate, case, reported + timedelta(minutes=50))
        self.lifecycle(case, reported)

    def merge(self, duplicate: dict[str, Any], into: dict[str, Any], at: datetime) -> None:
        self.act(duplicate, "merge", self.acceptor(into), at, to="merged", data={"into": into["id"]})
        duplicate.update(merged_into_id=into["id"], closed_at=at, stage_due_at=None)
        into["reporter_count"] += duplicate["reporter_count"]
        into["version"] += 1

    def lifecycle(self, case: dict[str, Any], t: datetime) -> None:
        rng = self.rng
        try:
            if rng.random() < 0.03:
                t += timedelta(hours=1)
                self.act(case, "reject", self.acceptor(case), t, to="rejected", note="不属于受理范围，已告知居民")
                case.update(closed_at=t, stage_due_at=None)
                return
            t = self.escalations(case, t)
            t = self.take_up(case, t)
            t = self.maybe_extend(case, t)
            t = self.finish(case, t)
            self.verify_and_rate(case, t)
        except Lying:
            return

    def escalate(self, case: dict[str, Any], level: str, t: datetime, note: str) -> None:
        self.act(
            case, "escalate", self.acceptor(case), t, to="reported", note=note, data={"level": level, "department": ""}
        )
        case.update(
            handling_level=level, handling_region_id=self.region_for(case, level), department="", assignee_id=None
        )
        self.new_stage(case, t, "accept")

    def escalations(self, case: dict[str, Any], t: datetime) -> datetime:
        rng = self.rng
        if case["handling_level"] == "grid" and rng.random() < 0.1:
            t += timedelta(hours=rng.uniform(0.5, 3))
            self.escalate(case, "community", t, "网格无法解决，上报社区")
        if case["handling_level"] == "community" and rng.random() < 0.15:
            t += timedelta(hours=rng.uniform(1, 6))
            self.escalate(case, "street", t, "社区协调不了，上报街道")
        return t

    def take_up(self, case: dict[str, Any], t: datetime) -> datetime:
        rng = self.rng
        t += timedelta(hours=rng.uniform(0.2, 2))
        self.act(case, "accept", self.acceptor(case), t, to="accepted")
        department = case["_category"].default_department
        to_department = case["handling_level"] in ("street", "department") and department
        assignee = None
        if case["handling_level"] == "grid" and rng.random() < 0.6:
            assignee = self.grid_worker[case["region_id"]]
        t += timedelta(hours=rng.uniform(0.1, 1.5))
        if t >= self.now or rng.random() < STALL:
            raise Lying
        self.new_stage(case, t, "handle")
        case["due_at"] = case["stage_due_at"]
        if to_department:
            case["department"] = department
        case["assignee_id"] = assignee or case["assignee_id"]
        data = {
            "assignee": assignee,
            "region": None,
            "department": department if to_department else "",
            "due_at": case["due_at"].isoformat(),
        }
        self.step(case, "dispatch", self.acceptor(case), t, to="dispatched", data=data)
        t += timedelta(hours=rng.uniform(1, 20))
        self.act(case, "handle", self.handler(case), t, to="handling", note="已到现场查看，正在处理")
        return t

    def maybe_extend(self, case: dict[str, Any], t: datetime) -> datetime:
        if self.rng.random() >= 0.05:
            return t
        t += timedelta(hours=2)
        self.act(case, "request_extension", self.handler(case), t, note="需要等待配件", data={"days": 3})
        case["extension_requested_days"] = 3
        t += timedelta(hours=3)
        self.act(case, "approve_extension", self.street_user, t, data={"days": 3})
        from wangge.core import worktime

        case["due_at"] = worktime.add_working_days(self.cal, case["due_at"], 3)
        case["stage_due_at"] = worktime.add_working_days(self.cal, case["stage_due_at"], 3)
        case.update(extended_days=case["extended_days"] + 3, extension_requested_days=None, deadline_status="on_time")
        return t

    def mark_overdue(self, case: dict[str, Any], at: datetime) -> None:
        case["deadline_status"] = "overdue"
        if case["state"] in ("dispatched", "handling"):
            case["was_overdue"] = True
        self.step(case, "overdue", None, at, data={"status": "overdue"})

    def supervise(self, case: dict[str, Any], level: str, at: datetime, note: str) -> None:
        self.step(case, "supervise", self.street_user, at, note=note, data={"level": level})
        case["supervision"] = level

    def finish(self, case: dict[str, Any], t: datetime) -> datetime:
        rng = self.rng
        due = case["due_at"] or t
        late = rng.random() < 0.12
        finish_at = due + timedelta(hours=rng.uniform(2, 60)) if late else t + (due - t) * rng.uniform(0.2, 0.9)
        if late and due < self.now:
            self.mark_overdue(case, due + timedelta(minutes=5))
            if rng.random() < 0.4 and due + timedelta(hours=4) < self.now:
                self.supervise(case, rng.choice(["normal", "yellow", "red"]), due + timedelta(hours=4), "请尽快办结")
        on_time = bool(case["due_at"] and finish_at <= case["due_at"])
        self.act(
            case, "finish", self.handler(case), finish_at, to="finished", note="已处理完毕", data={"on_time": on_time}
        )
        case["finished_at"] = finish_at
        self.new_stage(case, finish_at, "verify")
        return finish_at

    def verify_and_rate(self, case: dict[str, Any], t: datetime) -> None:
        rng = self.rng
        staff = self.staff[self.world.community_of[case["region_id"]].pk]
        t += timedelta(hours=rng.uniform(1, 20))
        if rng.random() < 0.05:
            self.act(case, "verify_fail", staff, t, to="handling", note="回访居民，问题未解决")
            case["finished_at"] = None
            self.new_stage(case, t, "handle")
            t += timedelta(hours=rng.uniform(4, 24))
            self.act(
                case,
                "finish",
                self.handler(case),
                t,
                to="finished",
                note="再次处理完毕",
                data={"on_time": t <= case["due_at"]},
            )
            case["finished_at"] = t
            self.new_stage(case, t, "verify")
            t += timedelta(hours=rng.uniform(1, 8))
        self.act(case, "verify_pass", staff, t, to="verified", note="已回访，居民确认解决")
        from wangge.core import worktime

        case.update(
            stage_started_at=t, stage_due_at=worktime.add_working_days(self.cal, t, 3), deadline_status="on_time"
        )
        if rng.random() < 0.12:
            return  # unrated: closed by the sweep when the rating time runs out
        rating = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 10, 3, 2])[0]
        self.act(case, "rate", staff, t + timedelta(hours=rng.uniform(1, 30)), to="closed", data={"rating": rating})
        case.update(rating=rating, closed_at=case["updated_at"], stage_due_at=None)

    # --- the periodic sweep, as it would have run every ten minutes ----------------------------

    def sweep(self) -> None:
        rng, now = self.rng, self.now
        for case in self.cases:
            due = case["stage_due_at"]
            if case["state"] == "verified" and due is not None and due <= now:
                at = due + timedelta(minutes=rng.uniform(0, 10))
                self.step(case, "close", None, min(at, now), to="closed", data={"unrated": True})
                case.update(closed_at=min(at, now), stage_due_at=None)
                continue
            if case["state"] not in ("reported", "accepted", "dispatched", "handling", "finished") or due is None:
                continue
            view = SimpleNamespace(
                stage_due_at=due, stage_started_at=case["stage_started_at"], paused_since=None, pauses=[]
            )
            status = self.workflow.deadline_status(self.cal, view, now, case["_category"].yellow_percent)  # type: ignore[arg-type]
            if status == "overdue" and case["deadline_status"] != "overdue":
                self.mark_overdue(case, min(due + timedelta(minutes=rng.uniform(0, 10)), now))
            elif status == "yellow" and case["deadline_status"] == "on_time":
                case["deadline_status"] = "yellow"
                self.step(case, "warn", None, now, data={"status": "yellow"})
        # The demo's last pass: the street supervises half of what is overdue now, red past thirty days.
        open_states = ("reported", "accepted", "dispatched", "handling", "finished")
        for case in self.cases:
            if case["deadline_status"] != "overdue" or case["supervision"] or case["state"] not in open_states:
                continue
            if rng.random() < 0.5:
                level = "red" if case["stage_due_at"] < now - timedelta(days=30) else "yellow"
                self.supervise(case, level, now, "请限期办结")


class Writer:
    """COPY on PostgreSQL, executemany on SQLite; explicit ids, sequences set at the end."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.vendor = connection.vendor

    def next_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            return int(cursor.fetchone()[0]) + 1

    def write(self, model: Any, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        fields = list(model._meta.concrete_fields)
        names = [f.attname for f in fields]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        table = model._meta.db_table
        self.connection.ensure_connection()
        raw = self.connection.connection
        if self.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[n] for n in names])
        else:
            marks = ", ".join("?" * len(names))
            raw.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                (_sqlite_row(row, names) for row in rows),
            )

    def finish(self, models: Iterable[Any]) -> None:
        if self.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {table}))",  # noqa: S608
                    [table],
                )


def _sqlite_row(row: dict[str, Any], names: list[str]) -> list[Any]:
    """Datetimes as Django's SQLite backend stores them: naive UTC text."""
    out = []
    for name in names:
        value = row[name]
        if isinstance(value, datetime):
            value = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        out.append(value)
    return out


def print_shape(world: World) -> None:
    """The shares that make the lists and statistics look real."""
    from django.db.models import Count, F, Q

    from wangge.cases.models import Case

    cases = Case.all_objects.filter(region__path__startswith=world.street.path)
    shape = cases.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state__in=["reported", "accepted", "dispatched", "handling", "finished"])),
        overdue_now=Count("pk", filter=Q(deadline_status="overdue")),
        was_overdue=Count("pk", filter=Q(was_overdue=True)),
        supervised=Count("pk", filter=~Q(supervision="")),
        escalated=Count("pk", filter=~Q(handling_level=F("category__default_level"))),
        collective=Count("pk", filter=Q(reporter_count__gt=2)),
        rated=Count("rating"),
        closed=Count("pk", filter=Q(state="closed")),
        rejected=Count("pk", filter=Q(state="rejected")),
        merged=Count("pk", filter=Q(state="merged")),
    )
    total = shape.pop("total") or 1
    print(f"shape of {total:,} cases: " + ", ".join(f"{k} {v:,} ({100 * v / total:.1f} %)" for k, v in shape.items()))
    by_state = cases.values("state").annotate(n=Count("pk")).order_by("-n")
    print("by state: " + ", ".join(f"{r['state']} {r['n']:,}" for r in by_state))


if __name__ == "__main__":
    main()
