"""Drop the `*_like` indexes PostgreSQL got next to the indexed code columns (residency, 红粉白, record state).

As for the keyed hashes (0005): codes are only compared for equality, which the ordinary index
serves, so these three indexes only cost writes — every person written, one by one or 100,000 from
a ledger, updated three more indexes for nothing.
"""

from django.db import migrations

CODE_COLUMNS = ("residency", "identity_color", "source_state")
TABLE = "people_person"


def _like_index(schema_editor, column: str) -> str:  # type: ignore[no-untyped-def]
    return schema_editor._create_index_name(TABLE, [column], suffix="_like")


def drop_like_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in CODE_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(_like_index(schema_editor, column))}")


def create_like_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in CODE_COLUMNS:
        name = schema_editor.quote_name(_like_index(schema_editor, column))
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({schema_editor.quote_name(column)} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_person_name_keys_statistics_postgresql"),
    ]

    operations = [
        migrations.RunPython(drop_like_indexes, create_like_indexes, elidable=False),
    ]
