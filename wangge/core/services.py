"""Writes about accounts, roles, permissions, login security and API tokens.

Every function: keyword-only arguments, an explicit actor, atomic, audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.addresses import client_ip
from wangge.core.audit import audit_record
from wangge.core.models import ApiToken, AuditEvent, AuditHead, LoginFailure, User, UserRole
from wangge.core.roles import ADMIN_ROLES, GRANTABLE_CAPABILITIES, Cap, Role, role_conflict


def _require(actor: User, capability: str) -> None:
    if not actor.has_perm(capability):
        raise PermissionDenied(_("You do not have permission to do this."))


# --- accounts ------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str = "",
    phone: str = "",
    department: str = "",
    roles: set[str] | None = None,
    is_demo: bool = False,
    must_change_password: bool = True,
) -> User:
    """Create an account. Accounts an admin creates must change their password at first login."""
    if actor is not None:
        _require(actor, Cap.MANAGE_USERS)
    username = username.strip()
    if not username:
        raise ValidationError(_("A username is required."), code="username_required")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The username %(name)s is already taken.") % {"name": username}, code="username_taken")
    roles = set(roles or ())
    _check_roles(roles)
    user = User(username=username, full_name=full_name, phone=phone, department=department, is_demo=is_demo)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = must_change_password
    user.password_changed_at = timezone.now()
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in sorted(roles)])
    audit_record(actor=actor, action="user.create", obj=user, detail={"roles": sorted(roles)})
    return user


@transaction.atomic
def administrator_bootstrap(*, role: str, username: str, full_name: str = "") -> tuple[User, str]:
    """Create the first system, security or audit administrator of an empty installation.

    Run by the operator (`manage.py create_admin`), so there is no actor. Refused when an active
    account already holds the role: from then on administrators are made in the console. The
    account gets a one-time password (returned, to be shown once), must set its own password at
    first sign-in and enrol an authenticator before anything else (the administrator roles
    require two-factor authentication).
    """
    if role not in ADMIN_ROLES:
        raise ValidationError(
            _("Choose one of the administrator roles: %(roles)s.") % {"roles": ", ".join(sorted(ADMIN_ROLES))},
            code="not_admin_role",
        )
    # One at a time: two operators running the command at once must not both create one.
    AuditHead.objects.select_for_update().get_or_create(pk=1)
    holders = User.objects.filter(is_active=True, roles__role=role).values_list("username", flat=True)
    if holders:
        raise ValidationError(
            _("An active %(role)s already exists (%(names)s): further administrators are created in the console.")
            % {"role": Role(role).label, "names": ", ".join(holders[:5])},
            code="admin_exists",
        )
    password = one_time_password_generate(User(username=username.strip(), full_name=full_name))
    user = user_create(actor=None, username=username, password=password, full_name=full_name, roles={role})
    audit_record(actor=None, username="cli", action="user.admin_bootstrap", obj=user, detail={"role": role})
    return user, password


def _check_roles(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown))}, code="unknown_role")
    conflict = role_conflict(roles)
    if conflict:
        raise ValidationError(conflict, code="role_conflict")


@transaction.atomic
def user_update(*, actor: User, user: User, full_name: str, phone: str, department: str, is_active: bool) -> User:
    _require(actor, Cap.MANAGE_USERS)
    if user.pk == actor.pk and not is_active:
        raise ValidationError(_("You cannot deactivate your own account."), code="self_deactivate")
    old = {"full_name": user.full_name, "phone": user.phone, "department": user.department, "is_active": user.is_active}
    user.full_name, user.phone, user.department, user.is_active = full_name, phone, department, is_active
    user.save(update_fields=["full_name", "phone", "department", "is_active"])
    new = {"full_name": full_name, "phone": phone, "department": department, "is_active": is_active}
    changes = {k: [old[k], new[k]] for k in old if old[k] != new[k]}
    audit_record(actor=actor, action="user.update", obj=user, detail=changes)
    return user


@transaction.atomic
def user_set_roles(*, actor: User, user: User, roles: set[str]) -> None:
    _require(actor, Cap.MANAGE_USERS)
    _check_roles(roles)
    before = set(user.roles.values_list("role", flat=True))
    if user.pk == actor.pk and Role.SYSTEM_ADMIN in before and Role.SYSTEM_ADMIN not in roles:
        raise ValidationError(_("You cannot remove your own administrator role."), code="self_demote")
    UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    UserRole.objects.bulk_create(
        [UserRole(user=user, role=role) for role in sorted(roles - before)], ignore_conflicts=True
    )
    user.__dict__.pop("role_set", None)
    audit_record(actor=actor, action="user.roles", obj=user, detail={"before": sorted(before), "after": sorted(roles)})


@transaction.atomic
def user_set_capabilities(*, actor: User, user: User, capabilities: set[str]) -> None:
    """Grant or withdraw the explicit capabilities (reveal sensitive fields, bulk export)."""
    _require(actor, Cap.MANAGE_USERS)
    unknown = capabilities - GRANTABLE_CAPABILITIES
    if unknown:
        raise ValidationError(_("Unknown permission: %(p)s") % {"p": ", ".join(sorted(unknown))}, code="unknown_cap")
    if capabilities and user.role_set & {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}:
        raise ValidationError(
            _("Administrator accounts cannot hold permissions to read resident data."), code="admin_cap"
        )
    before = set(user.explicit_capabilities)
    perms = Permission.objects.filter(
        content_type__app_label="core", codename__in=[c.split(".")[1] for c in capabilities]
    )
    keep = user.user_permissions.exclude(
        content_type__app_label="core", codename__in=[c.split(".")[1] for c in GRANTABLE_CAPABILITIES]
    )
    user.user_permissions.set(list(keep) + list(perms))
    user.__dict__.pop("explicit_capabilities", None)
    audit_record(
        actor=actor,
        action="user.permissions",
        obj=user,
        detail={"before": sorted(before), "after": sorted(capabilities)},
    )


@transaction.atomic
def user_reset_password(*, actor: User, user: User, password: str) -> None:
    """An administrator sets a temporary password; the user must change it at next login."""
    _require(actor, Cap.MANAGE_USERS)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(actor=actor, action="user.password_reset", obj=user)


@transaction.atomic
def user_save(
    *,
    actor: User,
    user: User | None,
    username: str,
    password: str,
    full_name: str,
    phone: str,
    department: str,
    roles: set[str],
    capabilities: set[str],
    is_active: bool = True,
) -> User:
    """The account form's one write, all or nothing: a new account (a temporary password required)
    or an edit of one (its details, roles and, if given, a new temporary password), then its
    explicit permissions."""
    if user is None:
        if not password:
            raise ValidationError(_("Set a temporary password for the new account."), code="password_required")
        user = user_create(
            actor=actor,
            username=username,
            password=password,
            full_name=full_name,
            phone=phone,
            department=department,
            roles=roles,
        )
    else:
        user_update(
            actor=actor, user=user, full_name=full_name, phone=phone, department=department, is_active=is_active
        )
        user_set_roles(actor=actor, user=user, roles=roles)
        if password:
            user_reset_password(actor=actor, user=user, password=password)
    user_set_capabilities(actor=actor, user=user, capabilities=capabilities)
    return user


# Letters and digits that cannot be mistaken for each other on a printed slip (no 0 O 1 l I).
_SLIP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def one_time_password_generate(user: User) -> str:
    """A random password that meets the password rules, easy to copy from a slip: `Xk7p-Rt4m-9cQa`."""
    while True:
        groups = ["".join(secrets.choice(_SLIP_ALPHABET) for _ in range(4)) for _ in range(3)]
        candidate = "-".join(groups)
        if not (any(c.isupper() for c in candidate) and any(c.islower() for c in candidate)):
            continue
        if not any(c.isdigit() for c in candidate):
            continue
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate


@transaction.atomic
def user_require_password_change(*, actor: User | None, user: User, one_time_password: bool = False) -> str | None:
    """Make the user set a new password at their next request (held at the password page until done).

    With `one_time_password=True` the account also gets a fresh random password, returned to the
    caller to hand over once (printed by a command, on a slip); only its hash is kept. `actor=None`
    is an operator's command or the system.
    """
    if actor is not None:
        _require(actor, Cap.MANAGE_USERS)
    raw = None
    fields = ["must_change_password"]
    if one_time_password:
        raw = one_time_password_generate(user)
        user.set_password(raw)
        user.password_changed_at = timezone.now()
        fields += ["password", "password_changed_at"]
    user.must_change_password = True
    user.save(update_fields=fields)
    audit_record(
        actor=actor,
        username="" if actor is not None else "cli",
        action="user.password_one_time" if one_time_password else "user.password_require_change",
        obj=user,
    )
    return raw


@transaction.atomic
def user_change_own_password(*, actor: User, old_password: str, new_password: str) -> None:
    if not actor.check_password(old_password):
        raise ValidationError(_("The current password is wrong."), code="wrong_password")
    if old_password == new_password:
        raise ValidationError(_("The new password must differ from the current one."), code="same_password")
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.must_change_password = False
    actor.password_changed_at = timezone.now()
    actor.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(actor=actor, action="user.password_change", obj=actor)


@transaction.atomic
def user_set_language(*, actor: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."), code="unknown_language")
    actor.language = language
    actor.save(update_fields=["language"])
    audit_record(actor=actor, action="user.language", obj=actor, detail={"language": language})


@transaction.atomic
def user_reset_two_factor(*, actor: User, user: User) -> None:
    """Remove a user's authenticator so they enrol again at next login (lost phone)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require(actor, Cap.MANAGE_SECURITY)
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="user.2fa_reset", obj=user, detail={"devices_removed": removed})


