from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.core.addresses import client_ip
from wangge.core.context import request_context
from wangge.core.errors import NotFound
from wangge.core.logs import log_request

Handler = Callable[[HttpRequest], HttpResponse]


_REQUEST_ID = re.compile(r"[0-9a-f]{32}")


class RequestContextMiddleware:
    """Give the request an id and its source address (read by the audit trail and the logs); log it once.

    The id is the proxy's (nginx `$request_id`, sent as X-Request-ID) when it has that form, so the
    proxy's access log, the application's log line and the audit rows share one id; else a new one.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        given = request.headers.get("X-Request-ID", "").lower()
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        ip = client_ip(request)
        with request_context(ip=ip, request_id=request_id):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            log_request(
                method=request.method or "",
                path=request.path,
                status=response.status_code,
                started=started,
                user_id=user.pk if user is not None and user.is_authenticated else None,
                ip=ip,
            )
        response["X-Request-ID"] = request_id
        return response


class SessionLifetimeMiddleware:
    """End a session past its absolute lifetime, however active it has been.

    The idle timeout is Django's own: SESSION_COOKIE_AGE, refreshed on every request.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get("wangge_login_at")
            max_age = settings.WANGGE_SESSION_MAX_HOURS * 3600
            if started is None or time.time() - float(started) > max_age:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Your session has expired. Please sign in again.")}, status=401)
                messages.info(request, _("Your session has expired. Please sign in again."))
                return redirect(f"{reverse('core:login')}?next={request.path}")
        return self.get_response(request)


class UserLanguageMiddleware:
    """Use the signed-in user's chosen language, whatever the browser asks for."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        return response


# Paths an account that still owes a password change or a second factor may reach.
_GATE_EXEMPT_PREFIXES = ("/static/", "/account/password/", "/account/2fa/", "/logout/", "/i18n/")


def account_gate(user: Any) -> str | None:
    """The page a signed-in user owes before anything else, or None.

    An enrolled second factor is checked first (a temporary password alone opens nothing); then
    the password a first login or an administrator's reset requires; then the enrolment of the
    second factor the account's roles require. So a new account goes: password → authenticator.
    """
    owes_second_factor = user.needs_two_factor and not user.is_verified()
    if owes_second_factor and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return "core:two_factor"
    if user.must_change_password:
        return "core:password_change"
    if owes_second_factor:
        return "core:two_factor"
    return None


class AccountGateMiddleware:
    """Hold a signed-in user at the password change or the second factor until done."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(_GATE_EXEMPT_PREFIXES):
            return self.get_response(request)
        target = account_gate(user)
        if target == "core:two_factor":
            message = _("Two-factor authentication is required for your account.")
        else:
            message = _("Please set a new password before you continue.")
        if target is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        return redirect(target)


class DomainErrorMiddleware:
    """The console's edge for the domain's errors: `NotFound` from a service or selector is Django's 404 page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        return None
