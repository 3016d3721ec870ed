from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wangge.core.actors import PublicKind
from wangge.core.natural import natural_key
from wangge.core.roles import GRANTABLE_CAPABILITIES, Role


def validation_text(exc: ValidationError) -> str:
    """A service's refusal as one line for the page (its messages, already in the user's language)."""
    return " ".join(exc.messages)


def style_fields(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class, so templates render fields as they are."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class _NaturalChoices(forms.models.ModelChoiceIterator):
    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in sorted(self.queryset, key=lambda o: natural_key(self.field.label_from_instance(o))):
            yield self.choice(obj)


class NaturalChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A picker of numbered things (buildings, compounds) in natural order: 2栋 before 10栋."""

    iterator = _NaturalChoices


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class LoginForm(StyledForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TwoFactorForm(StyledForm):
    code = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            raise forms.ValidationError(_("The two new passwords do not match."))
        return data


class LanguageForm(StyledForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class TokenForm(StyledForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("What the token is for, e.g. hotline import")}),
    )


ROLE_CHOICES = Role.choices
CAPABILITY_CHOICES = [
    ("core.reveal_sensitive", _("Reveal sensitive fields (ID number, phone, health)")),
    ("core.bulk_export", _("Bulk export")),
    (
        "core.view_sensitive_groups",
        _("See sensitive groups (community correction, released prisoners, severe mental illness)"),
    ),
]
assert {c for c, _l in CAPABILITY_CHOICES} == GRANTABLE_CAPABILITIES


class UserForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    department = forms.CharField(label=_("Department"), max_length=64, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    capabilities = forms.MultipleChoiceField(
        label=_("Extra permissions"),
        choices=CAPABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Revealing sensitive fields and bulk export require two-factor authentication."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    password = forms.CharField(
        label=_("Temporary password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("The user must change it at first sign-in. Leave empty to keep the current password."),
    )


class AuditSearchForm(StyledForm):
    username = forms.CharField(label=_("User"), required=False)
    actor_kind = forms.ChoiceField(
        label=_("Caller"),
        required=False,
        choices=[("", "—"), ("staff", _("Staff and system")), *PublicKind.choices],
    )
    action = forms.CharField(label=_("Action"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", "—"), ("ok", _("succeeded")), ("denied", _("denied")), ("failed", _("failed"))],
    )
    since = forms.DateTimeField(
        label=_("From"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    until = forms.DateTimeField(
        label=_("To"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    request_id = forms.RegexField(
        label=_("Request id"),
        required=False,
        regex=r"^\s*[0-9a-fA-F-]{32,36}\s*$",
        help_text=_("From a log line, the 500 page or the X-Request-ID header: the rows that request wrote."),
        error_messages={"invalid": _("A request id has 32 hexadecimal digits.")},
    )

    def clean_request_id(self) -> str:
        return str(self.cleaned_data.get("request_id") or "").strip().replace("-", "").lower()


def audit_filters(params: QueryDict) -> tuple[AuditSearchForm, dict[str, object]]:
    """The auditor's search from its query string (the trail page and its export read it alike)."""
    form = AuditSearchForm(params or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, {k: v for k, v in filters.items() if v not in (None, "")}
