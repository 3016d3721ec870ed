# The history now lives in core (core.HistoryEntry); its rows were copied there by 0014.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0014_history_copied_to_core'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Change',
        ),
    ]
