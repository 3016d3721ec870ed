"""The cases app's figures (see `wangge.core.indicators`), counted by `stats.py`'s own definitions.

The subject's cases are those reported in the period: for a region, in its whole subtree; for a
staff user, the cases dispatched to them. Each figure is one column of the statistics page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.cases.models import Case
from wangge.cases.stats import COUNTED, case_figures
from wangge.core.indicators import Direction, Indicator, Period, SubjectKind, Value, register
from wangge.regions.models import LEVEL_ORDER, Region


def reported_cases(subject: Any, period: Period) -> QuerySet[Case]:
    start, end = period.bounds()
    cases = Case.all_objects.filter(reported_at__gte=start, reported_at__lt=end)
    if isinstance(subject, Region):
        return cases.filter(region__path__startswith=subject.path)
    return cases.filter(assignee=subject)


def _value(figure: str) -> Callable[[Any, Period], Value]:
    def value(subject: Any, period: Period) -> Value:
        result: Value = getattr(case_figures(reported_cases(subject, period)), figure)
        return result

    return value


def _rows(counted: str) -> Callable[[Any, Period], QuerySet[Case]]:
    def rows(subject: Any, period: Period) -> QuerySet[Case]:
        return reported_cases(subject, period).filter(COUNTED[counted])

    return rows


CASES = pgettext_lazy("indicator unit", "cases")
BOTH = frozenset({SubjectKind.REGION, SubjectKind.USER})


def _offer(
    name: str, label: Any, unit: Any, direction: Direction, figure: str, counted: str, help_text: Any = ""
) -> None:
    register(
        Indicator(
            code=f"cases.{name}",
            label=label,
            unit=unit,
            direction=direction,
            levels=tuple(LEVEL_ORDER),
            value=_value(figure),
            rows=_rows(counted),
            subjects=BOTH,
            help_text=help_text,
        )
    )


_offer("received", _("Received"), CASES, Direction.NEUTRAL, "received", "received")
_offer("accepted", _("Accepted"), CASES, Direction.NEUTRAL, "accepted", "accepted")
_offer("closed", _("Closed"), CASES, Direction.HIGHER_IS_BETTER, "closed", "closed")
_offer("closed_on_time", _("Closed on time"), CASES, Direction.HIGHER_IS_BETTER, "on_time", "on_time")
_offer(
    "on_time_rate",
    _("On-time rate"),
    "%",
    Direction.HIGHER_IS_BETTER,
    "on_time_rate",
    "closed",
    _("Closed on time, of the closed cases; the rows are the closed cases."),
)
_offer("overdue", _("Overdue now"), CASES, Direction.LOWER_IS_BETTER, "overdue_now", "overdue_now")
_offer(
    "handling_hours",
    _("Average handling (hours)"),
    pgettext_lazy("indicator unit", "hours"),
    Direction.LOWER_IS_BETTER,
    "handling_hours",
    "closed",
    _("From report to close, over the closed cases."),
)
_offer(
    "satisfaction",
    _("Satisfaction"),
    pgettext_lazy("indicator unit", "points of 5"),
    Direction.HIGHER_IS_BETTER,
    "rating_display",
    "rated",
    _("The residents' average rating, over the rated cases."),
)
