"""Mentoring: staff assign mentors to shortlisted ideas; mentors review, talk with the author, ask for revisions.

Every refusal raises ``MentoringNotAllowed`` with a message for the person; nothing is changed then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import MENTOR_GROUP
from audit.services import audit_record
from core.errors import DomainError
from core.funnel import MENTORABLE_STATUSES, Status
from ideas.models import Idea, IdeaVersion
from ideas.services import idea_status_change, idea_version_record_unlocked, stale_decision_message
from reputation.services import revision_answered_award

from .. import notification_kinds as notify
from .. import rules
from ..models import MentorAssignment, Review, RevisionRequest, ThreadMessage

if TYPE_CHECKING:
    from accounts.models import User


__all__ = [
    "MENTORING_REASON",
    "MentorAssignmentOutcome",
    "MentoringNotAllowed",
    "mentor_assign",
    "mentor_assignment_seen",
    "mentor_reassign",
    "mentoring_close_unlocked",
    "review_save",
    "revision_request",
    "revision_request_answer_unlocked",
    "thread_post",
]

# The reason the author reads when their idea moves to "in mentoring".
MENTORING_REASON = (
    "Congratulations: your idea is shortlisted for mentoring. A mentor will help you turn it into a workable "
    "plan; you can talk with them privately on your idea's page."
)
MESSAGE_MAX_LENGTH = 5000
RUBRIC = ("desirability", "feasibility", "viability", "clarity")
# Each rubric score missing or out of range, in its own sentence.
RUBRIC_MISSING = {
    "desirability": gettext_lazy("Give desirability a score from 1 to 5."),
    "feasibility": gettext_lazy("Give feasibility a score from 1 to 5."),
    "viability": gettext_lazy("Give viability a score from 1 to 5."),
    "clarity": gettext_lazy("Give clarity a score from 1 to 5."),
}


class MentoringNotAllowed(DomainError):
    """A mentoring step that is refused; the message is for the person who tried it."""


@dataclass(frozen=True)
class MentorAssignmentOutcome:
    """What happened to one idea of a bulk assignment: its new mentor, or why it has none."""

    idea: Idea
    mentor: object | None
    message: str

    @property
    def assigned(self) -> bool:
        return self.mentor is not None


def _require_triage(user) -> None:
    if not rules.can_assign_mentors(user):
        raise MentoringNotAllowed(gettext("Only triage staff can assign mentors."))


def _mentors_locked(mentors: Iterable) -> list:
    """The mentors' user rows, locked in id order, so two assignments counting capacity never overlap."""
    ids = sorted({mentor.pk for mentor in mentors})
    if not ids:
        raise MentoringNotAllowed(gettext("Choose at least one mentor."))
    locked = list(
        get_user_model()
        .objects.select_for_update(of=("self",))
        .filter(pk__in=ids, is_active=True, groups__name=MENTOR_GROUP)
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise MentoringNotAllowed(gettext("Only active members of the Mentor group can mentor ideas."))
    return locked


def _current_loads(mentor_ids: list[int]) -> dict[int, int]:
    rows = (
        MentorAssignment.objects.filter(mentor_id__in=mentor_ids, ended_at__isnull=True)
        .values("mentor_id")
        .annotate(n=Count("id"))
    )
    loads = dict.fromkeys(mentor_ids, 0)
    loads.update({row["mentor_id"]: row["n"] for row in rows})
    return loads


@transaction.atomic
def mentor_assign(
    *,
    ideas: Iterable[Idea],
    mentors: Iterable,
    assigned_by: User,
    capacity: int | None = None,
    reassign: bool = False,
    expected_statuses: dict[int, str] | None = None,
) -> list[MentorAssignmentOutcome]:
    """Give each idea the mentor with the fewest current assignments, up to each mentor's own capacity
    (``User.mentor_capacity``), or up to ``capacity`` if that is lower (a limit for this assignment only).

    Locks the mentors' user rows (id order), then each idea's row, so concurrent assignments never
    exceed a mentor's capacity and an idea never gets two current mentors (the partial unique
    constraint is the backstop). Shortlisted ideas move to "in mentoring" through the funnel, with a
    reason the author reads. Ideas that are not shortlisted, already mentored (unless
    ``reassign``) or for which no mentor has room are reported, not assigned, and so is an idea
    whose status is no longer the one the staff member's page showed (``expected_statuses``, by id).
    """
    _require_triage(assigned_by)
    if capacity is not None and capacity < 1:
        raise MentoringNotAllowed(gettext("The limit per mentor must be at least 1."))
    locked_mentors = _mentors_locked(mentors)
    loads = _current_loads([mentor.pk for mentor in locked_mentors])
    by_id = {mentor.pk: mentor for mentor in locked_mentors}
    room = {
        mentor.pk: mentor.mentor_capacity if capacity is None else min(capacity, mentor.mentor_capacity)
        for mentor in locked_mentors
    }
    ideas = list(Idea.objects.select_for_update().filter(pk__in=[idea.pk for idea in ideas]).order_by("pk"))
    current = {
        a.idea_id: a
        for a in MentorAssignment.objects.filter(idea__in=ideas, ended_at__isnull=True).select_related("mentor")
    }
    outcomes = []
    for idea in ideas:
        assignment = current.get(idea.pk)
        if expected_statuses is not None and expected_statuses.get(idea.pk, "") != idea.status:
            outcomes.append(MentorAssignmentOutcome(idea, None, stale_decision_message(idea.status)))
            continue
        if idea.status not in MENTORABLE_STATUSES:
            outcomes.append(
                MentorAssignmentOutcome(
                    idea,
                    None,
                    gettext("is %(status)s: only shortlisted ideas get a mentor.")
                    % {"status": idea.get_status_display().lower()},
                )
            )
            continue
        if assignment and not reassign:
            outcomes.append(
                MentorAssignmentOutcome(idea, None, f"already has a mentor ({assignment.mentor.public_name}).")
            )
            continue
        candidates = [
            pk for pk, load in loads.items() if load < room[pk] and (assignment is None or pk != assignment.mentor_id)
        ]
        if not candidates:
            full = ", ".join(f"{by_id[pk].public_name} {loads[pk]} of {room[pk]}" for pk in sorted(loads))
            outcomes.append(MentorAssignmentOutcome(idea, None, f"no chosen mentor has room ({full})."))
            continue
        chosen = min(candidates, key=lambda pk: (loads[pk], pk))
        now = timezone.now()
        if assignment:
            MentorAssignment.objects.filter(pk=assignment.pk).update(ended_at=now)
            loads[assignment.mentor_id] = max(loads.get(assignment.mentor_id, 1) - 1, 0)
        MentorAssignment.objects.create(idea=idea, mentor=by_id[chosen], assigned_by=assigned_by)
        audit_record(
            actor=assigned_by,
            action="mentor.assigned",
            target=idea,
            before={"mentor_id": assignment.mentor_id if assignment else None},
            after={"mentor_id": chosen},
        )
        loads[chosen] += 1
        if idea.status == Status.SHORTLISTED:
            idea_status_change(
                idea=idea, to_status=Status.IN_MENTORING, changed_by=assigned_by, reason=MENTORING_REASON
            )
        outcomes.append(MentorAssignmentOutcome(idea, by_id[chosen], f"assigned to {by_id[chosen].public_name}."))
    return outcomes


@transaction.atomic
def mentor_reassign(
    *,
    idea: Idea,
    mentor: User,
    assigned_by: User,
    expected_status: str | None = None,
    expected_assignment_id: int | None = None,
) -> MentorAssignment:
    """End the idea's current mentor assignment and start one with ``mentor``.

    Locks the idea's row. Refuses an idea no longer as the staff member's page showed it: in
    ``expected_status``, with the current assignment ``expected_assignment_id`` (0: none), so two
    staff reassigning at once do not both go through. The former mentor loses access at once; the
    thread, reviews and any open revision request stay with the idea for the new mentor to read.
    """
    _require_triage(assigned_by)
    (mentor,) = _mentors_locked([mentor])
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if expected_status is not None and idea.status != expected_status:
        raise MentoringNotAllowed(stale_decision_message(idea.status))
    if idea.status != Status.IN_MENTORING:
        raise MentoringNotAllowed(
            gettext("“%(idea)s” is %(status)s: only an idea in mentoring can change mentor.")
            % {"idea": idea.title, "status": idea.get_status_display().lower()}
        )
    current = MentorAssignment.objects.filter(idea=idea, ended_at__isnull=True).select_related("mentor").first()
    if expected_assignment_id is not None and (current.pk if current else 0) != expected_assignment_id:
        if current:
            changed = gettext("This idea changed since you opened it: it is now mentored by %(mentor)s.") % {
                "mentor": current.mentor.public_name
            }
        else:
            changed = gettext("This idea changed since you opened it: it is now without a mentor.")
        raise MentoringNotAllowed(changed)
    if current and current.mentor_id == mentor.pk:
        raise MentoringNotAllowed(f"{mentor.public_name} already mentors “{idea.title}”.")
    # Counted under the mentor's row lock (_mentors_locked), so two reassignments cannot both take the last place.
    load = _current_loads([mentor.pk])[mentor.pk]
    if load >= mentor.mentor_capacity:
        raise MentoringNotAllowed(
            f"{mentor.public_name} mentors {load} of {mentor.mentor_capacity} ideas already: "
            "choose another mentor, or raise their capacity on the Mentors page."
        )
    if current:
        current.ended_at = timezone.now()
        current.save(update_fields=["ended_at"])
    try:
        with transaction.atomic():
            assignment = MentorAssignment.objects.create(idea=idea, mentor=mentor, assigned_by=assigned_by)
    except IntegrityError:
        raise MentoringNotAllowed(f"“{idea.title}” was just given another mentor: try again.") from None
    audit_record(
        actor=assigned_by,
        action="mentor.reassigned",
        target=idea,
        before={"mentor_id": current.mentor_id if current else None},
        after={"mentor_id": mentor.pk},
    )
    return assignment


def mentoring_close_unlocked(*, idea: Idea) -> None:
    """The idea reached an ending: end its current mentor assignment and close its open revision request.

    Registered with ``ideas.services.idea_ended_hook_register`` (ReviewsConfig.ready), so every
    ending runs it inside the status change, under the idea's row lock that caller holds. The
    closed request is not an answer (no points, no new version): the author cannot edit any more.
    """
    now = timezone.now()
    MentorAssignment.objects.filter(idea_id=idea.pk, ended_at__isnull=True).update(ended_at=now)
    RevisionRequest.objects.filter(idea_id=idea.pk, answered_at__isnull=True).update(answered_at=now, closed_at=now)
    _revision_flag_set_unlocked(idea, None)


def _revision_flag_set_unlocked(idea: Idea, requested_at) -> None:
    """Keep ``Idea.revision_requested_at`` (the open request's time, or None) in step with the requests;
    the caller holds the idea's row lock."""
    if idea.revision_requested_at != requested_at:
        Idea.objects.filter(pk=idea.pk).update(revision_requested_at=requested_at)
        idea.revision_requested_at = requested_at


def _idea_locked(idea: Idea) -> Idea:
    return Idea.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=idea.pk)


