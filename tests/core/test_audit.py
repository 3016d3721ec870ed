from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from wangge.core import audit as audit_module
from wangge.core.audit import audit_record, audit_verify
from wangge.core.models import AuditEvent
from wangge.regions import services as region_services
from wangge.regions.models import Region


def tamper(sql: str, params: list[object]) -> None:
    """Change the trail behind the application's back, as a database administrator could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_update")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            cursor.execute(sql, params)


def test_the_database_refuses_to_update_audit_rows(trail: list[AuditEvent]) -> None:
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=trail[0].pk).update(detail="rewritten")
    assert AuditEvent.objects.get(pk=trail[0].pk).detail == '{"i": 0}'


@pytest.fixture
def trail(db: None) -> list[AuditEvent]:
    return [audit_record(actor=None, username="cli", action=f"test.{i}", detail={"i": i}) for i in range(5)]


def test_rows_form_an_intact_chain(trail: list[AuditEvent]) -> None:
    checked, problems = audit_verify()
    assert checked == 5
    assert problems == []
    assert trail[1].prev_hash == trail[0].hash


def test_audit_verify_catches_a_row_edited_in_the_database(trail: list[AuditEvent]) -> None:
    tamper("UPDATE core_auditevent SET detail = %s WHERE id = %s", ['{"i": 99}', trail[2].pk])
    _checked, problems = audit_verify()
    assert [p.event_id for p in problems] == [trail[2].pk]
    with pytest.raises(Exception, match="damaged"):
        call_command("audit_verify")


def test_audit_verify_catches_a_removed_row(trail: list[AuditEvent]) -> None:
    tamper("DELETE FROM core_auditevent WHERE id = %s", [trail[1].pk])
    _checked, problems = audit_verify()
    assert trail[2].pk in [p.event_id for p in problems]


def test_audit_verify_catches_the_newest_row_removed(trail: list[AuditEvent]) -> None:
    tamper("DELETE FROM core_auditevent WHERE id = %s", [trail[-1].pk])
    _checked, problems = audit_verify()
    assert problems


def test_audit_verify_catches_an_inserted_row(trail: list[AuditEvent]) -> None:
    forged = AuditEvent(action="forged", prev_hash=trail[-1].hash, hash="f" * 64)
    forged.save()
    _checked, problems = audit_verify()
    assert forged.pk in [p.event_id for p in problems]


def test_the_command_reports_an_intact_trail(trail: list[AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit_verify")
    assert "5 rows verified" in capsys.readouterr().out


def test_a_change_rolls_back_when_its_audit_row_cannot_be_written(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(event: AuditEvent) -> str:
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr(audit_module, "compute_hash", broken)
    with pytest.raises(RuntimeError):
        region_services.region_create(actor=None, parent=None, name="不应存在区")
    assert not Region.all_objects.filter(name="不应存在区").exists()
    assert not AuditEvent.objects.exists()


def test_rows_record_who_where_what_and_result(db: None) -> None:
    from wangge.core.audit import request_context

    with request_context(ip="10.1.2.3"), transaction.atomic():
        region = region_services.region_create(actor=None, parent=None, name="审计区")
    event = AuditEvent.objects.get(action="region.create")
    assert event.ip == "10.1.2.3"
    assert event.object_type == "regions.region"
    assert event.object_id == str(region.pk)
    assert event.result == "ok"
    assert "审计区" in event.detail


def test_nightly_maintenance_verifies_the_chain_and_cleans_up(trail: list[AuditEvent]) -> None:
    from wangge.core.tasks import nightly_maintenance

    result = nightly_maintenance()
    assert result["checked"] == 5 and result["problems"] == 0
    assert AuditEvent.objects.filter(action="audit.verify", result="ok").exists()
    tamper("UPDATE core_auditevent SET username = 'mallory' WHERE id = %s", [trail[0].pk])
    assert nightly_maintenance()["problems"] == 1
    assert AuditEvent.objects.filter(action="audit.verify", result="failed").exists()


def test_a_wrong_chain_key_is_reported_as_such_not_as_tampering(trail: list[AuditEvent], settings: Any) -> None:
    settings.AUDIT_CHAIN_KEY = "not-the-key-the-trail-was-written-with"
    checked, problems = audit_verify()
    assert checked == 5
    assert len(problems) == 1 and problems[0].key_mismatch
    with pytest.raises(Exception, match="the chain key does not match") as refused:
        call_command("audit_verify")
    assert "tampered" not in str(refused.value)


def test_a_changed_row_under_the_right_key_is_reported_as_tampering(trail: list[AuditEvent]) -> None:
    tamper("UPDATE core_auditevent SET detail = %s WHERE id = %s", ['{"i": 99}', trail[0].pk])
    _checked, problems = audit_verify()
    assert problems and not any(p.key_mismatch for p in problems)
    with pytest.raises(Exception, match="tampered"):
        call_command("audit_verify")
