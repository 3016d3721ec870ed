"""Drop the `*_like` indexes PostgreSQL got next to the indexed code columns (residency, 红粉白, record state).

As for the keyed hashes (0005): codes are only compared for equality, which the ordinary index
serves, so these three indexes only cost writes — every person written, one by one or 100,000 from
a ledger, updated three more indexes for nothing.
"""

from django.db import migrations

from wangge.core.migration_ops import DropPatternIndexes

CODE_COLUMNS = ("residency", "identity_color", "source_state")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_person_name_keys_statistics_postgresql"),
    ]

    operations = [
        DropPatternIndexes("people_person", CODE_COLUMNS),
    ]
