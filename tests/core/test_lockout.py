"""Lockout behind a proxy and a NAT: the office keeps working, the security administrator gets in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings

from tests.conftest import PASSWORD
from wangge.core.addresses import client_ip
from wangge.core.models import AuditEvent, LoginFailure, User
from wangge.core.roles import Role

OFFICE = "203.0.113.7"  # the street office's one NAT address, as the proxy sees it
PROXY = "10.0.0.2"


def login(username: str, password: str = PASSWORD, ip: str = OFFICE, client: Client | None = None):  # type: ignore[no-untyped-def]
    client = client or Client()
    # Through the proxy: REMOTE_ADDR is nginx, the client is in X-Forwarded-For.
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ip
    )


def signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.2", "198.51.100.4", "198.51.100.4"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.4", "198.51.100.4"),  # the left hop is the client's own claim
        ("10.0.0.2", "1.1.1.1, 198.51.100.4, 10.0.0.9", "198.51.100.4"),  # two proxies of ours
        ("10.0.0.2", "not-an-ip, 10.0.0.9", "10.0.0.9"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "[2001:db8::5]:4431", "2001:db8::5"),
        ("198.51.100.99", "1.2.3.4", "198.51.100.99"),  # not our proxy: the header is ignored
    ],
)
@override_settings(WANGGE_TRUSTED_PROXIES=["10.0.0.0/24"])
def test_the_client_address_is_the_rightmost_hop_not_a_trusted_proxy(
    remote: str, forwarded: str, expected: str
) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.99", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "198.51.100.99"


@override_settings(WANGGE_TRUSTED_PROXIES=[PROXY])
def test_the_audit_trail_records_the_client_behind_the_proxy(make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    assert signed_in(login("worker", ip="198.51.100.4"))
    assert AuditEvent.objects.filter(action="login.ok", username="worker").get().ip == "198.51.100.4"


@override_settings(WANGGE_TRUSTED_PROXIES=[PROXY])
def test_a_spoofed_forwarded_header_from_an_untrusted_peer_is_ignored(make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    response = Client().post(
        "/login/",
        {"username": "worker", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.66",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert signed_in(response)
    assert AuditEvent.objects.filter(action="login.ok", username="worker").get().ip == "198.51.100.66"


@override_settings(WANGGE_TRUSTED_PROXIES=[PROXY], WANGGE_LOCKOUT_ADDRESS_FAILURES=20)
def test_twenty_invented_names_from_the_office_lock_out_neither_its_staff_nor_the_security_admin(
    make_user: Callable[..., User],
) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    make_user(Role.SECURITY_ADMIN, username="sec")
    assert signed_in(login("worker"))  # the worker has signed in from the office before
    for i in range(20):
        assert not signed_in(login(f"invented{i}", "Wrong!Passw0rd"))
    assert LoginFailure.objects.get(kind="address", key=OFFICE).locked_until is not None
    assert signed_in(login("worker"))
    assert signed_in(login("sec"))  # first sign-in from here, and still let in
    # An invented name, or an account never used from here, is refused with the lockout message.
    refused = login("invented99")
    assert "locked" in str(refused.context["form"].non_field_errors()) or "锁定" in str(
        refused.context["form"].non_field_errors()
    )
    # Everyone else, from elsewhere, is unaffected.
    make_user(Role.GRID_WORKER, username="other")
    assert signed_in(login("other", ip="198.51.100.4"))


@override_settings(WANGGE_TRUSTED_PROXIES=[PROXY], WANGGE_LOCKOUT_ACCOUNT_FAILURES=5)
def test_guessing_the_security_admin_password_locks_only_the_guessers_address(make_user: Callable[..., User]) -> None:
    make_user(Role.SECURITY_ADMIN, username="sec")
    make_user(Role.GRID_WORKER, username="worker")
    for _ in range(5):
        login("sec", "Wrong!Passw0rd", ip="198.51.100.200")
        login("worker", "Wrong!Passw0rd", ip="198.51.100.200")
    assert not signed_in(login("sec", ip="198.51.100.200"))
    assert signed_in(login("sec", ip=OFFICE))
    # An ordinary account locks from everywhere, and the security admin unlocks it.
    assert not signed_in(login("worker", ip=OFFICE))
    call_command("lockout_clear", user="worker")
    assert signed_in(login("worker", ip=OFFICE))
    assert AuditEvent.objects.filter(action="security.unlock", username="cli").exists()


@override_settings(WANGGE_TRUSTED_PROXIES=[PROXY], WANGGE_LOCKOUT_ADDRESS_FAILURES=3)
def test_the_command_clears_an_address_or_everything(make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    for i in range(3):
        login(f"x{i}", "Wrong!Passw0rd")
    assert not signed_in(login("worker"))  # never signed in from here: refused while locked
    call_command("lockout_clear", address=OFFICE)
    assert not LoginFailure.objects.filter(kind="address").exists()
    assert LoginFailure.objects.filter(kind="account").exists()
    assert signed_in(login("worker"))
    call_command("lockout_clear", all=True)
    assert not LoginFailure.objects.exists()
    with pytest.raises(Exception, match="Say what to clear"):
        call_command("lockout_clear")


@override_settings(WANGGE_TRUSTED_PROXIES=[PROXY], WANGGE_LOCKOUT_ACCOUNT_FAILURES=2)
def test_the_security_page_lists_an_account_at_an_address_only_once_it_locks(make_user: Callable[..., User]) -> None:
    from wangge.core.selectors import lockouts_current

    secadmin = make_user(Role.SECURITY_ADMIN, username="sec")
    login("sec", "Wrong!Passw0rd", ip="198.51.100.200")
    assert "pair" not in {f.kind for f in lockouts_current(actor=secadmin)}
    login("sec", "Wrong!Passw0rd", ip="198.51.100.200")
    assert [f.key for f in lockouts_current(actor=secadmin) if f.kind == "pair"] == ["sec|198.51.100.200"]
