"""Create the role groups: Triage (staff who screen ideas in the admin) and Mentor."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# What Triage staff may do in the admin, per model: they run challenges and screen ideas,
# but never edit votes or members.
TRIAGE_PERMISSIONS = {
    "challenges": {
        "job": ["view", "add", "change"],
        "outcome": ["view", "add", "change"],
        "segment": ["view", "add", "change"],
        "challenge": ["view", "add", "change"],
        "selectioncriterion": ["view", "add", "change", "delete"],
    },
    "ideas": {
        "idea": ["view", "change"],
        "vote": ["view"],
        "comment": ["view", "change"],
        "statuschange": ["view"],
    },
    "scoring": {
        "respondent": ["view"],
        "rating": ["view"],
    },
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now to assign them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    triage, _ = Group.objects.get_or_create(name="Triage")
    Group.objects.get_or_create(name="Mentor")
    for app_label, models in TRIAGE_PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                triage.permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Triage", "Mentor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("challenges", "0001_initial"),
        ("ideas", "0001_initial"),
        ("scoring", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
