"""Every write the product makes to ideas, votes, comments and statuses."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from challenges.models import Challenge, Outcome
from challenges.rules import submission_refusal

from . import rules
from .models import STATUSES_NEEDING_REASON, Comment, Idea, Status, StatusChange, Vote


class IdeaError(Exception):
    """A refused action on an idea; the message is for the person who tried it."""


class VoteNotAllowed(IdeaError):
    pass


class CommentNotAllowed(IdeaError):
    pass


class SubmissionNotAllowed(IdeaError):
    pass


class TransitionNotAllowed(IdeaError):
    pass


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


def _validate_outcomes(challenge: Challenge, outcomes: Iterable[Outcome]) -> list[Outcome]:
    outcomes = list(outcomes)
    if not outcomes:
        raise SubmissionNotAllowed("Choose at least one outcome that your idea addresses.")
    targeted = set(challenge.outcomes.values_list("pk", flat=True))
    if any(outcome.pk not in targeted for outcome in outcomes):
        raise SubmissionNotAllowed("An idea can only address the outcomes its challenge targets.")
    return outcomes


@transaction.atomic
def idea_create(
    *,
    author,
    challenge: Challenge,
    title: str,
    problem: str,
    solution: str,
    outcomes: Iterable[Outcome],
    submit: bool = True,
) -> Idea:
    """Create an idea as a draft, or submitted at once; raises SubmissionNotAllowed with the reason."""
    refusal = submission_refusal(author, challenge)
    if refusal:
        raise SubmissionNotAllowed(refusal)
    outcomes = _validate_outcomes(challenge, outcomes)
    now = timezone.now()
    idea = Idea.objects.create(
        challenge=challenge,
        author=author,
        title=title.strip(),
        problem=problem.strip(),
        solution=solution.strip(),
        status=Status.SUBMITTED if submit else Status.DRAFT,
        submitted_at=now if submit else None,
    )
    idea.outcomes.set(outcomes)
    return idea


@transaction.atomic
def idea_submit(*, idea: Idea, user) -> Idea:
    """Submit the author's draft. Locks the idea row so a double click submits once."""
    idea = Idea.objects.select_for_update().select_related("challenge").get(pk=idea.pk)
    if idea.author_id != user.pk:
        raise SubmissionNotAllowed("Only the author can submit this idea.")
    if idea.status != Status.DRAFT:
        raise SubmissionNotAllowed("This idea has already been submitted.")
    refusal = submission_refusal(user, idea.challenge)
    if refusal:
        raise SubmissionNotAllowed(refusal)
    idea.status = Status.SUBMITTED
    idea.submitted_at = timezone.now()
    idea.save(update_fields=["status", "submitted_at", "updated_at"])
    return idea


def _recount_votes_unlocked(idea_ids: Iterable[int]) -> None:
    """Set the vote counters of these ideas from their vote rows; the caller holds their row locks."""
    for idea_id in idea_ids:
        counts = Vote.objects.filter(idea_id=idea_id).aggregate(
            up=Count("pk", filter=Q(value=Vote.Value.UP)), down=Count("pk", filter=Q(value=Vote.Value.DOWN))
        )
        Idea.objects.filter(pk=idea_id).update(votes_up=counts["up"], votes_down=counts["down"])


def _counter_deltas(value: int | None) -> dict[str, int]:
    return {"votes_up": int(value == Vote.Value.UP), "votes_down": int(value == Vote.Value.DOWN)}


@transaction.atomic
def vote_cast(*, user, idea: Idea, value: int) -> Idea:
    """Record or change the user's vote and return the idea with fresh totals.

    Holds the idea's row lock (SELECT … FOR UPDATE) while it reads the user's vote and moves
    the counters, so concurrent votes on one idea leave exact totals; the unique constraint on
    (idea, user) is the backstop. Raises VoteNotAllowed with a message for the user.
    """
    if value not in (Vote.Value.UP, Vote.Value.DOWN):
        raise VoteNotAllowed("A vote is either up or down.")
    idea = Idea.objects.select_for_update().select_related("challenge").get(pk=idea.pk)
    refusal = rules.vote_refusal(user, idea)
    if refusal:
        raise VoteNotAllowed(refusal)
    previous = Vote.objects.filter(idea=idea, user=user).values_list("value", flat=True).first()
    if previous == value:
        return idea
    try:
        with transaction.atomic():
            if previous is None:
                Vote.objects.create(idea=idea, user=user, value=value)
            else:
                Vote.objects.filter(idea=idea, user=user).update(value=value, updated_at=timezone.now())
    except IntegrityError:
        raise VoteNotAllowed("Your vote was already counted.") from None
    added, removed = _counter_deltas(value), _counter_deltas(previous)
    Idea.objects.filter(pk=idea.pk).update(
        votes_up=F("votes_up") + added["votes_up"] - removed["votes_up"],
        votes_down=F("votes_down") + added["votes_down"] - removed["votes_down"],
    )
    idea.refresh_from_db(fields=["votes_up", "votes_down"])
    return idea


