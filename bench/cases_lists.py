"""Response times of the case work lists and statistics, per role, on the street made by `gen_cases.py`.

    DATABASE_URL=... python bench/cases_lists.py [--runs 30] [--explain] [--views]

Render-free: each list run is what `wangge.cases.views.list_view` asks of the database for one page,
without the template — `selectors.case_list(user=…, filters=…)` (the scope, the list's filter and
its `select_related`) paginated by Django's `Paginator` at 50 a page: the paginator's COUNT, then
the first page's rows. Each statistics run is `stats.region_report` for this year over the street
(as the supervisor, everything in scope) and over one community (the statistics page's region
filter, and the community staff's own area). The user is read again before each run, so the
scope lookup a request makes is timed too. `--views` also times the full page (middleware,
view, template) through `django.test.Client` for the default list (my to-do) and the statistics
(`--view-runs`, 10 by default);
`--explain` prints the plans of the page and count queries of each kind once.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from _common import machine, setup

PAGE = 50
STREET_USER = "bench_case_street"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="runs per kind")
    parser.add_argument("--explain", action="store_true", help="print the plans of one run per kind")
    parser.add_argument("--views", action="store_true", help="also time the full pages through the test client")
    parser.add_argument("--view-runs", type=int, default=10, help="runs per page with --views")
    parser.add_argument("--only", default="", help="run only kinds whose name contains this")
    args = parser.parse_args()
    setup()

    from django.conf import settings
    from django.core.paginator import Paginator
    from django.db import connection
    from django.utils import timezone

    from wangge.cases import selectors, stats
    from wangge.cases.choices import Source, State
    from wangge.cases.models import Case, Category
    from wangge.core.models import User
    from wangge.regions.models import Level, Region

    settings.DEBUG = False  # as in production: no query log
    print(f"machine: {machine()}")
    street_user = User.objects.get(username=STREET_USER)
    street = Region.all_objects.get(pk=street_user.scopes.get().region_id)
    community = Region.all_objects.filter(parent=street, level=Level.COMMUNITY).order_by("pk").first()
    assert community is not None
    grid = Region.all_objects.filter(parent=community, level=Level.GRID).order_by("pk").first()
    assert grid is not None
    grid_user = User.objects.get(scopes__region=grid, roles__role="grid_worker")
    staff_user = User.objects.get(scopes__region=community, roles__role="community_staff")
    department_user = User.objects.get(username__startswith="bench_dept_", department="城管")
    total = Case.all_objects.filter(region__path__startswith=street.path).count()
    year = timezone.localdate().year
    this_year = Case.all_objects.filter(region__path__startswith=street.path, reported_at__year=year).count()
    print(f"street {street.name}: {total:,} cases ({this_year:,} reported in {year}); page of {PAGE}")
    roles = {
        "grid": grid_user.username,
        "community": staff_user.username,
        "street": street_user.username,
        "department": department_user.username,
    }
    print("as " + ", ".join(f"{role} = {name}" for role, name in roles.items()))

    facilities = Category.objects.get(code="SS")
    today = timezone.localdate()
    F = selectors.CaseFilters
    lists: dict[str, tuple[str, selectors.CaseFilters]] = {}
    for role in roles:
        for name in ("todo", "open", "overdue", "supervised", ""):
            lists[f"{role}: {name or 'all'}"] = (role, F(list=name))
    lists.update(
        {
            "street: open, category SS": ("street", F(list="open", category=facilities)),
            "street: all, closed + hotline": ("street", F(state=State.CLOSED, source=Source.HOTLINE)),
            "street: all, community 1": ("street", F(region=community)),
            "street: overdue, grid 1": ("street", F(list="overdue", region=grid)),
            "street: all, last 30 days": ("street", F(since=today - timedelta(days=30), until=today)),
            "street: all, q=漏水": ("street", F(q="漏水")),
            "community: open, category SS": ("community", F(list="open", category=facilities)),
            "grid: all, last 30 days": ("grid", F(since=today - timedelta(days=30), until=today)),
        }
    )

    def user(role: str) -> Any:
        return User.objects.get(username=roles[role])  # fresh: the scope is read again, as per request

    def list_run(role: str, filters: selectors.CaseFilters) -> Callable[[], int]:
        u = user(role)

        def run() -> int:
            page = Paginator(selectors.case_list(user=u, filters=filters), PAGE).get_page(1)
            rows = list(page)
            return page.paginator.count if rows or page.paginator.count == 0 else -1

        return run

    def stats_run(role: str, region: Any) -> Callable[[], int]:
        u = user(role)

        def run() -> int:
            report = stats.region_report(user=u, year=year, region=region)
            return report.total.received

        return run

    def list_maker(role: str, f: selectors.CaseFilters) -> Callable[[str], Callable[[], int]]:
        return lambda _k: list_run(role, f)

    kinds: list[tuple[str, str, Callable[[str], Callable[[], int]]]] = [
        ("list", name, list_maker(role, f)) for name, (role, f) in lists.items()
    ]
    kinds += [
        ("stats", "street: whole street", lambda _k: stats_run("street", None)),
        ("stats", "street: community 1", lambda _k: stats_run("street", community)),
        ("stats", "community: own area", lambda _k: stats_run("community", None)),
        ("stats", "grid: own area", lambda _k: stats_run("grid", None)),
    ]
    if args.only:
        kinds = [k for k in kinds if args.only in k[1]]

    # Warm the caches (and the holiday calendar, the categories) so the first kind is not penalised.
    for _group, _name, make in kinds[:3]:
        make("")()

    print()
    header = f"{'kind':<34} {'rows':>8}  {'median':>9} {'p95':>9} {'max':>9}"
    print(header)
    print("-" * len(header))
    figures: list[tuple[str, str, float, float]] = []
    for group, name, make in kinds:
        times, rows = [], 0
        for _ in range(args.runs):
            run = make(name)
            start = time.perf_counter()
            rows = run()
            times.append((time.perf_counter() - start) * 1000)
        figures.append((group, name, statistics.median(times), _p95(times)))
        print(
            f"{group + ' ' + name:<34} {rows:>8,}  {statistics.median(times):>6.1f} ms {_p95(times):>6.1f} ms"
            f" {max(times):>6.1f} ms",
            flush=True,
        )
        if args.explain:
            _explain(make(name))

    if args.views:
        _time_views(args.view_runs, roles, community)

    print()
    worst = {
        g: max(p for grp, _n, _m, p in figures if grp == g)
        for g in ("list", "stats")
        if any(f[0] == g for f in figures)
    }
    if worst:
        targets = " (targets: lists 200 ms, stats 500 ms)"
        print("worst p95: " + ", ".join(f"{g} {p:.1f} ms" for g, p in worst.items()) + targets)
    print(f"database: {connection.vendor}")


def _explain(run: Callable[[], int]) -> None:
    """The plan of every query one run makes (captured, then EXPLAINed as sent)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    prefix = connection.ops.explain_query_prefix()
    for query in captured.captured_queries:
        sql = query["sql"]
        if "cases_case" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"{prefix} {sql}")
            plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
        shown = sql[:60] + " … " + sql[sql.index(" FROM ") :] if " FROM " in sql else sql
        print(f"    {shown[:1500]}\n      " + plan.replace("\n", "\n      "))


def _time_views(runs: int, roles: dict[str, str], community: Any) -> None:
    from django.test import Client

    from wangge.core.models import User

    print()
    print("full pages through django.test.Client (middleware, view, template):")
    pages = [
        ("street", "/cases/", "list: my to-do (default)"),
        ("street", "/cases/?list=open", "list: open"),
        ("grid", "/cases/", "grid list: my to-do"),
        ("street", "/cases/stats/", "stats: whole street"),
        ("street", f"/cases/stats/?region={community.pk}", "stats: community 1"),
    ]
    for role, url, label in pages:
        client = Client()
        client.force_login(User.objects.get(username=roles[role]))
        session = client.session
        session["wangge_login_at"] = time.time()  # what the login view stamps (SessionLifetimeMiddleware)
        session.save()
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        print(f"  {label:<32} {statistics.median(times):>6.1f} ms {_p95(times):>6.1f} ms  ({url})", flush=True)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
