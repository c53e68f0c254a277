"""Ideas keep a flag of their own for an open revision request (ideas imports nothing from reviews):
set it from the requests open now."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def flag_open_requests(apps, schema_editor):
    Idea = apps.get_model("ideas", "Idea")
    RevisionRequest = apps.get_model("reviews", "RevisionRequest")
    open_request = RevisionRequest.objects.filter(idea=OuterRef("pk"), answered_at__isnull=True).order_by("-created_at")
    Idea.objects.filter(pk__in=RevisionRequest.objects.filter(answered_at__isnull=True).values("idea_id")).update(
        revision_requested_at=Subquery(open_request.values("created_at")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0010_idea_revision_requested_at"),
        ("reviews", "0004_not_selected_reason_template"),
    ]

    operations = [migrations.RunPython(flag_open_requests, migrations.RunPython.noop)]
