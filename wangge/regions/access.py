"""The one access check every service makes before touching a region's data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from wangge.regions.models import Region, scope_paths


def require(actor: Any, capability: str, region: Region | None = None) -> None:
    """The region lies in the actor's scope (else 404: nothing leaks) and the actor holds the capability (else 403).

    `actor=None` is the system itself (demo data, commands), which needs no check.
    """
    if actor is None:
        return
    if region is not None and not region.is_within(scope_paths(actor)):
        raise Http404
    if not actor.has_perm(capability):
        raise PermissionDenied(_("You do not have permission to do this."))
