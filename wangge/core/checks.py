"""Start-up checks: production refuses to run unsafe.

- demo accounts active in production (E001), unusable field keys (E002): every command;
- configured keys that do not match the ones the data was written with (E011): every command,
  and the web server refuses to start (`refuse_unsafe_start`);
- with `--deploy`: the static files were not collected (E010), an account holds powers outside
  the three administrator roles or several of them at once (E012).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.db import DatabaseError
from django.db.models import Count, Q


def active_demo_accounts() -> list[str]:
    from wangge.core.models import User

    try:
        return list(User.objects.filter(is_demo=True, is_active=True).values_list("username", flat=True)[:20])
    except DatabaseError:  # tables not created yet: nothing to refuse
        return []


@register()
def demo_accounts_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.PRODUCTION:
        return []
    names = active_demo_accounts()
    if not names:
        return []
    return [
        Error(
            f"Demo accounts are active in production: {', '.join(names)}.",
            hint="Run `manage.py demo_disable` (or deactivate them) before serving.",
            id="wangge.E001",
        )
    ]


@register()
def field_keys_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    from wangge.core import crypto

    try:
        crypto.check_settings()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="wangge.E002")]
    return []


@register()
def keys_match_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    from wangge.core import keys

    try:
        problems = keys.keys_mismatches()
    except (DatabaseError, ImproperlyConfigured):  # not migrated yet, or E002 says what is wrong
        return []
    return [
        Error(
            problem,
            hint="Configure the keys this database was written with (see the backup of the keys); "
            "nothing is stored until they match.",
            id="wangge.E011",
        )
        for problem in problems
    ]


@register(deploy=True)
def static_manifest_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin) or storage.manifest_storage.exists(storage.manifest_name):
        return []
    return [
        Error(
            f"The static files have not been collected into {settings.STATIC_ROOT}: every page would answer 500.",
            hint="Run `manage.py collectstatic --noinput` (again after each upgrade).",
            id="wangge.E010",
        )
    ]


def accounts_beyond_separation_of_duties() -> list[str]:
    """Active accounts whose powers break 三权分立: superusers (they bypass roles), staff flags
    without a role, and accounts holding an administrator role together with any other role."""
    from wangge.core.models import User, UserRole
    from wangge.core.roles import ADMIN_ROLES

    try:
        unsafe = set(
            User.objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(is_staff=True, roles__isnull=True))
            .values_list("username", flat=True)[:20]
        )
        admins = UserRole.objects.filter(role__in=ADMIN_ROLES, user__is_active=True).values("user_id")
        combined = (
            UserRole.objects.filter(user_id__in=admins)
            .values("user__username")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list("user__username", flat=True)[:20]
        )
        unsafe.update(combined)
    except DatabaseError:
        return []
    return sorted(unsafe)


@register(deploy=True)
def separation_of_duties_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.PRODUCTION:
        return []
    names = accounts_beyond_separation_of_duties()
    if not names:
        return []
    return [
        Error(
            "Accounts hold powers outside the separate system, security and audit administrator roles "
            f"(superuser, staff without a role, or several administrator roles): {', '.join(names)}.",
            hint="Deactivate them (the system administrator, under Users); create administrators with "
            "`manage.py create_admin --role system_admin|security_admin|auditor`.",
            id="wangge.E012",
        )
    ]


def refuse_unsafe_start() -> None:
    """Called by the WSGI and ASGI entry points: refuse to serve what the checks above refuse."""
    from wangge.core import keys

    if settings.PRODUCTION:
        names = active_demo_accounts()
        if names:
            raise ImproperlyConfigured(
                f"Refusing to start: demo accounts are active in production ({', '.join(names)}). "
                "Run `manage.py demo_disable` first."
            )
    try:
        keys.keys_record()
        problems = keys.keys_mismatches()
    except DatabaseError:  # not migrated yet
        return
    if problems:
        raise ImproperlyConfigured("Refusing to start: " + " ".join(problems))
