"""Every write to attachments: add and remove an idea's files, add a comment's, make thumbnails.

Limits (settings): ``ATTACHMENT_MAX_BYTES`` a file, ``ATTACHMENTS_PER_IDEA`` files and
``ATTACHMENTS_IDEA_MAX_BYTES`` bytes on an idea (its own files, not its comments'),
``ATTACHMENTS_PER_COMMENT`` files on a comment. They are counted under the idea's row lock, so two
uploads at once cannot pass them together. A refusal is an ``AttachmentRefused`` with the message a
person reads, and the caller's transaction rolls back: nothing is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError
from ideas.models import Comment, Idea, IdeaVersion
from ideas.services import idea_version_record_unlocked

from .content import Inspected, human_size, thumbnail_bytes
from .models import Attachment, attachment_path
from .rules import comment_attach_refusal, idea_attach_refusal
from .storage import attachments_storage

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

__all__ = [
    "AttachmentRefused",
    "NewFile",
    "attachment_thumbnail_make",
    "attachments_change",
    "attachments_of_version_keep_unlocked",
    "comment_attachments_add",
]


class AttachmentRefused(DomainError):
    """Files the portal does not keep (a limit, a type, a permission), with the reason."""


@dataclass(frozen=True)
class NewFile:
    """An upload whose content was inspected (``attachments.content.inspect``): what to keep."""

    name: str
    inspected: Inspected
    alt_text: str = ""


def _idea_locked(idea: Idea) -> Idea:
    return Idea.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=idea.pk)


def _check_file_sizes(files: Sequence[NewFile]) -> None:
    for new in files:
        if len(new.inspected.data) > settings.ATTACHMENT_MAX_BYTES:
            raise AttachmentRefused(
                _("“%(name)s” is %(size)s: a file may be at most %(limit)s.")
                % {
                    "name": new.name,
                    "size": human_size(len(new.inspected.data)),
                    "limit": human_size(settings.ATTACHMENT_MAX_BYTES),
                }
            )


def _store(*, idea: Idea, user: User, files: Sequence[NewFile], comment: Comment | None) -> list[Attachment]:
    """Write the files and their rows; a failure midway deletes the files already written."""
    created: list[Attachment] = []
    try:
        for new in files:
            inspected = new.inspected
            attachment = Attachment(
                idea=idea,
                comment=comment,
                uploaded_by=user,
                kind=Attachment.Kind.IMAGE if inspected.kind == "image" else Attachment.Kind.FILE,
                original_name=new.name[:200] or "attachment",
                content_type=inspected.content_type,
                size=len(inspected.data),
                width=inspected.width,
                height=inspected.height,
                alt_text=new.alt_text.strip()[:300],
            )
            attachment.file.save(f"file.{inspected.extension}", ContentFile(inspected.data), save=False)
            created.append(attachment)
            attachment.save()
    except BaseException:
        for attachment in created:
            attachments_storage().delete(attachment.file.name)
        raise
    images = [attachment.pk for attachment in created if attachment.is_image]
    if images:
        transaction.on_commit(lambda: _thumbnails_queue(images))
    return created


def _thumbnails_queue(attachment_ids: list[int]) -> None:
    """After the commit: one thumbnail task per picture (inline in the demo; the worker in production).
    A broker that is down is logged; the periodic ``make_missing_thumbnails`` catches up."""
    from .tasks import make_thumbnail

    for attachment_id in attachment_ids:
        make_thumbnail.apply_async_quietly(args=[attachment_id])


def attachments_of_version_keep_unlocked(*, idea: Idea, version: IdeaVersion) -> None:
    """Registered with ``ideas.hooks.idea_version_recorded_hook_register``: a new version keeps the
    idea's files as they are now. The caller holds the idea's row lock."""
    live = Attachment.objects.filter(idea=idea, comment__isnull=True, removed_at__isnull=True)
    version.attachments.set(live)


@transaction.atomic
def attachments_change(
    *,
    user: User,
    idea: Idea,
    add: Sequence[NewFile] = (),
    remove: Sequence[int] = (),
    versions_seen: int = 0,
) -> list[Attachment]:
    """The author adds files to their idea and removes some of its files; returns the added ones.

    Holds the idea's row lock while it counts the idea's files and bytes against the limits and
    saves, so two uploads at once cannot pass them together. A removed file is only marked removed:
    the versions that had it keep it. The change is part of a version: ``versions_seen`` is the
    idea's number of versions when the form was shown; if this save already recorded a newer one
    (the text changed too), that version gets the files, otherwise a new version is recorded.
    """
    idea = _idea_locked(idea)
    refusal = idea_attach_refusal(user, idea)
    if refusal:
        raise AttachmentRefused(refusal)
    _check_file_sizes(add)
    live = Attachment.objects.filter(idea=idea, comment__isnull=True, removed_at__isnull=True)
    removing = list(live.filter(pk__in=list(remove)))
    kept = live.exclude(pk__in=[attachment.pk for attachment in removing]).aggregate(
        count=Count("pk"), size=Sum("size")
    )
    count, size = kept["count"], kept["size"] or 0
    new_size = sum(len(new.inspected.data) for new in add)
    if add and count + len(add) > settings.ATTACHMENTS_PER_IDEA:
        room = max(settings.ATTACHMENTS_PER_IDEA - count, 0)
        raise AttachmentRefused(
            ngettext(
                "An idea can have at most %(limit)s file; this one has %(count)s, "
                "so %(room)s more can be attached, not %(chosen)s.",
                "An idea can have at most %(limit)s files; this one has %(count)s, "
                "so %(room)s more can be attached, not %(chosen)s.",
                settings.ATTACHMENTS_PER_IDEA,
            )
            % {"limit": settings.ATTACHMENTS_PER_IDEA, "count": count, "room": room, "chosen": len(add)}
        )
    if add and size + new_size > settings.ATTACHMENTS_IDEA_MAX_BYTES:
        limit = human_size(settings.ATTACHMENTS_IDEA_MAX_BYTES)
        if size:
            message = _(
                "An idea's files may add up to at most %(limit)s; this one has %(size)s, "
                "and the new files are %(new_size)s."
            ) % {"limit": limit, "size": human_size(size), "new_size": human_size(new_size)}
        else:
            message = _(
                "An idea's files may add up to at most %(limit)s; this one has none, and the new files are %(new_size)s."
            ) % {"limit": limit, "new_size": human_size(new_size)}
        raise AttachmentRefused(message)
    if not add and not removing:
        return []
    now = timezone.now()
    for attachment in removing:
        attachment.removed_at, attachment.removed_by = now, user
        attachment.save(update_fields=["removed_at", "removed_by"])
    created = _store(idea=idea, user=user, files=add, comment=None)
    latest = IdeaVersion.objects.filter(idea=idea).order_by("-number").first()
    if latest is not None and latest.number > versions_seen:
        attachments_of_version_keep_unlocked(idea=idea, version=latest)  # the version this save recorded
    else:
        codes = sorted(idea.outcomes.values_list("code", flat=True))
        idea_version_record_unlocked(idea=idea, saved_by=user, outcome_codes=codes)  # keeps the files (hook)
    return created


@transaction.atomic
def comment_attachments_add(*, user: User, comment: Comment, add: Sequence[NewFile]) -> list[Attachment]:
    """The comment's author attaches files to it (at most ``ATTACHMENTS_PER_COMMENT``), under the idea's lock."""
    idea = _idea_locked(comment.idea)
    comment.idea = idea
    refusal = comment_attach_refusal(user, comment)
    if refusal:
        raise AttachmentRefused(refusal)
    _check_file_sizes(add)
    count = Attachment.objects.filter(comment=comment, removed_at__isnull=True).count()
    if count + len(add) > settings.ATTACHMENTS_PER_COMMENT:
        raise AttachmentRefused(
            ngettext(
                "A comment can have at most %(limit)s file; you chose %(count)s.",
                "A comment can have at most %(limit)s files; you chose %(count)s.",
                settings.ATTACHMENTS_PER_COMMENT,
            )
            % {"limit": settings.ATTACHMENTS_PER_COMMENT, "count": count + len(add)}
        )
    return _store(idea=idea, user=user, files=add, comment=comment)


def attachment_thumbnail_make(*, attachment_id: int) -> Attachment | None:
    """Make a picture's thumbnail, once: a second run (or a picture gone meanwhile) does nothing.

    Reads the kept picture from the storage and writes the thumbnail beside it; the row is updated
    only if it still has none, so two runs at once keep one thumbnail and delete the other's file.
    """
    attachment = Attachment.objects.filter(pk=attachment_id, kind=Attachment.Kind.IMAGE).first()
    if attachment is None or attachment.thumbnail:
        return attachment
    with attachment.file.open("rb") as kept:
        data = kept.read()
    small, _, _ = thumbnail_bytes(data, side=settings.ATTACHMENT_THUMBNAIL_SIDE)
    storage = attachments_storage()
    name = storage.save(attachment_path(attachment, "thumbnail.webp"), ContentFile(small))
    if not Attachment.objects.filter(pk=attachment.pk, thumbnail="").update(thumbnail=name):
        storage.delete(name)  # another run was first
    attachment.refresh_from_db(fields=["thumbnail"])
    return attachment
