"""Office hours (the waiting room offers an email outside them); supervisors manage them."""

import supportbot.agents.models
from django.db import migrations, models


def let_supervisors_manage(apps, _schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    supervisors, _ = Group.objects.get_or_create(name="supervisors")
    content_type, _ = ContentType.objects.get_or_create(app_label="agents", model="officehours")
    for action in ("add", "change", "delete", "view"):
        # Created here: Django makes a new model's permissions only after all migrations.
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=f"{action}_officehours", defaults={"name": f"Can {action} office hours"}
        )
        supervisors.permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0006_read_marks'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='OfficeHours',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')])),
                ('opens', models.TimeField()),
                ('closes', models.TimeField()),
                ('time_zone', models.CharField(blank=True, help_text="An IANA name such as Europe/Berlin; blank: the site's TIME_ZONE setting.", max_length=64, validators=[supportbot.agents.models.validate_time_zone])),
            ],
            options={
                'verbose_name_plural': 'office hours',
                'ordering': ['weekday', 'opens'],
            },
        ),
        migrations.RunPython(let_supervisors_manage, migrations.RunPython.noop),
    ]
