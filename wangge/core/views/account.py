"""One's own account: its page, the language, personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.core import selectors, services
from wangge.core.forms import LanguageForm, TokenForm, validation_text
from wangge.core.models import ApiToken


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
            messages.error(request, validation_text(exc))
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
