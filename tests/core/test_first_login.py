"""First sign-in of an account created for someone else: one-time password, own password, then 2FA."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tests.core.test_login import current_code, login
from wangge.core import services
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role

NEW_PASSWORD = "Eigen!Passw0rt26"


def change_password(client: Client, old: str, new: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/account/password/", {"old_password": old, "new_password": new, "new_password2": new})


def test_a_one_time_password_meets_the_rules_and_forces_a_change(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    worker = make_user(Role.GRID_WORKER, username="worker")
    raw = services.user_require_password_change(actor=admin, user=worker, one_time_password=True)
    assert raw is not None and len(raw) == 14
    assert not login(Client(), "worker", PASSWORD).has_header("Location")  # the old password is gone
    client = Client()
    assert login(client, "worker", raw).status_code == 302
    assert client.get("/cases/").url == "/account/password/"
    assert client.get("/api/v1/me").status_code == 403
    page = client.get("/account/password/")
    assert page.templates[0].name == "core/password_first.html"
    assert change_password(client, raw).status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="user.password_one_time", object_id=str(worker.pk)).exists()


def test_only_a_user_manager_may_require_a_password_change(make_user: Callable[..., User]) -> None:
    from django.core.exceptions import PermissionDenied

    staff = make_user(Role.COMMUNITY_STAFF)
    worker = make_user(Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        services.user_require_password_change(actor=staff, user=worker)
    worker.refresh_from_db()
    assert not worker.must_change_password


def test_a_new_administrator_sets_a_password_first_then_enrols_the_authenticator(
    make_user: Callable[..., User],
) -> None:
    auditor = make_user(Role.AUDITOR, username="aud")
    raw = services.user_require_password_change(actor=None, user=auditor, one_time_password=True)
    assert raw is not None
    client = Client()
    login(client, "aud", raw)
    assert client.get("/audit/").url == "/account/password/"
    assert client.get("/account/2fa/").status_code == 200  # reachable, but the gate asks for the password first
    assert change_password(client, raw).status_code == 302
    assert client.get("/audit/").url == "/account/2fa/"
    device = TOTPDevice.objects.get(user=auditor)
    with time_machine.travel(timezone.now() + timedelta(seconds=1)):
        assert client.post("/account/2fa/", {"code": current_code(device)}).status_code == 302
        assert client.get("/audit/").status_code == 200


def test_a_password_reset_does_not_skip_an_enrolled_second_factor(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    secadmin = make_user(Role.SECURITY_ADMIN, username="sec")
    device = TOTPDevice.objects.create(user=secadmin, name="phone", confirmed=True)
    raw = services.user_require_password_change(actor=admin, user=secadmin, one_time_password=True)
    assert raw is not None
    client = Client()
    login(client, "sec", raw)
    assert client.get("/security/").url == "/account/2fa/"
    # The password page itself sends an unverified session to the code first.
    assert client.get("/account/password/").url == "/account/2fa/"
    assert change_password(client, raw).url == "/account/2fa/"
    assert User.objects.get(pk=secadmin.pk).must_change_password
    with time_machine.travel(timezone.now() + timedelta(seconds=1)):
        client.post("/account/2fa/", {"code": current_code(device)})
        assert client.get("/security/").url == "/account/password/"
        change_password(client, raw)
        assert client.get("/security/").status_code == 200
