"""The account form's write (`user_save`) and the second factor's (`two_factor_device`, `two_factor_verify`)
are services: all or nothing, checked and audited, whoever calls them."""

from __future__ import annotations

from binascii import unhexlify
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, Tree
from wangge.core import services, two_factor
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Cap, Role


def current_code(device: TOTPDevice) -> str:
    return f"{totp(unhexlify(device.key), t0=device.t0, step=device.step, digits=device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if current_code(device) != "000000" else "111111"


def fingerprint(user: User) -> tuple[object, ...]:
    user.refresh_from_db()
    return (
        user.full_name,
        user.phone,
        user.is_active,
        user.password,
        sorted(user.roles.values_list("role", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
        AuditEvent.objects.count(),
    )


def test_user_save_creates_an_account_with_its_permissions(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    user = services.user_save(
        actor=admin,
        user=None,
        username="zhang",
        password=PASSWORD,
        full_name="张三",
        phone="13800000000",
        department="",
        roles={Role.STREET_SUPERVISOR},
        capabilities={Cap.REVEAL_SENSITIVE},
    )
    user = User.objects.get(pk=user.pk)
    assert user.must_change_password and user.role_set == {Role.STREET_SUPERVISOR}
    assert user.explicit_capabilities == {Cap.REVEAL_SENSITIVE}
    actions = set(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {"user.create", "user.permissions"} <= actions


def test_a_new_account_needs_a_temporary_password(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError) as refused:
        services.user_save(
            actor=admin,
            user=None,
            username="zhang",
            password="",
            full_name="",
            phone="",
            department="",
            roles=set(),
            capabilities=set(),
        )
    assert refused.value.code == "password_required"
    assert not User.objects.filter(username="zhang").exists()


def test_user_save_edits_details_roles_and_password(tree: Tree, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    target = make_user(Role.GRID_WORKER)
    services.user_save(
        actor=admin,
        user=target,
        username=target.username,
        password="An0ther!Passw0rd",
        full_name="李四",
        phone="13900000000",
        department="城管",
        roles={Role.COMMUNITY_STAFF},
        capabilities=set(),
        is_active=False,
    )
    target.refresh_from_db()
    assert (target.full_name, target.department, target.is_active) == ("李四", "城管", False)
    assert target.role_set == {Role.COMMUNITY_STAFF}
    assert target.check_password("An0ther!Passw0rd") and target.must_change_password


def test_an_edit_refused_at_its_last_step_changes_nothing(tree: Tree, make_user: Callable[..., User]) -> None:
    """Details and roles pass, the permissions are refused (an administrator may not read resident data):
    the details and roles written before roll back with it."""
    admin = make_user(Role.SYSTEM_ADMIN)
    target = make_user(Role.GRID_WORKER)
    before = fingerprint(target)
    with pytest.raises(ValidationError):
        services.user_save(
            actor=admin,
            user=target,
            username=target.username,
            password="An0ther!Passw0rd",
            full_name="李四",
            phone="13900000000",
            department="",
            roles={Role.AUDITOR},
            capabilities={Cap.REVEAL_SENSITIVE},
        )
    assert fingerprint(target) == before


def test_only_an_account_administrator_saves_accounts(tree: Tree, make_user: Callable[..., User]) -> None:
    staff = make_user(Role.COMMUNITY_STAFF)
    target = make_user(Role.GRID_WORKER)
    before = fingerprint(target)
    with pytest.raises(PermissionDenied):
        services.user_save(
            actor=staff,
            user=target,
            username=target.username,
            password="",
            full_name="改名",
            phone="",
            department="",
            roles={Role.GRID_WORKER},
            capabilities=set(),
        )
    assert fingerprint(target) == before


def test_enrolling_keeps_one_device_until_a_right_code_confirms_it(tree: Tree, make_user: Callable[..., User]) -> None:
    auditor = make_user(Role.AUDITOR)
    device, enrolling = two_factor.two_factor_device(user=auditor)
    again, still = two_factor.two_factor_device(user=auditor)
    assert enrolling and still and again.pk == device.pk and not device.confirmed

    assert not two_factor.two_factor_verify(actor=auditor, device=device, code=wrong_code(device))
    device.refresh_from_db()
    assert not device.confirmed

    # django-otp slows down guessing after a failure; a moment later the right code passes.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert two_factor.two_factor_verify(actor=auditor, device=device, code=current_code(device))
    device.refresh_from_db()
    assert device.confirmed
    checked, enrolling = two_factor.two_factor_device(user=auditor)
    assert checked.pk == device.pk and not enrolling
    results = list(AuditEvent.objects.filter(action="login.2fa").order_by("pk").values_list("result", flat=True))
    assert results == [AuditEvent.Result.DENIED, AuditEvent.Result.OK]


def test_a_code_is_checked_only_against_ones_own_device(tree: Tree, make_user: Callable[..., User]) -> None:
    auditor = make_user(Role.AUDITOR)
    other = make_user(Role.SECURITY_ADMIN)
    device, _enrolling = two_factor.two_factor_device(user=auditor)
    with pytest.raises(PermissionDenied):
        two_factor.two_factor_verify(actor=other, device=device, code=current_code(device))
    device.refresh_from_db()
    assert not device.confirmed and not AuditEvent.objects.filter(action="login.2fa").exists()
