from __future__ import annotations

from binascii import unhexlify
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role


def login(client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(unhexlify(device.key), t0=device.t0, step=device.step, digits=device.digits):06d}"


def test_unknown_user_and_wrong_password_get_the_same_answer(make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    wrong = login(Client(), "worker", "Wrong!Passw0rd")
    unknown = login(Client(), "nobody", "Wrong!Passw0rd")
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert AuditEvent.objects.filter(action="login.failed", result="denied").count() == 2


@override_settings(WANGGE_LOCKOUT_ACCOUNT_FAILURES=3, WANGGE_LOCKOUT_MINUTES=15)
def test_account_locks_after_repeated_failures_then_unlocks_after_the_lockout(make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    for i in range(3):
        login(Client(), "worker", "Wrong!Passw0rd", ip=f"10.0.0.{i}")
    # Even the right password is refused while locked, from any address.
    locked = login(Client(), "worker", PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 200
    assert "_auth_user_id" not in Client().session
    assert AuditEvent.objects.filter(action="login.locked").exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        ok = login(Client(), "worker", PASSWORD, ip="10.9.9.9")
        assert ok.status_code == 302


@override_settings(WANGGE_LOCKOUT_ADDRESS_FAILURES=4, WANGGE_LOCKOUT_ACCOUNT_FAILURES=100)
def test_address_locks_after_failures_across_many_accounts(make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    for i in range(4):
        login(Client(), f"guess{i}", "Wrong!Passw0rd", ip="10.6.6.6")
    assert login(Client(), "worker", PASSWORD, ip="10.6.6.6").status_code == 200  # locked address
    assert login(Client(), "worker", PASSWORD, ip="10.7.7.7").status_code == 302  # other address fine


def test_login_rotates_the_session_key_and_logout_ends_the_server_side_session(make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    client = Client()
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    assert login(client, "worker").status_code == 302
    after = client.session.session_key
    assert after != before
    assert Session.objects.filter(session_key=after).exists()
    client.post("/logout/")
    assert not Session.objects.filter(session_key=after).exists()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="logout").exists()


def test_admin_roles_need_the_second_factor_before_anything_else(make_user: Callable[..., User]) -> None:
    make_user(Role.AUDITOR, username="aud")
    client = Client()
    assert login(client, "aud").status_code == 302
    assert client.get("/audit/").url == "/account/2fa/"
    assert client.get("/api/v1/me").status_code in (401, 403)
    # First visit enrols: a QR code and a secret are shown.
    page = client.get("/account/2fa/")
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user__username="aud")
    assert not device.confirmed
    wrong = client.post("/account/2fa/", {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert client.get("/audit/").status_code == 302
    # django-otp slows down guessing after a failure; a moment later the right code passes.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        right = client.post("/account/2fa/", {"code": current_code(device)})
        assert right.status_code == 302
        assert client.get("/audit/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_holding_reveal_permission_requires_the_second_factor(make_user: Callable[..., User]) -> None:
    from wangge.core.services import user_set_capabilities

    admin = make_user(Role.SYSTEM_ADMIN)
    worker = make_user(Role.GRID_WORKER, username="worker")
    client = Client()
    login(client, "worker")
    assert client.get("/").status_code == 200
    user_set_capabilities(actor=admin, user=worker, capabilities={"core.reveal_sensitive"})
    # Takes effect on the next request.
    assert client.get("/").url == "/account/2fa/"


def test_accounts_created_by_an_admin_must_change_password_first(make_user: Callable[..., User]) -> None:
    from wangge.core.services import user_create

    admin = make_user(Role.SYSTEM_ADMIN)
    user_create(actor=admin, username="newbie", password=PASSWORD, roles={Role.GRID_WORKER})
    client = Client()
    login(client, "newbie")
    assert client.get("/").url == "/account/password/"
    bad = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password": "short", "new_password2": "short"}
    )
    assert bad.status_code == 200
    assert User.objects.get(username="newbie").must_change_password
    ok = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password": "Neu!Passwort2026", "new_password2": "Neu!Passwort2026"},
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200


@override_settings(SESSION_COOKIE_AGE=30 * 60)
def test_idle_timeout_ends_the_session(make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    client = Client()
    login(client, "worker")
    assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert client.get("/").status_code == 200  # activity keeps it alive
    with time_machine.travel(timezone.now() + timedelta(minutes=20 + 31)):
        assert client.get("/").status_code == 302


@override_settings(WANGGE_SESSION_MAX_HOURS=2, SESSION_COOKIE_AGE=60 * 60)
def test_absolute_lifetime_ends_even_an_active_session(make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    client = Client()
    login(client, "worker")
    start = timezone.now()
    for minutes in (30, 60, 90, 119):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=125)):
        response = client.get("/")
        assert response.status_code == 302
        assert response.url.startswith("/login/")


@pytest.mark.parametrize(
    "header", ["Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"]
)
def test_security_headers_are_sent(db: None, header: str) -> None:
    assert Client().get("/login/").has_header(header)
