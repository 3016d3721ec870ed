"""Which keys the stored data was written with, so a wrong key is refused before it does harm.

With a wrong `WANGGE_FIELD_KEY` the platform would start, lists would look normal (they show
masked copies), a reveal would fail, and people registered meanwhile would be encrypted under the
wrong key. So the database keeps, per key, something only the right key reproduces:

- each field key id: a known text encrypted under it (an "encrypted canary");
- the lookup key: the keyed hash of a known text (its fingerprint; the key cannot be read from it);
- the audit chain key needs nothing new: the newest audit row's own HMAC is checked.

`keys_record()` stores what is missing (after `migrate`, and when the web server starts: a key id
added for rotation is recorded at its first use); `keys_mismatches()` says, in words, which
configured key does not match. Both need the migrated database.
"""

from __future__ import annotations

import hmac

from django.db import transaction

from wangge.core import crypto
from wangge.core.models import AuditEvent, KeyCheck

CANARY = "wangge key check v1"
_CONTEXT = "core.key_check"
_LOOKUP = "lookup"


def _field_name(key_id: str) -> str:
    return f"field:{key_id}"


def _configured_field_key_ids() -> list[str]:
    crypto.check_settings()
    return crypto.key_ids()


def _lookup_fingerprint() -> str:
    return crypto.lookup_hash(CANARY, kind="key_check")


def keys_record() -> list[str]:
    """Store the canary of every configured key that has none yet; return the names stored."""
    stored = set(KeyCheck.objects.values_list("name", flat=True))
    missing = {
        _field_name(key_id): key_id for key_id in _configured_field_key_ids() if _field_name(key_id) not in stored
    }
    created = []
    with transaction.atomic():
        for name, key_id in missing.items():
            _row, made = KeyCheck.objects.get_or_create(
                name=name, defaults={"value": crypto.encrypt_with_key(CANARY, context=_CONTEXT, key_id=key_id)}
            )
            if made:
                created.append(name)
        if _LOOKUP not in stored:
            _row, made = KeyCheck.objects.get_or_create(name=_LOOKUP, defaults={"value": _lookup_fingerprint()})
            if made:
                created.append(_LOOKUP)
    return created


def keys_mismatches() -> list[str]:
    """One sentence per configured key that differs from the key the stored data was written with."""
    from wangge.core.audit import compute_hash

    problems = []
    stored = dict(KeyCheck.objects.values_list("name", "value"))
    for key_id in _configured_field_key_ids():
        token = stored.get(_field_name(key_id))
        if token is None:
            continue
        try:
            matches = crypto.decrypt(token, context=_CONTEXT) == CANARY
        except crypto.DecryptionError:
            matches = False
        if not matches:
            problems.append(
                f"The field key {key_id!r} (WANGGE_FIELD_KEY / WANGGE_FIELD_OLD_KEYS) is not the key this "
                "database's ID and phone numbers were encrypted with."
            )
    fingerprint = stored.get(_LOOKUP)
    if fingerprint is not None and not hmac.compare_digest(fingerprint, _lookup_fingerprint()):
        problems.append(
            "WANGGE_LOOKUP_KEY is not the key this database's lookup hashes were made with: "
            "searches by ID or phone number would find nothing."
        )
    newest = AuditEvent.objects.order_by("-id").first()
    if newest is not None and not hmac.compare_digest(compute_hash(newest), newest.hash):
        problems.append(
            "AUDIT_CHAIN_KEY does not match the audit trail's newest row (or that row was changed: "
            "run `manage.py audit_verify`)."
        )
    return problems
