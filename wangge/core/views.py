from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.static import serve
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.core import health, holidays, panels, selectors, services
from wangge.core.audit import audit_record, event_actor_label
from wangge.core.context import current_request_id
from wangge.core.decorators import capability_required
from wangge.core.forms import (
    AuditSearchForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    TokenForm,
    TwoFactorForm,
    UserForm,
)
from wangge.core.middleware import account_gate
from wangge.core.models import ApiToken, Holiday, LoginFailure, User
from wangge.core.qr import qr_svg
from wangge.core.roles import Cap
from wangge.core.uploads import PUBLIC_MEDIA_FOLDER
from wangge.core.xlsx import workbook_bytes, xlsx_response

logger = logging.getLogger(__name__)


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """The panels the user's apps offer them: work waiting, their area's figures, their grid, their accounts."""
    return render(request, "core/home.html", {"panels": panels.render_panels(panels.HOME, request)})


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


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
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    assert device is not None
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = device.verify_token(form.cleaned_data["code"])
        services.two_factor_confirm(actor=user, device=device, verified=verified)  # type: ignore[arg-type]
        if verified:
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
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
            form.add_error(None, _errors(exc))
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "core/password_first.html" if first else "core/password_change.html", {"form": form})


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    language_form = LanguageForm(initial={"language": user.language})  # type: ignore[union-attr]
    token_form = TokenForm()
    new_token = request.session.pop("wangge_new_token", None)
    context = {
        "language_form": language_form,
        "token_form": token_form,
        "tokens": selectors.tokens_of(actor=user),  # type: ignore[arg-type]
        "new_token": new_token,
        "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    }
    return render(request, "core/account.html", context)


@login_required
@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        services.user_set_language(actor=request.user, language=form.cleaned_data["language"])  # type: ignore[arg-type]
    return redirect(request.POST.get("next") or "core:account")


@login_required
@require_POST
def token_create_view(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, raw = services.token_issue(actor=request.user, user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            request.session["wangge_new_token"] = raw
    else:
        messages.error(request, _("Give the token a name."))
    return redirect("core:account")


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("The token has been revoked."))
    return redirect("core:account")


# --- user administration ------------------------------------------------------------------------


@capability_required(Cap.MANAGE_USERS)
def users_view(request: HttpRequest) -> HttpResponse:
    users = selectors.user_list(actor=request.user)  # type: ignore[arg-type]
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(username__icontains=query) | users.filter(full_name__icontains=query)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "core/users.html", {"page": page, "q": query})


@capability_required(Cap.MANAGE_USERS)
def user_edit_view(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    actor = request.user
    assert isinstance(actor, User)
    target = selectors.user_get(actor=actor, user_id=user_id) if user_id else None  # type: ignore[arg-type]
    initial = {}
    if target is not None:
        initial = {
            "username": target.username,
            "full_name": target.full_name,
            "phone": target.phone,
            "department": target.department,
            "roles": sorted(target.role_set),
            "capabilities": sorted(target.explicit_capabilities),
            "is_active": target.is_active,
        }
    form = UserForm(request.POST or None, initial=initial)
    if target is not None:
        form.fields["username"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if target is None:
                    if not data["password"]:
                        raise ValidationError(_("Set a temporary password for the new account."))
                    target = services.user_create(
                        actor=actor,
                        username=data["username"],
                        password=data["password"],  # type: ignore[arg-type]
                        full_name=data["full_name"],
                        phone=data["phone"],
                        department=data["department"],
                        roles=set(data["roles"]),
                    )
                else:
                    services.user_update(
                        actor=actor,
                        user=target,
                        full_name=data["full_name"],
                        phone=data["phone"],  # type: ignore[arg-type]
                        department=data["department"],
                        is_active=data["is_active"],
                    )
                    services.user_set_roles(actor=actor, user=target, roles=set(data["roles"]))  # type: ignore[arg-type]
                    if data["password"]:
                        services.user_reset_password(actor=actor, user=target, password=data["password"])  # type: ignore[arg-type]
                services.user_set_capabilities(actor=actor, user=target, capabilities=set(data["capabilities"]))  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Account %(name)s saved.") % {"name": target.username})
            return redirect("core:users")
    return render(request, "core/user_edit.html", {"form": form, "target": target})


# --- security administration -------------------------------------------------------------------


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


# --- audit trail ------------------------------------------------------------------------------------


def _audit_filters(request: HttpRequest) -> tuple[AuditSearchForm, dict[str, object]]:
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, {k: v for k, v in filters.items() if v not in (None, "")}


@capability_required(Cap.READ_AUDIT)
def audit_view(request: HttpRequest) -> HttpResponse:
    form, filters = _audit_filters(request)
    events = selectors.audit_search(actor=request.user, filters=filters)  # type: ignore[arg-type]
    with transaction.atomic():
        audit_record(actor=request.user, action="audit.search", detail=filters)  # type: ignore[arg-type]
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@capability_required(Cap.READ_AUDIT)
def audit_export_view(request: HttpRequest) -> HttpResponse:
    _form, filters = _audit_filters(request)
    events = selectors.audit_search(actor=request.user, filters=filters)[:100_000]  # type: ignore[arg-type]
    with transaction.atomic():
        audit_record(actor=request.user, action="export.audit", detail=filters)  # type: ignore[arg-type]
    headers = [
        _("Time (UTC)"),
        _("User"),
        _("Role"),
        _("Source address"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Result"),
        _("Detail"),
        _("Request id"),
    ]
    rows = (
        [
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            event_actor_label(e),
            e.role,
            e.ip,
            e.action,
            e.object_type,
            e.object_id,
            e.result,
            e.detail,
            e.request_id,
        ]
        for e in events.iterator()
    )
    return xlsx_response("audit.xlsx", workbook_bytes(_("Audit trail"), headers, rows))


# --- holiday calendar ------------------------------------------------------------------------------


def _calendar_year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year
    return year if 1990 <= year <= 2100 else timezone.localdate().year


def _calendar_action(request: HttpRequest, actor: User, year: int) -> HttpResponse | None:
    """The page's buttons other than preview: load from the library, import, mark complete, reopen, delete."""
    action = request.POST.get("action")
    back = redirect(f"{request.path}?year={year}")
    if action == "load":
        added = holidays.holidays_load(actor=actor, year=year)
        if added is None:
            messages.error(
                request, _("The holiday library has no data for %(year)s: enter its days here.") % {"year": year}
            )
        else:
            messages.success(request, _("%(count)s day(s) added.") % {"count": added})
        return back
    if action == "import":
        try:
            preview = holidays.holidays_import(
                actor=actor, year=year, text=request.POST.get("text", ""), complete=bool(request.POST.get("complete"))
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                _("%(year)s imported: %(added)s added, %(changed)s changed, %(removed)s removed.")
                % {
                    "year": year,
                    "added": len(preview.added),
                    "changed": len(preview.changed),
                    "removed": len(preview.removed),
                },
            )
        return back
    if action in ("complete", "reopen"):
        try:
            if action == "complete":
                holidays.holiday_year_complete(actor=actor, year=year)
            else:
                holidays.holiday_year_reopen(actor=actor, year=year)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return back
    if action == "delete":
        holiday = get_object_or_404(Holiday, pk=request.POST.get("holiday", "").strip() or 0)
        holidays.holiday_delete(actor=actor, holiday=holiday)
        messages.success(request, _("Deleted."))
        return redirect(f"{request.path}?year={holiday.date.year}")
    return None


@capability_required(Cap.MANAGE_CALENDAR)
def holidays_view(request: HttpRequest) -> HttpResponse:
    """One year of the calendar: paste the year's notice (preview, then import), mark it complete,
    load it from chinesecalendar, or add, change and delete a single day."""
    year = _calendar_year(request)
    actor = request.user
    assert isinstance(actor, User)
    if request.method == "POST":
        response = _calendar_action(request, actor, year)
        if response is not None:
            return response
    form = holidays.HolidayForm(request.POST if request.POST.get("action") == "set" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            holidays.holiday_set(actor=actor, day=data["date"], kind=data["kind"], name=data["name"])
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?year={data['date'].year}")
    previewing = request.method == "POST" and request.POST.get("action") == "preview"
    text = request.POST.get("text", "") if previewing else ""
    context = {
        "year": year,
        "days": Holiday.objects.filter(date__year=year),
        "form": form,
        "missing": holidays.missing_years([year]),
        "complete": year in holidays.complete_years([year]),
        "years": [year - 1, year, year + 1],
        "text": text,
        "preview": holidays.year_preview(year=year, text=text) if previewing else None,
    }
    return render(request, "core/holidays.html", context)


# --- public files ------------------------------------------------------------------------------------


def public_media_view(request: HttpRequest, path: str) -> FileResponse:
    """A grid worker's photo on the public cards: the one folder of uploads served without a check."""
    return serve(request, path, document_root=str(Path(settings.MEDIA_ROOT) / PUBLIC_MEDIA_FOLDER))


# --- operations --------------------------------------------------------------------------------------


def healthz_view(request: HttpRequest) -> HttpResponse:
    """For the proxy and monitoring: 200 when the database, the queue, the upload disk and the sweep are fine, else 503."""
    result = health.report()
    response = JsonResponse(result, status=200 if result["status"] == "ok" else 503)
    response["Cache-Control"] = "no-store"
    return response


def server_error_view(request: HttpRequest) -> HttpResponse:
    """The 500 page: styled and in the user's language like the 404, with the request id to quote to the administrator.

    If even the page cannot be drawn (static files missing, templates broken), a plain one is sent.
    """
    request_id = current_request_id()
    html: str
    try:
        html = loader.render_to_string("500.html", {"request_id": request_id})
    except Exception:
        logger.exception("the 500 page could not be drawn")
        html = "<!doctype html><meta charset=utf-8><title>{}</title><h1>500</h1><p>{}</p><p>{}</p>".format(
            escape(_("Server error")),
            escape(_("Something went wrong on our side; nothing you did caused it. Please try again in a moment.")),
            escape(_("Reference for the administrator: %(id)s") % {"id": request_id}),
        )
    return HttpResponseServerError(html)
