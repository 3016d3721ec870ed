"""A year of cases in 三元社区, written through the services with back-dated times.

Across categories, grids, sources and states: most closed and rated, some late (overdue), some
escalated to the community, the street or a department, some supervised, collective reports with
many households, duplicates merged, a few rejected, and the recent ones still open. The deadline
sweep runs at the end, as it would have. Nobody is notified. `WANGGE_DEMO_SCALE` scales the count
(1 500 at full scale). Idempotent: a community that already has cases gets none.
"""

from __future__ import annotations

import contextlib
import random
from datetime import datetime, timedelta
from typing import Any, TextIO

from django.utils import timezone

from wangge.cases import services
from wangge.cases.choices import Action, DeadlineStatus, HandlingLevel, Source, State, Urgency
from wangge.cases.departments import departments_serving
from wangge.cases.models import Case, Category
from wangge.cases.sketch import centre
from wangge.cases.tasks import sweep_deadlines
from wangge.core import notifications
from wangge.core.actors import SYSTEM
from wangge.core.models import User
from wangge.places.demo import demo_scale, scaled
from wangge.regions.models import Level, Region

CASES_PER_YEAR = 1500
STALL = 0.006  # per step: about one case in twenty-five is left lying and goes overdue

TITLES = {
    "MD01": ["楼上漏水引发邻里矛盾", "邻居占用楼道堆放杂物", "装修噪音引发争吵"],
    "MD02": ["老人赡养问题家庭矛盾", "夫妻争吵需要调解"],
    "MD03": ["物业费收取有争议", "小区停车位分配纠纷"],
    "MD04": ["工地拖欠农民工工资"],
    "MD05": ["院墙边界争议"],
    "MD06": ["商户与居民噪音纠纷"],
    "ZA01": ["小区监控损坏", "单元门禁失灵"],
    "ZA02": ["出租屋人员频繁更换"],
    "AQ01": ["楼道电动车充电", "消防通道被占用", "灭火器过期"],
    "AQ02": ["居民反映闻到燃气味"],
    "AQ03": ["老旧房屋外墙开裂"],
    "AQ04": ["阳台花盆有坠落危险"],
    "SR01": ["垃圾站满溢未清运", "小区角落建筑垃圾堆放"],
    "SR02": ["单元楼道小广告"],
    "SR03": ["早市占道经营"],
    "SR04": ["夜间广场舞噪音扰民", "KTV噪音扰民"],
    "SR05": ["流浪狗伤人隐患"],
    "SS01": ["地下水管破裂水漫路面", "自来水管爆裂"],
    "SS02": ["下水道堵塞污水外溢", "化粪池堵塞"],
    "SS03": ["路灯不亮", "小区路灯损坏"],
    "SS04": ["道路坑洼积水"],
    "SS05": ["井盖缺失", "井盖松动"],
    "SS06": ["电梯困人", "电梯频繁故障"],
    "WJ01": ["楼顶违章加建"],
    "WJ02": ["一楼住户私搭雨棚", "绿化带私自种菜搭棚"],
    "MS01": ["独居老人需要助餐服务", "残疾人申请辅具"],
    "MS02": ["低保申请咨询", "困难家庭临时救助"],
    "MS03": ["下岗职工求职帮扶"],
    "MS04": ["高龄老人需要上门体检"],
    "QZ01": ["老人想学上网", "帮忙代缴水电费"],
    "QZ02": ["独居老人家中灯泡坏了", "空巢老人需要陪同就医"],
    "QZ03": ["老人在家摔倒求助"],
    "ZC01": ["医保异地报销咨询", "养老保险审验咨询"],
    "ZC02": ["新生儿落户咨询"],
    "ZC03": ["一元午餐政策咨询"],
    "QT01": ["其他居民诉求"],
}
WEIGHTS = {"SS": 5, "SR": 5, "MD": 4, "QZ": 4, "AQ": 3, "MS": 3, "ZC": 3, "ZA": 1, "WJ": 1, "QT": 1}
SOURCES = [Source.PATROL] * 5 + [Source.VISIT] * 3 + [Source.PHONE] * 2 + [Source.WINDOW, Source.HOTLINE]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "建国", "志强", "海燕", "丽萍", "国平", "春燕", "晓兰", "德明", "小红", "文斌"]


