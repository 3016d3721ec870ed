"""Demo residents: 三元社区's 6,796 households and 23,562 residents (seed 002), grid by grid as declared.

About one household in five rents (1,478 households, 4,377 people: those not 常住 in seed 002);
the rest are local families. Rows are written in bulk through `wangge.people.fake_rows`, which
computes what the services compute; the whole load leaves one audit row ("demo.load").
`WANGGE_DEMO_SCALE` scales every count (tests use a small scale).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from typing import Any, TextIO

from django.db import connection
from django.db.models import Count

from wangge.core.audit import audit_record
from wangge.core.models import User
from wangge.people.choices import HouseholdKind
from wangge.people.fake import LOCAL_SIZES, TENANT_SIZES, FakeHousehold, PeopleFaker, split_sizes
from wangge.people.fake_rows import Placed, write_households
from wangge.people.models import Person, Tag
from wangge.places.demo import OTHER_SHARE, demo_scale, grid_targets, scaled
from wangge.places.models import House
from wangge.regions.demo import SANYUAN_GRIDS
from wangge.regions.models import Region

SEED = 23562
TENANT_HOUSEHOLD_SHARE = 1478 / 6796
TENANT_PEOPLE_SHARE = 4377 / 23562
SHOWCASE_GRID = "第八网格"  # grid8's building view gets a good mix of red, pink and white


def _population(grid: Region, households: int, scale: float) -> int:
    declared = {name: residents for name, *_r, residents, _m in SANYUAN_GRIDS}
    if grid.name in declared:
        return max(households, scaled(declared[grid.name], scale))
    return max(households, scaled(round((grid.declared_population or 1800) * OTHER_SHARE), scale))


def _households(faker: PeopleFaker, rng: random.Random, households: int, population: int) -> list[FakeHousehold]:
    tenants = round(households * TENANT_HOUSEHOLD_SHARE)
    tenant_people = min(max(round(population * TENANT_PEOPLE_SHARE), tenants), population - (households - tenants))
    out = [
        faker.household(kind=HouseholdKind.LOCAL, size=size)
        for size in split_sizes(rng, households - tenants, population - tenant_people, LOCAL_SIZES)
    ]
    out += [
        faker.household(kind=HouseholdKind.TENANT, size=size)
        for size in split_sizes(rng, tenants, tenant_people, TENANT_SIZES)
    ]
    return out


def _houses_for(
    rng: random.Random, houses: list[House], families: list[FakeHousehold], *, showcase: bool
) -> list[House]:
    """A house for each family, in the same order; tenants go to houses let out by their owner."""
    occupied = sorted(rng.sample(range(len(houses)), len(families)))
    chosen = [houses[i] for i in occupied]
    tenant_slots = [i for i, f in enumerate(families) if f.kind == HouseholdKind.TENANT]
    local_slots = [i for i, f in enumerate(families) if f.kind == HouseholdKind.LOCAL]
    order = list(range(len(chosen)))
    rng.shuffle(order)
    if showcase and chosen:
        # In the first building, every fourth occupied house is rented: the building view shows all three colours.
        first = chosen[0].building_id
        forced = [i for i in range(len(chosen)) if chosen[i].building_id == first][1::4][: len(tenant_slots)]
        order = forced + [i for i in order if i not in set(forced)]
    out: list[House | None] = [None] * len(families)
    for slot, house_index in zip(tenant_slots + local_slots, order, strict=True):
        out[slot] = chosen[house_index]
    return [h for h in out if h is not None]


def _value(value: Any) -> Any:
    return str(value) if isinstance(value, str) else value  # a choices enum as its value


def _save_houses(houses: list[House]) -> None:
    """What the load decided about each house (let out, owner, vacant), in one executemany: bulk_update is slow."""
    fields = ["is_rental", "landlord_name", "landlord_phone", "owner_name", "tenants_count", "use"]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(House._meta.get_field(f).column)} = %s" for f in fields)  # type: ignore[union-attr,arg-type]
    sql = f"UPDATE {quote(House._meta.db_table)} SET {columns} WHERE {quote(str(House._meta.pk.column))} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[_value(getattr(h, f)) for f in fields] + [h.pk] for h in houses])


def load(*, stdout: TextIO) -> None:
    started = time.perf_counter()
    scale = demo_scale()
    targets = grid_targets(scale)
    if not targets:
        stdout.write("people: no demo district, nothing to do\n")
        return
    sanyuan = targets[0][0].parent
    assert sanyuan is not None
    if Person.all_objects.filter(region__path__startswith=sanyuan.path).exists():
        stdout.write("people: 三元社区 already has residents\n")
        return
    rng = random.Random(SEED)  # noqa: S311 - made-up demo data, not secrets
    faker = PeopleFaker(rng)
    users = {u.username: u for u in User.objects.filter(username__in=["grid8", "staff"])}
    tags = {t.code: t for t in Tag.objects.all()}
    houses_by_grid: dict[str, list[House]] = defaultdict(list)
    for house in (
        House.all_objects.filter(deleted_at__isnull=True)
        .select_related("region")
        .order_by("building_id", "unit", "floor", "number")
    ):
        houses_by_grid[house.region.path].append(house)
    totals = {"persons": 0, "households": 0, "tags": 0, "houses": 0}
    touched: list[House] = []
    for grid_index, (grid, regions, n_households) in enumerate(targets, start=1):
        houses = [h for r in regions for h in houses_by_grid.get(r.path, [])]
        if not houses:
            continue
        families = _households(faker, rng, min(n_households, len(houses)), _population(grid, n_households, scale))
        homes = _houses_for(rng, houses, families, showcase=grid.name == SHOWCASE_GRID)
        placed: list[Placed] = []
        seq: dict[str, int] = {HouseholdKind.LOCAL: 0, HouseholdKind.TENANT: 0}
        for family, house in zip(families, homes, strict=True):
            seq[family.kind] += 1
            prefix = "Z" if family.kind == HouseholdKind.TENANT else ""
            placed.append(
                Placed(
                    region_id=house.region_id,
                    number=f"{grid_index:02d}{prefix}{seq[family.kind]:04d}",
                    household=family,
                    house_id=house.pk,
                )
            )
            if family.kind == HouseholdKind.TENANT:
                house.is_rental = True
                house.landlord_name = faker.name("M" if rng.random() < 0.6 else "F", faker.birth(45, 75))
                house.landlord_phone = faker.phone()
                house.owner_name = house.landlord_name
                house.tenants_count = len(family.members)
            else:
                house.owner_name = family.head.name
        in_use = {h.pk for h in homes}
        for house in houses:
            if house.pk not in in_use:
                house.use = House.Use.VACANT
        touched += houses
        if grid.name == SHOWCASE_GRID:
            verifier = users.get("grid8")
        elif grid.parent_id == sanyuan.pk:
            verifier = users.get("staff")
        else:
            verifier = None
        result = write_households(
            placed,
            tags=tags,
            verifier_id=verifier.pk if verifier else None,
            claimer_id=verifier.pk if verifier else None,
        )
        totals["persons"] += result.persons
        totals["households"] += result.households
        totals["tags"] += result.tags
    _save_houses(touched)
    totals["houses"] = len(touched)
    in_sanyuan = Person.all_objects.filter(region__path__startswith=sanyuan.path).aggregate(n=Count("id"))["n"] or 0
    seconds = round(time.perf_counter() - started, 1)
    audit_record(
        actor=None,
        action="demo.load",
        object_type="people",
        detail={**totals, "scale": scale, "sanyuan_persons": in_sanyuan, "seconds": seconds},
    )
    stdout.write(
        f"people: {totals['persons']} residents in {totals['households']} households "
        f"({in_sanyuan} in 三元社区), {totals['tags']} tags, in {seconds} s\n"
    )
