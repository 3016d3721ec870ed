"""Registry history: each change to any registry record (who, when, what, old → new), in one table.

A record is named by its model's label (`people.person`, `places.house`) and primary key, so an
app's records get a history by calling `record` from their services; the record's page reads it
with `for_object` and shows it with `shown` (the `_history.html` partial). The history is not the
audit trail: it is what a reader of the record sees (sensitive values already masked by the caller),
the trail is what an auditor sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from wangge.core.models import HistoryEntry, User

SOURCE_MAX = 200

Shown = tuple[HistoryEntry, str, list[tuple[str, Any, Any]]]


def object_type(model: type[Model] | Model) -> str:
    """How the history names a model's records: its label, `people.person`."""
    return model._meta.label_lower


def entry(
    *,
    obj: Model,
    action: str,
    changes: Mapping[str, Any],
    actor: User | None = None,
    source: str = "",
    at: datetime | None = None,
) -> HistoryEntry:
    """One unsaved entry (for `record_many`)."""
    return HistoryEntry(
        object_type=object_type(obj),
        object_id=obj.pk,
        actor=actor,
        action=action,
        changes=dict(changes),
        source=source[:SOURCE_MAX],
        at=at or timezone.now(),
    )


def record(
    *,
    obj: Model,
    action: str,
    changes: Mapping[str, Any],
    actor: User | None = None,
    source: str = "",
    at: datetime | None = None,
) -> HistoryEntry:
    """Keep one change of `obj` (`changes` maps a field to `[old, new]`), in the caller's transaction."""
    made = entry(obj=obj, action=action, changes=changes, actor=actor, source=source, at=at)
    made.save()
    return made


def record_many(entries: Sequence[HistoryEntry]) -> None:
    """Keep several entries made by `entry` at once (one change touching many records)."""
    HistoryEntry.objects.bulk_create(entries)


def columns(
    *,
    model: type[Model],
    object_id: int,
    action: str,
    changes: Mapping[str, Any],
    actor_id: int | None,
    source: str,
    at: datetime,
) -> dict[str, Any]:
    """One entry as column values, for a bulk writer that inserts its rows itself (the ledger import)."""
    return {
        "object_type": object_type(model),
        "object_id": object_id,
        "at": at,
        "actor_id": actor_id,
        "action": action,
        "changes": changes,
        "source": source[:SOURCE_MAX],
    }


def for_object(obj: Model) -> QuerySet[HistoryEntry]:
    """The record's history, newest first, with who made each change."""
    return HistoryEntry.objects.filter(object_type=object_type(obj), object_id=obj.pk).select_related("actor")


def move(*, model: type[Model], from_id: int, to_id: int) -> int:
    """The history of one record becomes another's (two records of one person combined); how many entries."""
    return HistoryEntry.objects.filter(object_type=object_type(model), object_id=from_id).update(object_id=to_id)


def shown(
    entries: Iterable[HistoryEntry],
    *,
    actions: Mapping[str, str],
    label: Callable[[str], str],
    value: Callable[[str, Any], Any],
) -> list[Shown]:
    """Each entry as the history partial shows it: (entry, readable action, [(field label, old, new)])."""
    rows: list[Shown] = []
    for made in entries:
        fields = []
        for name, pair in (made.changes or {}).items():
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            fields.append((label(name), value(name, old), value(name, new)))
        rows.append((made, actions.get(made.action, made.action), fields))
    return rows
