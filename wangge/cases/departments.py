"""Who handles cases for a department: which departments have handlers, where they serve, who is one."""

from __future__ import annotations

from wangge.core.models import User
from wangge.core.roles import Cap, Role
from wangge.regions.models import Region, UserScope


def departments_with_handlers() -> set[str]:
    """The departments that have at least one active handler account, anywhere."""
    return set(
        User.objects.filter(is_active=True, roles__role=Role.DEPARTMENT_HANDLER)
        .exclude(department="")
        .values_list("department", flat=True)
    )


def departments_serving(region: Region) -> list[str]:
    """The departments with an active handler whose scope covers `region`: where a case here can go."""
    scopes = (
        UserScope.objects.filter(
            user__is_active=True, user__roles__role=Role.DEPARTMENT_HANDLER, region__is_active=True
        )
        .exclude(user__department="")
        .values_list("user__department", "region__path")
    )
    return sorted({department for department, path in scopes if region.path.startswith(path)})


def is_department_handler(user: User) -> bool:
    """A department's handler sees and acts on their department's cases only (not the whole area of their scope)."""
    return user.has_role(Role.DEPARTMENT_HANDLER) and not user.has_perm(Cap.REPORT_CASES)
