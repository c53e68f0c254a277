"""Comments on ideas: replies (one level), edits, removal, flags, moderation and kudos.

``Idea.comments_count`` counts the comments everyone sees: neither removed by their author nor
hidden by the moderators. It moves with F() only when a comment is added, or its visibility
flips, under the comment's row lock, so a double click cannot count twice.
``Comment.kudos_count`` and ``flags_count`` move with F() beside the Kudos and CommentFlag rows,
whose unique constraints are the backstop; reputation reads the Kudos rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from audit.services import audit_record
from reputation.services import kudos_award

from .. import notification_kinds as notify
from .. import rules
from ..models import Comment, CommentFlag, Idea, Kudos
from ..rules import COMMENT_EDIT_MINUTES
from .errors import CommentNotAllowed

if TYPE_CHECKING:
    from accounts.models import User


__all__ = [
    "COMMENT_EDIT_MINUTES",
    "comment_create",
    "comment_edit",
    "comment_flag",
    "comment_hide",
    "comment_remove",
    "comment_unhide",
    "comments_count_recount_unlocked",
    "kudos_give",
    "kudos_take_back",
]

REASON_MAX_LENGTH = cast(int, Comment._meta.get_field("hidden_reason").max_length)
SHOWN = Q(removed_at__isnull=True, hidden_at__isnull=True)


def _locked(comment: Comment) -> Comment:
    """The comment afresh under its row lock (SELECT … FOR UPDATE), with its idea and challenge."""
    return Comment.objects.select_for_update(of=("self",)).select_related("idea__challenge").get(pk=comment.pk)


def _count_shown(idea_id: int, delta: int) -> None:
    Idea.objects.filter(pk=idea_id).update(comments_count=F("comments_count") + delta)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise CommentNotAllowed(_("A comment cannot be empty."))
    limit = cast(int, Comment._meta.get_field("body").max_length)
    if len(body) > limit:
        raise CommentNotAllowed(
            _("A comment can be at most %(limit)s characters long.")
            % {"limit": number_format(limit, force_grouping=True)}
        )
    return body


def comments_count_recount_unlocked(idea_ids: Iterable[int]) -> None:
    """Set ``comments_count`` of these ideas from their rows (for merges); the caller holds the ideas' locks."""
    for idea_id in idea_ids:
        shown = Comment.objects.filter(SHOWN, idea_id=idea_id).aggregate(n=Count("pk"))["n"]
        Idea.objects.filter(pk=idea_id).update(comments_count=shown)


@transaction.atomic
def comment_create(*, author: User, idea: Idea, body: str, parent: Comment | None = None) -> Comment:
    """Add a comment, or a reply to ``parent``; raises CommentNotAllowed with the reason.

    Replies are one level deep: a reply to a reply joins the thread of its top-level comment.
    Holds the top-level comment's row lock while it checks that it still takes replies, so a
    reply cannot slip under a comment being removed or hidden.
    """
    refusal = rules.comment_refusal(author, idea)
    if refusal:
        raise CommentNotAllowed(refusal)
    body = _clean_body(body)
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise CommentNotAllowed(_("You can only reply to a comment on this idea."))
        replied_to = _locked(parent)
        thread = _locked(Comment(pk=replied_to.parent_id)) if replied_to.parent_id else replied_to
        for comment in (replied_to, thread):
            if comment.removed_at:
                raise CommentNotAllowed(_("That comment was removed: it takes no more replies."))
            if comment.hidden_at:
                raise CommentNotAllowed(_("That comment was hidden by the moderators: it takes no more replies."))
        parent = thread
    comment = Comment.objects.create(idea=idea, author=author, body=body, parent=parent)
    _count_shown(idea.pk, +1)
    notify.comment_posted(comment)
    return comment


@transaction.atomic
def comment_edit(*, user: User, comment: Comment, body: str) -> Comment:
    """The author changes the text within COMMENT_EDIT_MINUTES of posting; under the comment's row lock."""
    comment = _locked(comment)
    refusal = rules.comment_edit_refusal(user, comment)
    if refusal:
        raise CommentNotAllowed(refusal)
    body = _clean_body(body)
    if body != comment.body:
        comment.body, comment.edited_at = body, timezone.now()
        comment.save(update_fields=["body", "edited_at", "updated_at"])
    return comment


@transaction.atomic
def comment_remove(*, user: User, comment: Comment) -> Comment:
    """The author removes their comment: the row and its replies stay, the page shows it as removed.

    Under the comment's row lock, so removing twice counts once.
    """
    comment = _locked(comment)
    refusal = rules.comment_remove_refusal(user, comment)
    if refusal:
        raise CommentNotAllowed(refusal)
    was_shown = rules.comment_is_shown(comment)
    comment.removed_at = timezone.now()
    comment.save(update_fields=["removed_at", "updated_at"])
    if was_shown:
        _count_shown(comment.idea_id, -1)
    return comment


