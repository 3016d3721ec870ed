"""The households a file builds: tenants of one rented house, and one head per household."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from wangge.ledgers.kinds import INVALID
from wangge.ledgers.people_plan.rows import RowPlan
from wangge.ledgers.places import PLACE_KEYS
from wangge.people.choices import HouseholdKind, Relation, Residency
from wangge.people.models import Household


def tenant_households(rows: list[RowPlan]) -> None:
    """A tenants' ledger names no 户号: the tenants of one rented house form one tenant household (租户户),
    its head the row the file names (户主 / 承租人) or else the first, pink as 红粉白 says; the others
    keep the relation the file gives, or 99 非亲属 (people sharing a flat)."""
    groups: dict[tuple[int, tuple[str, ...]], list[RowPlan]] = defaultdict(list)
    for row in rows:
        data = row.data
        if row.status == INVALID or row.grid is None or data.get("household_number"):
            continue
        if data.get("residency") != Residency.TENANT:
            continue
        place = tuple(str(data.get(k) or "") for k in PLACE_KEYS)
        if any(place):
            groups[(row.grid.pk, place)].append(row)
    for (_grid, place), members in groups.items():
        number = ("租" + "".join(place))[:32]
        if not any(r.data.get("relation") == Relation.HEAD for r in members):
            members[0].data["relation"] = Relation.HEAD
        for row in members:
            row.data["household_number"] = number
            row.data.setdefault("relation", Relation.NON_RELATIVE)
            row.data.setdefault("household_kind", HouseholdKind.TENANT)


def check_households(rows: list[RowPlan]) -> None:
    """Rows sharing a household number form one household with exactly one head."""
    groups: dict[tuple[int, str], list[RowPlan]] = defaultdict(list)
    for row in rows:
        number = row.data.get("household_number")
        if number and row.grid is not None and row.status != INVALID:
            groups[(row.grid.pk, number)].append(row)
    if not groups:
        return
    existing = {
        (h.region_id, h.number): h
        for h in Household.all_objects.filter(
            region_id__in={k[0] for k in groups}, number__in={k[1] for k in groups}, deleted_at__isnull=True
        )
    }
    for key, members in groups.items():
        heads = [r for r in members if r.data["relation"] == Relation.HEAD]
        household = existing.get(key)
        if len(heads) > 1:
            for row in heads:
                row.fail("与户主关系：" + _("Household %(number)s has more than one head.") % {"number": key[1]})
        elif not heads and household is None:  # built all the same, its head to be added (户主待补)
            for row in members:
                row.warn(
                    "户号："
                    + _(
                        "Household %(number)s has no valid head row: it is created with its head to be added "
                        "(户主待补); add the head in the registry or in a corrected file."
                    )
                    % {"number": key[1]}
                )
        elif heads and household is not None and household.head_id not in (None, _person_id(heads[0])):
            heads[0].fail(
                "与户主关系："
                + _("Household %(number)s already has another head; change the head in the registry first.")
                % {"number": key[1]}
            )


def _person_id(row: RowPlan) -> int | None:
    return row.existing.pk if row.existing is not None else None
