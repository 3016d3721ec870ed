"""Seed the two-level case catalogue (GB/T 30428 event classes and community practice)."""

from django.db import migrations


def seed(apps, schema_editor):
    from wangge.cases.catalogue import seed as seed_catalogue

    seed_catalogue(apps.get_model("cases", "Category"))


def unseed(apps, schema_editor):
    """Remove the seeded entries that no case uses (children first); entries in use stay."""
    from wangge.cases.catalogue import rows

    codes = [row["code"] for row in rows()]
    marks = ", ".join(["%s"] * len(codes))
    with schema_editor.connection.cursor() as cursor:
        for parent_test in ("IS NOT NULL", "IS NULL"):
            cursor.execute(
                f"DELETE FROM cases_category WHERE code IN ({marks}) AND parent_id {parent_test} "
                "AND id NOT IN (SELECT category_id FROM cases_case) "
                "AND id NOT IN (SELECT parent_id FROM cases_category WHERE parent_id IS NOT NULL) "
                "AND id NOT IN (SELECT category_id FROM cases_escalationrule WHERE category_id IS NOT NULL)",
                codes,
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases_categories_cases_steps_notifications")]

    operations = [migrations.RunPython(seed, unseed)]
