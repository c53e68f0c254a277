"""The funnel: staff move an idea through its statuses, with a reason the author reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import language_for
from audit.services import audit_record
from core.funnel import (
    ENDED_STATUSES,
    NOT_MERGE_TARGET_STATUSES,
    OPEN_STATUSES,
    STATUSES_NEEDING_REASON,
    TRANSITIONS,
    Status,
    allowed_next_statuses,
)
from reputation.services import (
    idea_merge_points_restore,
    idea_merge_points_take,
    idea_status_award,
)

from .. import notification_kinds as notify
from .. import rules
from ..models import Idea, IdeaFollow, Merge, StatusChange, Vote
from ..selectors import merge_moves
from .errors import (
    MergeNotUndoable,
    StaleDecision,
    TransitionNotAllowed,
    stale_decision_message,
    status_in_sentence,
)
from .ranking import ranks_refresh_soon
from .votes import _recount_votes_unlocked

if TYPE_CHECKING:
    from accounts.models import User
    from ideas.hooks import ReasonTemplate


__all__ = [
    "TRANSITIONS",
    "allowed_next_statuses",
    "idea_ended_hook_register",
    "idea_ended_unlocked",
    "idea_expected_status_check_unlocked",
    "idea_status_change",
    "idea_unmerge",
    "merge_refusal",
]


# What higher apps do when an idea reaches an ending (reviews ends its mentor assignment and closes
# any open revision request): filled in their AppConfig.ready(), since ideas may not import them.
_IDEA_ENDED_HOOKS: list[Callable[..., object]] = []


def idea_ended_hook_register(hook: Callable[..., object]) -> None:
    """Call ``hook(idea=idea)`` whenever an idea reaches an ending, under the idea's row lock."""
    if hook not in _IDEA_ENDED_HOOKS:
        _IDEA_ENDED_HOOKS.append(hook)


def idea_ended_unlocked(idea: Idea) -> None:
    """Close what stays open around an idea that has just reached an ending; the caller holds its row lock."""
    for hook in _IDEA_ENDED_HOOKS:
        hook(idea=idea)


def idea_expected_status_check_unlocked(idea: Idea, expected_status: str | None) -> None:
    """Refuse a decision based on a status the idea has left (StaleDecision); the caller holds its row lock.

    The funnel only moves forward, so an idea still in the status the form was opened in has had no
    decision since. ``None`` (internal callers that read the status under the lock) skips the check.
    """
    if expected_status is not None and idea.status != expected_status:
        raise StaleDecision(stale_decision_message(idea.status))


def _merge_unlocked(*, duplicate: Idea, target: Idea, merged_by, status_before: str, decided_at_before) -> Merge:
    """Move the votes and followers of ``duplicate`` to ``target`` and record exactly what moved.

    The caller holds both row locks. A member who voted on both keeps their vote on the target (the
    duplicate's is removed, and recorded); so does the target's author, who cannot vote on their own
    idea; a member who followed both keeps one follow (the unique constraint on (idea, user) guards
    it). Comments stay with the duplicate, whose page still shows them: they were written about its
    text. The ``Merge`` row lets ``idea_unmerge`` put every vote and follow back.
    """
    moves = merge_moves(duplicate=duplicate, target=target)
    moved_follow_ids = list(moves.follows_moving.values_list("pk", flat=True))
    removed_follower_ids = list(moves.follows_already.values_list("user_id", flat=True))
    moved_vote_ids = list(moves.votes_moving.values_list("pk", flat=True))
    removed_votes = [
        {"user_id": v.user_id, "value": v.value, "created_at": v.created_at.isoformat()}
        for v in moves.votes_not_moving.only("user_id", "value", "created_at")
    ]
    IdeaFollow.objects.filter(pk__in=moved_follow_ids).update(idea=target)
    IdeaFollow.objects.filter(idea=duplicate).delete()
    Vote.objects.filter(pk__in=moved_vote_ids).update(idea=target)
    Vote.objects.filter(idea=duplicate).delete()
    _recount_votes_unlocked([duplicate.pk, target.pk])
    ranks_refresh_soon(duplicate.pk)
    ranks_refresh_soon(target.pk)
    return Merge.objects.create(
        duplicate=duplicate,
        target=target,
        merged_by=merged_by,
        status_before=status_before,
        decided_at_before=decided_at_before,
        target_status=target.status,
        moved_vote_ids=moved_vote_ids,
        removed_votes=removed_votes,
        moved_follow_ids=moved_follow_ids,
        removed_follower_ids=removed_follower_ids,
    )


