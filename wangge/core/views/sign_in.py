"""Signing in and out: the password, the second factor, the first password change."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from wangge.core import services, two_factor
from wangge.core.forms import LoginForm, PasswordChangeForm, TwoFactorForm, validation_text
from wangge.core.middleware import account_gate
from wangge.core.models import User
from wangge.core.qr import qr_svg


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.login_attempt(
            request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if result.user is not None:
            login(request, result.user)  # rotates the session key
            request.session["wangge_login_at"] = time.time()
            services.login_succeeded(user=result.user)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        form.add_error(None, result.error)
    return render(request, "core/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.logout_recorded(user=request.user)  # type: ignore[arg-type]
    logout(request)  # flushes the server-side session
    messages.info(request, _("You have signed out."))
    return redirect("core:login")


@login_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator (first time) or check a code (every sign-in)."""
    user = request.user
    assert isinstance(user, User)
    device, enrolling = two_factor.two_factor_device(user=user)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.two_factor_verify(actor=user, device=device, code=form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect("home")
        form.add_error("code", _("The code is wrong or has expired. Try the newest code."))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["qr"] = qr_svg(device.config_url)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "core/two_factor.html", context)


@login_required
@sensitive_post_parameters()
def password_change_view(request: HttpRequest) -> HttpResponse:
    """Change one's password; also the first step an account owes (see `account_gate`)."""
    user = request.user
    if account_gate(user) == "core:two_factor":  # an enrolled second factor comes first
        return redirect("core:two_factor")
    first = user.must_change_password  # type: ignore[union-attr]
    form = PasswordChangeForm(request.POST or None)
    if first:
        form.fields["old_password"].label = _("Password you signed in with")
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_own_password(
                actor=request.user,  # type: ignore[arg-type]
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            form.add_error(None, validation_text(exc))
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "core/password_first.html" if first else "core/password_change.html", {"form": form})
