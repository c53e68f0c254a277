"""Program metrics: every figure is an aggregation in the database, in a fixed number of queries.

Definitions (the metrics page repeats them for its readers):

- **Submitted**: ideas with a ``submitted_at`` (drafts are never counted; an idea withdrawn after
  submission still counts as submitted).
- **Reached stage X**: the idea's status is X or a later funnel stage (submitted → shortlisted →
  in mentoring → finalist → winner → in progress → implemented), or its history holds a
  ``StatusChange`` to X or a later stage (so a shortlisted idea that was later not selected still
  counts as shortlisted).
- **Implementation rate**: ideas now implemented / ideas submitted.
- **First answer**: the first ``StatusChange`` after submission to a staff decision
  (``DECIDED_STATUSES``) not made by the idea's author (withdrawals never count). "Under review"
  (staff read it and told the author, issue 16) is such an answer, though not yet a decision.
- **Answered within the promise**: first answer at or before ``submitted_at`` + the challenge's
  ``answer_within_days`` (exactly at the deadline is in time). Ideas without an answer whose
  deadline has passed count as *not* answered in time; ideas without an answer that are not yet
  due are left out of the share, and so are ideas their author withdrew before any answer (there
  was nothing left to answer).
- **Decision**: the first change after submission to a terminal status (declined, not selected,
  duplicate, winner, implemented). Times to first answer and to decision: median and 90th
  percentile over the ideas that have one (``percentile_cont`` on PostgreSQL).
- **Participation**: among members (active users who are neither staff nor superusers): the share
  who submitted an idea, voted, commented, or did none of those (only read). For a challenge,
  the actions count on that challenge's ideas only.
- **Ideas per outcome**: submitted ideas addressing each customer outcome; and ideas per current
  status.

On SQLite (the embedded demo) the outer aggregation runs in Python over the per-idea rows, which
is acceptable for demo sizes only; PostgreSQL does it all in SQL.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.rules import MEMBERS_Q
from challenges.models import Challenge, Outcome
from core.funnel import DECIDED_STATUSES, STAGE_RANK, STAGES, TERMINAL_STATUSES, Status, answer_due_at
from ideas.models import Comment, Idea, StatusChange, Vote
from ideas.selectors import answer_due_expression, idea_list_for
from impact.models import FollowUp, Verdict

if TYPE_CHECKING:
    from accounts.types import Visitor


# The funnel's stages in order; an idea that reached a stage reached all the earlier ones.
FUNNEL_STAGES = STAGES
# Without a period, the weekly chart starts at the earliest of the last this many weeks with submissions.
ANSWER_WEEKS_SHOWN = 26
# The most weeks the chart and its table show (a period is at most three years: metrics.forms).
MAX_WEEKS_SHOWN = 160


def _stage_rank(field_name: str):
    """The funnel rank of a status column (0 for submitted and for statuses off the funnel)."""
    whens = [When(**{field_name: status}, then=Value(rank)) for status, rank in STAGE_RANK.items() if rank]
    return Case(*whens, default=Value(0), output_field=IntegerField())


# Any model's rows (in_period filters ideas, votes and comments alike).
_M = TypeVar("_M", bound=Model)

# A period of submission: (start, end), end exclusive, either end open (None); None: all time.
Period = tuple[datetime.datetime | None, datetime.datetime | None] | None


def in_period(queryset: QuerySet[_M], period: Period, field_name: str = "submitted_at") -> QuerySet[_M]:
    """Rows whose ``field_name`` falls in the period (start included, end excluded)."""
    if period is None:
        return queryset
    start, end = period
    if start is not None:
        queryset = queryset.filter(**{f"{field_name}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field_name}__lt": end})
    return queryset


def _idea_facts(challenge: Challenge | None, period: Period = None):
    """Submitted ideas, one row each with its first answer, first decision, answer deadline and
    furthest funnel rank: one LEFT JOIN of the status changes grouped by idea, the inner query the
    aggregations run over."""
    ideas = in_period(Idea.objects.filter(submitted_at__isnull=False), period)
    if challenge is not None:
        ideas = ideas.filter(challenge=challenge)
    after_submission = Q(status_changes__created_at__gte=F("submitted_at"))
    # "Not by the author", written without a negation: a negated condition on a multi-valued
    # relation becomes a subquery, which would defeat the single join.
    not_by_author = (
        Q(status_changes__changed_by__isnull=True)
        | Q(status_changes__changed_by__lt=F("author"))
        | Q(status_changes__changed_by__gt=F("author"))
    )
    return (
        ideas.order_by()
        .values("pk", "submitted_at", "status", "challenge__answer_within_days")
        .annotate(
            first_answer_at=Min(
                "status_changes__created_at",
                filter=after_submission & Q(status_changes__to_status__in=DECIDED_STATUSES) & not_by_author,
            ),
            decision_at=Min(
                "status_changes__created_at",
                filter=after_submission & Q(status_changes__to_status__in=TERMINAL_STATUSES),
            ),
            history_rank=Coalesce(Max(_stage_rank("status_changes__to_status")), 0),
        )
        .annotate(
            answer_due_at=answer_due_expression(),
            reached=Greatest(_stage_rank("status"), F("history_rank")),
            week=TruncWeek("submitted_at"),
        )
    )


FACT_COLUMNS = ("submitted_at", "status", "first_answer_at", "decision_at", "answer_due_at", "reached", "week")


def _idea_rows_python(challenge: Challenge | None, *, now: datetime.datetime, period: Period = None) -> list[dict]:
    """The per-idea facts with the flags ``_summary_sql`` computes, in Python: the SQLite
    fallback (the embedded demo's sizes only)."""
    rows = []
    for fact in _idea_facts(challenge, period).values(*FACT_COLUMNS, "challenge__answer_within_days"):
        submitted_at, first_answer_at, decision_at = fact["submitted_at"], fact["first_answer_at"], fact["decision_at"]
        due = answer_due_at(submitted_at, fact["challenge__answer_within_days"])
        unanswered = first_answer_at is None and fact["status"] != Status.WITHDRAWN
        rows.append(
            {
                "week": fact["week"],
                "reached": fact["reached"],
                "is_implemented": int(fact["status"] == Status.IMPLEMENTED),
                "in_time": int(first_answer_at is not None and first_answer_at <= due),
                "late": int((first_answer_at is not None and first_answer_at > due) or (unanswered and due < now)),
                "not_yet_due": int(unanswered and due >= now),
                "time_to_answer": None if first_answer_at is None else first_answer_at - submitted_at,
                "time_to_decision": None if decision_at is None else decision_at - submitted_at,
            }
        )
    return rows


def _facts_sql(challenge: Challenge | None, period: Period = None) -> tuple[str, tuple]:
    """The facts as SQL for PostgreSQL. ``OFFSET 0`` keeps the planner from pulling the subquery up
    into the outer one, which would copy each expression into every outer use of it."""
    sql, params = _idea_facts(challenge, period).values(*FACT_COLUMNS).query.sql_with_params()
    return f"{sql} OFFSET 0", params


def _percentile(values: list, fraction: float):
    """percentile_cont in Python (linear interpolation), for the SQLite fallback."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


@dataclass
class Summary:
    submitted: int = 0
    funnel: list = field(default_factory=list)  # [(status, label, count, share of submitted)]
    implemented: int = 0
    in_time: int = 0
    late: int = 0
    not_yet_due: int = 0
    answered: int = 0
    decided: int = 0
    answer_median: datetime.timedelta | None = None
    answer_p90: datetime.timedelta | None = None
    decision_median: datetime.timedelta | None = None
    decision_p90: datetime.timedelta | None = None

    @property
    def implementation_rate(self) -> float | None:
        return self.implemented / self.submitted if self.submitted else None

    @property
    def answered_in_time_share(self) -> float | None:
        due = self.in_time + self.late
        return self.in_time / due if due else None


def _summary_sql(facts_sql: str) -> str:
    """The summary over the facts; its two parameters after the facts' are ``now`` (twice)."""
    reached = ", ".join(
        f"COALESCE(SUM(CASE WHEN reached >= {rank} THEN 1 ELSE 0 END), 0)" for rank in range(1, len(FUNNEL_STAGES))
    )
    to_answer = "(first_answer_at - submitted_at)"
    to_decision = "(decision_at - submitted_at)"
    return (
        f"SELECT COUNT(*), {reached}, "
        "COALESCE(SUM(CASE WHEN status = 'implemented' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN first_answer_at <= answer_due_at THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN first_answer_at > answer_due_at OR (first_answer_at IS NULL "
        "AND answer_due_at < %s AND status <> 'withdrawn') THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN first_answer_at IS NULL AND answer_due_at >= %s "
        "AND status <> 'withdrawn' THEN 1 ELSE 0 END), 0), "
        "COUNT(first_answer_at), COUNT(decision_at), "
        f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {to_answer}), "
        f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {to_answer}), "
        f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {to_decision}), "
        f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {to_decision}) "
        f"FROM ({facts_sql}) AS idea_facts"
    )


