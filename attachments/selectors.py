"""Reads of attachments that pages share: an idea's files and its comments' files in one query."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from ideas.models import Idea, IdeaVersion

from .models import Attachment
from .rules import can_view_attachment

if TYPE_CHECKING:
    from accounts.types import Visitor


@dataclass
class IdeaFiles:
    """An idea's live files: its own, and each comment's by comment id."""

    own: list[Attachment] = field(default_factory=list)
    by_comment: dict[int, list[Attachment]] = field(default_factory=lambda: defaultdict(list))

    @property
    def pictures(self) -> list[Attachment]:
        return [attachment for attachment in self.own if attachment.is_image]

    @property
    def documents(self) -> list[Attachment]:
        return [attachment for attachment in self.own if not attachment.is_image]


def idea_files(idea_id: int) -> IdeaFiles:
    """Every live file of the idea and of its comments, in one query (the page's comments pick theirs).
    The caller has checked that the viewer sees the idea; a comment shows its files only when it
    shows its body (the comment template decides that)."""
    files = IdeaFiles()
    for attachment in Attachment.objects.filter(idea_id=idea_id, removed_at__isnull=True).order_by("created_at", "pk"):
        if attachment.comment_id is None:
            files.own.append(attachment)
        else:
            files.by_comment[attachment.comment_id].append(attachment)
    return files


def idea_files_editable(idea: Idea) -> QuerySet[Attachment]:
    """The idea's own live files, as the edit form lists them (with a remove box each)."""
    return Attachment.objects.filter(idea=idea, comment__isnull=True, removed_at__isnull=True).order_by(
        "created_at", "pk"
    )


def version_files_compared(old: IdeaVersion, new: IdeaVersion) -> list[dict]:
    """The files of two versions of an idea, each marked "same", "del" (only the old one had it) or
    "ins" (only the new one has it), in the order they were attached: two queries."""
    old_files = {attachment.pk: attachment for attachment in old.attachments.all()}
    new_files = {attachment.pk: attachment for attachment in new.attachments.all()}
    files = sorted({**old_files, **new_files}.values(), key=lambda attachment: (attachment.created_at, attachment.pk))
    return [
        {
            "attachment": attachment,
            "kind": "same"
            if attachment.pk in old_files and attachment.pk in new_files
            else ("del" if attachment.pk in old_files else "ins"),
        }
        for attachment in files
    ]


def idea_versions_count(idea: Idea) -> int:
    return IdeaVersion.objects.filter(idea=idea).count()


def attachment_for(user: Visitor, *, pk: int) -> Attachment:
    """The attachment if the user may see it (as its idea); raises Attachment.DoesNotExist otherwise,
    exactly as for one that never existed."""
    attachment = Attachment.objects.select_related("idea__challenge", "comment").get(pk=pk)
    if not can_view_attachment(user, attachment):
        raise Attachment.DoesNotExist
    return attachment


def attachments_missing_thumbnails(*, older_than_seconds: int = 60, limit: int = 500) -> list[int]:
    """Pictures still without a thumbnail a while after their upload (their task was lost)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    rows = Attachment.objects.filter(kind=Attachment.Kind.IMAGE, thumbnail="", created_at__lt=cutoff)
    return list(rows.values_list("pk", flat=True)[:limit])
