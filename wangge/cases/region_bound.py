"""The cases app's region-bound records (see `wangge.regions.owned`).

Open cases (and those waiting for their rating) follow a merged grid, so its successor's worker
finishes them; closed, rejected and merged cases stay in the grid where they happened, as history.
The monthly statistics are unique per grid, category and month: they are recounted, never moved.
"""

from __future__ import annotations

from django.db.models import Q

from wangge.cases.choices import State
from wangge.cases.models import Case, CaseMonthStat, EscalationRule
from wangge.cases.stats import recount_regions
from wangge.regions.owned import Rule, declare

HISTORY = Q(state__in=[State.CLOSED, State.REJECTED, State.MERGED])

declare(Case, "region", merge=Rule.REASSIGN, keep=HISTORY)
declare(Case, "handling_region", merge=Rule.REASSIGN, keep=HISTORY)
declare(EscalationRule, "copy_regions", merge=Rule.REASSIGN)
declare(CaseMonthStat, "region", merge=Rule.REAGGREGATE, reaggregate=recount_regions)
