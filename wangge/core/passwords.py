"""Password rules beyond Django's: character classes, and no personal data in the password."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_CLASSES = [re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]")]


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        found = sum(1 for pattern in _CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "The password must mix at least %(n)d kind of character: lower-case, upper-case, digits, symbols.",
            "The password must mix at least %(n)d kinds of characters: lower-case, upper-case, digits, symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


class PersonalDataValidator:
    """Refuse a password that contains the username, or the phone or ID number (or their last 6 digits)."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        lowered = password.lower()
        candidates: list[str] = []
        if getattr(user, "username", ""):
            candidates.append(user.username.lower())
        for field in ("phone", "id_number"):
            value = re.sub(r"\s", "", str(getattr(user, field, "") or "")).lower()
            if len(value) >= 6:
                candidates += [value, value[-6:]]
        for candidate in candidates:
            if len(candidate) >= 3 and candidate in lowered:
                raise ValidationError(
                    _("The password must not contain your username, phone number or ID number."),
                    code="password_personal_data",
                )

    def get_help_text(self) -> str:
        return _("The password must not contain your username, phone number or ID number.")
