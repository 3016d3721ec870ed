"""Security administration: lockouts, second factors, refusals to review."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.core import selectors, services
from wangge.core.decorators import capability_required
from wangge.core.models import LoginFailure, User
from wangge.core.roles import Cap


@capability_required(Cap.MANAGE_SECURITY)
def security_view(request: HttpRequest) -> HttpResponse:
    failures = selectors.lockouts_current(actor=request.user)[:200]  # type: ignore[arg-type]
    policy = {
        "min_length": settings.AUTH_PASSWORD_VALIDATORS[0]["OPTIONS"]["min_length"],  # type: ignore[index]
        "account_failures": settings.WANGGE_LOCKOUT_ACCOUNT_FAILURES,
        "address_failures": settings.WANGGE_LOCKOUT_ADDRESS_FAILURES,
        "lockout_minutes": settings.WANGGE_LOCKOUT_MINUTES,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "max_hours": settings.WANGGE_SESSION_MAX_HOURS,
    }
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user").order_by("user__username")
    context = {
        "failures": failures,
        "policy": policy,
        "devices": devices,
        "refusals": selectors.refusals_to_review(actor=request.user),  # type: ignore[arg-type]
        "refusal_threshold": settings.WANGGE_REFUSALS_UNUSUAL,
    }
    return render(request, "core/security.html", context)


@capability_required(Cap.MANAGE_SECURITY)
@require_POST
def unlock_view(request: HttpRequest, failure_id: int) -> HttpResponse:
    failure = get_object_or_404(LoginFailure, pk=failure_id)
    services.lockout_clear(actor=request.user, failure=failure)  # type: ignore[arg-type]
    messages.success(request, _("Unlocked."))
    return redirect("core:security")


@capability_required(Cap.MANAGE_SECURITY)
@require_POST
def reset_two_factor_view(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    services.user_reset_two_factor(actor=request.user, user=target)  # type: ignore[arg-type]
    messages.success(request, _("Two-factor authentication reset for %(name)s.") % {"name": target.username})
    return redirect("core:security")
