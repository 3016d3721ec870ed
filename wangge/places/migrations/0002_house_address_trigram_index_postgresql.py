"""A trigram index for the registry's address search (`House.address` contains a fragment), PostgreSQL only.

A substring search cannot use a B-tree; pg_trgm's GIN index serves `LIKE '%…%'` (and CJK text,
whose characters count as word characters under a UTF-8 ctype) for fragments of three characters
or more; shorter ones have no trigram to look up and, like every fragment on SQLite, scan the
partial B-tree `house_address_idx` of the houses that have an address of their own. The index is
not part of the model state (SQLite could not build it), so it lives here only.
"""

from django.db import migrations

INDEX = "places_house_address_trgm"


def create_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON places_house USING gin (address gin_trgm_ops)")


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_compounds_buildings_houses"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
