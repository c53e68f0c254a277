"""The sections of Django's own tables: the admin's change log and the sessions."""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from accounts.models import FORMER_MEMBER
from core import personal_data as registry
from core.personal_data import Former, Section


def _admin_log_about(member):
    """The admin's entries about the member's account, under the user model or a proxy of it (the
    innovator pool's admin logs under its own content type)."""
    concrete = type(member)._meta.concrete_model
    models = [model for model in apps.get_models() if model._meta.concrete_model is concrete]
    types = ContentType.objects.get_for_models(*models, for_concrete_models=False).values()
    return LogEntry.objects.filter(content_type__in=[t.pk for t in types], object_id=str(member.pk))


def export_admin_log(member) -> list[dict]:
    """The changes a staff member made in the admin (empty for everyone else)."""
    rows = LogEntry.objects.filter(user=member).select_related("content_type").order_by("action_time")
    return [
        {
            "when": entry.action_time.isoformat(),
            "what": f"{entry.content_type.app_label}.{entry.content_type.model}" if entry.content_type else "",
            "object": entry.object_repr,
            "action": entry.get_action_flag_display(),
            "change": entry.get_change_message(),
        }
        for entry in rows
    ]


def erase_admin_log(member, former: Former) -> None:
    # What staff did stays (who changed what is the staff's record), signed by the erased row; the
    # entries about the member's own account lose the name and addresses they were written with.
    _admin_log_about(member).update(object_repr=FORMER_MEMBER, change_message="")


def register() -> None:
    registry.register(
        Section(
            key="admin_log",
            label=_("Changes you made in the admin (staff only)"),
            export=export_admin_log,
            erase=erase_admin_log,
            order=900,
        )
    )
