"""Start-up checks: production refuses to run with demo accounts active."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


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


def refuse_unsafe_start() -> None:
    if settings.PRODUCTION:
        names = active_demo_accounts()
        if names:
            raise ImproperlyConfigured(
                f"Refusing to start: demo accounts are active in production ({', '.join(names)}). "
                "Run `manage.py demo_disable` first."
            )
