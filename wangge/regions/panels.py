"""The regions app's panels on the home page: the figures of the user's area, and a resident's own grid."""

from __future__ import annotations

from typing import Any

from wangge.core.models import User
from wangge.core.panels import HOME, Panel, register
from wangge.core.roles import ADMIN_ROLES, Cap
from wangge.regions import selectors, services
from wangge.regions.models import Region


def area_context(user: User) -> dict[str, Any] | None:
    if not user.has_perm(Cap.VIEW_REGIONS):
        return None
    roots = selectors.scope_roots(user=user)
    if not roots and services.can_create_root(user):  # a new administrator: the tree starts here
        return {"first_region": True, "tree_empty": not Region.all_objects.filter(is_active=True).exists()}
    return {"summary": selectors.scope_summary(user=user), "roots": roots}


def own_grid_context(user: User) -> dict[str, Any] | None:
    """Residents and volunteers (no console role): what they can do, their grid's card, their grid worker's phone."""
    if user.has_perm(Cap.VIEW_REGIONS) or user.has_role(*ADMIN_ROLES):
        return None
    return {"cards": selectors.own_grids(user=user)}


def register_panels() -> None:
    register(
        Panel(
            slot=HOME,
            name="regions.own_grid",
            order=5,
            template="regions/_home_own_grid.html",
            context=own_grid_context,
        )
    )
    register(Panel(slot=HOME, name="regions.area", order=50, template="regions/_home_area.html", context=area_context))
