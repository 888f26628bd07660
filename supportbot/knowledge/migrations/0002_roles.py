"""Who edits the help center: a new `editors` group and the supervisors manage articles; agents
read them (to check what the bot cites)."""

from django.db import migrations

ROLE_ACTIONS = {
    "editors": ("add", "change", "delete", "view"),
    "supervisors": ("add", "change", "delete", "view"),
    "agents": ("view",),
}


def grant_article_permissions(apps, _schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="knowledge", model="article")
    for group_name, actions in ROLE_ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for action in actions:
            # Created here: Django makes a new model's permissions only after all migrations.
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_article", defaults={"name": f"Can {action} article"}
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("agents", "0002_roles"),  # the agents and supervisors groups
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_article_permissions, migrations.RunPython.noop)]
