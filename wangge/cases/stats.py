"""Statistics for a region: received, accepted, closed, closed on time (按期结案率), handling time, satisfaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone

from wangge.cases.choices import State
from wangge.cases.departments import is_department_handler
from wangge.cases.models import Case, CaseMonthStat, CaseStatMark
from wangge.cases.selectors import cases_visible
from wangge.core.models import User
from wangge.regions.models import Region, paths_q, scope_paths

NOT_ACCEPTED = [State.REPORTED, State.REJECTED, State.MERGED]
FIRST_YEAR = 2000  # the statistics' first year; the last is next year

_HANDLING_TIME = ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())


# Which cases each count counts: the one definition behind the statistics page, the monthly
# statistics and the cases app's indicators (wangge/cases/indicators.py).
COUNTED: dict[str, Q] = {
    "received": Q(),
    "accepted": ~Q(state__in=NOT_ACCEPTED),
    "closed": Q(state=State.CLOSED),
    "on_time": Q(state=State.CLOSED, was_overdue=False),
    "overdue_now": Q(deadline_status="overdue") & ~Q(state__in=[State.CLOSED, *NOT_ACCEPTED]),
    "rated": Q(rating__isnull=False),
}


def _count(name: str) -> Count:
    return Count("pk", filter=COUNTED[name] or None)


def _measures() -> dict[str, Any]:
    return {
        **{name: _count(name) for name in COUNTED},
        "rating": Avg("rating"),
        "handling_time": Avg(_HANDLING_TIME, filter=COUNTED["closed"]),
    }


@dataclass
class Row:
    label: Any
    received: int = 0
    accepted: int = 0
    closed: int = 0
    on_time: int = 0
    overdue_now: int = 0
    rated: int = 0
    rating: float | None = None
    handling_time: timedelta | None = None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.closed, 1) if self.closed else None

    @property
    def handling_hours(self) -> float | None:
        return round(self.handling_time.total_seconds() / 3600, 1) if self.handling_time else None

    @property
    def rating_display(self) -> float | None:
        return round(float(self.rating), 2) if self.rating is not None else None


@dataclass
class Report:
    total: Row
    by_category: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)
    by_grid: list[Row] = field(default_factory=list)


def _row(label: Any, values: dict[str, Any]) -> Row:
    measures: dict[str, Any] = {k: values.get(k) for k in _measures()}
    for key in ("received", "accepted", "closed", "on_time", "overdue_now", "rated"):
        measures[key] = measures[key] or 0
    return Row(label, **measures)


def region_report(
    *, user: User, year: int, region: Region | None = None, cases: QuerySet[Case] | None = None
) -> Report:
    """One year of the user's area (or of `region` in it), from the monthly statistics.

    A department handler's statistics, or those of an explicit queryset `cases`, are counted from
    the cases themselves (they are a department's share, not whole grids).
    """
    if cases is None and not is_department_handler(user):
        return _rollup_report(user=user, year=year, region=region)
    if cases is None:
        cases = cases_visible(user=user)
        if region is not None:
            cases = cases.filter(region__path__startswith=region.path)
    return _live_report(cases=cases, year=year)


def case_figures(cases: QuerySet[Case]) -> Row:
    """The figures of these cases, in one aggregate query (also what the cases app's indicators read)."""
    return _row("", cases.order_by().aggregate(**_measures()))


def _live_report(*, cases: QuerySet[Case], year: int) -> Report:
    """Four grouped queries over the cases of the year."""
    cases = cases.filter(reported_at__year=year)
    cases = cases.order_by()
    total = case_figures(cases)
    by_category = [
        _row(row["top"], row)
        for row in cases.annotate(top=Coalesce("category__parent__name", "category__name"))
        .values("top")
        .annotate(**_measures())
        .order_by("top")
    ]
    by_month = [
        _row(row["month"], row)
        for row in cases.annotate(month=ExtractMonth("reported_at"))
        .values("month")
        .annotate(**_measures())
        .order_by("month")
    ]
    by_grid = [
        _row(row["region__name"], row)
        for row in cases.values("region__path", "region__name").annotate(**_measures()).order_by("region__path")
    ]
    return Report(total=total, by_category=by_category, by_month=by_month, by_grid=by_grid)


@dataclass
class Bar:
    label: Any
    x: int
    received_y: int
    received_h: int
    closed_x: int
    closed_y: int
    closed_h: int
    received: int
    closed: int


def month_bars(rows: list[Row], *, height: int = 120, step: int = 50) -> list[Bar]:
    """Twelve pairs of bars (received, closed) for an inline SVG: no script, so the strict CSP holds."""
    by_month = {row.label: row for row in rows}
    top = max([r.received for r in rows] + [1])
    bars = []
    for month in range(1, 13):
        row = by_month.get(month) or Row(month)
        received_h = round(height * row.received / top)
        closed_h = round(height * row.closed / top)
        x = (month - 1) * step + 8
        bars.append(
            Bar(
                month, x, height - received_h, received_h, x + 16, height - closed_h, closed_h, row.received, row.closed
            )
        )
    return bars


# --- the monthly statistics ---------------------------------------------------------------------

# Cases updated in the last seconds are looked at again by the next refresh: a transaction that
# stamped its case just before a refresh may commit just after it. (Short: a page view recounts the
# months of the cases changed within it.)
OVERLAP = timedelta(seconds=10)


def _month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    following = (month + timedelta(days=32)).replace(day=1)
    return (
        timezone.make_aware(datetime.combine(month, time.min)),
        timezone.make_aware(datetime.combine(following, time.min)),
    )


def _sums() -> dict[str, Any]:
    return {
        **{name: _count(name) for name in ("received", "accepted", "closed", "on_time", "rated")},
        "rating_sum": Sum("rating"),
        "handling": Sum(_HANDLING_TIME, filter=COUNTED["closed"]),
    }


def _recount(month: date, region_ids: Iterable[int]) -> None:
    """Replace the statistics of these grids for the month by a fresh count of their cases."""
    region_ids = list(region_ids)
    start, end = _month_bounds(month)
    CaseMonthStat.objects.filter(month=month, region_id__in=region_ids).delete()
    counted = (
        Case.all_objects.filter(reported_at__gte=start, reported_at__lt=end, region_id__in=region_ids)
        .order_by()
        .values("region_id", "category_id")
        .annotate(**_sums())
    )
    CaseMonthStat.objects.bulk_create(
        [
            CaseMonthStat(
                region_id=row["region_id"],
                category_id=row["category_id"],
                month=month,
                received=row["received"],
                accepted=row["accepted"],
                closed=row["closed"],
                on_time=row["on_time"],
                rated=row["rated"],
                rating_sum=row["rating_sum"] or 0,
                handling_seconds=int(row["handling"].total_seconds()) if row["handling"] else 0,
            )
            for row in counted
        ],
        batch_size=2000,
    )


def recount_regions(region_ids: list[int]) -> None:
    """Recount every month of these grids' statistics (after a merge moved cases between them).

    Serialised with `refresh` by the same row lock, so the two never count the same month at once.
    """
    with transaction.atomic():
        CaseStatMark.objects.get_or_create(pk=1)
        CaseStatMark.objects.select_for_update().get(pk=1)
        months = {month for (month,) in CaseMonthStat.objects.filter(region_id__in=region_ids).values_list("month")}
        cases = Case.all_objects.filter(region_id__in=region_ids).order_by()
        months |= {_month_of(reported_at) for reported_at in cases.values_list("reported_at", flat=True).iterator()}
        for month in sorted(months):
            _recount(month, region_ids)


def refresh(*, now: datetime | None = None) -> int:
    """Recount the (grid, month) pairs whose cases changed since the last refresh; returns how many.

    Runs before every statistics page and after every deadline sweep; the first run counts every case.
    """
    now = now or timezone.now()
    with transaction.atomic():
        CaseStatMark.objects.get_or_create(pk=1)
        mark = CaseStatMark.objects.select_for_update().get(pk=1)
        changed = Case.all_objects.all()
        if mark.refreshed_upto is not None:
            changed = changed.filter(updated_at__gt=mark.refreshed_upto)
        regions_by_month: dict[date, set[int]] = defaultdict(set)
        for region_id, reported_at in changed.values_list("region_id", "reported_at").iterator(chunk_size=5000):
            regions_by_month[_month_of(reported_at)].add(region_id)
        for month, region_ids in regions_by_month.items():
            _recount(month, region_ids)
        mark.refreshed_upto = now - OVERLAP
        mark.save(update_fields=["refreshed_upto"])
    return sum(len(ids) for ids in regions_by_month.values())


def _rollup_row(label: Any, values: dict[str, Any], overdue: int = 0) -> Row:
    closed = values.get("closed") or 0
    rated = values.get("rated") or 0
    seconds = values.get("handling_seconds") or 0
    return Row(
        label,
        received=values.get("received") or 0,
        accepted=values.get("accepted") or 0,
        closed=closed,
        on_time=values.get("on_time") or 0,
        overdue_now=overdue,
        rated=rated,
        rating=(values.get("rating_sum") or 0) / rated if rated else None,
        handling_time=timedelta(seconds=seconds / closed) if closed else None,
    )


def _rollup_report(*, user: User, year: int, region: Region | None) -> Report:
    refresh()
    paths = [region.path] if region is not None else scope_paths(user)
    stats = CaseMonthStat.objects.filter(month__year=year).filter(paths_q(paths, "region__path")).order_by()
    sums = {
        name: Sum(name)
        for name in ("received", "accepted", "closed", "on_time", "rated", "rating_sum", "handling_seconds")
    }
    # "overdue now" is a fact of the open cases, counted live (a few thousand, through the state index)
    overdue = (
        cases_visible(user=user)
        .filter(paths_q(paths, "region__path"), COUNTED["overdue_now"], reported_at__year=year)
        .order_by()
    )
    overdue_by_top = dict(
        overdue.annotate(top=Coalesce("category__parent__name", "category__name"))
        .values("top")
        .annotate(n=Count("pk"))
        .values_list("top", "n")
    )
    overdue_by_month = dict(
        overdue.annotate(month=ExtractMonth("reported_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    overdue_by_grid = dict(overdue.values("region__path").annotate(n=Count("pk")).values_list("region__path", "n"))
    total = _rollup_row("", stats.aggregate(**sums), sum(overdue_by_top.values()))
    by_category = [
        _rollup_row(row["top"], row, overdue_by_top.get(row["top"], 0))
        for row in stats.annotate(top=Coalesce("category__parent__name", "category__name"))
        .values("top")
        .annotate(**sums)
        .order_by("top")
    ]
    by_month = [
        _rollup_row(row["month"].month, row, overdue_by_month.get(row["month"].month, 0))
        for row in stats.values("month").annotate(**sums).order_by("month")
    ]
    by_grid = [
        _rollup_row(row["region__name"], row, overdue_by_grid.get(row["region__path"], 0))
        for row in stats.values("region__path", "region__name").annotate(**sums).order_by("region__path")
    ]
    return Report(total=total, by_category=by_category, by_month=by_month, by_grid=by_grid)
