"""A wrong key is refused before any data is stored under it."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.checks import run_checks

from wangge.core import keys
from wangge.core.audit import audit_record
from wangge.core.models import KeyCheck

OTHER_KEY = base64.b64encode(b"w" * 32).decode()


def key_errors() -> list[str]:
    return [str(e.msg) for e in run_checks() if e.id == "wangge.E011"]


def test_migrate_records_the_keys_and_the_right_keys_pass(db: None, settings: Any) -> None:
    assert set(KeyCheck.objects.values_list("name", flat=True)) >= {"field:k1", "lookup"}
    configured = [settings.WANGGE_FIELD_KEYS["k1"], settings.WANGGE_LOOKUP_KEY]
    assert not any(key in row.value for row in KeyCheck.objects.all() for key in configured)  # no key stored
    assert keys.keys_mismatches() == []
    assert key_errors() == []


def test_a_wrong_field_key_fails_the_check(db: None, settings: Any) -> None:
    settings.WANGGE_FIELD_KEYS = {"k1": OTHER_KEY}
    errors = key_errors()
    assert len(errors) == 1
    assert "field key 'k1'" in errors[0]


def test_a_wrong_lookup_key_fails_the_check(db: None, settings: Any) -> None:
    settings.WANGGE_LOOKUP_KEY = OTHER_KEY
    errors = key_errors()
    assert len(errors) == 1 and "WANGGE_LOOKUP_KEY" in errors[0]


def test_a_wrong_audit_chain_key_fails_the_check(db: None, settings: Any) -> None:
    audit_record(actor=None, username="cli", action="test.row")
    assert key_errors() == []
    settings.AUDIT_CHAIN_KEY = "another chain key"
    errors = key_errors()
    assert len(errors) == 1 and "AUDIT_CHAIN_KEY" in errors[0]


def test_a_new_key_id_is_recorded_at_start_and_the_old_one_still_checked(db: None, settings: Any) -> None:
    from wangge.core.checks import refuse_unsafe_start

    settings.WANGGE_FIELD_KEYS = {**settings.WANGGE_FIELD_KEYS, "k2": OTHER_KEY}
    settings.WANGGE_FIELD_KEY_ID = "k2"
    refuse_unsafe_start()
    assert KeyCheck.objects.filter(name="field:k2").exists()
    assert key_errors() == []
    settings.WANGGE_FIELD_KEYS = {"k1": OTHER_KEY, "k2": OTHER_KEY}  # k1 replaced by a wrong key
    with pytest.raises(Exception, match="Refusing to start: The field key 'k1'"):
        refuse_unsafe_start()
