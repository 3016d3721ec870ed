"""The one access check every service makes before touching a region's data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from wangge.core.errors import NotFound
from wangge.core.roles import Cap, Role
from wangge.regions.models import Region, scope_paths


def require(actor: Any, capability: str, region: Region | None = None) -> None:
    """The region lies in the actor's scope (else NotFound, a 404 at the edge: nothing leaks) and the actor holds the capability (else 403).

    `actor=None` is the system itself (demo data, commands), which needs no check.
    """
    if actor is None:
        return
    if region is not None and not region.is_within(scope_paths(actor)):
        raise NotFound
    if not actor.has_perm(capability):
        raise PermissionDenied(_("You do not have permission to do this."))


def is_tree_manager(user: Any) -> bool:
    """The system administrator manages the tree: creates its first level, imports and exports it."""
    return bool(user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN) and user.has_perm(Cap.MANAGE_REGIONS))