class Lying(Exception):
    """The next step lies in the future, or the handler let the case lie: it stays where it is."""


class _Demo:
    def __init__(self, rng: random.Random, now: datetime, actors: dict[str, User | None]) -> None:
        self.rng, self.now, self.actors = rng, now, actors
        self.serving: dict[int, list[str]] = {}  # region id → departments with a handler there

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def office_time(self, day_offset: int) -> datetime:
        day = timezone.localtime(self.now).date() - timedelta(days=day_offset)
        hour = self.rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 19])
        moment = datetime(
            day.year, day.month, day.day, hour, self.rng.randrange(60), tzinfo=timezone.get_current_timezone()
        )
        return min(moment, self.now - timedelta(minutes=self.rng.randint(5, 90)))  # never later than now

    def point_in(self, grid: Region) -> tuple[float, float] | None:
        """(lng, lat) near the middle of the grid, most of the time (a patrol report carries the phone's location)."""
        middle = centre(grid.boundary)
        if middle is None or self.rng.random() < 0.3:
            return None
        return (
            round(middle[0] + self.rng.uniform(-0.0015, 0.0015), 6),
            round(middle[1] + self.rng.uniform(-0.001, 0.001), 6),
        )

    def handler(self, case: Case) -> User | None:
        if case.department == "城管" and self.actors["handler"] is not None:
            return self.actors["handler"]
        if case.handling_level in (HandlingLevel.STREET, HandlingLevel.DEPARTMENT):
            return self.actors["street"]
        if case.region.name == "第八网格" and case.handling_level == HandlingLevel.GRID:
            return self.actors["grid8"]
        return self.actors["staff"]

    def acceptor(self, case: Case) -> User | None:
        return self.actors["street"] if case.handling_level in ("street", "department") else self.actors["staff"]

    def act(self, case: Case, actor: User | None, action: str, at: datetime, **data: Any) -> Case:
        """Take the action at `at`; raise `Lying` if that is still in the future or the handler let it lie."""
        if at >= self.now or self.rng.random() < STALL:
            raise Lying
        return services.case_act(actor=actor or SYSTEM, case=case, action=action, now=at, **data)

    def one(self, grid: Region, categories: list[Category], day_offset: int) -> int:
        rng = self.rng
        category = rng.choice(categories)
        reported = self.office_time(day_offset)
        reporter = self.actors["grid8"] if grid.name == "第八网格" else self.actors["staff"]
        point = self.point_in(grid)
        case = services.case_create(
            actor=reporter or SYSTEM,
            region=grid,
            category=category,
            title=rng.choice(TITLES.get(category.code, ["居民反映问题"])),
            source=rng.choice(SOURCES),
            urgency=Urgency.URGENT if rng.random() < 0.08 else Urgency.NORMAL,
            address=f"{grid.name}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元",
            reporter_name=self.person_name(),
            reporter_phone=f"13{rng.randint(3, 9)}{rng.randint(10_000_000, 99_999_999)}",
            lat=point[1] if point else None,
            lng=point[0] if point else None,
            now=reported,
        ).case
        made = 1
        if category.code in ("SS02", "SR01", "SS03") and rng.random() < 0.3:
            for n in range(rng.randint(3, 16)):
                services.case_reporter_add(
                    actor=SYSTEM, case=case, name=self.person_name(), phone=f"139{n:02d}{case.pk:06d}"
                )
        if rng.random() < 0.03:
            duplicate = services.case_create(
                actor=reporter or SYSTEM,
                region=grid,
                category=category,
                title=case.title,
                now=reported + timedelta(minutes=40),
            ).case
            with contextlib.suppress(Lying):  # else the duplicate stays open beside it
                self.act(duplicate, self.acceptor(case), Action.MERGE, reported + timedelta(minutes=50), into=case)
            made += 1
        self.lifecycle(case, reported)
        return made

    def lifecycle(self, case: Case, t: datetime) -> None:
        """Report → (escalate) → accept → dispatch → handle → (extend) → finish → verify → rate, as far as time allows."""
        try:
            if self.rng.random() < 0.03:
                self.act(
                    case, self.acceptor(case), Action.REJECT, t + timedelta(hours=1), note="不属于受理范围，已告知居民"
                )
                return
            case, t = self.escalations(case, t)
            case, t = self.take_up(case, t)
            case, t = self.maybe_extend(case, t)
            case, t = self.finish(case, t)
            self.verify_and_rate(case, t)
        except Lying:
            return

    def escalations(self, case: Case, t: datetime) -> tuple[Case, datetime]:
        rng = self.rng
        if case.handling_level == HandlingLevel.GRID and rng.random() < 0.1:
            t += timedelta(hours=rng.uniform(0.5, 3))
            case = self.act(case, self.actors["staff"], Action.ESCALATE, t, note="网格无法解决，上报社区")
        if case.handling_level == HandlingLevel.COMMUNITY and rng.random() < 0.15:
            t += timedelta(hours=rng.uniform(1, 6))
            case = self.act(case, self.actors["staff"], Action.ESCALATE, t, note="社区协调不了，上报街道")
        return case, t

    def take_up(self, case: Case, t: datetime) -> tuple[Case, datetime]:
        rng = self.rng
        t += timedelta(hours=rng.uniform(0.2, 2))
        case = self.act(case, self.acceptor(case), Action.ACCEPT, t)
        department = case.category.default_department
        if case.region_id not in self.serving:
            self.serving[case.region_id] = departments_serving(case.region)
        to_department = (
            case.handling_level in (HandlingLevel.STREET, HandlingLevel.DEPARTMENT)
            and department in self.serving[case.region_id]  # a department with a handler here; else the street
        )
        t += timedelta(hours=rng.uniform(0.1, 1.5))
        target: dict[str, object] = {"department": department} if to_department else {"region": case.handling_region}
        case = self.act(case, self.acceptor(case), Action.DISPATCH, t, **target)
        t += timedelta(hours=rng.uniform(1, 20))
        case = self.act(case, self.handler(case), Action.HANDLE, t, note="已到现场查看，正在处理")
        return case, t

    def maybe_extend(self, case: Case, t: datetime) -> tuple[Case, datetime]:
        if self.rng.random() >= 0.05:
            return case, t
        t += timedelta(hours=2)
        case = self.act(case, self.handler(case), Action.REQUEST_EXTENSION, t, days=3, note="需要等待配件")
        t += timedelta(hours=3)
        return self.act(case, self.actors["street"], Action.APPROVE_EXTENSION, t), t

    def finish(self, case: Case, t: datetime) -> tuple[Case, datetime]:
        """On time mostly; a late one is marked overdue first (as the sweep would have) and sometimes supervised."""
        rng = self.rng
        due = case.due_at or t
        late = rng.random() < 0.12
        finish_at = due + timedelta(hours=rng.uniform(2, 60)) if late else t + (due - t) * rng.uniform(0.2, 0.9)
        if late and due < self.now:
            services.case_deadline_mark(
                case=case, status=DeadlineStatus.OVERDUE, rules=[], now=due + timedelta(minutes=5)
            )
            if rng.random() < 0.4 and due + timedelta(hours=4) < self.now:
                level = rng.choice(["normal", "yellow", "red"])
                self.act(
                    case,
                    self.actors["street"],
                    Action.SUPERVISE,
                    due + timedelta(hours=4),
                    level=level,
                    note="请尽快办结",
                )
            case.refresh_from_db()
        return self.act(case, self.handler(case), Action.FINISH, finish_at, note="已处理完毕"), finish_at

    def verify_and_rate(self, case: Case, t: datetime) -> None:
        rng = self.rng
        t += timedelta(hours=rng.uniform(1, 20))
        if rng.random() < 0.05:
            case = self.act(case, self.actors["staff"], Action.VERIFY_FAIL, t, note="回访居民，问题未解决")
            t += timedelta(hours=rng.uniform(4, 24))
            case = self.act(case, self.handler(case), Action.FINISH, t, note="再次处理完毕")
            t += timedelta(hours=rng.uniform(1, 8))
        case = self.act(case, self.actors["staff"], Action.VERIFY_PASS, t, note="已回访，居民确认解决")
        if rng.random() < 0.12:
            return  # unrated: the sweep closes it after the rating time
        rating = rng.choices([5, 4, 3, 2, 1], weights=[60, 25, 10, 3, 2])[0]
        self.act(case, self.actors["staff"], Action.RATE, t + timedelta(hours=rng.uniform(1, 30)), rating=rating)


