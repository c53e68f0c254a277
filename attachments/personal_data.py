"""What the attachments app holds about a member, for their download and their account's erasure
(registered with core.personal_data from AttachmentsConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from core.funnel import Status
from core.personal_data import Former, Section, register

from .models import Attachment


def export_attachments(member) -> list[dict]:
    rows = Attachment.objects.filter(uploaded_by=member).select_related("idea").order_by("created_at", "pk")
    return [
        {
            "id": attachment.pk,
            "name": attachment.original_name,
            "type": attachment.content_type,
            "bytes": attachment.size,
            "description": attachment.alt_text,
            "idea": attachment.idea.title,
            "idea_id": attachment.idea_id,
            "comment_id": attachment.comment_id,
            "uploaded_at": attachment.created_at,
            "removed_at": attachment.removed_at,
        }
        for attachment in rows
    ]


def erase(member, former: Former) -> None:
    """The files of the member's drafts go with the drafts (ideas' erasure deletes them next), from
    the storage too; files on submitted ideas and comments stay with them, as their text does."""
    drafts = Attachment.objects.filter(idea__author=member, idea__status=Status.DRAFT)
    for attachment in drafts:
        for fieldfile in (attachment.file, attachment.thumbnail):
            if fieldfile:
                fieldfile.storage.delete(fieldfile.name)
    drafts.delete()


def register_sections() -> None:
    register(
        Section(
            key="attachments",
            label=_("The files you attached to ideas and comments (their names, types and sizes)"),
            export=export_attachments,
            erase=erase,
            order=25,
            # Before ideas' erasure deletes the drafts (their rows would go, their files would stay).
            erase_order=50,
        )
    )
