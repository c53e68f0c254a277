"""A reason template for "not selected" (and "declined", for ideas never screened), so staff closing a
challenge can answer every open idea at once."""

from django.db import migrations

TITLE = "Not selected when the challenge ended"
TEXT = (
    "Thank you for your idea. The challenge has ended and your idea was not among those selected. "
    "Every idea was read by the team, and what you wrote helps us understand what customers need."
)


def add_template(apps, schema_editor):
    ReasonTemplate = apps.get_model("reviews", "ReasonTemplate")
    if not ReasonTemplate.objects.filter(to_status="not_selected").exists():
        ReasonTemplate.objects.create(
            to_status="not_selected", also_for=["declined"], title=TITLE, text=TEXT, is_active=True
        )


def remove_template(apps, schema_editor):
    apps.get_model("reviews", "ReasonTemplate").objects.filter(to_status="not_selected", title=TITLE).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_endings")]

    operations = [migrations.RunPython(add_template, remove_template)]
