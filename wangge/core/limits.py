"""Limits every service checks on what a person types: lengths and coordinates (a refusal, never a silent cut)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
