import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from wangge.core.models import User


@pytest.mark.parametrize("password", ["short1!A", "alllowercaseletters", "ALLUPPER12345678", "abcdefghij12"])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, User(username="someone"))


def test_password_may_not_contain_username_or_phone() -> None:
    user = User(username="liupz", phone="13871501108")
    for password in ("Xx!liupz2026", "Ab!501108xyzQ"):
        with pytest.raises(ValidationError) as info:
            validate_password(password, user)
        assert [e.code for e in info.value.error_list] == ["password_personal_data"]


def test_a_strong_password_passes() -> None:
    validate_password("Grid-Work3r!2026", User(username="liupz", phone="13871501108"))
