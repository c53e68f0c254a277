"""Who may see, add and remove attachments: exactly who may see their idea (``ideas.rules``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from ideas.rules import can_edit_idea, can_moderate_comments, can_view_idea, can_view_versions, comment_refusal

from .models import Attachment

if TYPE_CHECKING:
    from accounts.types import Visitor
    from ideas.models import Comment, Idea


def can_view_attachment(user: Visitor, attachment: Attachment) -> bool:
    """A file is seen by whoever sees its idea (a draft's or an invite-only challenge's by nobody else);
    a removed one only by those who see the idea's versions; a comment's as its comment is shown."""
    idea = attachment.idea
    if not can_view_idea(user, idea):
        return False
    if attachment.removed_at is not None and not can_view_versions(user, idea):
        return False
    comment = attachment.comment
    if comment is not None:
        if comment.removed_at is not None:
            return can_moderate_comments(user)
        if comment.hidden_at is not None:
            return can_moderate_comments(user) or (user.is_authenticated and comment.author_id == user.pk)
    return True


def idea_attach_refusal(user: Visitor, idea: Idea) -> str | None:
    """Why the user may not add files to (or remove files from) this idea, or None: its author, while they may edit it."""
    if not user.is_authenticated or idea.author_id != user.pk:
        return _("Only the idea's author can attach files to it.")
    if not can_edit_idea(user, idea):
        return _("This idea can no longer be changed, so its files cannot either.")
    return None


def comment_attach_refusal(user: Visitor, comment: Comment) -> str | None:
    """Why the user may not add files to this comment, or None: its author, while the discussion is open."""
    if not user.is_authenticated or comment.author_id != user.pk:
        return _("Only the comment's author can attach files to it.")
    return comment_refusal(user, comment.idea)
