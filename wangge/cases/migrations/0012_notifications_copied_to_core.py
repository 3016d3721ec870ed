# Notifications move from cases.Notification to core.Notification (a generic target, kinds registered
# by apps, delivery by the queue): every row is copied with its id, its kind becoming `cases.<action>`
# and its case the target. The old rows were handed to the sender in the commit hook that made them,
# so they are copied as sent. One INSERT … SELECT on SQLite and PostgreSQL alike; reversible.

from django.core.management.color import no_style
from django.db import migrations


def _reset_sequence(schema_editor, model):
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    quote = schema_editor.quote_name
    old = apps.get_model("cases", "Notification")
    new = apps.get_model("core", "Notification")
    schema_editor.execute(
        f"INSERT INTO {quote(new._meta.db_table)} "
        "(id, user_id, kind, text, target_type, target_id, created_at, read_at, delivery, attempts, delivered_at, error) "
        f"SELECT id, user_id, 'cases.' || kind, text, CASE WHEN case_id IS NULL THEN '' ELSE 'cases.case' END, case_id, "
        f"created_at, read_at, 'sent', 1, created_at, '' FROM {quote(old._meta.db_table)} ORDER BY id"
    )
    _reset_sequence(schema_editor, new)


def backwards(apps, schema_editor):
    quote = schema_editor.quote_name
    old = apps.get_model("cases", "Notification")
    new = quote(apps.get_model("core", "Notification")._meta.db_table)
    cases = quote(apps.get_model("cases", "Case")._meta.db_table)
    where = f"WHERE substr(kind, 1, 6) = 'cases.' AND (target_id IS NULL OR target_id IN (SELECT id FROM {cases}))"
    schema_editor.execute(
        f"INSERT INTO {quote(old._meta.db_table)} (id, user_id, case_id, kind, text, created_at, read_at) "
        "SELECT id, user_id, CASE WHEN target_type = 'cases.case' THEN target_id END, substr(kind, 7), text, "
        f"created_at, read_at FROM {new} {where} ORDER BY id"
    )
    schema_editor.execute(f"DELETE FROM {new} WHERE substr(kind, 1, 6) = 'cases.'")
    _reset_sequence(schema_editor, old)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0011_public_callers"),
        ("core", "0016_notifications"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
