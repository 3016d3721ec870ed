"""Person indexes that serve the same queries for less work on every insert.

Dropped, because a composite index that begins with the same column serves them:
- `people_person.name_pinyin`: `person_pinyin_initials_idx` (name_pinyin, name_initials) serves the
  pinyin prefix ranges and the list's order;
- `people_person.region_id`: `person_region_alive_idx` (region_id, deleted_at) serves lookups by grid
  and the foreign key's checks;
- `people_persontag.tag_id`: `persontag_tag_idx` (tag_id, ended_on).

Made partial (`WHERE … IS NOT NULL`): the indexes of `claimed_by`, `verified_by` and `merged_into`,
empty for a person newly registered or imported. Every lookup of them (`= ?`, `IN (…)`, the
foreign key checks) implies the column is not null, so SQLite and PostgreSQL use the partial index.

A 100,000-row ledger import writes each person into every index of the person table
(bench/README.md, "Ledger import"). The indexes are dropped by name rather than through `AlterField`,
which on SQLite would rebuild the person table once per field (and on PostgreSQL drop and check
each foreign key again): only the model state changes that way. Unapplied, everything comes back.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from wangge.core.migration_ops import DropColumnIndexes


def _fk(to, related_name, **options):  # type: ignore[no-untyped-def]
    return models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name=related_name, to=to, **options
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_drop_name_like_indexes_postgresql"),
        ("regions", "0003_region_ordering_by_sort_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                DropColumnIndexes(
                    "people_person", ["name_pinyin", "region_id", "claimed_by_id", "verified_by_id", "merged_into_id"]
                ),
                DropColumnIndexes("people_persontag", ["tag_id"]),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="name_pinyin",
                    field=models.CharField(editable=False, max_length=128),
                ),
                migrations.AlterField(
                    model_name="person", name="region", field=_fk("regions.region", "persons", verbose_name="grid")
                ),
                migrations.AlterField(
                    model_name="person",
                    name="claimed_by",
                    field=_fk(settings.AUTH_USER_MODEL, "+", blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="verified_by",
                    field=_fk(settings.AUTH_USER_MODEL, "+", blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="merged_into",
                    field=_fk("people.person", "merged_from", blank=True, null=True),
                ),
                migrations.AlterField(model_name="persontag", name="tag", field=_fk("people.tag", "person_tags")),
            ],
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("claimed_by__isnull", False)), fields=["claimed_by"], name="person_claimed_by_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("verified_by__isnull", False)),
                fields=["verified_by"],
                name="person_verified_by_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="person_merged_into_idx",
            ),
        ),
    ]
