"""Read queries: the open questionnaire, a member's response, and the innovator pool staff search."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, cast

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, NullIf

from accounts.rules import MEMBERS_Q
from challenges.models import Challenge
from challenges.phases import RUNNING_PHASES
from ideas.models import Comment, Idea, Vote
from scoring.demand import INVITE_BEST_COUNT

from .models import Innovator, Questionnaire, QuestionnaireItem, QuestionnaireResponse

if TYPE_CHECKING:
    from accounts.models import User
    from accounts.types import Visitor


# --- The questionnaire ---------------------------------------------------------------------------


def _answerable():
    """Open questionnaires with at least one statement (one opened while still empty is not shown)."""
    return Questionnaire.objects.filter(is_open=True).filter(
        Exists(QuestionnaireItem.objects.filter(questionnaire=OuterRef("pk")))
    )


def questionnaire_open() -> Questionnaire | None:
    """The questionnaire customers can answer now, with its items (two queries), or None."""
    return _answerable().prefetch_related("items").first()


def questionnaire_answerable_with_items(pk: int) -> Questionnaire | None:
    """The questionnaire with this id if customers can answer it now, with its items; None for any
    other (closed, empty, missing or not an id): a closed one's statements are not shown again."""
    try:
        return _answerable().prefetch_related("items").filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def questionnaire_response_of(user: Visitor, questionnaire: Questionnaire) -> QuestionnaireResponse | None:
    if not user.is_authenticated:
        return None
    return QuestionnaireResponse.objects.filter(questionnaire=questionnaire, user=user).first()


def questionnaire_prompt_needed(user: Visitor) -> bool:
    """A questionnaire is open and this member has not answered it (one query)."""
    from .rules import can_answer_questionnaire

    if not can_answer_questionnaire(user):
        return False
    answered = QuestionnaireResponse.objects.filter(questionnaire=OuterRef("pk"), user=cast("User", user))
    return _answerable().filter(~Exists(answered)).exists()


# --- The innovator pool --------------------------------------------------------------------------


def current_questionnaire_id() -> Subquery:
    """The questionnaire whose scores the pool shows, as a subquery: the open one, or else the latest
    one that members answered (a new questionnaire still being written does not blank the column)."""
    has_responses = QuestionnaireResponse.objects.filter(questionnaire=OuterRef("pk"))
    return Subquery(
        Questionnaire.objects.filter(Q(is_open=True) | Exists(has_responses))
        .order_by("-is_open", "-created_at", "-pk")
        .values("pk")[:1]
    )


# "Nothing yet" inside Greatest: SQLite's GREATEST is NULL if any argument is, PostgreSQL's skips NULLs.
_NEVER = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def innovator_pool() -> QuerySet:
    """Active members who are not staff, each with their track record in one row: one query per page.

    Annotations: ``questionnaire_score`` (of ``current_questionnaire_id``; None: not answered),
    ``ideas_submitted`` (ideas they submitted, drafts left out) and ``last_activity`` (their latest
    idea submitted, comment or vote; None: never). The tier and points come from
    ``reputation_total`` and the segment from ``respondent``, joined.
    """
    member = OuterRef("pk")
    submitted = Idea.objects.filter(author=member, submitted_at__isnull=False)
    score = QuestionnaireResponse.objects.filter(user=member, questionnaire=current_questionnaire_id()).values("score")[
        :1
    ]
    ideas_count = submitted.order_by().values("author").annotate(count=Count("pk")).values("count")[:1]
    last_idea = submitted.order_by().values("author").annotate(latest=Max("submitted_at")).values("latest")[:1]
    last_comment = (
        Comment.objects.filter(author=member).order_by().values("author").annotate(latest=Max("created_at"))
    ).values("latest")[:1]
    last_vote = (Vote.objects.filter(user=member).order_by().values("user").annotate(latest=Max("created_at"))).values(
        "latest"
    )[:1]
    never = Value(_NEVER, output_field=DateTimeField())
    return (
        Innovator.objects.filter(MEMBERS_Q)
        .select_related("reputation_total", "respondent__segment")
        .annotate(
            questionnaire_score=Subquery(score),
            ideas_submitted=Coalesce(Subquery(ideas_count, output_field=IntegerField()), Value(0)),
            last_activity=NullIf(
                Greatest(
                    Coalesce(Subquery(last_idea, output_field=DateTimeField()), never),
                    Coalesce(Subquery(last_comment, output_field=DateTimeField()), never),
                    Coalesce(Subquery(last_vote, output_field=DateTimeField()), never),
                ),
                never,
            ),
        )
    )


def wrote_ideas_for(outcome_id: int) -> Exists:
    """The member submitted an idea that addresses this outcome (EXISTS: one row per member, however many)."""
    return Exists(
        Idea.outcomes.through.objects.filter(
            idea__author=OuterRef("pk"), idea__submitted_at__isnull=False, outcome_id=outcome_id
        )
    )


def invitable_challenges() -> QuerySet:
    """Invite-only challenges members can be invited to now: past their draft and not closed."""
    return (
        Challenge.objects.filter(visibility=Challenge.Visibility.INVITE_ONLY)
        .filter(phase__in=RUNNING_PHASES)
        .order_by("title", "pk")
    )


def innovators_best_in_segments(segment_ids: list[int], *, limit: int = INVITE_BEST_COUNT) -> list[Innovator]:
    """The pool's best members whose survey segment is one of these (``scoring.demand``): the most
    reputation points, then the highest questionnaire score, then the longest-standing member
    (lowest id); at most ``limit``, with the pool's columns (one query). No segment: nobody."""
    if not segment_ids:
        return []
    return list(
        innovator_pool()
        .filter(respondent__segment_id__in=segment_ids)
        .order_by(
            Coalesce("reputation_total__points", Value(0)).desc(),
            F("questionnaire_score").desc(nulls_last=True),
            "pk",
        )[:limit]
    )


def invitable_challenges_for_outcome(outcome_id: int) -> list[Challenge]:
    """The invite-only challenges members can be invited to now, those that target the outcome first
    (newest first within each), as the invitation page offers them (one query)."""
    targets = Challenge.outcomes.through.objects.filter(challenge_id=OuterRef("pk"), outcome_id=outcome_id)
    return list(invitable_challenges().annotate(targets=Exists(targets)).order_by("-targets", "-pk"))
