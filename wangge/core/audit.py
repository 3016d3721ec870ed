"""The audit trail: append-only rows linked by an HMAC chain.

`audit_record` is called inside the transaction of the change it records: if the row cannot be
written, the exception propagates and the change rolls back with it. Who, from where and in
which role comes from the request context set by `RequestContextMiddleware` (or "cli" for
commands and tasks). The context also carries the request id (the web request's, or the queued
task's in the worker): every row a request or a job writes carries it, and so does its log line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from wangge.core import crypto
from wangge.core.actors import PublicActor, SystemActor, public_label
from wangge.core.context import current_ip, current_request_id, request_context
from wangge.core.models import AuditEvent, AuditHead

if TYPE_CHECKING:
    from wangge.core.actors import Actor

__all__ = [
    "audit_record",
    "audit_verify",
    "current_ip",
    "current_request_id",
    "event_actor_label",
    "mask_typed",
    "request_context",
]


# What a user types that the trail must not keep as typed: numbers (ID, phone, their tails) and names.
_DIGITS = re.compile(r"\d{4,}[Xx]?|\d{3}[Xx]")
_NAME = re.compile(r"[\u3400-\u9fff]{2,}|[A-Za-z]{2,}")


def _star_digits(match: re.Match[str]) -> str:
    run = match.group()
    return run[:3] + "*" * (len(run) - 7) + run[-4:] if len(run) >= 11 else "*" * len(run)


def _star_name(match: re.Match[str]) -> str:
    run = match.group()
    return run[0] + "*" * (len(run) - 1)


def mask_typed(text: str, *, names: bool = True) -> str:
    """What the trail keeps of text a user typed: the one helper for search queries, reasons and the like.

    Digit runs of 4 or more (ID and phone numbers and their tails) are masked like the console masks them
    (`421***********1234`, `138****5678`, `****`); with `names` (a search box: a name, its pinyin or an
    address) every run of letters or Chinese characters keeps its first character only. When anything was
    masked, a keyed digest of the whole text follows (`#…`), so the same query can be recognised in the
    trail without being readable.
    """
    text = str(text).strip()
    masked = _DIGITS.sub(_star_digits, text)
    if names:
        masked = _NAME.sub(_star_name, masked)
    if masked == text:
        return text
    return f"{masked} #{crypto.lookup_hash(text, kind='audit')[:12]}"


def _canonical(event: AuditEvent) -> bytes:
    payload = [
        event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.user_id,
        event.username,
        event.role,
        event.ip,
        event.action,
        event.object_type,
        event.object_id,
        event.result,
        event.detail,
        event.prev_hash,
    ]
    if event.request_id or event.actor_kind:  # rows written before request ids existed keep their hash
        payload.append(event.request_id)
    if event.actor_kind:  # so do the rows of staff and the system (a public caller's row is one longer)
        payload.append(event.actor_kind)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), _canonical(event), hashlib.sha256).hexdigest()


def event_actor_label(event: AuditEvent) -> str:
    """Who a row says acted: a public caller as 居民 138****1234 / Open311 客户端 foo, else the username."""
    return public_label(event.actor_kind, event.username) if event.actor_kind else event.username


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    result: str = AuditEvent.Result.OK,
    detail: str | dict[str, Any] = "",
    username: str = "",
) -> AuditEvent:
    """Append one row to the trail, in the caller's transaction.

    A staff user is recorded by id, username and roles; a `PublicActor` by its kind and masked label (no user
    id, and its own address when it carries one); `SYSTEM` (or None, for commands) by `username` or its name.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if isinstance(detail, dict):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    user_id, role, actor_kind, ip = None, "", "", current_ip()
    if isinstance(actor, PublicActor):
        username, actor_kind, ip = actor.masked, str(actor.kind), actor.ip or ip
    elif isinstance(actor, SystemActor):
        username = username or actor.name
    elif actor is not None and actor.is_authenticated:
        user_id, username, role = actor.pk, actor.username, ",".join(sorted(actor.role_set))
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            user_id=user_id,
            username=username[:150],
            role=role,
            actor_kind=actor_kind,
            ip=ip[:64],
            request_id=current_request_id(),
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            result=result,
            detail=detail[:4000],
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.last_id = event.pk
        head.last_hash = event.hash
        head.save(update_fields=["last_id", "last_hash"])
    return event


@dataclass
class VerifyProblem:
    event_id: int
    message: str
    key_mismatch: bool = False


KEY_MISMATCH = (
    "the chain key does not match: no row verifies with the configured AUDIT_CHAIN_KEY "
    "(configure the key the trail was written with; this alone does not mean the rows were changed)"
)


def audit_verify(batch_size: int = 5000) -> tuple[int, list[VerifyProblem]]:
    """Walk the chain in order; report rows changed, removed or inserted outside the application.

    When not a single row verifies, the configured key is not the trail's: one problem says so
    (`key_mismatch`), rather than calling every row changed.
    """
    problems: list[VerifyProblem] = []
    prev_hash = "0" * 64
    checked = 0
    verified = 0
    last_id = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        checked += 1
        if event.prev_hash != prev_hash:
            problems.append(
                VerifyProblem(event.pk, "chain broken: a row before this one was removed, inserted or changed")
            )
        if hmac.compare_digest(compute_hash(event), event.hash):
            verified += 1
        else:
            problems.append(VerifyProblem(event.pk, "row content does not match its hash: the row was changed"))
        prev_hash = event.hash
        last_id = event.pk
    if checked and not verified:
        return checked, [VerifyProblem(0, KEY_MISMATCH, key_mismatch=True)]
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_id != last_id or head.last_hash != prev_hash):
        problems.append(VerifyProblem(last_id, "the newest rows were removed (chain head does not match)"))
    return checked, problems
