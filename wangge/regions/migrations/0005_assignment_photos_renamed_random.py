"""Grid workers' photos uploaded before names were random are stored again under random names."""

from django.core.files.storage import default_storage
from django.db import migrations

from wangge.core.uploads import rename_to_random


def rename(apps, schema_editor):  # type: ignore[no-untyped-def]
    Assignment = apps.get_model("regions", "Assignment")
    for assignment in Assignment._base_manager.exclude(photo="").only("pk", "photo").iterator():
        new_name = rename_to_random(default_storage, assignment.photo.name)
        if new_name != assignment.photo.name:
            Assignment._base_manager.filter(pk=assignment.pk).update(photo=new_name)


class Migration(migrations.Migration):
    dependencies = [("regions", "0004_assignment_photos_stored_under_random_names")]

    # The old names are not kept, so there is nothing to go back to: reversing leaves the random names.
    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
