# The registry history moves from people.Change to core.HistoryEntry (any registry record, named by its
# model's label): every row is copied with its id, the short names becoming labels. One INSERT … SELECT,
# so a district's millions of rows move inside the database, on SQLite and PostgreSQL alike.

from django.core.management.color import no_style
from django.db import migrations

LABELS = {"person": "people.person", "household": "people.household", "house": "places.house"}


def _case(column, mapping):
    whens = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in mapping.items())
    return f"CASE {column} {whens} ELSE {column} END"


def _copy(schema_editor, source, target, mapping, where=""):
    quote = schema_editor.quote_name
    columns = ["id", "object_type", "object_id", "at", "actor_id", "action", "changes", "source"]
    selected = [_case(quote(c), mapping) if c == "object_type" else quote(c) for c in columns]
    schema_editor.execute(
        f"INSERT INTO {quote(target)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT {', '.join(selected)} FROM {quote(source)}{where} ORDER BY {quote('id')}"
    )


def _reset_sequence(schema_editor, model):
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    entry = apps.get_model("core", "HistoryEntry")
    _copy(schema_editor, apps.get_model("people", "Change")._meta.db_table, entry._meta.db_table, LABELS)
    _reset_sequence(schema_editor, entry)


def backwards(apps, schema_editor):
    change = apps.get_model("people", "Change")
    table = apps.get_model("core", "HistoryEntry")._meta.db_table
    labels = ", ".join(f"'{label}'" for label in LABELS.values())
    where = f" WHERE {schema_editor.quote_name('object_type')} IN ({labels})"
    _copy(schema_editor, table, change._meta.db_table, {new: old for old, new in LABELS.items()}, where)
    schema_editor.execute(f"DELETE FROM {schema_editor.quote_name(table)}{where}")
    _reset_sequence(schema_editor, change)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0015_registry_history"),
        ("people", "0013_person_domicile"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
