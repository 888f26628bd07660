"""The ops group (created by agents' 0002_roles) reads and exports the logs: view permissions
on conversations, messages, screenshots, events, escalations and the audit log, plus exporting
and the dashboard. No add/change/delete, no console: ops never speaks in a conversation."""

from django.db import migrations

# (app label, model, codename, name): created here because Django adds a model's permissions only
# after all migrations have run.
OPS_PERMISSIONS = [
    ("chat", "conversation", "view_conversation", "Can view conversation"),
    ("chat", "message", "view_message", "Can view message"),
    ("chat", "attachment", "view_attachment", "Can view attachment"),
    ("events", "event", "view_event", "Can view event"),
    ("ops", "escalation", "view_escalation", "Can view escalation"),
    ("ops", "auditentry", "view_auditentry", "Can view audit entry"),
    ("ops", "auditentry", "export_logs", "Can export conversation logs"),
    ("ops", "auditentry", "view_dashboard", "Can see the metrics dashboard"),
]


def grant_ops_permissions(apps, _schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name="ops")
    for app_label, model, codename, name in OPS_PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def revoke_ops_permissions(apps, _schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="ops").first()
    if group is not None:
        group.permissions.filter(
            codename__in=[codename for *_, codename, _name in OPS_PERMISSIONS]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_initial"),
        ("agents", "0002_roles"),
        ("chat", "0003_conversation_source"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_ops_permissions, revoke_ops_permissions)]
