"""Seed the holiday calendar with every year `chinesecalendar` knows (official holidays and 调休 workdays)."""

from django.db import migrations


def seed(apps, schema_editor):
    from wangge.core.holidays import library_years, seed_year

    holiday = apps.get_model("core", "Holiday")
    for year in library_years():
        seed_year(holiday, year)


def unseed(apps, schema_editor):
    from wangge.core.holidays import library_days, library_years

    holiday = apps.get_model("core", "Holiday")
    for year in library_years():
        days = library_days(year) or []
        holiday.objects.filter(date__in=[day for day, _kind, _name in days]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0004_holiday_calendar_and_case_permissions")]

    operations = [migrations.RunPython(seed, unseed)]
