"""Moderation rules (a trigger managed in the admin); supervisors manage them and the canned
responses agents use."""

import supportbot.agents.models
from django.db import migrations, models

SUPERVISOR_MANAGES = {"moderationrule": "moderation rule", "cannedresponse": "canned response"}


def let_supervisors_manage(apps, _schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    supervisors, _ = Group.objects.get_or_create(name="supervisors")
    for model, label in SUPERVISOR_MANAGES.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="agents", model=model)
        for action in ("add", "change", "delete", "view"):
            # Created here: Django makes a new model's permissions only after all migrations.
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {label}"}
            )
            supervisors.permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0003_bot_handoff_reasons'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='ModerationRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('pattern', models.CharField(help_text='A regular expression (Python syntax), matched case-insensitively anywhere in the message.', max_length=500, validators=[supportbot.agents.models.validate_pattern])),
                ('active', models.BooleanField(default=True)),
            ],
        ),
        migrations.AlterField(
            model_name='handoff',
            name='reason',
            field=models.CharField(choices=[('user_button', 'User Button'), ('user_words', 'User Words'), ('bot_failures', 'Bot Failures'), ('abuse', 'Abuse'), ('repeated_question', 'Repeated Question'), ('thumbs_down', 'Thumbs Down'), ('bot_handoff_marker', 'Bot Handoff Marker'), ('low_confidence', 'Low Confidence'), ('moderation', 'Moderation')], max_length=32),
        ),
        migrations.RunPython(let_supervisors_manage, migrations.RunPython.noop),
    ]
