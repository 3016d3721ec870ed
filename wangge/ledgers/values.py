"""Reading cell values the way people type them into ledgers.

Each parser takes a raw cell (str, int, float, bool, date, datetime or None, as calamine and the CSV
reader give them) and returns the clean value, or raises `CellError` with a message for the user.
Pure functions: no database, no settings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

EXCEL_EPOCH = date(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read; `str()` is the message for the user."""


def joined(messages: Sequence[str]) -> str:
    """Several messages of one row as one sentence: `a；b；c。`, not `a。；b。；c。`."""
    parts = [m.strip().rstrip("。.") for m in messages if m.strip()]
    return "；".join(parts) + "。" if parts else ""


class CellWarning(Exception):
    """A cell read with a doubt: `value` is kept and the user is told `message` (e.g. an unknown relation word)."""

    def __init__(self, value: Any, message: str) -> None:
        super().__init__(message)
        self.value = value
        self.message = message


def text(value: Any) -> str:
    """Any cell as clean text: full-width digits and letters made half-width, spaces trimmed, 12.0 → "12"."""
    if type(value) is str:
        if value.isascii():
            return value.strip()
        return unicodedata.normalize("NFKC", value).replace("\u3000", " ").strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    result = str(value)
    if not result.isascii():
        result = unicodedata.normalize("NFKC", result).replace("\u3000", " ")
    return result.strip()


_DATE_PARTS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: Any) -> date | None:
    """1950-03-02, 1950/3/2, 1950.3.2, 19500302, 1950年3月2日, an Excel date cell or date serial."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and 10_000_000 <= number <= 99_999_999:
            return _compact_date(str(int(number)))
        if 1 <= number < 2_958_466:  # Excel's serials: 1 = 1900-01-01 … 9999-12-31
            return EXCEL_EPOCH + timedelta(days=int(number))
        raise CellError(_("%(value)s is not a date.") % {"value": text(value)})
    raw = text(value)
    if not raw:
        return None
    match = _DATE_PARTS.match(raw)
    if match:
        return _make_date(*(int(part) for part in match.groups()), raw=raw)
    if _DATE_COMPACT.match(raw):
        return _compact_date(raw)
    if raw.isdecimal() and 1 <= int(raw) < 2_958_466:
        return EXCEL_EPOCH + timedelta(days=int(raw))
    raise CellError(_("“%(value)s” is not a date; write it as 1950-03-02.") % {"value": raw})


def _compact_date(raw: str) -> date:
    match = _DATE_COMPACT.match(raw)
    assert match is not None
    return _make_date(*(int(part) for part in match.groups()), raw=raw)


def _make_date(year: int, month: int, day: int, *, raw: str) -> date:
    try:
        result = date(year, month, day)
    except ValueError as exc:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": raw}) from exc
    if not 1880 <= result.year <= 2200:
        raise CellError(_("“%(value)s” is not a plausible date.") % {"value": raw})
    return result


_YES = {"是", "√", "✓", "✔", "有", "y", "yes", "true", "1", "是的", "对", "t"}
_NO = {"否", "×", "✗", "无", "不是", "n", "no", "false", "0", "f", "-", "／", "/"}


def parse_bool(value: Any) -> bool | None:
    """是/否, √/×, 有/无, Y/N, 1/0; an empty cell is None (not given)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if not raw:
        return None
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise CellError(_("“%(value)s” should be 是 or 否.") % {"value": raw})


def parse_int(value: Any, *, low: int, high: int, strip: str = "") -> int | None:
    """A whole number in [low, high]; `strip` lists suffix characters people add (级, 单元, 层)."""
    raw = text(value)
    if not raw:
        return None
    for suffix in strip:
        raw = raw.replace(suffix, "")
    raw = raw.strip()
    chinese = "零一二三四五六七八九十"
    if raw and all(ch in chinese for ch in raw):
        raw = str(_chinese_number(raw))
    if not re.fullmatch(r"-?\d+", raw):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": text(value)})
    number = int(raw)
    if not low <= number <= high:
        raise CellError(_("%(value)s is outside %(low)d–%(high)d.") % {"value": number, "low": low, "high": high})
    return number


