"""Years seeded whole from `chinesecalendar` (migration 0005) are complete; any other year must be marked by the administrator."""

from django.db import migrations


def mark(apps, schema_editor):
    from wangge.core.holidays import library_years

    holiday = apps.get_model("core", "Holiday")
    holiday_year = apps.get_model("core", "HolidayYear")
    present = set(holiday.objects.values_list("date__year", flat=True).distinct())
    for year in library_years():
        if year in present:
            holiday_year.objects.get_or_create(year=year, defaults={"source": "library"})


def unmark(apps, schema_editor):
    apps.get_model("core", "HolidayYear").objects.filter(source="library").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0008_holiday_year_complete")]

    operations = [migrations.RunPython(mark, unmark)]
