from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.core.roles import Cap


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    icon: str
    capability: str | None
    section: str  # first path segment that marks the item active


NAV_ITEMS = [
    NavItem(_("Home"), "home", "house", None, ""),
    NavItem(_("Regions & grids"), "regions:tree", "diagram-3", Cap.VIEW_REGIONS, "regions"),
    NavItem(_("Residents"), "people:list", "person-lines-fill", Cap.VIEW_RESIDENT_DATA, "people"),
    NavItem(_("Buildings & houses"), "places:buildings", "buildings", Cap.VIEW_RESIDENT_DATA, "places"),
    NavItem(_("Cases"), "cases:list", "clipboard-check", Cap.VIEW_CASES, "cases"),
    NavItem(_("Case catalogue"), "cases:catalogue", "list-check", Cap.MANAGE_CASE_CATALOGUE, "cases"),
    NavItem(_("Service catalogue"), "window:catalogue", "card-checklist", Cap.MANAGE_SERVICE_CATALOGUE, "window"),
    NavItem(_("Ledger import"), "ledgers:imports", "file-earmark-spreadsheet", Cap.EDIT_REGISTRY, "ledgers"),
    NavItem(_("Users"), "core:users", "people", Cap.MANAGE_USERS, "users"),
    NavItem(_("Security"), "core:security", "shield-lock", Cap.MANAGE_SECURITY, "security"),
    NavItem(_("Audit trail"), "core:audit", "journal-text", Cap.READ_AUDIT, "audit"),
    NavItem(_("My account"), "core:account", "person-gear", None, "account"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    section = request.path.strip("/").split("/")[0]
    items = [
        {"label": item.label, "url": reverse(item.url_name), "icon": item.icon, "active": item.section == section}
        for item in NAV_ITEMS
        if item.capability is None or user.has_perm(item.capability)
    ]
    return {"nav_items": items}


def calendar_warning(request: HttpRequest) -> dict[str, Any]:
    """The years whose holiday calendar is not complete, for the system administrator only (this year; the next
    from November on, when the State Council has published it). Nobody else is shown the warning."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(Cap.MANAGE_CALENDAR):
        return {}
    if request.path == reverse("core:holidays"):  # the calendar page shows the year's state itself
        return {}
    from django.utils import timezone

    from wangge.core.holidays import years_to_warn

    return {"calendar_years_to_complete": years_to_warn(timezone.localdate())}