def _chinese_number(raw: str) -> int:
    digits = "零一二三四五六七八九"
    if raw == "十":
        return 10
    if "十" in raw:
        tens, _sep, ones = raw.partition("十")
        return (digits.index(tens) if tens else 1) * 10 + (digits.index(ones) if ones else 0)
    return int("".join(str(digits.index(ch)) for ch in raw))


def parse_decimal(value: Any) -> Decimal | None:
    raw = (
        text(value)
        .replace("m2", "")
        .replace("㎡", "")
        .replace("m²", "")
        .replace("平方米", "")
        .replace("平米", "")
        .strip()
    )
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw}) from exc
    if not Decimal(0) <= number < Decimal(1_000_000):
        raise CellError(_("“%(value)s” is not a plausible area.") % {"value": raw})
    return number.quantize(Decimal("0.01"))


def id_number_text(value: Any) -> str:
    """A document number as typed, catching what Excel did to it when it stored it as a number.

    A citizen ID typed into a number cell keeps only 15 significant digits (the last three become
    zeros) and can never hold its trailing X; both are reported rather than guessed.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if not number.is_integer():
            raise CellError(
                _(
                    "The document number was stored as a decimal number by Excel; format the column as text and type it again."
                )
            )
        digits = str(int(number))
        if len(digits) > 15:
            raise CellError(
                _(
                    "Excel stored this ID number as a number and lost its last digits (%(shown)s…). Format the column as text and type the number again."
                )
                % {"shown": digits[:14]}
            )
        return digits
    raw = text(value).replace(" ", "").replace("-", "") if not isinstance(value, str) else text(value)
    raw = raw.replace(" ", "").upper()
    if raw.startswith("'"):
        raw = raw[1:]
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", raw):
        raise CellError(
            _(
                "The ID number was turned into scientific notation (%(value)s) and its digits are lost. Format the column as text and type it again."
            )
            % {"value": raw}
        )
    if len(raw) == 17 and raw.isdecimal():
        raise CellError(
            _("The ID number has 17 digits: the trailing X was probably lost when Excel treated it as a number.")
        )
    return raw


def limited(limit: int) -> Callable[[Any], str]:
    """A parser for free text of at most `limit` characters."""

    def parse(value: Any) -> str:
        result = text(value)
        if len(result) > limit:
            raise CellError(_("At most %(limit)d characters.") % {"limit": limit})
        return result

    return parse


def name_text(value: Any) -> str:
    """A person's or a region's name: at most 64 characters, as the registry keeps them."""
    name = text(value)
    if len(name) > 64:
        raise CellError(_("A name has at most 64 characters."))
    return name


def phone_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return text(value).replace(" ", "")


_LIST_SPLIT = re.compile(r"[、，,;；/|\s]+")


def split_list(value: Any) -> list[str]:
    """A list in one cell: 独居老人、低保；残疾人 → three items."""
    return [item for item in _LIST_SPLIT.split(text(value)) if item]


def choice_parser(
    mapping: dict[str, str],
    *,
    label: Callable[[], str],
    fallback: str | None = None,
    lenient: tuple[str, str] | None = None,
) -> Callable[[Any], str]:
    """A parser for a code list: the cell is looked up (case- and space-insensitive) in `mapping`.

    An unknown word is an error, or with `lenient=(code, word)` a warning: the row keeps `code`.
    """
    plain = {k: str(v) for k, v in mapping.items()}  # codes as plain text, never enum members (cheaper to store)
    normalised = {_key(k): v for k, v in plain.items()}
    exact = {**plain, **normalised}

    def parse(value: Any) -> str:
        raw = text(value)
        if not raw:
            return ""
        found = exact.get(raw)
        if found is not None:
            return found
        found = normalised.get(_key(raw))
        if found is not None:
            return found
        if fallback is not None:
            return fallback
        if lenient is not None:
            raise CellWarning(
                str(lenient[0]),
                _(
                    "“%(value)s” is not a known %(field)s: recorded as “%(word)s”; correct it on the person's card if need be."
                )
                % {"value": raw, "field": label(), "word": lenient[1]},
            )
        raise CellError(_("“%(value)s” is not a known %(field)s.") % {"value": raw, "field": label()})

    return parse


def _key(value: str) -> str:
    return re.sub(r"[\s（）()]+", "", value).lower()


def synonyms(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """{code: [names…]} pairs as the name → code mapping `choice_parser` wants."""
    return {name: code for code, names in pairs for name in names}
