"""Pages made of panels that apps contribute: the home page, the person card.

A page (a `slot`) knows no feature app: each app registers its panels in `AppConfig.ready()`, and
a lower app's page shows what a higher app knows (the cases of a person on the registry's card,
the work waiting on the home page) without importing it. A panel's `context` returns what its
template needs for this user (and the page's object), or None when the panel is not for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from wangge.core.models import User

HOME = "home"
PERSON_CARD = "person_card"


@dataclass(frozen=True)
class Panel:
    slot: str  # the page: HOME, PERSON_CARD
    name: str
    order: int  # smaller first
    template: str
    context: Callable[..., dict[str, Any] | None]  # (user, **the page's objects)


_PANELS: dict[tuple[str, str], Panel] = {}


def register(panel: Panel) -> None:
    _PANELS[(panel.slot, panel.name)] = panel


def render_panels(slot: str, request: HttpRequest, **objects: Any) -> list[SafeString]:
    """The HTML of each panel of `slot` this user sees, in order."""
    user = request.user
    assert isinstance(user, User)
    shown = []
    for panel in sorted((p for p in _PANELS.values() if p.slot == slot), key=lambda p: (p.order, p.name)):
        context = panel.context(user, **objects)
        if context is not None:
            shown.append(render_to_string(panel.template, {**objects, **context}, request=request))
    return shown


def admin_context(user: User) -> dict[str, Any] | None:
    """The administrators' home panel: their roles, and the number of accounts for the system administrator."""
    from wangge.core.roles import ADMIN_ROLES, Cap

    if not user.has_role(*ADMIN_ROLES):
        return None
    count = User.objects.filter(is_active=True).count() if user.has_perm(Cap.MANAGE_USERS) else None
    return {"user_count": count}


def register_panels() -> None:
    register(Panel(slot=HOME, name="core.admin", order=90, template="core/_home_admin.html", context=admin_context))
