"""The funnel: staff move an idea through its statuses, with a reason the author reads."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from reputation.services import idea_status_award, idea_submitted_reversal

from .. import notification_kinds as notify
from .. import rules
from ..models import ENDED_STATUSES, STATUSES_NEEDING_REASON, Comment, Idea, IdeaFollow, Status, StatusChange, Vote
from .comments import comments_count_recount_unlocked
from .errors import StaleDecision, TransitionNotAllowed, stale_decision_message
from .ranking import ranks_refresh_soon
from .votes import _recount_votes_unlocked

__all__ = [
    "TRANSITIONS",
    "allowed_next_statuses",
    "idea_ended_hook_register",
    "idea_ended_unlocked",
    "idea_expected_status_check_unlocked",
    "idea_status_change",
]


# The funnel of DESIGN.md: which status may follow which (staff decisions only; draft → submitted
# is the author's, through idea_submit).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.SHORTLISTED, Status.DECLINED, Status.DUPLICATE}),
    Status.SHORTLISTED: frozenset({Status.IN_MENTORING, Status.DECLINED, Status.NOT_SELECTED, Status.DUPLICATE}),
    Status.IN_MENTORING: frozenset({Status.FINALIST, Status.NOT_SELECTED}),
    Status.FINALIST: frozenset({Status.WINNER, Status.NOT_SELECTED}),
    Status.WINNER: frozenset({Status.IN_PROGRESS}),
    Status.IN_PROGRESS: frozenset({Status.IMPLEMENTED}),
}


def allowed_next_statuses(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


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


def _merge_unlocked(*, duplicate: Idea, target: Idea) -> None:
    """Move votes, comments and followers of ``duplicate`` to ``target``; the caller holds both row locks.

    A member who voted on both keeps their vote on the target; a member who followed both keeps one
    follow (the unique constraint on (idea, user) guards it).
    """
    followers_of_target = IdeaFollow.objects.filter(idea=target).values("user_id")
    IdeaFollow.objects.filter(idea=duplicate).exclude(user_id__in=followers_of_target).update(idea=target)
    IdeaFollow.objects.filter(idea=duplicate).delete()
    voters_on_target = Vote.objects.filter(idea=target).values("user_id")
    Vote.objects.filter(idea=duplicate).exclude(user_id__in=voters_on_target).exclude(user_id=target.author_id).update(
        idea=target
    )
    Vote.objects.filter(idea=duplicate).delete()
    Comment.objects.filter(idea=duplicate).update(idea=target)
    # Recounted, not added: removed and hidden comments move too but are not counted.
    comments_count_recount_unlocked([duplicate.pk, target.pk])
    _recount_votes_unlocked([duplicate.pk, target.pk])
    ranks_refresh_soon(duplicate.pk)
    ranks_refresh_soon(target.pk)


@transaction.atomic
def idea_status_change(
    *,
    idea: Idea,
    to_status: str,
    changed_by,
    reason: str = "",
    duplicate_of: Idea | None = None,
    expected_status: str | None = None,
    reason_template=None,
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
        raise TransitionNotAllowed("Only triage staff can change an idea's status.")
    idea_expected_status_check_unlocked(idea, expected_status)
    from_status = idea.status
    if to_status not in allowed_next_statuses(from_status):
        raise TransitionNotAllowed(
            f"“{idea.title}” is {Status(from_status).label.lower()}: it cannot become {Status(to_status).label.lower()}."
        )
    if reason_template is not None and to_status not in reason_template.statuses:
        raise TransitionNotAllowed(
            f"The reason template “{reason_template.title}” was written for "
            + " or ".join(f"“{Status(s).label.lower()}”" for s in sorted(reason_template.statuses))
            + f", not for “{Status(to_status).label.lower()}”: choose one for this status."
        )
    reason = reason.strip()
    if to_status in STATUSES_NEEDING_REASON and not reason:
        raise TransitionNotAllowed(f"Give the author a reason for “{Status(to_status).label.lower()}”.")
    if to_status == Status.DUPLICATE:
        if duplicate_of is None:
            raise TransitionNotAllowed("Name the idea this one duplicates.")
        target = locked[duplicate_of.pk]
        if (
            target.pk == idea.pk
            or target.challenge_id != idea.challenge_id
            or target.status in {Status.DRAFT, Status.DUPLICATE, Status.WITHDRAWN}
        ):
            raise TransitionNotAllowed("An idea can only be merged into another published idea of the same challenge.")
        idea.duplicate_of = target
        _merge_unlocked(duplicate=idea, target=target)
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
    if to_status == Status.DUPLICATE:
        idea_submitted_reversal(idea=idea)
    if to_status in ENDED_STATUSES:
        idea_ended_unlocked(idea)
    return change
