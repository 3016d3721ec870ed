"""Drop the `*_like` indexes Django adds next to indexed CharFields on PostgreSQL, for the keyed hashes only.

A `varchar_pattern_ops` index serves `LIKE 'x%'`; ID and phone hashes are only ever compared for
equality, which the ordinary index serves, so these five indexes only cost writes and space. Django
drops `*_like` indexes with `IF EXISTS` when a field changes, so later migrations are unaffected.
"""

from django.db import migrations

HASH_COLUMNS = ("id_hash", "id_tail4", "id_tail6", "phone_hash", "phone_tail4")
TABLE = "people_person"


def _like_index(schema_editor, column: str) -> str:  # type: ignore[no-untyped-def]
    return schema_editor._create_index_name(TABLE, [column], suffix="_like")


def drop_like_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in HASH_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(_like_index(schema_editor, column))}")


def create_like_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in HASH_COLUMNS:
        name = schema_editor.quote_name(_like_index(schema_editor, column))
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({schema_editor.quote_name(column)} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_person_former_name_index"),
    ]

    operations = [
        migrations.RunPython(drop_like_indexes, create_like_indexes, elidable=False),
    ]
