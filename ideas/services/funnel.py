"""The funnel: staff move an idea through its statuses, with a reason the author reads."""

from django.db import transaction
from django.utils import timezone

from reputation.services import idea_status_award

from .. import notification_kinds as notify
from .. import rules
from ..models import STATUSES_NEEDING_REASON, Comment, Idea, IdeaFollow, Status, StatusChange, Vote
from .comments import comments_count_recount_unlocked
from .errors import TransitionNotAllowed
from .ranking import ranks_refresh_soon
from .votes import _recount_votes_unlocked

__all__ = ["TRANSITIONS", "allowed_next_statuses", "idea_status_change"]


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
    *, idea: Idea, to_status: str, changed_by, reason: str = "", duplicate_of: Idea | None = None
) -> StatusChange:
    """Move an idea one step through the funnel and record why.

    Locks the idea row (and a merge target's) for the change. Refuses, changing nothing, a
    transition the funnel does not allow, a missing reason where the author must get one, or a
    duplicate without its original. Tells the author and the followers through the notification
    outbox, in this transaction.
    """
    ids = [idea.pk] + ([duplicate_of.pk] if duplicate_of else [])
    locked = {i.pk: i for i in Idea.objects.select_for_update().filter(pk__in=sorted(ids))}
    idea = locked[idea.pk]
    if not rules.can_change_status(changed_by, idea):
        raise TransitionNotAllowed("Only triage staff can change an idea's status.")
    from_status = idea.status
    if to_status not in allowed_next_statuses(from_status):
        raise TransitionNotAllowed(
            f"“{idea.title}” is {Status(from_status).label.lower()}: it cannot become {Status(to_status).label.lower()}."
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
    idea_status_award(idea=idea, to_status=to_status, changed_by=changed_by)
    return change
