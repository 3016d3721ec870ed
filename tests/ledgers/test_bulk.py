"""The write-behind writer: rows written on the caller's connection, inside its transaction; errors come back."""

import time

import psycopg
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from wangge.core.bulk import Inserter, WriteBehind
from wangge.core.models import HistoryEntry


def _rows(inserter: Inserter, count: int) -> list[list[object]]:
    now = timezone.now()
    return [
        inserter.row(
            object_type="people.person", object_id=n, at=now, action="import", changes={"n": n}, source="台账.xlsx"
        )
        for n in range(count)
    ]


@pytest.mark.django_db
def test_rows_written_behind_are_in_the_callers_transaction() -> None:
    changes = Inserter(HistoryEntry)
    with transaction.atomic(), WriteBehind() as writer:
        writer.insert(changes, _rows(changes, 120))
        writer.insert(changes, _rows(changes, 30))
    assert HistoryEntry.objects.filter(source="台账.xlsx").count() == 150
    assert HistoryEntry.objects.filter(source="台账.xlsx", object_id=7).first().changes == {"n": 7}  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_failed_write_is_raised_and_rolled_back_with_the_rest() -> None:
    changes = Inserter(HistoryEntry)
    key = changes.reserve(1)[0]
    with pytest.raises((IntegrityError, psycopg.IntegrityError)), transaction.atomic(), WriteBehind() as writer:
        writer.insert(changes, _rows(changes, 10))
        writer.insert(changes, _rows(changes, 2), ids=[key, key])  # the same key twice
    assert not HistoryEntry.objects.filter(source="台账.xlsx").exists()


@pytest.mark.django_db
def test_an_error_while_building_waits_for_the_writer_then_rolls_back() -> None:
    changes = Inserter(HistoryEntry)
    with pytest.raises(ZeroDivisionError), transaction.atomic(), WriteBehind() as writer:
        writer.insert(changes, _rows(changes, 50))
        _ = 1 / 0
    assert not HistoryEntry.objects.filter(source="台账.xlsx").exists()


@pytest.mark.django_db
def test_a_failed_write_stops_the_caller_at_its_next_submit() -> None:
    changes = Inserter(HistoryEntry)
    key = changes.reserve(1)[0]
    submitted = 0
    with pytest.raises((IntegrityError, psycopg.IntegrityError)), transaction.atomic(), WriteBehind() as writer:
        writer.insert(changes, _rows(changes, 2), ids=[key, key])  # fails
        writer.submit(time.sleep, 0.001)  # submitted before the failure is known: it is not the last task
        for _ in range(50):
            time.sleep(0.01)  # the caller builds the next rows meanwhile
            writer.submit(time.sleep, 0.001)  # later tasks succeed: the earlier failure still stops the caller
            submitted += 1
    assert submitted < 50
