"""Drop three single-column indexes that a composite index beginning with the same column already serves.

- `people_person.name_pinyin`: `person_pinyin_initials_idx` (name_pinyin, name_initials) serves the
  pinyin prefix ranges and the list's order;
- `people_person.region_id`: `person_region_alive_idx` (region_id, deleted_at) serves lookups by grid
  and the foreign key's checks;
- `people_persontag.tag_id`: `persontag_tag_idx` (tag_id, ended_on).

Every index costs each insert: a 100,000-row ledger import writes each person into every index of
the person table (bench/README.md, "Ledger import"). Unapplied, the indexes come back; the pinyin
column's PostgreSQL pattern index, which `0009` had dropped, is dropped again after them.
"""

import django.db.models.deletion
from django.db import migrations, models

from wangge.core.migration_ops import DropPatternIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_drop_name_like_indexes_postgresql"),
        ("regions", "0003_region_ordering_by_sort_order"),
    ]

    operations = [
        # unapplied last: the AlterField below, unapplied, creates the pattern index again
        DropPatternIndexes("people_person", ["name_pinyin"], reverse=True),
        migrations.AlterField(
            model_name="person",
            name="name_pinyin",
            field=models.CharField(editable=False, max_length=128),
        ),
        migrations.AlterField(
            model_name="person",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="persons",
                to="regions.region",
                verbose_name="grid",
            ),
        ),
        migrations.AlterField(
            model_name="persontag",
            name="tag",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="person_tags",
                to="people.tag",
            ),
        ),
    ]
