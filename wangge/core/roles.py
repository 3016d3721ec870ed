"""Roles and the capabilities each role carries by default.

A capability is a Django permission codename (``app_label.codename``). A role grants its
default capabilities; anything beyond the role (reveal sensitive fields, bulk export…) is an
explicit per-user permission. The three administrator roles are mutually exclusive with each
other and with every other role (三权分立), and none of them may read resident data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDITOR = "auditor", _("Auditor")
    STREET_SUPERVISOR = "street_supervisor", _("Street supervisor")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    VOLUNTEER = "volunteer", _("Volunteer")
    RESIDENT = "resident", _("Resident")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
STAFF_ROLES = frozenset({Role.STREET_SUPERVISOR, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.DEPARTMENT_HANDLER})


class Cap:
    """Capability names used across the code base (``app_label.codename``)."""

    MANAGE_USERS = "core.manage_users"
    MANAGE_SECURITY = "core.manage_security"
    READ_AUDIT = "core.read_audit"
    REVEAL_SENSITIVE = "core.reveal_sensitive"
    BULK_EXPORT = "core.bulk_export"
    VIEW_REGIONS = "core.view_regions"
    MANAGE_REGIONS = "core.manage_regions"
    MANAGE_ASSIGNMENTS = "core.manage_assignments"
    VIEW_RESIDENT_DATA = "core.view_resident_data"
    EXPORT_LISTS = "core.export_lists"
    EDIT_REGISTRY = "core.edit_registry"
    VIEW_SENSITIVE_GROUPS = "core.view_sensitive_groups"
    MANAGE_CALENDAR = "core.manage_calendar"
    REPORT_CASES = "core.report_cases"
    VIEW_CASES = "core.view_cases"
    HANDLE_CASES = "core.handle_cases"
    SUPERVISE_CASES = "core.supervise_cases"
    MANAGE_CASE_CATALOGUE = "core.manage_case_catalogue"
    MANAGE_SERVICE_CATALOGUE = "core.manage_service_catalogue"


CASE_WORKER_CAPS = frozenset({Cap.REPORT_CASES, Cap.VIEW_CASES, Cap.HANDLE_CASES})


# Permissions that are never implied by a role: they must be granted explicitly, and holding
# one of them requires two-factor authentication.
EXPLICIT_CAPABILITIES = frozenset({Cap.REVEAL_SENSITIVE, Cap.BULK_EXPORT})
# Everything an administrator may grant on top of a role.
GRANTABLE_CAPABILITIES = EXPLICIT_CAPABILITIES | {Cap.VIEW_SENSITIVE_GROUPS}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(
        {
            Cap.MANAGE_USERS,
            Cap.VIEW_REGIONS,
            Cap.MANAGE_REGIONS,
            Cap.MANAGE_ASSIGNMENTS,  # who is on duty where: the roster goes with the accounts and their scopes
            Cap.MANAGE_CALENDAR,
            Cap.MANAGE_CASE_CATALOGUE,
            Cap.MANAGE_SERVICE_CATALOGUE,
        }
    ),
    Role.SECURITY_ADMIN: frozenset({Cap.MANAGE_SECURITY}),
    Role.AUDITOR: frozenset({Cap.READ_AUDIT}),
    Role.STREET_SUPERVISOR: frozenset(
        {
            Cap.VIEW_REGIONS,
            Cap.MANAGE_REGIONS,
            Cap.MANAGE_ASSIGNMENTS,
            Cap.VIEW_RESIDENT_DATA,
            Cap.EXPORT_LISTS,
            Cap.EDIT_REGISTRY,
            *CASE_WORKER_CAPS,
            Cap.SUPERVISE_CASES,
            Cap.MANAGE_SERVICE_CATALOGUE,  # the street's service centre keeps the items and their notices
        }
    ),
    Role.COMMUNITY_STAFF: frozenset(
        {
            Cap.VIEW_REGIONS,
            Cap.MANAGE_REGIONS,
            Cap.MANAGE_ASSIGNMENTS,
            Cap.VIEW_RESIDENT_DATA,
            Cap.EXPORT_LISTS,
            Cap.EDIT_REGISTRY,
            *CASE_WORKER_CAPS,
            Cap.SUPERVISE_CASES,
        }
    ),
    Role.GRID_WORKER: frozenset(
        {Cap.VIEW_REGIONS, Cap.VIEW_RESIDENT_DATA, Cap.EXPORT_LISTS, Cap.EDIT_REGISTRY, *CASE_WORKER_CAPS}
    ),
    Role.DEPARTMENT_HANDLER: frozenset({Cap.VIEW_REGIONS, Cap.VIEW_CASES, Cap.HANDLE_CASES}),
    Role.VOLUNTEER: frozenset(),
    Role.RESIDENT: frozenset(),
}


def capabilities_for_roles(roles: set[str] | frozenset[str]) -> set[str]:
    caps: set[str] = set()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return caps


def role_conflict(roles: set[str]) -> str | None:
    """Return a message if the set of roles breaks the separation of duties, else None."""
    admin = roles & ADMIN_ROLES
    if len(admin) > 1 or (admin and len(roles) > 1):
        return str(
            _(
                "The system, security and audit administrator roles cannot be combined with each other or with any other role."
            )
        )
    return None


def requires_two_factor(roles: set[str], explicit_caps: set[str]) -> bool:
    return bool(roles & ADMIN_ROLES) or bool(explicit_caps & EXPLICIT_CAPABILITIES)
