"""The places app's region-bound records (see `wangge.regions.owned`): they follow a merged grid."""

from __future__ import annotations

from wangge.places.models import Building, Compound, House
from wangge.regions.owned import Rule, declare

declare(Compound, "region", merge=Rule.REASSIGN)
declare(Building, "region", merge=Rule.REASSIGN)
declare(House, "region", merge=Rule.REASSIGN)