@transaction.atomic
def comment_flag(*, user: User, comment: Comment, reason: str = "") -> CommentFlag:
    """Report a comment to the moderators, once per member (the unique constraint decides a race)."""
    comment = _locked(comment)
    refusal = rules.comment_flag_refusal(user, comment)
    if refusal:
        raise CommentNotAllowed(refusal)
    reason = (reason or "").strip()
    limit = cast(int, CommentFlag._meta.get_field("reason").max_length)
    if len(reason) > limit:
        raise CommentNotAllowed(_("Keep the reason to %(limit)d characters.") % {"limit": limit})
    try:
        with transaction.atomic():
            flag = CommentFlag.objects.create(comment=comment, user=user, reason=reason)
    except IntegrityError:
        raise CommentNotAllowed(_("You have already flagged this comment; the moderators will look at it.")) from None
    Comment.objects.filter(pk=comment.pk).update(flags_count=F("flags_count") + 1)
    return flag


@transaction.atomic
def comment_hide(*, staff: User, comment: Comment, reason: str) -> Comment:
    """Triage staff hide a comment with a reason its author reads; under the comment's row lock."""
    refusal = rules.comment_moderation_refusal(staff)
    if refusal:
        raise CommentNotAllowed(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise CommentNotAllowed(_("Give the author a reason when hiding a comment."))
    if len(reason) > REASON_MAX_LENGTH:
        raise CommentNotAllowed(_("Keep the reason to %(limit)d characters.") % {"limit": REASON_MAX_LENGTH})
    comment = _locked(comment)
    if comment.removed_at:
        raise CommentNotAllowed(_("Its author already removed this comment."))
    if comment.hidden_at:
        raise CommentNotAllowed(_("This comment is already hidden."))
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = timezone.now(), staff, reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    _count_shown(comment.idea_id, -1)
    audit_record(
        actor=staff,
        action="comment.hidden",
        target=comment,
        before={"hidden": False},
        after={"hidden": True, "reason": reason, "idea": comment.idea_id},
    )
    return comment


@transaction.atomic
def comment_unhide(*, staff: User, comment: Comment) -> Comment:
    """Triage staff show a hidden comment again; under the comment's row lock."""
    refusal = rules.comment_moderation_refusal(staff)
    if refusal:
        raise CommentNotAllowed(refusal)
    comment = _locked(comment)
    if not comment.hidden_at:
        raise CommentNotAllowed(_("This comment is not hidden."))
    audit_record(
        actor=staff,
        action="comment.unhidden",
        target=comment,
        before={"hidden": True, "reason": comment.hidden_reason},
        after={"hidden": False, "idea": comment.idea_id},
    )
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    if comment.removed_at is None:
        _count_shown(comment.idea_id, +1)
    return comment


@transaction.atomic
def kudos_give(*, user: User, comment: Comment) -> Comment:
    """Thank the author of a helpful comment, once per member; returns the comment with its fresh count.

    Holds the comment's row lock while it checks that the comment still takes kudos; the unique
    constraint on (comment, user) turns a second kudos into a refusal.
    """
    comment = _locked(comment)
    refusal = rules.kudos_refusal(user, comment)
    if refusal:
        raise CommentNotAllowed(refusal)
    try:
        with transaction.atomic():
            Kudos.objects.create(comment=comment, user=user)
    except IntegrityError:
        raise CommentNotAllowed(_("You already gave kudos to this comment.")) from None
    Comment.objects.filter(pk=comment.pk).update(kudos_count=F("kudos_count") + 1)
    notify.kudos_given(comment=comment, user=user)
    kudos_award(comment=comment, giver=user)
    comment.refresh_from_db(fields=["kudos_count"])
    return comment


@transaction.atomic
def kudos_take_back(*, user: User, comment: Comment) -> Comment:
    """Take one's kudos back; same lock as kudos_give."""
    comment = _locked(comment)
    refusal = rules.kudos_refusal(user, comment, taking_back=True)
    if refusal:
        raise CommentNotAllowed(refusal)
    deleted, _rows = Kudos.objects.filter(comment=comment, user=user).delete()
    if not deleted:
        raise CommentNotAllowed(_("You have not given kudos to this comment."))
    Comment.objects.filter(pk=comment.pk).update(kudos_count=F("kudos_count") - 1)
    comment.refresh_from_db(fields=["kudos_count"])
    return comment
