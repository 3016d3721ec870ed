"""The cases app's region-bound records (see `wangge.regions.owned`).

Open cases (and those waiting for their rating) follow a merged grid, so its successor's worker
finishes them; closed, rejected and merged cases stay in the grid where they happened, as history.
When a split or a move puts a grid under other regions, an open case handled by a region that is
no longer above its grid goes to the region of that level that now is (the new grid of a split,
the new community or street of a move).
The monthly statistics are unique per grid, category and month: they are recounted, never moved.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wangge.cases.choices import OPEN_STATES, State
from wangge.cases.models import Case, CaseMonthStat, EscalationRule
from wangge.cases.stats import recount_regions
from wangge.regions.models import Region
from wangge.regions.owned import Rule, declare

HISTORY = Q(state__in=[State.CLOSED, State.REJECTED, State.MERGED])


def rehome_handling(region_ids: list[int]) -> int:
    """Open cases of these regions handled outside their grid's new line of ancestors: handled by the one that is."""
    moved = 0
    cases = Case.all_objects.filter(region_id__in=region_ids, state__in=OPEN_STATES).select_related(
        "region", "handling_region"
    )
    for case in cases:
        grid, handling = case.region, case.handling_region
        if grid.path.startswith(handling.path):
            continue
        line = Region.all_objects.filter(pk__in=[*grid.ancestor_ids, grid.pk], level=handling.level).first()
        if line is not None:
            moved += Case.all_objects.filter(pk=case.pk, handling_region=handling).update(handling_region=line)
    return moved


declare(Case, "region", merge=Rule.REASSIGN, keep=HISTORY)
declare(
    Case,
    "handling_region",
    merge=Rule.REASSIGN,
    split=Rule.REAGGREGATE,
    move=Rule.REAGGREGATE,
    keep=HISTORY,
    reaggregate=rehome_handling,
    label=_("cases handled by this grid"),
)
declare(EscalationRule, "copy_regions", merge=Rule.REASSIGN)
declare(
    CaseMonthStat, "region", merge=Rule.REAGGREGATE, reaggregate=recount_regions, label=_("monthly case statistics")
)
