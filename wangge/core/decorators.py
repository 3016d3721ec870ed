from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required


def capability_required(capability: str) -> Callable[[Any], Any]:
    """Signed out: go to the login page. Signed in without the capability: 403."""

    def decorator(view: Any) -> Any:
        return login_required(permission_required(capability, raise_exception=True)(view))

    return decorator
