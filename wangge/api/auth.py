from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from wangge.core.services import token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer wg_…` personal API tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The console's session, with CSRF on unsafe methods; refuses a session still owing 2FA."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if user.needs_two_factor and not user.is_verified():
            return None
        return user
