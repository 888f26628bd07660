"""The three roles as Django groups: agents answer, supervisors also oversee, ops read the logs."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "agents": ["use_console"],
    "supervisors": ["use_console", "supervise"],
    "ops": ["view_handoff"],
}


def create_roles(apps, _schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    handoff_type, _ = ContentType.objects.get_or_create(app_label="agents", model="handoff")
    names = {
        "use_console": "Can use the agent console and answer conversations",
        "supervise": "Can see every conversation and transfer or take over any of them",
        "view_handoff": "Can view handoff",
    }
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for codename in codenames:
            permission, _ = Permission.objects.get_or_create(
                content_type=handoff_type, codename=codename, defaults={"name": names[codename]}
            )
            group.permissions.add(permission)


def remove_roles(apps, _schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
