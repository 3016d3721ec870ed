"""Migration operations that several apps' migrations share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.migrations.operations.base import Operation


class DropPatternIndexes(Operation):
    """On PostgreSQL, drop the `*_like` indexes Django makes beside indexed text columns.

    A `varchar_pattern_ops` index serves `LIKE 'x%'` and nothing the ordinary index does not; on
    columns the code never asks for `LIKE` it only costs every write. Reversed by creating them
    again. Other databases have no such indexes: nothing to do. The model state is unchanged
    (Django drops `*_like` indexes with `IF EXISTS` when a field changes later).

    `reverse=True` does the opposite (nothing forwards, dropped when unapplied): for a migration whose
    later operation, unapplied, gives an indexed field its pattern index back.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, columns: Sequence[str], *, reverse: bool = False) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.reverse = reverse

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {"table": self.table, "columns": list(self.columns)}
        if self.reverse:
            kwargs["reverse"] = True
        return self.__class__.__name__, [], kwargs

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _names(self, schema_editor: Any) -> list[tuple[str, str]]:
        quote = schema_editor.quote_name
        return [
            (quote(schema_editor._create_index_name(self.table, [column], suffix="_like")), quote(column))
            for column in self.columns
        ]

    def _drop(self, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for index, _column in self._names(schema_editor):
                schema_editor.execute(f"DROP INDEX IF EXISTS {index}")

    def _create(self, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name(self.table)
            for index, column in self._names(schema_editor):
                schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column} varchar_pattern_ops)")

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if not self.reverse:
            self._drop(schema_editor)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if self.reverse:
            self._drop(schema_editor)
        else:
            self._create(schema_editor)

    def describe(self) -> str:
        when = "when unapplied" if self.reverse else ""
        return f"Drop the pattern indexes on {self.table} ({', '.join(self.columns)}) on PostgreSQL {when}".rstrip()
