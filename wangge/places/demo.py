"""Demo places: each micro-grid of 三元社区 is a compound (小区, 宿舍, 片区) of 6-7 storey walk-ups.

Enough houses for the households `wangge.people.demo` puts in them, plus a few percent vacant.
`WANGGE_DEMO_SCALE` (default 1) scales the number of houses, as it scales the people.
"""

from __future__ import annotations

import math
import os
import random
from decimal import Decimal
from typing import TextIO

from wangge.places.models import Building, Compound, House
from wangge.regions.demo import SANYUAN_GRIDS
from wangge.regions.models import Level, Region

SEED = 20120301
VACANCY = 0.05  # share of houses nobody lives in
OTHER_SHARE = 0.06  # other communities: this share of their declared households, so lists are not empty

# The other communities' grids have no micro-grids: one compound each.
OTHER_COMPOUNDS = {
    "东门第一网格": "东门小区",
    "东门第二网格": "教育局宿舍",
    "东门第三网格": "丽景花园",
    "金叶第一网格": "金叶小区",
    "金叶第二网格": "烟草公司宿舍",
    "金叶第三网格": "金色家园",
    "金叶第四网格": "香城花园",
    "茶花第一网格": "茶花小区",
    "茶花第二网格": "浮山新村",
    "茶花第三网格": "阳光城",
}
ROADS = ["温泉路", "三元路", "兴旺街", "永安大道", "银泉大道", "金桂路", "青龙路", "龟山路", "桂花路", "贺胜路"]
PROPERTY_COMPANIES = ["咸宁万家物业", "永安物业", "碧桂园服务", "鑫源物业"]


def demo_scale() -> float:
    """`WANGGE_DEMO_SCALE`: 1 is the full 三元社区 (6,796 households); tests use 0.1 or less."""
    try:
        scale = float(os.environ.get("WANGGE_DEMO_SCALE", "1") or 1)
    except ValueError:
        scale = 1.0
    return min(max(scale, 0.001), 10.0)


def scaled(n: int, scale: float) -> int:
    return max(1, round(n * scale))


def _kind(name: str) -> str:
    if name.endswith("宿舍"):
        return Compound.Kind.WORK_UNIT
    if name.endswith(("片区", "街东", "街西")):
        return Compound.Kind.OPEN
    if name.endswith(("商贸城", "广场")):
        return Compound.Kind.SELF_MANAGED
    return Compound.Kind.PROPERTY_MANAGED


def grid_targets(scale: float) -> list[tuple[Region, list[Region], int]]:
    """(grid, its micro-grids or [grid], households to house) for every demo grid."""
    out: list[tuple[Region, list[Region], int]] = []
    sanyuan = Region.all_objects.filter(name="三元社区", level=Level.COMMUNITY).first()
    if sanyuan is None:
        return out
    for name, *_rest, households, _residents, _micro in SANYUAN_GRIDS:
        grid = Region.all_objects.get(parent=sanyuan, name=name)
        micro = list(Region.all_objects.filter(parent=grid, level=Level.MICROGRID).order_by("sort_order", "pk"))
        out.append((grid, micro or [grid], scaled(households, scale)))
    for grid in Region.all_objects.filter(name__in=OTHER_COMPOUNDS, level=Level.GRID).order_by("path"):
        out.append((grid, [grid], scaled(round((grid.declared_households or 500) * OTHER_SHARE), scale)))
    return out


def load(*, stdout: TextIO) -> None:
    targets = grid_targets(demo_scale())
    if not targets:
        stdout.write("places: no demo district, nothing to do\n")
        return
    if Compound.all_objects.filter(region__path__startswith=targets[0][0].path).exists():
        stdout.write("places: demo compounds already present\n")
        return
    rng = random.Random(SEED)  # noqa: S311 - made-up demo data, not secrets
    compounds: list[Compound] = []
    plan: list[tuple[Compound, int]] = []  # compound, houses it needs
    for grid_index, (_grid, regions, households) in enumerate(targets):
        needed = math.ceil(households * (1 + VACANCY)) + 1
        weights = [1.4 if i == 0 else 1.0 for i in range(len(regions))]
        for i, region in enumerate(regions):
            share = math.ceil(needed * weights[i] / sum(weights))
            name = OTHER_COMPOUNDS.get(region.name, region.name)
            kind = _kind(name)
            road = ROADS[(grid_index + i) % len(ROADS)]
            compound = Compound(
                region=region,
                name=name,
                kind=kind,
                address=f"咸安区{road}{rng.randrange(2, 240)}号",
                property_company=rng.choice(PROPERTY_COMPANIES) if kind == Compound.Kind.PROPERTY_MANAGED else "",
            )
            compounds.append(compound)
            plan.append((compound, share))
    Compound.all_objects.bulk_create(compounds)
    buildings: list[Building] = []
    for compound, share in plan:
        capacity, number = 0, 0
        while capacity < share:
            number += 1
            floors, units = rng.choice([6, 6, 7]), rng.choice([2, 2, 3])
            buildings.append(
                Building(
                    region_id=compound.region_id,
                    compound=compound,
                    name=f"{number}栋",
                    floors=floors,
                    units=units,
                    address=f"{compound.address}{number}栋",
                )
            )
            capacity += floors * units * 2
    Building.all_objects.bulk_create(buildings, batch_size=2000)
    houses = [
        House(
            region_id=building.region_id,
            building=building,
            unit=unit,
            floor=floor,
            number=f"{floor}0{door}",
            area=Decimal(rng.randrange(520, 1450)) / 10,
        )
        for building in buildings
        for unit in range(1, building.units + 1)
        for floor in range(1, building.floors + 1)
        for door in (1, 2)
    ]
    House.all_objects.bulk_create(houses, batch_size=5000)
    stdout.write(f"places: {len(compounds)} compounds, {len(buildings)} buildings and {len(houses)} houses created\n")