@transaction.atomic
def vote_withdraw(*, user, idea: Idea) -> Idea:
    """Take the user's vote back (nothing happens if there is none). Same lock as vote_cast."""
    idea = Idea.objects.select_for_update().select_related("challenge").get(pk=idea.pk)
    refusal = rules.vote_refusal(user, idea)
    if refusal:
        raise VoteNotAllowed(refusal)
    previous = Vote.objects.filter(idea=idea, user=user).values_list("value", flat=True).first()
    if previous is None:
        return idea
    Vote.objects.filter(idea=idea, user=user).delete()
    removed = _counter_deltas(previous)
    Idea.objects.filter(pk=idea.pk).update(
        votes_up=F("votes_up") - removed["votes_up"], votes_down=F("votes_down") - removed["votes_down"]
    )
    idea.refresh_from_db(fields=["votes_up", "votes_down"])
    return idea


@transaction.atomic
def comment_create(*, author, idea: Idea, body: str) -> Comment:
    """Add a comment; raises CommentNotAllowed with the reason."""
    refusal = rules.comment_refusal(author, idea)
    if refusal:
        raise CommentNotAllowed(refusal)
    body = body.strip()
    if not body:
        raise CommentNotAllowed("A comment cannot be empty.")
    comment = Comment.objects.create(idea=idea, author=author, body=body)
    Idea.objects.filter(pk=idea.pk).update(comments_count=F("comments_count") + 1)
    return comment


def _merge_unlocked(*, duplicate: Idea, target: Idea) -> None:
    """Move votes and comments of ``duplicate`` to ``target``; the caller holds both row locks.

    A member who voted on both keeps their vote on the target.
    """
    voters_on_target = Vote.objects.filter(idea=target).values("user_id")
    Vote.objects.filter(idea=duplicate).exclude(user_id__in=voters_on_target).exclude(user_id=target.author_id).update(
        idea=target
    )
    Vote.objects.filter(idea=duplicate).delete()
    moved = Comment.objects.filter(idea=duplicate).update(idea=target)
    Idea.objects.filter(pk=duplicate.pk).update(comments_count=0)
    Idea.objects.filter(pk=target.pk).update(comments_count=F("comments_count") + moved)
    _recount_votes_unlocked([duplicate.pk, target.pk])


@transaction.atomic
def idea_status_change(
    *, idea: Idea, to_status: str, changed_by, reason: str = "", duplicate_of: Idea | None = None
) -> StatusChange:
    """Move an idea one step through the funnel and record why.

    Locks the idea row (and a merge target's) for the change. Refuses, changing nothing, a
    transition the funnel does not allow, a missing reason where the author must get one, or a
    duplicate without its original. Tells the author by email once the transaction commits.
    """
    from .tasks import notify_author_of_status_change

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
            or target.status in {Status.DRAFT, Status.DUPLICATE}
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
    notify_author_of_status_change.delay_on_commit(change.pk)
    return change


@transaction.atomic
def idea_update(*, idea: Idea, user, title: str, problem: str, solution: str, outcomes: Iterable[Outcome]) -> Idea:
    """The author edits their idea while it is a draft or awaiting screening (row lock held)."""
    idea = Idea.objects.select_for_update().select_related("challenge").get(pk=idea.pk)
    if not rules.can_edit_idea(user, idea):
        raise SubmissionNotAllowed("This idea can no longer be edited: screening has started or the challenge closed.")
    outcomes = _validate_outcomes(idea.challenge, outcomes)
    idea.title, idea.problem, idea.solution = title.strip(), problem.strip(), solution.strip()
    idea.save(update_fields=["title", "problem", "solution", "updated_at"])
    idea.outcomes.set(outcomes)
    return idea
