"""Data: clear case positions no WGS84 point can have (a latitude of 99999 broke every list reading the row).

Such a number was never a place; the case keeps its address and grid. Runs before the constraint
that refuses them from now on (0010).
"""

from django.db import migrations
from django.db.models import Q

IMPOSSIBLE = (
    Q(lat__isnull=True, lng__isnull=False)
    | Q(lat__isnull=False, lng__isnull=True)
    | Q(lat__lt=-90)
    | Q(lat__gt=90)
    | Q(lng__lt=-180)
    | Q(lng__gt=180)
)


def clear_impossible_positions(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    cleared = Case._base_manager.filter(IMPOSSIBLE).update(lat=None, lng=None)
    if cleared:
        print(f"\n  cleared the impossible position of {cleared} case(s)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_case_photos_renamed_random")]

    operations = [migrations.RunPython(clear_impossible_positions, migrations.RunPython.noop)]
