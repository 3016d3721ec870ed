"""One rule for what is a phone number (wangge.core.phones), used by the registry, cases and the people import."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from wangge.core.phones import clean_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138 7150 1108", "13871501108"),
        ("（0715）8123 456", "07158123456"),  # full-width brackets as typed on a phone
        ("+86-138.7150.1108", "+86-13871501108"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_what_people_type_between_the_digits_is_dropped(typed: str, stored: str) -> None:
    assert clean_phone(typed) == stored


@pytest.mark.parametrize("typed", ["abc", "138x7150", "1234", "1" * 16, "13871501108#2"])
def test_anything_else_is_refused_not_dropped(typed: str) -> None:
    with pytest.raises(ValidationError) as exc:
        clean_phone(typed)
    assert exc.value.code == "bad_phone"