def metrics_summary(*, challenge: Challenge | None = None, now: datetime.datetime, period: Period = None) -> Summary:
    """Submitted, funnel, implementation, promise keeping and answer times (of the ideas submitted in
    ``period``): one query."""
    stages = len(FUNNEL_STAGES)
    if connection.vendor == "postgresql":
        facts_sql, params = _facts_sql(challenge, period)
        with connection.cursor() as cursor:
            cursor.execute(_summary_sql(facts_sql), (now, now, *params))
            result = cursor.fetchone()
        submitted, reached = result[0], list(result[1:stages])
        rest = result[stages:]
    else:  # SQLite demo: the same figures in Python over the per-idea rows
        data = _idea_rows_python(challenge, now=now, period=period)
        submitted = len(data)
        reached = [sum(1 for r in data if r["reached"] >= rank) for rank in range(1, stages)]
        answers = [r["time_to_answer"] for r in data]
        decisions = [r["time_to_decision"] for r in data]
        rest = [sum(r[key] for r in data) for key in ("is_implemented", "in_time", "late", "not_yet_due")] + [
            sum(1 for v in answers if v is not None),
            sum(1 for v in decisions if v is not None),
            _percentile(answers, 0.5),
            _percentile(answers, 0.9),
            _percentile(decisions, 0.5),
            _percentile(decisions, 0.9),
        ]
    counts = [submitted, *reached]
    funnel = [
        (status.value, status.label, count, count / submitted if submitted else None)
        for status, count in zip(FUNNEL_STAGES, counts, strict=True)
    ]
    return Summary(submitted, funnel, *rest)


