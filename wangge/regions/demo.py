"""Demo district: 咸安区 with two streets and four communities; 三元社区 shaped like seed 002."""

from __future__ import annotations

import math
from typing import TextIO

from wangge.core.demo import DEMO_ACCOUNTS
from wangge.core.models import User
from wangge.regions import services
from wangge.regions.models import AssignmentRole, Employment, Region

DISTRICT = {"name": "咸安区", "area_code": "421202"}

# 三元社区: 11 grids, 6,796 households and 23,562 residents (seed 002).
SANYUAN_GRIDS = [
    # (grid, grid worker, phone, cadre, households, residents, micro-grids)
    ("第一网格", "唐少欢", "13871501101", "陈建国", 612, 2131, ["福源小区", "铁路宿舍"]),
    ("第二网格", "刘望霞", "13871501102", "王志强", 605, 2098, ["温泉路片区", "粮食局宿舍"]),
    ("第三网格", "张有先", "13871501103", "李红梅", 640, 2205, ["兴旺街东", "兴旺街西"]),
    ("第四网格", "曹睿", "13871501104", "周海燕", 598, 2087, ["三元小学片区"]),
    ("第五网格", "殷晓兰", "13871501105", "黄卫东", 631, 2190, ["物资局宿舍", "银泉小区"]),
    ("第六网格", "胡春燕", "13871501106", "吴丽君", 622, 2154, ["永安商贸城"]),
    ("第七网格", "徐国平", "13871501107", "孙志刚", 617, 2144, ["桂花苑", "航运宿舍"]),
    ("第八网格", "刘平珍", "13871501108", "何建华", 624, 2166, ["时代家居广场", "火车站片区"]),
    ("第九网格", "郭丽萍", "13871501109", "马俊杰", 609, 2117, ["兴旺小区"]),
    ("第十网格", "邓小红", "13871501110", "朱文斌", 615, 2131, ["城南新村", "纺织厂宿舍"]),
    ("第十一网格", "罗晓梅", "13871501111", "梁德明", 623, 2139, ["三元路片区"]),
]
assert sum(g[4] for g in SANYUAN_GRIDS) == 6796 and sum(g[5] for g in SANYUAN_GRIDS) == 23562

OTHER_COMMUNITIES = {
    "永安街道": [("东门社区", ["东门第一网格", "东门第二网格", "东门第三网格"])],
    "浮山街道": [
        ("金叶社区", ["金叶第一网格", "金叶第二网格", "金叶第三网格", "金叶第四网格"]),
        ("茶花社区", ["茶花第一网格", "茶花第二网格", "茶花第三网格"]),
    ],
}
OTHER_WORKERS = ["王秀英", "李桂兰", "张志明", "刘海涛", "陈美玲", "杨建军", "赵丽华", "黄文静", "周小燕", "吴俊峰"]

DUTIES = (
    "掌握网格内实有人口、房屋、单位基本情况；入户走访，倾听居民意见；"
    "排查矛盾纠纷和安全隐患，小事不出网格；帮助居民代办各类服务事项；重点人群关怀帮扶。"
)


def _polygon(cx: float, cy: float, w: float, h: float, wobble: float) -> dict[str, object]:
    """A slightly irregular quadrilateral-ish polygon, so the demo map looks hand-drawn like seed 002's."""
    points = []
    for i in range(8):
        angle = math.pi * 2 * i / 8 + math.pi / 8
        dx = math.copysign(min(1.0, abs(math.cos(angle)) * 1.4), math.cos(angle)) * w / 2
        dy = math.copysign(min(1.0, abs(math.sin(angle)) * 1.4), math.sin(angle)) * h / 2
        factor = 1 + wobble * math.sin(i * 2.3 + cx * 100)
        points.append([round(cx + dx * factor, 6), round(cy + dy * factor, 6)])
    points.append(points[0])
    return {"type": "Polygon", "coordinates": [points]}


def load(*, stdout: TextIO) -> None:
    if Region.all_objects.filter(parent__isnull=True, name=DISTRICT["name"]).exists():
        stdout.write("regions: demo district already present\n")
    else:
        _district(stdout=stdout)
    _scope_accounts()


def _scope_accounts() -> None:
    """Each demo account (core's, loaded before) without a scope gets the region its line names."""
    for username, _full_name, _role, scope_name, _department in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username, is_demo=True).first()
        if user is not None and scope_name and not user.scopes.exists():
            region = Region.all_objects.get(name=scope_name, is_active=True)
            services.scope_set(actor=None, user=user, regions=[region])


