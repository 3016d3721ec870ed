"""Identity documents: citizen ID numbers (GB 11643-1999), other documents, masking.

Pure functions of their inputs (and, for "not in the future", of `today`, which defaults to the
local date). Errors are `IdNumberError` with a stable `.code` and a translated message.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

__all__ = [
    "CitizenId",
    "DocumentType",
    "IdNumberError",
    "age_on",
    "check_char",
    "gender_and_birth",
    "mask_id",
    "mask_phone",
    "normalize_number",
    "parse_citizen_id",
    "random_citizen_id",
    "validate_document",
]


class DocumentType(models.TextChoices):
    CITIZEN_ID = "citizen_id", gettext_lazy("Resident identity card")
    HK_MACAO_PERMIT = "hk_macao_permit", gettext_lazy("Hong Kong / Macao resident permit")
    TAIWAN_PERMIT = "taiwan_permit", gettext_lazy("Taiwan resident permit")
    PASSPORT = "passport", gettext_lazy("Passport")
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence", gettext_lazy("Foreign permanent resident ID card")
    OTHER = "other", gettext_lazy("Other document")


_MESSAGES = {
    "length": gettext_noop("An ID number has 18 characters (15 for the old form)."),
    "characters": gettext_noop("An ID number has only digits, except that the last character may be an X."),
    "area": gettext_noop("The first six digits are not a valid region code."),
    "birth_date": gettext_noop("The date of birth in the ID number is not a valid date."),
    "future_birth": gettext_noop("The date of birth in the ID number is in the future."),
    "checksum": gettext_noop("The check digit is wrong: the ID number has a typo."),
    "format": gettext_noop("The number does not have the format of this kind of document."),
}


class IdNumberError(ValueError):
    """An invalid document number; `code` is one of the keys of `_MESSAGES`."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else gettext(_MESSAGES[code])
        super().__init__(self.message)


@dataclass(frozen=True)
class CitizenId:
    number: str  # always the 18-character form
    area_code: str
    birth_date: date
    gender: str  # "M" or "F"
    converted_from_15: bool = False


# GB 11643-1999 check character: ISO 7064 MOD 11-2.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# First two digits of GB/T 2260 region codes; 81/82/83 are the 810000/820000/830000 of the
# Hong Kong, Macao and Taiwan residence permits.
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    | {"71", "81", "82", "83", "91"}
)
_PERMIT_AREAS = frozenset({"810000", "820000", "830000"})
_EARLIEST_BIRTH = date(1900, 1, 1)

_WHITESPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+", re.ASCII)
_CITIZEN_18 = re.compile(r"\d{17}[\dX]", re.ASCII)
_HK_MACAO_PERMIT = re.compile(r"[HM](\d{8}|\d{10})", re.ASCII)
_TAIWAN_PERMIT = re.compile(r"\d{8}|[A-Z]\d{9}", re.ASCII)
_PASSPORT = re.compile(r"[A-Z0-9]{5,17}", re.ASCII)
_FOREIGN_OLD = re.compile(r"[A-Z]{3}\d{12}", re.ASCII)


