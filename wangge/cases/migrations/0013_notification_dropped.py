# Notifications live in core now (core.Notification); their rows were copied there by 0012.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_notifications_copied_to_core'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Notification',
        ),
    ]