def merge_refusal(merge: Merge) -> str | None:
    """Why ``merge`` can no longer be undone, or None; read it under both ideas' row locks to act on it.

    The window: while the original is still in the status it had at the merge. Once staff decided on
    the original (shortlisted it, declined it, …) the moved support was part of that decision and its
    followers were told of it, so pulling votes back out would rewrite what they were told.
    """
    if merge.undone_at is not None:
        return _("This merge was undone already.")
    duplicate, target = merge.duplicate, merge.target
    if duplicate.status != Status.DUPLICATE or duplicate.duplicate_of_id != target.pk:
        return _("“%(duplicate)s” is no longer a duplicate of “%(target)s”.") % {
            "duplicate": duplicate.title,
            "target": target.title,
        }
    if target.status != merge.target_status:
        return _(
            "“%(target)s” has moved on since the merge (it was %(was)s, it is now %(now)s): "
            "the merge can no longer be undone."
        ) % {
            "target": target.title,
            "was": status_in_sentence(merge.target_status),
            "now": status_in_sentence(target.status),
        }
    return None


def _unmerge_reason(*, duplicate: Idea, target: Idea) -> str:
    """The reason the duplicate's author reads when staff gave none: in the author's language."""
    with translation.override(language_for(duplicate.author)):
        return _("Your idea is not a duplicate of “%(target)s” after all: it is back in the funnel.") % {
            "target": target.title
        }


