"""Drop the `*_like` indexes Django adds next to indexed CharFields on PostgreSQL, for the keyed hashes only.

A `varchar_pattern_ops` index serves `LIKE 'x%'`; ID and phone hashes are only ever compared for
equality, which the ordinary index serves, so these five indexes only cost writes and space. Django
drops `*_like` indexes with `IF EXISTS` when a field changes, so later migrations are unaffected.
"""

from django.db import migrations

from wangge.core.migration_ops import DropPatternIndexes

HASH_COLUMNS = ("id_hash", "id_tail4", "id_tail6", "phone_hash", "phone_tail4")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_person_former_name_index"),
    ]

    operations = [
        DropPatternIndexes("people_person", HASH_COLUMNS),
    ]