@dataclass(frozen=True)
class ImpactFigures:
    """Implemented ideas (submitted in the period) measured by a follow-up survey, and how many improved."""

    implemented: int
    measured: int
    improved: int

    @property
    def improved_share(self) -> float | None:
        """Of the implemented ideas whose follow-up reached a verdict, the share measured as an improvement."""
        return self.improved / self.measured if self.measured else None


def metrics_measured_impact(*, challenge: Challenge | None = None, period: Period = None) -> ImpactFigures:
    """Implemented ideas with a measured follow-up (one that had enough answers for a verdict) and
    those whose follow-up measured an improvement: one query."""
    ideas = in_period(Idea.objects.filter(submitted_at__isnull=False, status=Status.IMPLEMENTED), period)
    if challenge is not None:
        ideas = ideas.filter(challenge=challenge)
    verdicts = FollowUp.objects.filter(idea=OuterRef("pk"))
    figures = ideas.aggregate(
        implemented=Count("pk"),
        measured=Count(
            "pk",
            filter=Exists(verdicts.filter(verdict__in=[Verdict.IMPROVED, Verdict.NO_CHANGE, Verdict.WORSENED])),
        ),
        improved=Count("pk", filter=Exists(verdicts.filter(verdict=Verdict.IMPROVED))),
    )
    return ImpactFigures(**figures)


