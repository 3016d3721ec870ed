"""Limits every service checks: lengths and coordinates of what a person types (a refusal, never a silent cut),
and how often a caller may do something (`check_quota`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def check_text(value: str | None, *, limit: int, label: str, code: str = "too_long") -> str:
    """`value` stripped; a ValidationError naming the field when it is longer than `limit` characters."""
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(
            _("%(field)s is too long: at most %(limit)s characters (%(length)s given).")
            % {"field": label, "limit": limit, "length": len(value)},
            code=code,
        )
    return value


def check_position(
    lat: Decimal | float | str | None, lng: Decimal | float | str | None
) -> tuple[Decimal, Decimal] | None:
    """A WGS84 point (latitude −90…90, longitude −180…180) as two six-decimal numbers, or None when both are empty."""
    if lat in (None, "") and lng in (None, ""):
        return None
    try:
        point = (Decimal(str(lat)), Decimal(str(lng)))
    except InvalidOperation as exc:
        raise ValidationError(_("Give both latitude and longitude, as numbers."), code="bad_position") from exc
    if not all(p.is_finite() for p in point) or not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        raise ValidationError(
            _("A position is a latitude from −90 to 90 and a longitude from −180 to 180."), code="bad_position"
        )
    return point[0].quantize(Decimal("0.000001")), point[1].quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class Quota:
    """At most `count` within any `per` (a sliding window over the caller's own records)."""

    count: int
    per: timedelta


def _period(per: timedelta) -> str:
    seconds = int(per.total_seconds())
    if seconds % 86400 == 0:
        n = seconds // 86400
        return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
    if seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    n = max(1, seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}


def check_quota(used_since: Callable[[datetime], int], quotas: Iterable[Quota], *, now: datetime, what: str) -> None:
    """Refuse (`rate_limited`) when `used_since(now - per)` already reached a quota's count; nothing is counted here.

    `used_since(moment)` counts what the caller did since that moment, from the records the action leaves
    (a resident's reports are counted from the cases they made), so the limit cannot drift from the facts.
    """
    for quota in quotas:
        if used_since(now - quota.per) >= quota.count:
            raise ValidationError(
                _("Too many %(what)s: at most %(count)d within %(period)s. Please try again later.")
                % {"what": what, "count": quota.count, "period": _period(quota.per)},
                code="rate_limited",
            )
