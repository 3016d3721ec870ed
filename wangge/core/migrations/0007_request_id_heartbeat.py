"""The request id on audit rows, and the heartbeat of periodic jobs.

The column is added with ALTER TABLE … ADD COLUMN on both databases: on SQLite Django would rebuild
the table to add it, and the rebuild drops the append-only trigger of 0002.
"""

from django.db import migrations, models


def _field() -> models.CharField:
    field = models.CharField(blank=True, db_index=True, max_length=32)
    field.set_attributes_from_name("request_id")
    return field


def add_request_id(apps, schema_editor):
    model = apps.get_model("core", "AuditEvent")
    field = _field()
    field.model = model
    table = schema_editor.quote_name(model._meta.db_table)
    column = schema_editor.quote_name("request_id")
    schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {column} varchar(32) DEFAULT '' NOT NULL")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
    for statement in schema_editor._field_indexes_sql(model, field):
        schema_editor.execute(statement)


def remove_request_id(apps, schema_editor):
    model = apps.get_model("core", "AuditEvent")
    field = _field()
    field.model = model
    table = schema_editor.quote_name(model._meta.db_table)
    for statement in schema_editor._field_indexes_sql(model, field):
        schema_editor.execute(f"DROP INDEX IF EXISTS {statement.parts['name']}")
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {schema_editor.quote_name('request_id')}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_case_catalogue_permission"),
    ]

    operations = [
        migrations.CreateModel(
            name="Heartbeat",
            fields=[
                ("name", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("at", models.DateTimeField()),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_request_id, remove_request_id)],
            state_operations=[
                migrations.AddField(
                    model_name="auditevent",
                    name="request_id",
                    field=models.CharField(blank=True, db_index=True, max_length=32),
                )
            ],
        ),
    ]