def _district(*, stdout: TextIO) -> None:
    district = services.region_create(
        actor=None,
        parent=None,
        name=DISTRICT["name"],
        area_code=DISTRICT["area_code"],
        service_address="咸宁市咸安区温泉路 8 号",
        service_phone="0715-8121000",
    )
    street_codes = {"永安街道": "421202001000", "浮山街道": "421202002000"}
    streets = {
        name: services.region_create(
            actor=None,
            parent=district,
            name=name,
            area_code="421202",
            community_code=code,
            service_address=f"咸安区{name}便民服务中心",
            service_phone="0715-81230" + str(i),
        )
        for i, (name, code) in enumerate(street_codes.items(), start=1)
    }
    sanyuan = services.region_create(
        actor=None,
        parent=streets["永安街道"],
        name="三元社区",
        sort_order=1,
        area_code="421202",
        community_code="421202001001",
        service_address="永安街道三元路 18 号 三元社区党群服务中心",
        service_phone="0715-8235678",
        declared_households=6796,
        declared_population=23562,
        boundary=_polygon(114.325, 29.848, 0.028, 0.022, 0.02),
    )
    for index, (name, worker, phone, cadre, households, residents, micro) in enumerate(SANYUAN_GRIDS):
        col, row = index % 4, index // 4
        grid = services.region_create(
            actor=None,
            parent=sanyuan,
            name=name,
            sort_order=index + 1,
            area_code="421202",
            grid_code=f"421202001001{index + 1:03d}",
            duties=DUTIES,
            service_address="三元社区党群服务中心",
            service_phone="0715-8235678",
            declared_households=households,
            declared_population=residents,
            boundary=_polygon(114.3145 + col * 0.007, 29.8555 - row * 0.0072, 0.0068, 0.0070, 0.03),
        )
        for m_index, m_name in enumerate(micro, start=1):
            services.region_create(
                actor=None, parent=grid, name=m_name, sort_order=m_index, grid_code=f"{grid.grid_code}{m_index:02d}"
            )
        services.assignment_create(
            actor=None,
            region=grid,
            role=AssignmentRole.GRID_WORKER,
            name=worker,
            phone=phone,
            employment=Employment.FULL_TIME,
            duties=DUTIES,
        )
        services.assignment_create(
            actor=None, region=grid, role=AssignmentRole.CADRE, name=cadre, phone=f"1390715{index + 1:04d}"
        )
    services.assignment_create(
        actor=None,
        region=sanyuan,
        role=AssignmentRole.GRID_LEADER,
        name="刘玲珍",
        phone="13907150001",
        duties="社区党总支书记，统筹网格工作",
    )
    services.assignment_create(
        actor=None,
        region=sanyuan,
        role=AssignmentRole.STATION_HEAD,
        name="殷桂芳",
        phone="13907150002",
        duties="社区综治办主任，网格工作站站长",
    )
    worker_index = 0
    for street_name, communities in OTHER_COMMUNITIES.items():
        for c_index, (community_name, grids) in enumerate(communities, start=2):
            community = services.region_create(
                actor=None,
                parent=streets[street_name],
                name=community_name,
                sort_order=c_index,
                area_code="421202",
                community_code=f"{street_codes[street_name][:9]}{c_index:03d}",
                service_address=f"{community_name}党群服务中心",
                service_phone=f"0715-82{c_index}{worker_index:04d}",
            )
            for g_index, grid_name in enumerate(grids, start=1):
                grid = services.region_create(
                    actor=None,
                    parent=community,
                    name=grid_name,
                    sort_order=g_index,
                    area_code="421202",
                    grid_code=f"{community.community_code}{g_index:03d}",
                    duties=DUTIES,
                    declared_households=520 + 17 * g_index,
                    declared_population=1800 + 53 * g_index,
                )
                services.assignment_create(
                    actor=None,
                    region=grid,
                    role=AssignmentRole.GRID_WORKER,
                    name=OTHER_WORKERS[worker_index % len(OTHER_WORKERS)],
                    phone=f"1597150{worker_index:04d}",
                    employment=Employment.PART_TIME if g_index % 2 else Employment.FULL_TIME,
                    duties=DUTIES,
                )
                worker_index += 1
    stdout.write("regions: demo district 咸安区 with 2 streets, 4 communities and 21 grids created\n")
