"""The ledgers app's region-bound records (see `wangge.regions.owned`).

An import waiting for its columns or its start goes into the merged grid's successor; a finished
one stays as the record of where it went; while one is being checked or written, the grid cannot
be merged (its people would land in a closed grid).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wangge.ledgers.models import ImportJob
from wangge.regions.owned import Operation, Rule, declare

S = ImportJob.State

declare(
    ImportJob,
    "region",
    merge=Rule.REASSIGN,
    keep=Q(state__in=[S.DONE, S.FAILED, S.CANCELLED]),
    refuse=Q(state__in=ImportJob.ACTIVE),
    refuse_on=[Operation.MERGE],
    refuse_reason=_("an import into this grid is being checked or written; wait until it ends"),
)