# --- login security ----------------------------------------------------------------------------


@dataclass
class LoginResult:
    user: User | None
    error: str = ""


def _window() -> timedelta:
    return timedelta(minutes=settings.WANGGE_LOCKOUT_MINUTES)


def _locked(kind: str, key: str, now: datetime) -> bool:
    return LoginFailure.objects.filter(kind=kind, key=key, locked_until__gt=now).exists()


def _count_failure(kind: str, key: str, limit: int, now: datetime) -> bool:
    """Count one failure; return True when the key is locked after it."""
    with transaction.atomic():
        row, _created = LoginFailure.objects.select_for_update().get_or_create(kind=kind, key=key)
        if row.last_failure_at < now - _window() or (row.locked_until and row.locked_until <= now):
            row.failures = 0
            row.locked_until = None
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= limit:
            row.locked_until = now + _window()
        row.save()
        return row.locked_until is not None


def _pair_key(key: str, ip: str) -> str:
    return f"{key}|{ip}"


def _signed_in_from(user: User | None, ip: str) -> bool:
    """Has this account signed in from this address before (its login rows in the audit trail)?"""
    if user is None:
        return False
    return AuditEvent.objects.filter(user_id=user.pk, action="login.ok", ip=ip, result=AuditEvent.Result.OK).exists()


