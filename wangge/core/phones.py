"""Phone numbers as people type them: the one rule for what is a phone number, used by every app that stores one."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PHONE_CHARS = frozenset("0123456789+-().")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def clean_phone(phone: str) -> str:
    """A phone number as stored: digits, + and -; `ValidationError` for letters or unless it has 5 to 15 digits.

    Spaces, dots and brackets people type between the digits are dropped; anything else is a mistake
    to report, never a reason to store nothing (an empty answer clears the number).
    """
    phone = unicodedata.normalize("NFKC", phone or "").strip()  # full-width digits and brackets as typed on a phone
    if any(ch not in _PHONE_CHARS and not ch.isspace() for ch in phone):
        raise ValidationError(_("The phone number is not valid."), code="bad_phone")
    phone = "".join(ch for ch in phone if ch in "0123456789+-")
    if phone and not (5 <= sum(ch in "0123456789" for ch in phone) <= 15):
        raise ValidationError(_("The phone number is not valid."), code="bad_phone")
    return phone


def mainland_mobile(phone: str) -> str:
    """An 11-digit mainland mobile number (what a code can be sent to), from a phone as typed (+86 allowed).

    The number as `clean_phone` keeps it, without dashes and the country code; ValidationError otherwise.
    """
    try:
        number = clean_phone(phone).replace("-", "")
    except ValidationError:
        number = ""
    for prefix in ("+86", "0086"):
        number = number.removeprefix(prefix)
    if not _MAINLAND_MOBILE.fullmatch(number):
        raise ValidationError(_("Give an 11-digit mainland mobile number."), code="bad_mobile")
    return number
