from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from wangge.core.roles import Role

register = template.Library()

ACTION_LABELS = {
    "login.ok": _("Signed in"),
    "login.failed": _("Failed sign-in"),
    "login.locked": _("Sign-in refused: locked"),
    "login.2fa": _("Two-factor check"),
    "logout": _("Signed out"),
    "user.create": _("Account created"),
    "user.update": _("Account changed"),
    "user.roles": _("Roles changed"),
    "user.permissions": _("Permissions changed"),
    "user.scope": _("Scope changed"),
    "user.password_reset": _("Password reset"),
    "user.password_change": _("Password changed"),
    "user.language": _("Language changed"),
    "user.2fa_reset": _("Two-factor reset"),
    "user.demo_disable": _("Demo account disabled"),
    "security.unlock": _("Lockout cleared"),
    "token.issue": _("API token issued"),
    "token.revoke": _("API token revoked"),
    "region.create": _("Region created"),
    "region.update": _("Region changed"),
    "region.move": _("Region moved"),
    "region.merge": _("Regions merged"),
    "region.split": _("Region split"),
    "assignment.create": _("Person assigned"),
    "assignment.end": _("Assignment ended"),
    "audit.search": _("Audit trail searched"),
    "audit.verify": _("Audit chain verified"),
    "export.audit": _("Audit trail exported"),
    "export.regions": _("Region ledger exported"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, ""))


@register.filter
def role_labels(roles: str) -> str:
    labels = []
    for code in filter(None, roles.split(",")):
        try:
            labels.append(str(Role(code).label))
        except ValueError:
            labels.append(code)
    return "、".join(labels)