def normalize_number(raw: str) -> str:
    """Full-width to half-width, no whitespace anywhere, upper case (so a trailing x becomes X)."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_char needs exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _birth_date(digits: str, *, today: date) -> date:
    try:
        birth = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise IdNumberError("birth_date") from exc
    if birth < _EARLIEST_BIRTH:
        raise IdNumberError("birth_date")
    if birth > today:
        raise IdNumberError("future_birth")
    return birth


def _check_area(area_code: str) -> None:
    if area_code[:2] not in _PROVINCES:
        raise IdNumberError("area")
    if area_code[0] == "8" and area_code not in _PERMIT_AREAS:
        raise IdNumberError("area")


def parse_citizen_id(raw: str, *, today: date | None = None) -> CitizenId:
    """Parse and check an 18-digit (or legacy 15-digit) citizen ID number."""
    number = normalize_number(raw)
    if len(number) not in (15, 18):
        raise IdNumberError("length")
    converted = len(number) == 15
    if converted:
        if not _DIGITS.fullmatch(number):
            raise IdNumberError("characters")
        # Legacy numbers: yyMMdd in the 1900s, no check character.
        first17 = number[:6] + "19" + number[6:]
    else:
        if not _CITIZEN_18.fullmatch(number):
            raise IdNumberError("characters")
        first17 = number[:17]
    area_code = first17[:6]
    _check_area(area_code)
    birth = _birth_date(first17[6:14], today=today or timezone.localdate())
    expected = check_char(first17)
    if not converted and number[17] != expected:
        raise IdNumberError("checksum")
    return CitizenId(
        number=first17 + expected,
        area_code=area_code,
        birth_date=birth,
        gender="M" if int(first17[16]) % 2 else "F",
        converted_from_15=converted,
    )


def _residence_permit(number: str, *, prefixes: tuple[str, ...], today: date | None) -> str:
    if not number.startswith(prefixes):
        raise IdNumberError("area")
    return parse_citizen_id(number, today=today).number


def _hk_macao_permit(number: str, today: date | None) -> str:
    if len(number) == 18:
        return _residence_permit(number, prefixes=("81", "82"), today=today)
    if _HK_MACAO_PERMIT.fullmatch(number):
        return number
    raise IdNumberError("format")


def _taiwan_permit(number: str, today: date | None) -> str:
    if len(number) == 18:
        return _residence_permit(number, prefixes=("83",), today=today)
    if _TAIWAN_PERMIT.fullmatch(number):
        return number
    raise IdNumberError("format")


def _passport(number: str) -> str:
    if not 5 <= len(number) <= 17:
        raise IdNumberError("length")
    if not _PASSPORT.fullmatch(number):
        raise IdNumberError("characters")
    return number


def _foreign_permanent_residence(number: str, today: date | None) -> str:
    """Old form: 3-letter nationality + 12 digits. 2023 form: "9" + 2-digit province of issue +
    3-digit nationality + birth date + sequence + GB 11643 check character."""
    if len(number) == 15:
        if _FOREIGN_OLD.fullmatch(number):
            return number
        raise IdNumberError("format")
    if len(number) != 18:
        raise IdNumberError("length")
    if not _CITIZEN_18.fullmatch(number):
        raise IdNumberError("characters")
    if number[0] != "9":
        raise IdNumberError("format")
    if number[1:3] not in _PROVINCES:
        raise IdNumberError("area")
    _birth_date(number[6:14], today=today or timezone.localdate())
    if number[17] != check_char(number[:17]):
        raise IdNumberError("checksum")
    return number


def _other(raw: str) -> str:
    number = raw.strip()
    if not 1 <= len(number) <= 32:
        raise IdNumberError("length")
    if not number.isprintable():
        raise IdNumberError("characters")
    return number


def validate_document(doc_type: str, number: str, *, today: date | None = None) -> str:
    """The normalised number of a document of type `doc_type`, or `IdNumberError`."""
    kind = DocumentType(doc_type)
    if kind == DocumentType.OTHER:
        return _other(number)
    normalized = normalize_number(number)
    if kind == DocumentType.CITIZEN_ID:
        return parse_citizen_id(normalized, today=today).number
    if kind == DocumentType.HK_MACAO_PERMIT:
        return _hk_macao_permit(normalized, today)
    if kind == DocumentType.TAIWAN_PERMIT:
        return _taiwan_permit(normalized, today)
    if kind == DocumentType.PASSPORT:
        return _passport(normalized)
    return _foreign_permanent_residence(normalized, today)


def gender_and_birth(number: str) -> tuple[str, date]:
    """("M" or "F", date of birth) read from a citizen ID number."""
    citizen = parse_citizen_id(number)
    return citizen.gender, citizen.birth_date


def age_on(birth: date, today: date) -> int:
    """Completed years on `today`; someone born on 29 February turns a year older on 1 March."""
    if today < birth:
        raise ValueError("today is before the date of birth")
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def mask_id(number: str) -> str:
    """Keep a few leading and trailing characters, never more than half of them.

    18 characters keep 3 + 4 ("110***********1234"); shorter numbers keep proportionally less.
    """
    value = number.strip()
    budget = len(value) // 2
    tail = min(4, (budget + 1) // 2)
    head = min(3, budget - tail)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


_MOBILE = re.compile(r"(\+?86[- ]?)?(1\d{10})", re.ASCII)
_LANDLINE = re.compile(r"(0\d{2,3})([- ])(\d{7,8})(-\d{1,6})?", re.ASCII)
_LANDLINE_UNSEPARATED = re.compile(r"0\d{9,11}", re.ASCII)
_LOCAL = re.compile(r"\d{7,8}", re.ASCII)


def _star_all_but_last(value: str, keep: int) -> str:
    keep = min(keep, len(value))
    return "*" * (len(value) - keep) + value[len(value) - keep :]


def mask_phone(number: str) -> str:
    """Mobile "138****5678", landline "0715-***5678"; anything else keeps at most its last third."""
    value = number.strip()
    if match := _MOBILE.fullmatch(value):
        prefix, mobile = match.group(1) or "", match.group(2)
        return f"{prefix}{mobile[:3]}****{mobile[-4:]}"
    if match := _LANDLINE.fullmatch(value):
        area, separator, local, extension = match.groups()
        masked_extension = "-" + "*" * (len(extension) - 1) if extension else ""
        return f"{area}{separator}{_star_all_but_last(local, 4)}{masked_extension}"
    if _LANDLINE_UNSEPARATED.fullmatch(value):
        # Beijing (010) and the 02x cities have 3-digit area codes, everywhere else 4.
        area_length = 3 if value.startswith(("010", "02")) else 4
        if 7 <= len(value) - area_length <= 8:
            return value[:area_length] + _star_all_but_last(value[area_length:], 4)
    if _LOCAL.fullmatch(value):
        return _star_all_but_last(value, 4)
    return _star_all_but_last(value, min(4, len(value) // 3))


def random_citizen_id(rng: random.Random, area_code: str, birth: date, gender: str) -> str:
    """A valid 18-digit number for demo data and benchmarks (odd sequence = male)."""
    if len(area_code) != 6 or not area_code.isascii() or not area_code.isdigit():
        raise ValueError("area_code must be 6 digits")
    if gender not in ("M", "F"):
        raise ValueError("gender must be 'M' or 'F'")
    sequence = rng.randrange(0, 500) * 2 + 1 if gender == "M" else rng.randrange(1, 500) * 2
    first17 = f"{area_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
