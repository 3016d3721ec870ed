"""Statistics for a region: received, accepted, closed, closed on time (按期结案率), handling time, satisfaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractMonth

from wangge.cases.choices import State
from wangge.cases.models import Case
from wangge.cases.selectors import cases_visible
from wangge.core.models import User

NOT_ACCEPTED = [State.REPORTED, State.REJECTED, State.MERGED]

_HANDLING_TIME = ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())


def _measures() -> dict[str, Any]:
    return {
        "received": Count("pk"),
        "accepted": Count("pk", filter=~Q(state__in=NOT_ACCEPTED)),
        "closed": Count("pk", filter=Q(state=State.CLOSED)),
        "on_time": Count("pk", filter=Q(state=State.CLOSED, was_overdue=False)),
        "overdue_now": Count("pk", filter=Q(deadline_status="overdue") & ~Q(state__in=[State.CLOSED, *NOT_ACCEPTED])),
        "rated": Count("rating"),
        "rating": Avg("rating"),
        "handling_time": Avg(_HANDLING_TIME, filter=Q(state=State.CLOSED)),
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


def region_report(*, user: User, year: int, cases: QuerySet[Case] | None = None) -> Report:
    """One year of the user's area, or of `cases` (already scoped), in four grouped queries."""
    cases = (cases if cases is not None else cases_visible(user=user)).filter(reported_at__year=year)
    cases = cases.order_by()
    total = _row("", cases.aggregate(**_measures()))
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
