"""Compounds a file names that already exist in another grid: found across the district before any is created.

A 小区 belongs to one grid. A row naming a compound registered in another grid of the same community would
otherwise create a second compound of that name in the row's grid: such a row is refused, naming the grid
the compound is in (and saying whether the user may import there). A compound new to the community whose
name is registered elsewhere in the district (another community's) is created, with a warning to check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.utils.translation import gettext as _

from wangge.core.models import User
from wangge.ledgers.kinds import INVALID
from wangge.ledgers.people_plan.rows import RowPlan
from wangge.places.models import Compound
from wangge.regions.models import Level, Region, scope_paths


def _community_path(region: Region, levels: dict[int, str]) -> str:
    """The path of the community a grid lies in (the grid's own path if the tree has no community above it)."""
    ids = [int(part) for part in region.path.split("/") if part]
    for index, pk in enumerate(ids):
        if levels.get(pk) == Level.COMMUNITY:
            return "".join(f"{i}/" for i in ids[: index + 1])
    return region.path


def check_compounds(rows: Sequence[RowPlan], *, actor: User) -> None:
    """Refuse rows whose compound is registered in another grid of their community; warn for a new compound
    whose name is registered in another community of the district."""
    named = [r for r in rows if r.status != INVALID and r.grid is not None and r.data.get("compound")]
    if not named:
        return
    tops = {r.grid.path.split("/", 1)[0] + "/" for r in named if r.grid is not None}  # the district(s)
    names = sorted({r.data["compound"] for r in named})
    registered: dict[str, list[Compound]] = defaultdict(list)
    for start in range(0, len(names), 2000):
        for compound in Compound.all_objects.filter(
            name__in=names[start : start + 2000], deleted_at__isnull=True
        ).select_related("region"):
            if any(compound.region.path.startswith(top) for top in tops):
                registered[compound.name].append(compound)
    if not registered:
        return
    ancestors = {int(p) for r in named if r.grid is not None for p in r.grid.path.split("/") if p}
    ancestors |= {int(p) for found in registered.values() for c in found for p in c.region.path.split("/") if p}
    levels = dict(Region.all_objects.filter(pk__in=ancestors).values_list("pk", "level"))
    paths = scope_paths(actor)
    for row in named:
        assert row.grid is not None
        found = registered.get(row.data["compound"], [])
        if not found or any(c.region.grid_pk == row.grid.grid_pk for c in found):
            continue
        community = _community_path(row.grid, levels)
        nearby = [c for c in found if _community_path(c.region, levels) == community]
        if nearby:
            compound = nearby[0]
            if compound.region.is_within(paths):
                row.fail(
                    "小区："
                    + _("%(compound)s is in %(grid)s: give that grid in the 网格 column, or import the row into it.")
                    % {"compound": compound.name, "grid": compound.region.name}
                )
            else:
                row.fail(
                    "小区："
                    + _("%(compound)s is in %(grid)s, where you may not import.")
                    % {"compound": compound.name, "grid": compound.region.name}
                )
        else:
            row.warn(
                "小区："
                + _(
                    "A compound named %(compound)s is registered in another community of the district: a new one is "
                    "created in %(grid)s. Check that it is not the same place."
                )
                % {"compound": row.data["compound"], "grid": row.grid.name}
            )