def _lockout_applies(*, user: User | None, key: str, ip: str, now: datetime) -> bool:
    """Whether the recorded failures refuse this account from this address.

    - An account locks after `WANGGE_LOCKOUT_ACCOUNT_FAILURES` failures from anywhere; a security
      administrator's account locks only at the address they came from, so they can always sign
      in from their own desk to unlock the others.
    - An address locks after `WANGGE_LOCKOUT_ADDRESS_FAILURES` failures with any names; from a
      locked address only accounts that have signed in from it before (and security
      administrators) may sign in. An office behind one NAT address keeps working while invented
      or sprayed names are refused.
    """
    security_admin = user is not None and user.has_role(Role.SECURITY_ADMIN)
    if security_admin:
        if _locked(LoginFailure.Kind.PAIR, _pair_key(key, ip), now):
            return True
    elif _locked(LoginFailure.Kind.ACCOUNT, key, now):
        return True
    if security_admin or not _locked(LoginFailure.Kind.ADDRESS, ip, now):
        return False
    return not _signed_in_from(user, ip)


def login_attempt(*, request: HttpRequest, username: str, password: str) -> LoginResult:
    """Check credentials with lockout per account and per source address (see `_lockout_applies`).

    Unknown user and wrong password get the same answer; so does a locked account, whether it
    exists or not.
    """
    now = timezone.now()
    ip = client_ip(request)
    key = username.strip().lower()[:150]
    generic = _("The username or password is incorrect.")
    locked_msg = _(
        "Too many failed attempts. Sign-in from this account or address is locked for %(minutes)d minutes."
    ) % {"minutes": settings.WANGGE_LOCKOUT_MINUTES}
    known = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
    if _lockout_applies(user=known, key=key, ip=ip, now=now):
        with transaction.atomic():
            audit_record(actor=None, username=key, action="login.locked", result=AuditEvent.Result.DENIED)
        return LoginResult(None, locked_msg)
    user = authenticate(request, username=username.strip(), password=password)
    if user is None:
        _count_failure(LoginFailure.Kind.ACCOUNT, key, settings.WANGGE_LOCKOUT_ACCOUNT_FAILURES, now)
        _count_failure(LoginFailure.Kind.PAIR, _pair_key(key, ip), settings.WANGGE_LOCKOUT_ACCOUNT_FAILURES, now)
        _count_failure(LoginFailure.Kind.ADDRESS, ip, settings.WANGGE_LOCKOUT_ADDRESS_FAILURES, now)
        locked = _lockout_applies(user=known, key=key, ip=ip, now=now)
        with transaction.atomic():
            audit_record(
                actor=None,
                username=key,
                action="login.failed",
                result=AuditEvent.Result.DENIED,
                detail={"locked": locked},
            )
        return LoginResult(None, locked_msg if locked else generic)
    LoginFailure.objects.filter(
        Q(kind=LoginFailure.Kind.ACCOUNT, key=key) | Q(kind=LoginFailure.Kind.PAIR, key=_pair_key(key, ip))
    ).delete()
    assert isinstance(user, User)
    return LoginResult(user)


