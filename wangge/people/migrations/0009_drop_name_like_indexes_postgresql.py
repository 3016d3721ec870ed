"""Drop the `*_like` indexes PostgreSQL got next to the person's name columns (name, former name, pinyin, initials).

The registry's search never asks these columns for LIKE: a name, pinyin or initials prefix is a
range on the ordinary index (`people.selectors.prefix_q`), a former name an equality. So the four
pattern indexes only cost writes: each person written updated them for nothing, and they were a
sixth of the indexes a ledger's 100,000 people are copied into (0005 and 0008 did the same for
the keyed hashes and the codes).
"""

from django.db import migrations

NAME_COLUMNS = ("name", "former_name", "name_pinyin", "name_initials")
TABLE = "people_person"


def _like_index(schema_editor, column: str) -> str:  # type: ignore[no-untyped-def]
    return schema_editor._create_index_name(TABLE, [column], suffix="_like")


def drop_like_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAME_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(_like_index(schema_editor, column))}")


def create_like_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAME_COLUMNS:
        name = schema_editor.quote_name(_like_index(schema_editor, column))
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({schema_editor.quote_name(column)} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_drop_choice_like_indexes_postgresql"),
    ]

    operations = [
        migrations.RunPython(drop_like_indexes, create_like_indexes, elidable=False),
    ]
