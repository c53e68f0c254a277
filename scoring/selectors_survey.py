"""Read queries of the outcome surveys: which jobs have one, a member's progress and answers.

Surveys never show scores: customers see opportunity scores only where staff publish them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from challenges.models import Job, Outcome, Segment

from .models import Rating, Respondent

if TYPE_CHECKING:
    from accounts.models import User


def survey_jobs_for(user: User) -> QuerySet[Job]:
    """Every job with at least one outcome, with ``outcome_count`` and the member's ``answered_count``.

    One query: the member's answers are counted in a subquery that starts from their own ratings
    (the unique (respondent, outcome) index), never by joining all ratings of all outcomes.
    """
    answered = (
        Rating.objects.filter(respondent__user=user, outcome__job=OuterRef("pk"))
        .order_by()
        .values("outcome__job")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        Job.objects.annotate(
            outcome_count=Count("outcomes"),
            answered_count=Coalesce(Subquery(answered, output_field=IntegerField()), Value(0)),
        )
        .filter(outcome_count__gt=0)
        .order_by("name")
    )


def survey_job(job_id: int) -> Job:
    """The job of a survey; raises Job.DoesNotExist when there is none or it has no outcomes."""
    return Job.objects.filter(outcomes__isnull=False).distinct().get(pk=job_id)


def survey_outcomes(job: Job) -> list[Outcome]:
    return list(job.outcomes.order_by("code"))


def member_answers(user: User, job: Job) -> dict[int, tuple[int, int]]:
    """{outcome id: (importance, satisfaction)} of the member's saved answers for this job."""
    return {
        outcome_id: (importance, satisfaction)
        for outcome_id, importance, satisfaction in Rating.objects.filter(
            respondent__user=user, outcome__job=job
        ).values_list("outcome_id", "importance", "satisfaction")
    }


def member_segment(user: User) -> Segment | None:
    respondent = Respondent.objects.filter(user=user).select_related("segment").first()
    return respondent.segment if respondent else None


def segments() -> QuerySet[Segment]:
    return Segment.objects.order_by("name")


def segment_question_needed(user: User) -> bool:
    """Whether the survey asks the member's segment: not known yet, and there are segments to choose."""
    return member_segment(user) is None and Segment.objects.exists()
