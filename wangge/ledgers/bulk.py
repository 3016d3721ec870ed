"""Inserting many rows without building a model instance for each: a row is a list of column values.

A Django model instance costs ~10 µs to build; a ledger of 100,000 people writes half a million
rows (people, memberships, homes, tags, history), so the importer builds plain lists from a
template of the model's defaults and inserts them with one `executemany` per batch, reserving the
primary keys first so that later rows can point at earlier ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from typing import Any

from django.db import connection, models
from django.utils import timezone

from wangge.people.fake import reserve_ids

BATCH = 5000


class Inserter:
    """Rows for one model: `row(**values)` fills a template of defaults, `insert(rows)` writes them.

    A row is a list whose first slot is kept for the primary key, so that `insert` writes the
    rows it is given (filling in keys and adapting dates and JSON in place) without copying them.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.index = {f.attname: i for i, f in enumerate(self.fields, start=1)}
        now = timezone.now()
        self.template: list[Any] = [None]
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            self.template.append(_plain(value))
        self.adapters = [
            (i, adapter) for i, f in enumerate(self.fields, start=1) if (adapter := _adapter(f)) is not None
        ]

    def row(self, **values: Any) -> list[Any]:
        row = self.template.copy()
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return row

    def insert(self, rows: Sequence[list[Any]]) -> list[int]:
        """Write the rows (they are changed in place); returns their primary keys in order."""
        if not rows:
            return []
        ids = reserve_ids(self.model, len(rows))
        assert ids is not None, "PostgreSQL or SQLite"
        adapters = self.adapters
        for pk_value, row in zip(ids, rows, strict=True):
            row[0] = pk_value
            for i, adapter in adapters:
                value = row[i]
                if value is not None:
                    row[i] = adapter(value)
        ops = connection.ops
        pk = self.model._meta.pk
        assert pk is not None
        columns = ", ".join(ops.quote_name(c) for c in [pk.column, *(f.column for f in self.fields)])
        table = ops.quote_name(self.model._meta.db_table)
        if connection.vendor == "postgresql":
            # COPY … FROM STDIN: several times faster than INSERTs for tens of thousands of rows
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            return ids
        marks = ", ".join(["%s"] * (len(self.fields) + 1))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])
        return ids


def _plain(value: Any) -> Any:
    """A choices member as its plain value (psycopg would write an enum's name)."""
    return str(value) if isinstance(value, str) and type(value) is not str else value


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        # memoised: most rows carry the same "now" or one of a few thousand dates
        return lru_cache(maxsize=8192)(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return lru_cache(maxsize=8192)(ops.adapt_datefield_value)
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    if isinstance(field, models.JSONField):
        if connection.vendor == "sqlite":
            return partial(json.dumps, cls=field.encoder)
        return lambda v: ops.adapt_json_value(v, field.encoder)
    return None
