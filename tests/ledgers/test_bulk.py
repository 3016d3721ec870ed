"""The write-behind writer: rows written on the caller's connection, inside its transaction; errors come back."""

import psycopg
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from wangge.ledgers.bulk import Inserter, WriteBehind
from wangge.people.models import Change


def _rows(inserter: Inserter, count: int) -> list[list[object]]:
    now = timezone.now()
    return [
        inserter.row(object_type="person", object_id=n, at=now, action="import", changes={"n": n}, source="台账.xlsx")
        for n in range(count)
    ]


@pytest.mark.django_db
def test_rows_written_behind_are_in_the_callers_transaction() -> None:
    changes = Inserter(Change)
    with transaction.atomic(), WriteBehind() as writer:
        writer.insert(changes, _rows(changes, 120))
        writer.insert(changes, _rows(changes, 30))
    assert Change.objects.filter(source="台账.xlsx").count() == 150
    assert Change.objects.filter(source="台账.xlsx", object_id=7).first().changes == {"n": 7}  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_failed_write_is_raised_and_rolled_back_with_the_rest() -> None:
    changes = Inserter(Change)
    key = changes.reserve(1)[0]
    with pytest.raises((IntegrityError, psycopg.IntegrityError)), transaction.atomic(), WriteBehind() as writer:
        writer.insert(changes, _rows(changes, 10))
        writer.insert(changes, _rows(changes, 2), ids=[key, key])  # the same key twice
    assert not Change.objects.filter(source="台账.xlsx").exists()


@pytest.mark.django_db
def test_an_error_while_building_waits_for_the_writer_then_rolls_back() -> None:
    changes = Inserter(Change)
    with pytest.raises(ZeroDivisionError), transaction.atomic(), WriteBehind() as writer:
        writer.insert(changes, _rows(changes, 50))
        _ = 1 / 0
    assert not Change.objects.filter(source="台账.xlsx").exists()