def login_succeeded(*, user: User) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="login.ok", obj=user)


def logout_recorded(*, user: User) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="logout", obj=user)


@transaction.atomic
def lockouts_clear(*, actor: User | None, username: str = "", address: str = "") -> int:
    """Clear the failures and lockouts of an account, of an address, or (neither given) all of them.

    For the security administrator in the console, and for the operator's command when no one can
    sign in (`actor=None`). Returns how many counters were removed.
    """
    if actor is not None:
        _require(actor, Cap.MANAGE_SECURITY)
    key = username.strip().lower()
    address = address.strip()
    which = Q()
    if key:
        which |= Q(kind=LoginFailure.Kind.ACCOUNT, key=key) | Q(kind=LoginFailure.Kind.PAIR, key__startswith=f"{key}|")
    if address:
        which |= Q(kind=LoginFailure.Kind.ADDRESS, key=address) | Q(
            kind=LoginFailure.Kind.PAIR, key__endswith=f"|{address}"
        )
    rows = LoginFailure.objects.filter(which) if which else LoginFailure.objects.all()
    removed, _detail = rows.delete()
    audit_record(
        actor=actor,
        username="" if actor is not None else "cli",
        action="security.unlock",
        object_type="core.loginfailure",
        detail={"username": key, "address": address, "removed": removed},
    )
    return removed


@transaction.atomic
def lockout_clear(*, actor: User, failure: LoginFailure) -> None:
    _require(actor, Cap.MANAGE_SECURITY)
    audit_record(
        actor=actor,
        action="security.unlock",
        object_type="core.loginfailure",
        object_id=failure.pk,
        detail={"kind": failure.kind, "key": failure.key},
    )
    LoginFailure.objects.filter(pk=failure.pk).delete()


# --- API tokens ------------------------------------------------------------------------------------


def _second_factor_proven(*, actor: User | None, user: User, otp_code: str) -> bool:
    """The token's owner passed their second factor: in this session, or with the code given now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if otp_code:
        return any(device.verify_token(otp_code) for device in TOTPDevice.objects.filter(user=user, confirmed=True))
    is_verified = getattr(actor, "is_verified", None)  # set on the request's user by django-otp
    return actor is not None and actor.pk == user.pk and callable(is_verified) and bool(is_verified())


def token_issue(*, actor: User | None, user: User, name: str, otp_code: str = "") -> tuple[ApiToken, str]:
    """Create a personal API token and return it with its raw value (shown once).

    An account that must use two-factor authentication gets a token only with its second factor:
    its own session that passed it (the console), or the current code of its authenticator
    (`issue_token --otp`). The API refuses tokens made without it (see `token_authenticate`).
    """
    if actor is not None and actor.pk != user.pk:
        _require(actor, Cap.MANAGE_USERS)
    verified = _second_factor_proven(actor=actor, user=user, otp_code=otp_code.strip())
    if user.needs_two_factor and not verified:
        raise ValidationError(
            _(
                "%(name)s must use two-factor authentication: a token for this account needs the current "
                "code from its authenticator."
            )
            % {"name": user.username},
            code="second_factor_required",
        )
    name = name.strip() or "api"
    raw = ApiToken.generate()
    with transaction.atomic():  # the code's check above keeps its throttling even when refused
        token = ApiToken.objects.create(
            user=user,
            name=name[:64],
            prefix=raw[:10],
            digest=ApiToken.digest_of(raw),
            expires_at=timezone.now() + timedelta(days=settings.WANGGE_API_TOKEN_DAYS),
            two_factor=verified,
        )
        audit_record(
            actor=actor,
            action="token.issue",
            obj=token,
            detail={"user": user.username, "name": name, "two_factor": verified},
        )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        _require(actor, Cap.MANAGE_USERS)
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if updated:
        audit_record(actor=actor, action="token.revoke", obj=token)


def token_authenticate(raw: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(raw)).first()
    if token is None or not token.is_active() or not token.user.is_active:
        return None
    if not token.two_factor and token.user.needs_two_factor:  # made before the account needed it
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