@transaction.atomic
def review_save(
    *,
    idea: Idea,
    mentor: User,
    desirability: int,
    feasibility: int,
    viability: int,
    clarity: int,
    comments: str = "",
    recommendation: str = Review.Recommendation.UNDECIDED,
) -> Review:
    """Record or update the current mentor's rubric review of the idea (one per mentor per idea).

    Locks the idea's row so the assignment checked is the one in force when the review is saved.
    """
    idea = _idea_locked(idea)
    refusal = rules.mentor_work_refusal(mentor, idea)
    if refusal:
        raise MentoringNotAllowed(refusal)
    scores = {"desirability": desirability, "feasibility": feasibility, "viability": viability, "clarity": clarity}
    for name, score in scores.items():
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise MentoringNotAllowed(str(RUBRIC_MISSING[name]))
    if recommendation not in Review.Recommendation.values:
        raise MentoringNotAllowed(gettext("Choose a recommendation: finalist, not, or not decided yet."))
    try:
        with transaction.atomic():
            review, _ = Review.objects.update_or_create(
                idea=idea,
                mentor=mentor,
                defaults={**scores, "comments": comments.strip(), "recommendation": recommendation},
            )
    except IntegrityError:
        raise MentoringNotAllowed(gettext("Your review could not be saved: try again.")) from None
    return review


