"""Generate a district of N residents (default 1,000,000) straight into the configured database.

    DATABASE_URL=... python bench/gen_people.py --n 200000

Same row builder as the demo (`wangge.people.fake_rows`), written in batches; one street-supervisor
account (`bench_street`, scope: the whole district) for `bench/search_people.py`.
"""

from __future__ import annotations

import argparse
import math
import random
import time

from _common import BENCH_DISTRICT, BENCH_USER, machine, setup

GRID_PEOPLE = 2150  # 三元社区's grids hold 2,142 people on average
GRIDS_PER_COMMUNITY = 8
COMMUNITIES_PER_STREET = 6
COMPOUND_WORDS = [
    "福源",
    "兴旺",
    "银泉",
    "桂花",
    "温泉",
    "永安",
    "金叶",
    "茶花",
    "丽景",
    "阳光",
    "香城",
    "翠竹",
    "锦绣",
    "和谐",
    "幸福",
    "东方",
    "龙潭",
    "凤凰",
    "青龙",
    "龟山",
    "淦河",
    "星星",
    "滨河",
    "书香",
    "时代",
    "世纪",
    "御景",
    "怡和",
    "春华",
    "秋实",
    "嘉和",
    "泰和",
    "瑞丰",
    "盛世",
    "新城",
    "铁路",
    "粮食",
    "纺织",
    "航运",
    "物资",
]
COMPOUND_KINDS = ("小区", "花园", "家园", "新村", "苑", "宿舍", "名都", "公寓")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="residents to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=5000, help="rows per INSERT batch")
    args = parser.parse_args()
    setup()

    from django.conf import settings
    from django.db import transaction

    from wangge.core import services as core_services
    from wangge.core.models import User
    from wangge.core.roles import Role
    from wangge.people.choices import HouseholdKind
    from wangge.people.fake import LOCAL_SIZES, TENANT_SIZES, PeopleFaker, split_sizes
    from wangge.people.fake_rows import Placed, fast_insert, write_households
    from wangge.people.models import Person, Tag
    from wangge.places.models import Building, Compound, House
    from wangge.regions import services as region_services
    from wangge.regions.models import Region

    print(f"machine: {machine()}")
    if Region.all_objects.filter(name=BENCH_DISTRICT, parent__isnull=True).exists():
        existing = Person.all_objects.filter(
            region__path__startswith=Region.all_objects.get(name=BENCH_DISTRICT, parent__isnull=True).path
        ).count()
        raise SystemExit(f"{BENCH_DISTRICT} already exists with {existing} people: use a fresh database.")
    rng = random.Random(args.seed)
    faker = PeopleFaker(rng)
    tags = {t.code: t for t in Tag.objects.all()}
    n_grids = max(1, math.ceil(args.n / GRID_PEOPLE))
    started = time.perf_counter()

    with transaction.atomic():
        create = region_services.region_create
        district = create(actor=None, parent=None, name=BENCH_DISTRICT, area_code="421202")
        grids: list[Region] = []
        street = community = None
        for g in range(n_grids):
            if g % (GRIDS_PER_COMMUNITY * COMMUNITIES_PER_STREET) == 0:
                street = create(actor=None, parent=district, name=f"第{len(grids) // 48 + 1}街道")
            if g % GRIDS_PER_COMMUNITY == 0:
                community = create(actor=None, parent=street, name=f"社区{g // GRIDS_PER_COMMUNITY + 1}")
            grids.append(create(actor=None, parent=community, name=f"网格{g + 1}"))
        user = User.objects.filter(username=BENCH_USER).first() or core_services.user_create(
            actor=None,
            username=BENCH_USER,
            password=settings.WANGGE_DEMO_PASSWORD,
            full_name="基准街道主任",
            roles={Role.STREET_SUPERVISOR},
            must_change_password=False,
        )
        region_services.scope_set(actor=None, user=user, regions=[district])
    regions_done = time.perf_counter()
    print(f"regions: {len(grids)} grids in {regions_done - started:.1f} s")

    remaining = args.n
    total_people = total_households = total_tags = 0
    rows_time = 0.0
    last_report = 0
    for index, grid in enumerate(grids):
        people = min(GRID_PEOPLE, remaining) if index < len(grids) - 1 else remaining
        remaining -= people
        if people <= 0:
            break
        households = max(1, round(people / 3.47))
        tenants = round(households * 0.2175)
        tenant_people = min(max(round(people * 0.186), tenants), people - (households - tenants))
        families = [
            faker.household(kind=HouseholdKind.LOCAL, size=s)
            for s in split_sizes(rng, households - tenants, people - tenant_people, LOCAL_SIZES)
        ] + [
            faker.household(kind=HouseholdKind.TENANT, size=s)
            for s in split_sizes(rng, tenants, tenant_people, TENANT_SIZES)
        ]
        t0 = time.perf_counter()
        with transaction.atomic():
            name = rng.choice(COMPOUND_WORDS) + rng.choice(COMPOUND_KINDS)
            compound = Compound(region_id=grid.pk, name=name, address=f"咸安区{name}{rng.randrange(1, 300)}号")
            fast_insert([compound])
            buildings, houses = [], []
            per_building = 7 * 3 * 2
            for b in range(math.ceil(len(families) / per_building)):
                building = Building(region_id=grid.pk, compound_id=compound.pk, name=f"{b + 1}栋", floors=7, units=3)
                buildings.append(building)
            fast_insert(buildings)
            for building in buildings:
                for unit in range(1, 4):
                    for floor in range(1, 8):
                        for door in (1, 2):
                            houses.append(
                                House(
                                    region_id=grid.pk,
                                    building_id=building.pk,
                                    unit=unit,
                                    floor=floor,
                                    number=f"{floor}0{door}",
                                    is_rental=False,
                                )
                            )
            for house, family in zip(houses, families, strict=False):
                house.owner_name = family.head.name
                if family.kind == HouseholdKind.TENANT:
                    house.is_rental, house.tenants_count = True, len(family.members)
            fast_insert(houses, batch_size=args.batch)
            placed = [
                Placed(region_id=grid.pk, number=f"{index + 1:04d}{i:04d}", household=family, house_id=house.pk)
                for i, (family, house) in enumerate(zip(families, houses, strict=False))
            ]
            result = write_households(placed, tags=tags, batch_size=args.batch)
        rows_time += time.perf_counter() - t0
        total_people += result.persons
        total_households += result.households
        total_tags += result.tags
        if total_people - last_report >= 50_000 or remaining <= 0:
            last_report = total_people
            elapsed = time.perf_counter() - regions_done
            print(f"  {total_people:>9,} people  {elapsed:7.1f} s  {total_people / elapsed:8.0f} people/s", flush=True)
    elapsed = time.perf_counter() - started
    print(
        f"done: {total_people:,} people in {total_households:,} households, {total_tags:,} tags, "
        f"{len(grids)} grids, in {elapsed:.1f} s ({total_people / elapsed:.0f} people/s)"
    )


if __name__ == "__main__":
    main()