@dataclass(frozen=True)
class AnswerWeek:
    week: datetime.date
    submitted: int
    answered: int
    median: datetime.timedelta | None

    @property
    def median_days(self) -> float | None:
        return self.median.total_seconds() / 86400 if self.median is not None else None


def metrics_answer_weeks(
    *, challenge: Challenge | None = None, now: datetime.datetime, period: Period = None
) -> list[AnswerWeek]:
    """Per week of submission with ideas, oldest first: ideas submitted, how many have a first answer,
    and the median time to it. Every such week of ``period``; without one, the last
    ANSWER_WEEKS_SHOWN weeks with ideas. One query. ``answer_weeks_every_week`` adds the empty weeks."""
    limit = ANSWER_WEEKS_SHOWN if period is None else MAX_WEEKS_SHOWN
    if connection.vendor == "postgresql":
        facts_sql, params = _facts_sql(challenge, period)
        to_answer = "(first_answer_at - submitted_at)"
        sql = (
            f"SELECT week, COUNT(*), COUNT(first_answer_at), percentile_cont(0.5) WITHIN GROUP (ORDER BY {to_answer}) "
            f"FROM ({facts_sql}) AS idea_facts GROUP BY week ORDER BY week DESC LIMIT {limit:d}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            weeks = [AnswerWeek(_as_date(w), n, a, m) for w, n, a, m in cursor.fetchall()]
    else:
        grouped: dict = {}
        for row in _idea_rows_python(challenge, now=now, period=period):
            grouped.setdefault(row["week"], []).append(row["time_to_answer"])
        weeks = [
            AnswerWeek(_as_date(week), len(times), sum(1 for t in times if t is not None), _percentile(times, 0.5))
            for week, times in sorted(grouped.items(), reverse=True)[:limit]
        ]
    return list(reversed(weeks))


def week_of(moment: datetime.datetime | datetime.date) -> datetime.date:
    """The Monday of the week holding ``moment`` (in the site's time zone, as TruncWeek counts)."""
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date()
    return moment - datetime.timedelta(days=moment.weekday())


def answer_weeks_every_week(
    weeks: list[AnswerWeek], *, first: datetime.date | None, last: datetime.date
) -> list[AnswerWeek]:
    """Every week from the week of ``first`` (default: the first week with ideas) to the week of
    ``last``, the weeks without submissions at 0, so the axis is time and a quiet week shows as one.
    At most MAX_WEEKS_SHOWN weeks, the latest."""
    by_week = {w.week: w for w in weeks}
    start = week_of(first) if first is not None else (weeks[0].week if weeks else week_of(last))
    end = week_of(last)
    if weeks and weeks[-1].week > end:
        end = weeks[-1].week
    start = max(start, end - datetime.timedelta(weeks=MAX_WEEKS_SHOWN - 1))
    every = []
    day = start
    while day <= end:
        every.append(by_week.get(day) or AnswerWeek(day, 0, 0, None))
        day += datetime.timedelta(weeks=1)
    return every


def metrics_promise_days(*, challenge: Challenge | None = None) -> int | None:
    """The answer promise to draw: the challenge's, or overall the one most challenges make. One query
    overall, none for a challenge."""
    if challenge is not None:
        return challenge.answer_within_days
    row = (
        Challenge.objects.exclude(phase=Challenge.Phase.DRAFT)
        .order_by()
        .values("answer_within_days")
        .annotate(n=Count("pk"))
        .order_by("-n", "answer_within_days")
        .first()
    )
    return row["answer_within_days"] if row else None


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


@dataclass(frozen=True)
class Participation:
    members: int
    submitted: int
    voted: int
    commented: int
    only_read: int

    def share(self, count: int) -> float | None:
        return count / self.members if self.members else None

    @property
    def rows(self) -> list[tuple[str, int, float | None]]:
        return [
            (str(_("Submitted an idea")), self.submitted, self.share(self.submitted)),
            (str(_("Voted")), self.voted, self.share(self.voted)),
            (str(_("Commented")), self.commented, self.share(self.commented)),
            (str(_("Only read (none of these)")), self.only_read, self.share(self.only_read)),
        ]


def metrics_participation(*, challenge: Challenge | None = None, period: Period = None) -> Participation:
    """Members (active, not staff) who submitted, voted, commented (in ``period``), or only read: one query."""
    ideas = in_period(Idea.objects.filter(author=OuterRef("pk"), submitted_at__isnull=False), period)
    votes = in_period(Vote.objects.filter(user=OuterRef("pk")), period, "created_at")
    comments = in_period(Comment.objects.filter(author=OuterRef("pk")), period, "created_at")
    if challenge is not None:
        ideas = ideas.filter(challenge=challenge)
        votes = votes.filter(idea__challenge=challenge)
        comments = comments.filter(idea__challenge=challenge)
    figures = (
        User.objects.filter(MEMBERS_Q)
        .annotate(did_submit=Exists(ideas), did_vote=Exists(votes), did_comment=Exists(comments))
        .aggregate(
            members=Count("pk"),
            submitted=Count("pk", filter=Q(did_submit=True)),
            voted=Count("pk", filter=Q(did_vote=True)),
            commented=Count("pk", filter=Q(did_comment=True)),
            only_read=Count("pk", filter=Q(did_submit=False, did_vote=False, did_comment=False)),
        )
    )
    return Participation(**figures)


def metrics_ideas_per_outcome(*, challenge: Challenge | None = None, period: Period = None) -> list[dict]:
    """Submitted ideas per customer outcome they address, most first: one GROUP BY."""
    condition = Q(ideas__submitted_at__isnull=False)
    if challenge is not None:
        condition &= Q(ideas__challenge=challenge)
    if period is not None and period[0] is not None:
        condition &= Q(ideas__submitted_at__gte=period[0])
    if period is not None and period[1] is not None:
        condition &= Q(ideas__submitted_at__lt=period[1])
    return list(
        Outcome.objects.filter(condition)
        .values("code", "statement")
        .annotate(ideas_count=Count("ideas", distinct=True))
        .order_by("-ideas_count", "code")
    )


def metrics_ideas_per_status(
    *, challenge: Challenge | None = None, period: Period = None
) -> list[tuple[str, str, int]]:
    """Submitted ideas per current status, in the statuses' order: one GROUP BY."""
    ideas = in_period(Idea.objects.filter(submitted_at__isnull=False), period)
    if challenge is not None:
        ideas = ideas.filter(challenge=challenge)
    counts = dict(ideas.order_by().values_list("status").annotate(n=Count("pk")))
    return [(status.value, str(status.label), counts[status.value]) for status in Status if status.value in counts]


def metrics_challenges() -> list[Challenge]:
    """The challenges the selector offers (not drafts), newest first."""
    return list(Challenge.objects.exclude(phase=Challenge.Phase.DRAFT).only("id", "title", "slug", "opens_at"))


def implemented_ideas_for(user: Visitor) -> QuerySet[Idea]:
    """Implemented ideas the user may see, most recently implemented first, each with
    ``implemented_at`` and ``implementation_note`` (the reason of its latest change to implemented)."""
    implemented = StatusChange.objects.filter(idea=OuterRef("pk"), to_status=Status.IMPLEMENTED).order_by(
        "-created_at", "-id"
    )
    return (
        idea_list_for(user)
        .filter(status=Status.IMPLEMENTED)
        .annotate(
            implemented_at=Subquery(implemented.values("created_at")[:1]),
            implementation_note=Subquery(implemented.values("reason")[:1]),
        )
        .order_by(F("implemented_at").desc(nulls_last=True), "-pk")
    )