def load(*, stdout: TextIO) -> None:
    community = Region.all_objects.filter(name="三元社区", level=Level.COMMUNITY).first()
    if community is None or Case.all_objects.filter(region__path__startswith=community.path).exists():
        stdout.write("cases: nothing to add\n")
        return
    _ensure_reference_data(stdout)
    grids = list(Region.all_objects.filter(parent=community, level=Level.GRID, is_active=True).order_by("sort_order"))
    weighted = [
        c
        for c in Category.objects.filter(is_active=True, parent__isnull=False).select_related("parent")
        for _n in range(WEIGHTS.get(c.parent.code if c.parent else "", 1))
    ]
    actors = {name: User.objects.filter(username=name).first() for name in ("grid8", "staff", "street", "handler")}
    rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
    now = timezone.now()
    demo = _Demo(rng, now, actors)
    total = scaled(CASES_PER_YEAR, demo_scale())
    made = 0
    with notifications.silenced():
        while made < total:
            made += demo.one(rng.choice(grids), weighted, rng.randint(0, 364))
        _close_unrated_when_due(now)  # as the sweep would have, each on its own day
        swept = sweep_deadlines(now=now)
        _supervise_some_overdue(community, actors["street"], rng)
    stdout.write(f"cases: {made} cases over a year in {community.name} ({swept['overdue']} overdue now)\n")


