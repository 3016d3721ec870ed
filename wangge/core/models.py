from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.actors import PublicKind
from wangge.core.roles import GRANTABLE_CAPABILITIES, Role, requires_two_factor


class User(AbstractUser):
    """A staff, volunteer or resident account. Roles live in `UserRole`, scopes in `regions.UserScope`."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    department = models.CharField(
        _("department"), max_length=64, blank=True, help_text=_("For department handlers: 城管, 民政, 水务 …")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(
        default=False, help_text="Created by the demo data; production refuses to start while any is active."
    )

    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("manage_users", "Manage accounts, roles and scopes"),
            ("manage_security", "Manage security settings, lockouts and two-factor resets"),
            ("read_audit", "Read and export the audit trail"),
            ("reveal_sensitive", "Reveal masked sensitive fields"),
            ("bulk_export", "Export large lists"),
            ("view_regions", "Browse the region tree"),
            ("manage_regions", "Create and change regions"),
            ("manage_assignments", "Assign people to regions"),
            ("view_resident_data", "Read resident data in scope"),
            ("export_lists", "Export lists in scope"),
            ("edit_registry", "Change people, households and houses in scope"),
            ("view_sensitive_groups", "See sensitive groups (社区矫正, 刑满释放, 严重精神障碍 …)"),
            ("manage_calendar", "Edit the holiday calendar"),
            ("report_cases", "Report cases"),
            ("view_cases", "Read cases in scope"),
            ("handle_cases", "Accept, dispatch and handle cases in scope"),
            ("supervise_cases", "Supervise cases and decide extensions in scope"),
            ("manage_case_catalogue", "Edit case categories, time limits and escalation rules"),
            ("manage_service_catalogue", "Edit the service catalogue and its notices (一次性告知)"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set & set(roles))

    @property
    def avatar_text(self) -> str:
        name = self.full_name or self.username
        return name[-2:] if len(name) <= 3 else name[:1].upper()

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in sorted(self.role_set)]

    @cached_property
    def explicit_capabilities(self) -> frozenset[str]:
        return (
            frozenset(
                f"{app}.{code}"
                for app, code in self.user_permissions.values_list("content_type__app_label", "codename")
            )
            & GRANTABLE_CAPABILITIES
        )

    @property
    def needs_two_factor(self) -> bool:
        return requires_two_factor(set(self.role_set), set(self.explicit_capabilities))


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="core_userrole_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class AuditEvent(models.Model):
    """One row of the append-only, hash-chained audit trail.

    The application only ever inserts rows (see `wangge.core.audit`). No foreign keys: deleting a
    user must never touch the trail.
    """

    class Result(models.TextChoices):
        OK = "ok", _("succeeded")
        DENIED = "denied", _("denied")
        FAILED = "failed", _("failed")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)  # a public caller: its masked label (138****1234)
    # A caller who is not staff (a resident, an Open311 client); blank for staff users and the system.
    actor_kind = models.CharField(max_length=16, choices=PublicKind.choices, blank=True)
    role = models.CharField(max_length=200, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    # The web request (or queued task) that wrote the row: the same id is in that request's log line.
    request_id = models.CharField(max_length=32, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    result = models.CharField(max_length=8, choices=Result.choices, default=Result.OK)
    detail = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "action"], name="audit_object_idx"),
            models.Index(fields=["user_id", "at"], name="audit_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"


class AuditHead(models.Model):
    """Singleton holding the chain's last hash; locked while a row is appended."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_id}"


class Heartbeat(models.Model):
    """When a periodic job (the deadline sweep …) last finished: the health endpoint reads it."""

    name = models.CharField(max_length=64, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class LoginFailure(models.Model):
    """Failed login counter for one account name, one source address, or one account at one
    address (`name|address`)."""

    class Kind(models.TextChoices):
        ACCOUNT = "account"
        ADDRESS = "address"
        PAIR = "pair"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.CharField(max_length=255)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="core_loginfailure_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    two_factor = models.BooleanField(
        default=False, help_text="Made with the owner's second factor; required for accounts that must use it."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    PREFIX = "wg_"

    @staticmethod
    def generate() -> str:
        return ApiToken.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


class Holiday(models.Model):
    """One day that breaks the plain Monday-to-Friday week: an official holiday, or a weekend day
    that becomes a workday (调休). Days not listed follow the weekend rule."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Official holiday")
        WORKDAY = "workday", _("Adjusted workday")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.kind} {self.name}"


class HolidayYear(models.Model):
    """A year of the calendar the system administrator has declared complete (every holiday and 调休 day
    of the State Council's notice entered), or that was loaded whole from the holiday library.

    One day entered does not make a year complete: until it is, the administrator is warned."""

    class Source(models.TextChoices):
        LIBRARY = "library", _("Holiday library")
        ADMINISTRATOR = "admin", _("Entered by the administrator")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    completed_at = models.DateTimeField(_("marked complete at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.ADMINISTRATOR)

    class Meta:
        ordering = ["year"]
        verbose_name = _("complete calendar year")
        verbose_name_plural = _("complete calendar years")

    def __str__(self) -> str:
        return str(self.year)


class KeyCheck(models.Model):
    """What only the right key reproduces, per configured key (see `wangge.core.keys`).

    Rows are written once per key and never change; no key is stored here.
    """

    name = models.CharField(max_length=64, unique=True)
    value = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class AccessRefusal(models.Model):
    """Refused access to resident data, counted per user, kind and hour (not one row per request).

    Kinds: a record outside the user's scope asked for by its id (answered 404), a refused reveal of a
    masked field, an ID number found registered outside the user's scope (the duplicate check). The
    security administrator sees users with unusual counts; the duplicate check is rate-limited on them.
    """

    class Kind(models.TextChoices):
        OUT_OF_SCOPE = "out_of_scope", _("Record outside the scope")
        REVEAL = "reveal", _("Refused reveal")
        DUPLICATE = "duplicate", _("ID number registered elsewhere")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_refusals")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    hour = models.DateTimeField(help_text="Start of the hour counted (UTC).")
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(default=timezone.now)
    last_object = models.CharField(max_length=80, blank=True, help_text="The last record refused: type and id.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "hour"], name="core_accessrefusal_unique")]
        indexes = [models.Index(fields=["hour"], name="accessrefusal_hour_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.hour:%Y-%m-%d %H}: {self.count}"


class HistoryEntry(models.Model):
    """One change to a registry record (a person, a household, a house …): who, when, what, old → new.

    The record is named by its model's label (`people.person`) and primary key, so any app's records
    have a history without a table of their own; written and read through `wangge.core.history`.
    """

    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=32)
    changes = models.JSONField(default=dict)
    source = models.CharField(max_length=200, blank=True, help_text="e.g. the imported file's name")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="history_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.action}"


class Notification(models.Model):
    """An in-app message to someone who must act, and its delivery by the sender (`wangge.core.notifications`).

    `kind` is a registered kind's code (`cases.dispatch`); the target is named like the history's, by its
    model's label and primary key.
    """

    class Delivery(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be sent")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=200)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="core_notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