def thread_post(*, idea: Idea, user: User, body: str) -> ThreadMessage:
    """Add a message to the idea's private thread: its author, its current mentor or triage staff.

    A former mentor loses access when the idea is reassigned.
    """
    refusal = rules.thread_post_refusal(user, idea)
    if refusal:
        raise MentoringNotAllowed(refusal)
    if not MentorAssignment.objects.filter(idea=idea, ended_at__isnull=True).exists():
        raise MentoringNotAllowed(gettext("This idea has no mentor yet: the private thread opens with mentoring."))
    body = (body or "").strip()
    if not body:
        raise MentoringNotAllowed(gettext("Write a message first."))
    if len(body) > MESSAGE_MAX_LENGTH:
        raise MentoringNotAllowed(
            gettext("Keep the message to at most %(max)s characters.") % {"max": f"{MESSAGE_MAX_LENGTH:,}"}
        )
    return notify.thread_message_posted(ThreadMessage.objects.create(idea=idea, author=user, body=body))


@transaction.atomic
def revision_request(*, idea: Idea, mentor: User, message: str) -> RevisionRequest:
    """The current mentor asks the author to revise the idea; one open request per idea.

    Locks the idea's row (``idea_update`` takes the same lock to answer), so the version asked
    about is the latest one; an idea saved before versions were kept gets its text as version 1.
    The partial unique constraint on open requests is the backstop against a double submit.
    """
    idea = _idea_locked(idea)
    refusal = rules.mentor_work_refusal(mentor, idea)
    if refusal:
        raise MentoringNotAllowed(refusal)
    message = (message or "").strip()
    if not message:
        raise MentoringNotAllowed(gettext("Tell the author what to revise."))
    if len(message) > MESSAGE_MAX_LENGTH:
        raise MentoringNotAllowed(
            gettext("Keep the request to at most %(max)s characters.") % {"max": f"{MESSAGE_MAX_LENGTH:,}"}
        )
    if RevisionRequest.objects.filter(idea=idea, answered_at__isnull=True).exists():
        raise MentoringNotAllowed("A revision request is already open: wait for the author's answer.")
    version_before = IdeaVersion.objects.filter(idea=idea).order_by("-number").first()
    if version_before is None:
        codes = list(idea.outcomes.values_list("code", flat=True))
        version_before = idea_version_record_unlocked(idea=idea, saved_by=idea.author, outcome_codes=codes)
    try:
        with transaction.atomic():
            request = RevisionRequest.objects.create(
                idea=idea, mentor=mentor, message=message, version_before=version_before
            )
            _revision_flag_set_unlocked(idea, request.created_at)
            return notify.revision_requested(request)
    except IntegrityError:
        raise MentoringNotAllowed("A revision request is already open: wait for the author's answer.") from None


def revision_request_answer_unlocked(*, idea: Idea, version: IdeaVersion) -> int:
    """Mark the idea's open revision request answered by ``version`` (the author earns points for it); returns
    how many were answered (0 or 1).

    Registered with ``ideas.hooks.idea_revised_hook_register`` (ReviewsConfig.ready): the caller
    (``ideas.services.idea_update``) holds the idea's row lock and has just recorded ``version``.
    """
    request = (
        RevisionRequest.objects.filter(Q(idea=idea) & Q(answered_at__isnull=True)).select_related("mentor").first()
    )
    if request is None:
        return 0
    _revision_flag_set_unlocked(idea, None)
    answered = RevisionRequest.objects.filter(pk=request.pk, answered_at__isnull=True).update(
        answered_at=timezone.now(), answer_version=version
    )
    if answered:
        request.idea = idea
        revision_answered_award(request=request)
        notify.revision_answered(request)
    return answered


def mentor_assignment_seen(*, idea: Idea, mentor: User) -> int:
    """The mentor opened the idea in the mentor area: its "new version" flag goes off (rows updated: 0 or 1)."""
    return MentorAssignment.objects.filter(idea=idea, mentor=mentor, ended_at__isnull=True).update(
        seen_at=timezone.now()
    )