def _supervise_some_overdue(community: Region, street: User | None, rng: random.Random) -> None:
    """The street supervises part of what is overdue now, with a card as serious as the delay."""
    overdue = Case.all_objects.filter(
        region__path__startswith=community.path, deadline_status=DeadlineStatus.OVERDUE, supervision=""
    ).exclude(state__in=[State.VERIFIED, State.CLOSED, State.REJECTED, State.MERGED])
    for case in overdue.order_by("stage_due_at"):
        if rng.random() < 0.5:
            level = "red" if case.stage_due_at and case.stage_due_at < timezone.now() - timedelta(days=30) else "yellow"
            services.case_act(
                actor=street or SYSTEM, case=case, action=Action.SUPERVISE, level=level, note="请限期办结"
            )


def _ensure_reference_data(stdout: TextIO) -> None:
    """The catalogue and this year's calendar come from data migrations; a flushed test database lacks them."""
    from wangge.cases.catalogue import seed as seed_catalogue
    from wangge.core.holidays import missing_years, seed_year
    from wangge.core.models import Holiday, HolidayYear

    added = seed_catalogue(Category)
    this_year = timezone.localdate().year
    for year in missing_years([this_year - 1, this_year]):
        if seed_year(Holiday, year) is not None:
            HolidayYear.objects.get_or_create(year=year, defaults={"source": HolidayYear.Source.LIBRARY})
    if added:
        stdout.write(f"cases: {added} catalogue entries restored\n")


def _close_unrated_when_due(now: datetime) -> None:
    """Verified cases nobody rated close when their rating time ran out, not all today."""
    due = Case.objects.unscoped("demo: close unrated cases").filter(state=State.VERIFIED, stage_due_at__lte=now)
    for case in due.order_by("stage_due_at").iterator(chunk_size=200):
        services.case_act(actor=SYSTEM, case=case, action=Action.CLOSE, now=case.stage_due_at)
