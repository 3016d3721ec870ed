"""Search latency of the people console, query kind by query kind, against a plain LIKE '%…%' scan.

    DATABASE_URL=... python bench/search_people.py [--per-kind 50]

Runs realistic queries (taken from the generated people) through `wangge.people.selectors.people_search`
as `bench_street` (a street supervisor whose scope is the whole bench district), fetching the first
page (50 rows, `with_list_details`, the console's ordering). The baseline runs the same page with the
search predicate replaced by an unindexable LIKE '%…%' on a plain column: the name, the pinyin keys,
the masked ID / phone (their last four digits are in clear), the compound name.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from functools import partial

from _common import BENCH_DISTRICT, BENCH_USER, machine, setup

PAGE = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-kind", type=int, default=50, help="queries per kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the plan of one query per kind")
    args = parser.parse_args()
    setup()

    from django.db import connection, reset_queries
    from django.db.models import Q, QuerySet

    from wangge.core.models import User
    from wangge.people.models import Person
    from wangge.people.selectors import PersonFilters, people_search, people_visible, with_list_details
    from wangge.people.services import reveal_value
    from wangge.regions.models import Region

    print(f"machine: {machine()}")
    user = User.objects.get(username=BENCH_USER)
    district = Region.all_objects.get(name=BENCH_DISTRICT, parent__isnull=True)
    total = Person.all_objects.filter(region__path__startswith=district.path).count()
    print(f"district {BENCH_DISTRICT}: {total:,} people; user {BENCH_USER} (scope: the district)")

    rng = random.Random(args.seed)
    bounds = Person.all_objects.filter(region__path__startswith=district.path).order_by("pk")
    low, high = bounds.values_list("pk", flat=True).first(), bounds.reverse().values_list("pk", flat=True).first()
    assert low is not None and high is not None
    sample_ids = rng.sample(range(low, high + 1), min(args.per_kind * 3, high - low + 1))
    sample = list(
        Person.all_objects.filter(pk__in=sample_ids).prefetch_related("residences__house__building__compound")
    )
    rng.shuffle(sample)
    with_phone = [p for p in sample if p.phone_enc]

    def compound_of(p: Person) -> str:
        home = next(iter(p.residences.all()), None)
        building = home.house.building if home else None
        return building.compound.name if building and building.compound else p.name[:2]

    n = args.per_kind
    # kind → [(query typed in the search box, baseline predicate)]
    kinds: dict[str, list[tuple[str, Q]]] = {
        "initials (zs)": [
            (q, Q(name_initials__contains=q)) for q in (p.name_initials[: rng.choice([2, 3])] for p in sample[:n])
        ],
        "pinyin prefix": [
            (q, Q(name_pinyin__contains=q))
            for q in (p.name_pinyin[: rng.randint(4, max(4, len(p.name_pinyin) - 1))] for p in sample[:n])
        ],
        "name prefix (汉字)": [(q, Q(name__contains=q)) for q in (p.name[:2] for p in sample[:n])],
        "full citizen ID": [
            (number, Q(id_number_masked__endswith=number[-4:]) & Q(id_number_masked__contains=number[:3]))
            for number in (reveal_value(p, "id_number") for p in sample[:n])
        ],
        "ID last 4": [
            (q, Q(id_number_masked__contains=q))
            for q in (reveal_value(p, "id_number")[-4:] for p in sample[:n])
            if q.isdigit()
        ],
        "ID last 6": [
            (q, Q(id_number_masked__contains=q[-4:])) for q in (reveal_value(p, "id_number")[-6:] for p in sample[:n])
        ],
        "phone last 4": [
            (q, Q(phone_masked__contains=q)) for q in (reveal_value(p, "phone")[-4:] for p in with_phone[:n])
        ],
        "address fragment": [
            (q, Q(residences__house__building__compound__name__contains=q))
            for q in (compound_of(p) for p in sample[:n])
        ],
    }

    def page(qs: QuerySet[Person]) -> int:
        return len(list(with_list_details(qs, user=user)[:PAGE]))

    def timed(run: Callable[[], int]) -> tuple[float, int]:
        start = time.perf_counter()
        rows = run()
        return (time.perf_counter() - start) * 1000, rows

    def search(q: str) -> int:
        return page(people_search(user=user, filters=PersonFilters(q=q)))

    def baseline(predicate: Q) -> int:
        return page(people_visible(user=user).filter(predicate).distinct())

    # Warm up the caches (and the scope lookup) so the first kind is not penalised.
    for q, predicate in kinds["name prefix (汉字)"][:5]:
        search(q)
        baseline(predicate)
    reset_queries()

    print()
    header = f"{'query kind':<20} {'n':>3}  {'search median':>13} {'p95':>8}  {'baseline median':>15} {'p95':>8}  {'rows':>5}"
    print(header)
    print("-" * len(header))
    for kind, queries in kinds.items():
        fast, slow, rows = [], [], []
        for q, predicate in queries:
            ms, found = timed(partial(search, q))
            fast.append(ms)
            rows.append(found)
            ms, _ = timed(partial(baseline, predicate))
            slow.append(ms)
        print(
            f"{kind:<20} {len(queries):>3}  {statistics.median(fast):>10.1f} ms {_p95(fast):>5.1f} ms"
            f"  {statistics.median(slow):>12.1f} ms {_p95(slow):>5.1f} ms  {statistics.mean(rows):>5.1f}"
        )
        if args.explain:
            q, predicate = queries[0]
            qs = people_search(user=user, filters=PersonFilters(q=q))[:PAGE]
            print(f"    EXPLAIN {q!r}:\n      " + qs.explain().replace("\n", "\n      "))
    print()
    print("search = people_search + with_list_details, first page of 50 (4 queries);")
    print("baseline = the same page with LIKE '%…%' on name / pinyin keys / masked ID or phone / compound name.")
    print(f"database: {connection.vendor}")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
