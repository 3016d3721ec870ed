"""Migration operations that several apps' migrations share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.migrations.operations.base import Operation


class _ColumnIndexes(Operation):
    """Indexes Django made beside some columns of a table, by the names Django gives them; no model state."""

    reduces_to_sql = True
    reversible = True
    suffix = ""

    def __init__(self, table: str, columns: Sequence[str]) -> None:
        self.table = table
        self.columns = tuple(columns)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__name__, [], {"table": self.table, "columns": list(self.columns)}

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _names(self, schema_editor: Any) -> list[tuple[str, str]]:
        quote = schema_editor.quote_name
        return [
            (quote(schema_editor._create_index_name(self.table, [column], suffix=self.suffix)), quote(column))
            for column in self.columns
        ]

    def _drop(self, schema_editor: Any) -> None:
        for index, _column in self._names(schema_editor):
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class DropPatternIndexes(_ColumnIndexes):
    """On PostgreSQL, drop the `*_like` indexes Django makes beside indexed text columns.

    A `varchar_pattern_ops` index serves `LIKE 'x%'` and nothing the ordinary index does not; on
    columns the code never asks for `LIKE` it only costs every write. Reversed by creating them
    again. Other databases have no such indexes: nothing to do. The model state is unchanged
    (Django drops `*_like` indexes with `IF EXISTS` when a field changes later).
    """

    suffix = "_like"

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            self._drop(schema_editor)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name(self.table)
            for index, column in self._names(schema_editor):
                schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column} varchar_pattern_ops)")

    def describe(self) -> str:
        return f"Drop the pattern indexes on {self.table} ({', '.join(self.columns)}) on PostgreSQL"


class DropColumnIndexes(_ColumnIndexes):
    """Drop the ordinary index Django made for each column's `db_index=True` (or foreign key); made again when
    unapplied.

    For a migration that turns `db_index` off through `SeparateDatabaseAndState`: Django's own
    `AlterField` would rebuild the whole table on SQLite (and on PostgreSQL drop and check again
    every foreign key it touches), which on a registry of a million people is minutes of a locked
    table for what is one `DROP INDEX`. The index names are the ones Django gives (`_create_index_name`).
    """

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._drop(schema_editor)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = schema_editor.quote_name(self.table)
        for index, column in self._names(schema_editor):
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column})")

    def describe(self) -> str:
        return f"Drop the indexes of {self.table} ({', '.join(self.columns)})"
