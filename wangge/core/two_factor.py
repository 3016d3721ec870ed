"""The second factor (an authenticator app, TOTP): enrolling one and checking its codes, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.core.audit import audit_record
from wangge.core.models import AuditEvent, User


@transaction.atomic
def two_factor_device(*, user: User) -> tuple[TOTPDevice, bool]:
    """The user's authenticator and whether they are enrolling it.

    A confirmed device is the one to check; without one, the device being enrolled (made on the
    first visit, kept until a right code confirms it, so the key shown does not change).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        return device, False
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device, True


@transaction.atomic
def two_factor_verify(*, actor: User, device: TOTPDevice, code: str) -> bool:
    """Check a code from the actor's own device; the first right code confirms a device being enrolled.

    Every try is audited (a wrong code as denied); the device's own throttle counts wrong codes.
    """
    if device.user_id != actor.pk:
        raise PermissionDenied(_("You do not have permission to do this."))
    verified = bool(device.verify_token(code))
    if verified and not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    audit_record(
        actor=actor,
        action="login.2fa",
        obj=actor,
        result=AuditEvent.Result.OK if verified else AuditEvent.Result.DENIED,
    )
    return verified
