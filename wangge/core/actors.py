"""Who calls a service: a staff `User`, the platform itself (`SYSTEM`), or a caller who is not staff (`PublicActor`).

A service that a public caller can reach takes `actor: Actor` and decides there what each kind may do
(`require_actor` refuses `None`: the system is named, never implied). A `PublicActor` is a resident
identified by a confirmed mobile number (the portal) or an Open311 client identified by its client id;
it has no account, no roles and no scope. The audit trail records it as such: its kind and a masked label,
never a user id (`wangge.core.audit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.core import crypto
from wangge.core.idcard import mask_phone
from wangge.core.phones import mainland_mobile

if TYPE_CHECKING:
    from wangge.core.models import User


class PublicKind(models.TextChoices):
    RESIDENT = "resident", gettext_lazy("Resident")
    OPEN311_CLIENT = "open311", gettext_lazy("Open311 client")


_CLIENT_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class SystemActor:
    """The platform itself (the deadline sweep, commands, demo data): no capability or scope checks."""

    name: str = "system"

    def __str__(self) -> str:
        return self.name


SYSTEM = SystemActor()


@dataclass(frozen=True)
class PublicActor:
    """A caller who is not staff: what it may do is decided by each service, with limits per `key`."""

    kind: PublicKind
    identifier: str  # a resident: the keyed hash of the phone (as `phone_hash` columns); Open311: the client id
    masked: str  # what the trail and the timeline show: 138****1234, or the client id
    ip: str = ""
    phone: str = field(default="", repr=False, compare=False)  # a resident's confirmed number, for a call back

    is_authenticated = False  # never a logged-in user, whatever code asks

    @classmethod
    def resident(cls, phone: str, *, ip: str = "") -> PublicActor:
        """A resident whose mobile number the portal confirmed (by a code sent to it)."""
        number = mainland_mobile(phone)
        return cls(
            kind=PublicKind.RESIDENT,
            identifier=crypto.lookup_hash(number, kind="phone"),
            masked=mask_phone(number),
            ip=ip[:64],
            phone=number,
        )

    @classmethod
    def open311_client(cls, client_id: str, *, ip: str = "") -> PublicActor:
        """An Open311 client application, identified by the client id its API key was issued to."""
        client_id = (client_id or "").strip()
        if not _CLIENT_ID.fullmatch(client_id):
            raise ValidationError(
                _("A client id is 1 to 64 letters, digits, dots, dashes or underscores."), code="bad_client_id"
            )
        return cls(kind=PublicKind.OPEN311_CLIENT, identifier=client_id, masked=client_id, ip=ip[:64])

    @property
    def key(self) -> str:
        """Stable across calls: what a service stores to find this caller's records and count its requests."""
        return f"{self.kind}:{self.identifier}"

    @property
    def label(self) -> str:
        """居民 138****1234 / Open311 客户端 foo, in the current language."""
        return public_label(self.kind, self.masked)

    def __str__(self) -> str:
        return self.label


def public_label(kind: str, masked: str) -> str:
    """How a public caller is shown from what a row stored (its kind and masked label)."""
    if kind == PublicKind.RESIDENT:
        return _("Resident %(phone)s") % {"phone": masked}
    return _("Open311 client %(client)s") % {"client": masked}


Actor = Union["User", PublicActor, SystemActor]


def require_actor(actor: Actor | None) -> Actor:
    """The caller, named: `None` is a programming error here, not a silent "no checks"."""
    if actor is None:
        raise TypeError("actor=None is not a caller: pass the user, a PublicActor or SYSTEM")
    return actor
