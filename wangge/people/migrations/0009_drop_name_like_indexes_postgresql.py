"""Drop the `*_like` indexes PostgreSQL got next to the person's name columns (name, former name, pinyin, initials).

The registry's search never asks these columns for LIKE: a name, pinyin or initials prefix is a
range on the ordinary index (`people.selectors.prefix_q`), a former name an equality. So the four
pattern indexes only cost writes: each person written updated them for nothing, and they were a
sixth of the indexes a ledger's 100,000 people are copied into (0005 and 0008 did the same for
the keyed hashes and the codes).
"""

from django.db import migrations

from wangge.core.migration_ops import DropPatternIndexes

NAME_COLUMNS = ("name", "former_name", "name_pinyin", "name_initials")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_drop_choice_like_indexes_postgresql"),
    ]

    operations = [
        DropPatternIndexes("people_person", NAME_COLUMNS),
    ]
