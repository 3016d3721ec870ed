"""Who acted, when it is not staff: the kind of a public caller (a resident, an Open311 client) on audit rows.

Added with ALTER TABLE … ADD COLUMN on both databases, as 0007 did: on SQLite Django would rebuild the
table, and the rebuild drops the append-only trigger of 0002.
"""

from django.db import migrations, models

COLUMN = "actor_kind"


def add_actor_kind(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("core", "AuditEvent")._meta.db_table)
    column = schema_editor.quote_name(COLUMN)
    schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {column} varchar(16) DEFAULT '' NOT NULL")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")


def remove_actor_kind(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("core", "AuditEvent")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {schema_editor.quote_name(COLUMN)}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0013_api_token_two_factor"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_actor_kind, remove_actor_kind)],
            state_operations=[
                migrations.AddField(
                    model_name="auditevent",
                    name="actor_kind",
                    field=models.CharField(
                        blank=True,
                        choices=[("resident", "Resident"), ("open311", "Open311 client")],
                        max_length=16,
                    ),
                )
            ],
        ),
    ]
