"""Case photos uploaded before names were random are stored again under random names."""

from django.core.files.storage import default_storage
from django.db import migrations

from wangge.core.uploads import rename_to_random


def rename(apps, schema_editor):  # type: ignore[no-untyped-def]
    CaseAttachment = apps.get_model("cases", "CaseAttachment")
    for attachment in CaseAttachment._base_manager.exclude(image="").only("pk", "image").iterator():
        new_name = rename_to_random(default_storage, attachment.image.name)
        if new_name != attachment.image.name:
            CaseAttachment._base_manager.filter(pk=attachment.pk).update(image=new_name)


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_photos_stored_under_random_names")]

    # The old names are not kept, so there is nothing to go back to: reversing leaves the random names.
    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
