"""Inserting many rows without building a model instance for each: a row is a list of column values.

A Django model instance costs ~10 µs to build; a ledger of 100,000 people writes half a million
rows (people, memberships, homes, tags, history), so the importer builds plain lists from a
template of the model's defaults and inserts them with one `executemany` per batch, reserving the
primary keys first so that later rows can point at earlier ones.

`WriteBehind` runs the inserts, one after another, in a thread of their own on the caller's
connection (so inside its transaction) while the caller builds the next rows. PostgreSQL updates
the tables and their indexes in its own process, so the two overlap. SQLite works inside this
process, and the sqlite3 module takes Python's lock back after every row: while the caller runs
Python the writer advances only when the caller waits, which makes it no faster than writing
inline, and no slower (measured: bench/README.md, "Ledger import").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache, partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

BATCH = 5000


def reserve_ids(model: type[models.Model], count: int, *, using: BaseDatabaseWrapper | None = None) -> list[int] | None:
    """`count` fresh primary keys for `model`'s table, or None where we do not know how (then: bulk_create).

    `using`: the connection to ask (the caller's own, which may be used from another thread).
    """
    db = using if using is not None else connection
    table = model._meta.db_table
    column = model._meta.pk.column
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if db.vendor == "sqlite":
            # Inside the load's transaction, which holds SQLite's write lock: nobody else inserts meanwhile.
            cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + count))
    return None


class Inserter:
    """Rows for one model: `row(**values)` fills a template of defaults, `insert(rows)` writes them.

    A row is a list whose first slot is kept for the primary key, so that `insert` writes the
    rows it is given (filling in keys and adapting dates and JSON in place) without copying them.
    """

    def __init__(self, model: type[models.Model], *, using: str = DEFAULT_DB_ALIAS) -> None:
        self.model = model
        self.connection: BaseDatabaseWrapper = connections[using]  # this thread's: a writer thread uses it too
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
            (i, adapter)
            for i, f in enumerate(self.fields, start=1)
            if (adapter := _adapter(f, self.connection)) is not None
        ]

    def row(self, **values: Any) -> list[Any]:
        row = self.template.copy()
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return row

    def reserve(self, count: int) -> list[int]:
        """Primary keys for rows to be inserted later (`insert(rows, ids=…)`), so other rows can point at them."""
        ids = reserve_ids(self.model, count, using=self.connection)
        assert ids is not None, "PostgreSQL or SQLite"
        return ids

    def adapt(self, rows: Sequence[list[Any]]) -> None:
        """Dates and JSON as the database takes them (in place); `insert(rows, adapted=True)` then skips this."""
        adapters = self.adapters
        for row in rows:
            for i, adapter in adapters:
                value = row[i]
                if value is not None:
                    row[i] = adapter(value)

    def insert(
        self, rows: Sequence[list[Any]], *, ids: Sequence[int] | None = None, adapted: bool = False
    ) -> Sequence[int]:
        """Write the rows (they are changed in place); returns their primary keys in order."""
        if not rows:
            return []
        if ids is None:
            ids = self.reserve(len(rows))
        if not adapted:
            self.adapt(rows)
        for pk_value, row in zip(ids, rows, strict=True):
            row[0] = pk_value
        connection = self.connection
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


def _adapter(field: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
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


class WriteBehind:
    """Inserts (and other writes) done in order by one thread on this thread's connection.

    The caller must not use the database itself until `wait()` has returned; leaving the `with`
    block waits for what was submitted (an error while building rows rolls back only once the
    writer has stopped), and `wait()` raises the first error a write met.
    """

    def __init__(self, *, using: str = DEFAULT_DB_ALIAS) -> None:
        self.connection = connections[using]
        self.executor: ThreadPoolExecutor | None = None
        self.futures: list[Future[Any]] = []

    def __enter__(self) -> WriteBehind:
        self.connection.inc_thread_sharing()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write-behind")
        return self

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        assert self.executor is not None, "use WriteBehind in a with block"
        if any(future.done() and future.exception() is not None for future in self.futures):
            self.wait()  # a write failed: stop building rows for nothing
        future = self.executor.submit(func, *args, **kwargs)
        self.futures.append(future)
        return future

    def insert(self, inserter: Inserter, rows: Sequence[list[Any]], *, ids: Sequence[int] | None = None) -> None:
        """Rows adapted here (Python's work, while the writer's database works), written there."""
        if rows:
            inserter.adapt(rows)
            self.submit(inserter.insert, rows, ids=ids, adapted=True)

    def wait(self) -> None:
        """Until every write submitted is done; the first error raised here."""
        futures, self.futures = self.futures, []
        errors = [exc for future in futures if (exc := future.exception()) is not None]
        if errors:
            raise errors[0]

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        try:
            if exc_type is None:
                self.wait()
            else:  # an error in the caller: let the writer stop before the transaction rolls back
                for future in self.futures:
                    future.cancel()
                for future in self.futures:
                    if not future.cancelled():
                        future.exception()
        finally:
            assert self.executor is not None
            self.executor.shutdown(wait=True)
            self.executor = None
            self.connection.dec_thread_sharing()
