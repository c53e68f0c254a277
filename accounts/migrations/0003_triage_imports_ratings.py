"""Triage staff may import survey ratings from CSV (scoring.import_ratings)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    scoring = apps.get_app_config("scoring")
    scoring.models_module = True
    create_permissions(scoring, apps=apps, verbosity=0)
    scoring.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    triage, _ = Group.objects.get_or_create(name="Triage")
    triage.permissions.add(Permission.objects.get(content_type__app_label="scoring", codename="import_ratings"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for triage in Group.objects.filter(name="Triage"):
        triage.permissions.remove(*Permission.objects.filter(content_type__app_label="scoring", codename="import_ratings"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("scoring", "0003_import_ratings_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
