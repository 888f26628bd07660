"""Webhook deliveries carry when their next attempt is due (agents.webhooks' sweep); those left
pending before are due at once."""

from django.db import migrations, models
from django.utils import timezone


def pending_are_due(apps, _schema_editor):
    apps.get_model("agents", "WebhookDelivery").objects.filter(state="pending", next_attempt_at=None).update(
        next_attempt_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0007_office_hours"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(pending_are_due, migrations.RunPython.noop),
    ]
