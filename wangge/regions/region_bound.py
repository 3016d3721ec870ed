"""The regions app's own region-bound records (see `wangge.regions.owned`)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wangge.regions.models import Assignment, UserScope
from wangge.regions.owned import Rule, declare

# A user whose scope was the merged grid now sees the grid it went into (once, if they already did).
declare(UserScope, "region", merge=Rule.REASSIGN, unique_with=("user",), label=_("accounts' scopes"))
# Serving grid workers and leaders go with their grid; ended assignments stay where they served.
declare(Assignment, "region", merge=Rule.REASSIGN, keep=Q(ended_on__isnull=False))
