"""The people app's region-bound records (see `wangge.regions.owned`): they follow a merged grid."""

from __future__ import annotations

from wangge.people.models import Household, Person
from wangge.regions.owned import Rule, declare

declare(Person, "region", merge=Rule.REASSIGN)
declare(Household, "region", merge=Rule.REASSIGN)