@transaction.atomic
def idea_unmerge(*, merge: Merge, undone_by: User, reason: str = "") -> Merge:
    """Undo a merge: the votes and followers that moved go back, the duplicate takes its status again.

    Locks both ideas (id order) and the merge row. Refused (MergeNotUndoable, nothing changed) for a
    merge undone already or one whose original has moved on (``merge_refusal``). A vote a member
    withdrew since stays withdrawn; one a member changed keeps its new value. The duplicate's author
    gets the submission points back and is told, with the status change the history shows.
    """
    if not rules.can_change_status(undone_by, merge.duplicate):
        raise TransitionNotAllowed(_("Only triage staff can undo a merge."))
    locked = {
        i.pk: i for i in Idea.objects.select_for_update().filter(pk__in=sorted([merge.duplicate_id, merge.target_id]))
    }
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    duplicate, target = locked[merge.duplicate_id], locked[merge.target_id]
    merge.duplicate, merge.target = duplicate, target
    refusal = merge_refusal(merge)
    if refusal:
        raise MergeNotUndoable(refusal)
    Vote.objects.filter(pk__in=merge.moved_vote_ids, idea=target).update(idea=duplicate)
    Vote.objects.bulk_create(
        [
            Vote(
                idea=duplicate,
                user_id=v["user_id"],
                value=v["value"],
                created_at=datetime.fromisoformat(v["created_at"]),
            )
            for v in merge.removed_votes
        ],
        ignore_conflicts=True,
    )
    for v in merge.removed_votes:  # auto_now_add wrote "now" on insert: the vote's own date back
        Vote.objects.filter(idea=duplicate, user_id=v["user_id"]).update(
            created_at=datetime.fromisoformat(v["created_at"])
        )
    IdeaFollow.objects.filter(pk__in=merge.moved_follow_ids, idea=target).update(idea=duplicate)
    IdeaFollow.objects.bulk_create(
        [IdeaFollow(idea=duplicate, user_id=user_id) for user_id in merge.removed_follower_ids], ignore_conflicts=True
    )
    _recount_votes_unlocked([duplicate.pk, target.pk])
    ranks_refresh_soon(duplicate.pk)
    ranks_refresh_soon(target.pk)
    duplicate.status = merge.status_before
    duplicate.duplicate_of = None
    duplicate.decided_at = merge.decided_at_before
    duplicate.save(update_fields=["status", "duplicate_of", "decided_at", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = undone_by
    merge.save(update_fields=["undone_at", "undone_by"])
    change = StatusChange.objects.create(
        idea=duplicate,
        from_status=Status.DUPLICATE,
        to_status=merge.status_before,
        changed_by=undone_by,
        reason=reason.strip() or _unmerge_reason(duplicate=duplicate, target=target),
    )
    notify.status_changed(change)
    idea_merge_points_restore(idea=duplicate, merge_id=merge.pk, points=merge.points_taken)
    audit_record(
        actor=undone_by,
        action="idea.unmerged",
        target=duplicate,
        before={"status": Status.DUPLICATE, "duplicate_of": target.pk},
        after={
            "status": merge.status_before,
            "votes_back": merge.votes_moved + len(merge.removed_votes),
            "followers_back": merge.followers_moved + len(merge.removed_follower_ids),
        },
    )
    return merge


@transaction.atomic
def idea_status_change(
    *,
    idea: Idea,
    to_status: str,
    changed_by: User,
    reason: str = "",
    duplicate_of: Idea | None = None,
    expected_status: str | None = None,
    reason_template: ReasonTemplate | None = None,
) -> StatusChange:
    """Move an idea one step through the funnel and record why.

    Locks the idea row (and a merge target's) for the change. Refuses, changing nothing, a decision
    made on a status the idea has since left (``expected_status``, the status the staff member's form
    was opened in: StaleDecision), a transition the funnel does not allow, a missing reason where the
    author must get one, a reason template written for another status, or a duplicate without its
    original. An ending (ENDED_STATUSES) closes the idea's mentoring (``idea_ended_unlocked``); a
    merge takes back the submission points. Tells the author and the followers through the
    notification outbox, in this transaction.
    """
    ids = [idea.pk] + ([duplicate_of.pk] if duplicate_of else [])
    locked = {i.pk: i for i in Idea.objects.select_for_update().filter(pk__in=sorted(ids))}
    idea = locked[idea.pk]
    if not rules.can_change_status(changed_by, idea):
        raise TransitionNotAllowed(_("Only triage staff can change an idea's status."))
    idea_expected_status_check_unlocked(idea, expected_status)
    from_status = idea.status
    if to_status not in allowed_next_statuses(from_status):
        raise TransitionNotAllowed(
            _("“%(title)s” is %(from_status)s: it cannot become %(to_status)s.")
            % {
                "title": idea.title,
                "from_status": status_in_sentence(from_status),
                "to_status": status_in_sentence(to_status),
            }
        )
    if reason_template is not None and to_status not in reason_template.statuses:
        raise TransitionNotAllowed(
            _(
                "The reason template “%(template)s” was written for %(statuses)s, not for “%(status)s”: "
                "choose one for this status."
            )
            % {
                "template": reason_template.title,
                # The statuses it was written for, quoted: “declined” or “not selected”.
                "statuses": _(" or ").join(f"“{status_in_sentence(s)}”" for s in sorted(reason_template.statuses)),
                "status": status_in_sentence(to_status),
            }
        )
    reason = reason.strip()
    if to_status in STATUSES_NEEDING_REASON and not reason:
        raise TransitionNotAllowed(
            _("Give the author a reason for “%(status)s”.") % {"status": status_in_sentence(to_status)}
        )
    merge = None
    if to_status == Status.DUPLICATE:
        if duplicate_of is None:
            raise TransitionNotAllowed(_("Name the idea this one duplicates."))
        target = locked[duplicate_of.pk]
        if (
            target.pk == idea.pk
            or target.challenge_id != idea.challenge_id
            or target.status in NOT_MERGE_TARGET_STATUSES
        ):
            raise TransitionNotAllowed(
                _("An idea can only be merged into another published idea of the same challenge.")
            )
        if target.status not in OPEN_STATUSES:
            # Customers would be sent to support an idea that was already answered.
            raise TransitionNotAllowed(
                _(
                    "“%(title)s” is %(status)s: merge only into an idea still open "
                    "(submitted, shortlisted, in mentoring or finalist)."
                )
                % {"title": target.title, "status": status_in_sentence(target.status)}
            )
        idea.duplicate_of = target
        merge = _merge_unlocked(
            duplicate=idea,
            target=target,
            merged_by=changed_by,
            status_before=from_status,
            decided_at_before=idea.decided_at,
        )
        idea.refresh_from_db(fields=["votes_up", "votes_down", "comments_count"])
    idea.status = to_status
    idea.decided_at = timezone.now()
    idea.save(update_fields=["status", "duplicate_of", "decided_at", "updated_at"])
    change = StatusChange.objects.create(
        idea=idea, from_status=from_status, to_status=to_status, changed_by=changed_by, reason=reason
    )
    notify.status_changed(change)
    audit_record(
        actor=changed_by,
        action="idea.merged" if to_status == Status.DUPLICATE else "idea.status_changed",
        target=idea,
        before={"status": from_status},
        after={"status": to_status, "reason": reason}
        | ({"duplicate_of": idea.duplicate_of_id} if to_status == Status.DUPLICATE else {}),
    )
    idea_status_award(idea=idea, to_status=to_status, changed_by=changed_by)
    if merge is not None:
        merge.points_taken = idea_merge_points_take(idea=idea)
        merge.save(update_fields=["points_taken"])
    if to_status in ENDED_STATUSES:
        idea_ended_unlocked(idea)
    return change
