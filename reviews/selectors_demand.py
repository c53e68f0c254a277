"""Demand against need, and gaps (docs/METHOD.md): read queries for the triage desk.

The thresholds are ``scoring.demand``'s; the opportunity scores come through ``scoring.selectors``
(``scores_current``), never from ``OutcomeScore`` directly.

- ``with_demand_need`` adds the flags to any query of ideas as SQL annotations (three correlated
  subqueries), so the queue and the board keep their query counts and can sort and filter on them.
- ``idea_demand_need`` is one idea's table: its votes by the voters' segments beside the
  opportunity of its outcomes in those segments.
- ``challenge_gaps`` is a challenge's grid: its sweet-spot outcomes against its shortlisted ideas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Ceil, RowNumber
from django.utils.translation import gettext_lazy as _

from core.funnel import PUBLISHED_STATUSES, STAGE_RANK, Status, reached_since
from ideas.models import Idea, Vote
from scoring import demand
from scoring.selectors import opportunity_of_outcome, scores_by_outcome_and_segment

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet

    from challenges.models import Challenge, Outcome
    from scoring.models import OutcomeScore

# The ideas a challenge's vote distribution is read from: published ones, merged duplicates left
# out (their votes moved to the original).
DEMAND_STATUSES = tuple(sorted(PUBLISHED_STATUSES - {Status.DUPLICATE}))
# The gap grid's columns: ideas shortlisted or further on (not those that ended "not selected").
GAP_STATUSES = reached_since(Status.SHORTLISTED)
NO_SEGMENT = _("No segment")
# The annotations with_demand_need adds (names typed as plain strings: the type checker cannot see annotations).
DEMAND_FLAG: str = "demand_flag"
DEMAND_FIELDS = ("demand_popular_from", "demand_unnoticed_below", "need_best", "demand_flag", "demand_rank")


@dataclass(frozen=True)
class VoteThresholds:
    """Where a challenge's vote distribution puts its boundaries (``scoring.demand``)."""

    ideas: int  # the challenge's counted ideas (DEMAND_STATUSES)
    popular_from: int  # this many up votes or more: popular (the top quarter's boundary, at least POPULAR_MIN_UP_VOTES)
    unnoticed_below: (
        int  # fewer up votes than this: unnoticed (the bottom quarter's, at least UNNOTICED_FEWER_THAN_UP_VOTES)
    )


def demand_thresholds(challenge_ids: Iterable[int] | None = None) -> dict[int, VoteThresholds]:
    """Each challenge's boundaries, in one query.

    With the challenge's n counted ideas by up votes, most first: fewer than a quarter of them have
    more up votes than an idea exactly when it has at least as many as the idea in place ⌈n/4⌉; at
    least three quarters have more exactly when it has fewer than the idea in place ⌈3n/4⌉. So two
    order statistics per challenge say it all, and each idea's flag is then a comparison with
    constants, not a count over its challenge per row. PostgreSQL reads them with
    ``percentile_disc`` (one GROUP BY); elsewhere a ``ROW_NUMBER()`` window keeps those two rows.
    """
    ideas = Idea.objects.filter(status__in=DEMAND_STATUSES)
    if challenge_ids is not None:
        ideas = ideas.filter(challenge_id__in=list(challenge_ids))
    top_share, bottom_share = demand.POPULAR_TOP_SHARE, 1 - demand.UNNOTICED_BOTTOM_SHARE
    if connection.vendor == "postgresql":
        rows = _order_statistics_by_percentile(ideas, top_share, bottom_share)
    else:
        rows = _order_statistics_by_window(ideas, top_share, bottom_share)
    return {
        challenge_id: VoteThresholds(
            ideas=count,
            popular_from=max(top, demand.POPULAR_MIN_UP_VOTES),
            unnoticed_below=max(bottom, demand.UNNOTICED_FEWER_THAN_UP_VOTES),
        )
        for challenge_id, count, top, bottom in rows
    }


class _PercentileDisc(Aggregate):
    """PostgreSQL's ``percentile_disc(f) WITHIN GROUP (ORDER BY expression DESC)``: the value in place
    ⌈f·n⌉ of the group, largest first. ``f`` is one of the method's constants, not user input."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s DESC)"

    def __init__(self, expression: str, fraction: float) -> None:
        super().__init__(expression, fraction=repr(float(fraction)), output_field=IntegerField())


def _order_statistics_by_percentile(
    ideas: QuerySet[Idea], top_share: float, bottom_share: float
) -> list[tuple[int, int, int, int]]:
    """(challenge id, n, up votes in place ⌈top_share·n⌉, in place ⌈bottom_share·n⌉), PostgreSQL only."""
    return list(
        ideas.order_by()
        .values("challenge_id")
        .annotate(
            n=Count("pk"), top=_PercentileDisc("votes_up", top_share), bottom=_PercentileDisc("votes_up", bottom_share)
        )
        .values_list("challenge_id", "n", "top", "bottom")
    )


def _order_statistics_by_window(
    ideas: QuerySet[Idea], top_share: float, bottom_share: float
) -> list[tuple[int, int, int, int]]:
    """The same as ``_order_statistics_by_percentile`` on any database: a window numbers each
    challenge's ideas by up votes and keeps the two rows in those places."""
    ranked = (
        ideas.annotate(
            place=Window(RowNumber(), partition_by=[F("challenge_id")], order_by=[F("votes_up").desc(), F("pk").asc()]),
            ideas_in=Window(Count("pk"), partition_by=[F("challenge_id")]),
        )
        .annotate(
            top_place=Ceil(F("ideas_in") * Value(top_share)),
            bottom_place=Ceil(F("ideas_in") * Value(bottom_share)),
        )
        .filter(Q(place=F("top_place")) | Q(place=F("bottom_place")))
        .values_list("challenge_id", "place", "ideas_in", "votes_up")
        .order_by()
    )
    found: dict[int, dict] = {}
    for challenge_id, place, count, votes_up in ranked:
        row = found.setdefault(challenge_id, {"n": count})
        if place == math.ceil(count * top_share):
            row["top"] = votes_up
        if place == math.ceil(count * bottom_share):
            row["bottom"] = votes_up
    return [(pk, row["n"], row["top"], row["bottom"]) for pk, row in found.items()]


def _per_challenge(thresholds: dict[int, VoteThresholds], attribute: str) -> Case:
    return Case(
        *(When(challenge_id=pk, then=Value(getattr(t, attribute))) for pk, t in sorted(thresholds.items())),
        default=Value(None),
        output_field=IntegerField(),
    )


# Each flag as a condition on with_demand_need's annotations. The cheap tests come first: the
# need (a correlated subquery) is only read for the ideas whose votes already qualify.
FLAG_CONDITIONS = {
    demand.NEEDED_UNNOTICED: Q(status__in=DEMAND_STATUSES)
    & Q(votes_up__lt=F("demand_unnoticed_below"))
    & Q(need_best__gte=demand.EXTREMELY_UNDERSERVED_AT),
    demand.POPULAR_OVERSERVED: Q(status__in=DEMAND_STATUSES)
    & Q(votes_up__gte=F("demand_popular_from"))
    & Q(need_best__lt=demand.UNDERSERVED_AT),
}


def with_demand_need(
    queryset: QuerySet[Idea], *, thresholds: dict[int, VoteThresholds] | None = None
) -> QuerySet[Idea]:
    """The ideas with their demand and need, in SQL, after one query for the challenges' boundaries
    (``demand_thresholds``; pass them to reuse them):

    ``demand_popular_from`` and ``demand_unnoticed_below`` (the idea's challenge's boundaries, as
    constants), ``need_best`` (the highest reliable overall opportunity among its outcomes, or
    None: one correlated subquery), ``demand_flag`` (``scoring.demand.NEEDED_UNNOTICED``,
    ``POPULAR_OVERSERVED`` or "") and ``demand_rank`` (0, 1, 2 in ``FLAG_ORDER``: the sort).
    """
    if thresholds is None:
        thresholds = demand_thresholds()
    # The idea's outcomes (one to a few index rows), each with its score (one index probe), best first.
    best = (
        Idea.outcomes.through.objects.filter(idea_id=OuterRef("pk"))  # type: ignore[misc]  # "need" is annotated
        .annotate(need=opportunity_of_outcome(OuterRef("outcome_id")))
        .order_by(F("need").desc(nulls_last=True))
        .values("need")[:1]
    )
    queryset = queryset.annotate(
        demand_popular_from=_per_challenge(thresholds, "popular_from"),
        demand_unnoticed_below=_per_challenge(thresholds, "unnoticed_below"),
        need_best=Subquery(best, output_field=FloatField()),
    )
    counted = Q(status__in=DEMAND_STATUSES)
    needed_unnoticed = (
        counted & Q(votes_up__lt=F("demand_unnoticed_below")) & Q(need_best__gte=demand.EXTREMELY_UNDERSERVED_AT)
    )
    popular_overserved = counted & Q(votes_up__gte=F("demand_popular_from")) & Q(need_best__lt=demand.UNDERSERVED_AT)
    return queryset.annotate(
        demand_flag=Case(
            When(needed_unnoticed, then=Value(demand.NEEDED_UNNOTICED)),
            When(popular_overserved, then=Value(demand.POPULAR_OVERSERVED)),
            default=Value(""),
            output_field=CharField(),
        ),
    ).annotate(
        demand_rank=Case(
            *(When(Q(demand_flag=flag), then=Value(rank)) for rank, flag in enumerate(demand.FLAG_ORDER)),
            default=Value(len(demand.FLAG_ORDER)),
            output_field=IntegerField(),
        )
    )


# The queue's and the board's filter: a flag, or either of them.
DEMAND_FILTER_CHOICES = [
    (demand.NEEDED_UNNOTICED, demand.FLAG_LABELS[demand.NEEDED_UNNOTICED]),
    (demand.POPULAR_OVERSERVED, demand.FLAG_LABELS[demand.POPULAR_OVERSERVED]),
    ("any", _("Either flag")),
]


def ideas_by_demand_flag(queryset: QuerySet[Idea], which: str) -> QuerySet[Idea]:
    """The ideas (already ``with_demand_need``) with this flag, or with either ("any"); others: all."""
    # The flags' own conditions rather than the CASE that names them: each reads the need once.
    if which in FLAG_CONDITIONS:
        return queryset.filter(FLAG_CONDITIONS[which])
    if which == "any":
        return queryset.filter(FLAG_CONDITIONS[demand.NEEDED_UNNOTICED] | FLAG_CONDITIONS[demand.POPULAR_OVERSERVED])
    return queryset


# --- One idea's table ----------------------------------------------------------------------------


@dataclass
class SegmentDemand:
    """One row of the table: a segment's votes on the idea and the opportunity of each of its outcomes there."""

    name: str
    segment_id: int | None
    up: int = 0
    down: int = 0
    scores: list[OutcomeScore | None] = field(default_factory=list)  # one per outcome, in ``outcomes``' order


@dataclass
class DemandNeed:
    outcomes: list[Outcome]
    rows: list[SegmentDemand]  # the segments with votes or scores by name, then the voters with no segment
    overall: SegmentDemand  # every voter, and the overall scores
    flag: str
    peers: int
    above: int
    need_best: float | None

    @property
    def flag_label(self) -> str:
        return demand.flag_label(self.flag)


def idea_demand_need(idea: Idea) -> DemandNeed:
    """The idea's votes by its voters' segments beside its outcomes' opportunity there (six queries).

    A voter's segment is their survey respondent's; a voter who never answered the survey, or whose
    answers carry no segment, counts under "No segment" (which has no scores: nobody was asked).
    """
    outcomes = list(idea.outcomes.select_related("job").order_by("code"))
    votes = (
        Vote.objects.filter(idea=idea)
        .order_by()
        .values("user__respondent__segment_id", "user__respondent__segment__name")
        .annotate(up=Count("pk", filter=Q(value=Vote.Value.UP)), down=Count("pk", filter=Q(value=Vote.Value.DOWN)))
    )
    scores = scores_by_outcome_and_segment(outcome.pk for outcome in outcomes)
    rows: dict[int | None, SegmentDemand] = {}
    for counted in votes:
        segment_id = counted["user__respondent__segment_id"]
        rows[segment_id] = SegmentDemand(
            name=str(counted["user__respondent__segment__name"] or NO_SEGMENT),
            segment_id=segment_id,
            up=counted["up"],
            down=counted["down"],
        )
    for (_outcome_id, segment_id), score in scores.items():
        if segment_id is not None and segment_id not in rows:
            rows[segment_id] = SegmentDemand(name=str(score.segment), segment_id=segment_id)
    for segment_id, row in rows.items():
        row.scores = [scores.get((outcome.pk, segment_id)) if segment_id else None for outcome in outcomes]
    overall = SegmentDemand(
        name=str(_("All voters")),
        segment_id=None,
        up=sum(row.up for row in rows.values()),
        down=sum(row.down for row in rows.values()),
        scores=[scores.get((outcome.pk, None)) for outcome in outcomes],
    )
    ordered = sorted((row for row in rows.values() if row.segment_id), key=lambda row: row.name.lower())
    if None in rows:
        ordered.append(rows[None])
    thresholds = demand_thresholds([idea.challenge_id])
    facts = with_demand_need(Idea.objects.filter(pk=idea.pk), thresholds=thresholds).values("votes_up", *DEMAND_FIELDS)[
        0
    ]
    above = Idea.objects.filter(
        challenge_id=idea.challenge_id, status__in=DEMAND_STATUSES, votes_up__gt=facts["votes_up"]
    ).count()
    boundaries = thresholds.get(idea.challenge_id)
    return DemandNeed(
        outcomes=outcomes,
        rows=ordered,
        overall=overall,
        flag=facts["demand_flag"],
        peers=boundaries.ideas if boundaries else 0,
        above=above,
        need_best=facts["need_best"],
    )


# --- A challenge's gaps -------------------------------------------------------------------------


@dataclass
class GapCell:
    addresses: bool
    strength: str = ""  # scoring.demand.strength_of: "strong", "weak", "unscreened"; "" when it does not address it
    screening_score: float | None = None


@dataclass
class GapRow:
    outcome: Outcome
    score: OutcomeScore  # the overall score that puts it in the sweet spot
    cells: list[GapCell]  # one per idea, in the grid's order
    segments: list[OutcomeScore]  # where to invite from (scoring.demand.invite_segments)

    @property
    def addressed_by(self) -> int:
        return sum(cell.addresses for cell in self.cells)

    @property
    def strong_ideas(self) -> int:
        return sum(cell.strength == "strong" for cell in self.cells)

    @property
    def is_gap(self) -> bool:
        return self.strong_ideas == 0


@dataclass
class GapGrid:
    challenge: Challenge
    ideas: list[Idea]
    rows: list[GapRow]
    others: list[tuple[Outcome, OutcomeScore | None]]  # targeted outcomes outside the sweet spot, or unscored

    @property
    def gaps(self) -> list[GapRow]:
        return [row for row in self.rows if row.is_gap]


def challenge_gaps(challenge: Challenge) -> GapGrid:
    """The challenge's sweet-spot outcomes (overall opportunity at least ``UNDERSERVED_AT``, most
    underserved first) against its ideas shortlisted or further on (furthest first, then the best
    screened). Four queries whatever the size: the outcomes, their scores, the ideas, their outcomes.
    """
    outcomes = list(challenge.outcomes.select_related("job").order_by("code"))
    scores = scores_by_outcome_and_segment(outcome.pk for outcome in outcomes)
    ideas = list(
        Idea.objects.filter(challenge_id=challenge.pk, status__in=GAP_STATUSES)
        .select_related("author")
        .prefetch_related("outcomes")
        .order_by("pk")
    )
    ideas.sort(key=lambda idea: (-STAGE_RANK[idea.status], -(idea.screening_score or 0), idea.pk))
    addressed = {idea.pk: {outcome.pk for outcome in idea.outcomes.all()} for idea in ideas}
    rows, others = [], []
    for outcome in outcomes:
        overall = scores.get((outcome.pk, None))
        if overall is None or overall.opportunity < demand.UNDERSERVED_AT:
            others.append((outcome, overall))
            continue
        cells = [
            GapCell(
                addresses=True, strength=demand.strength_of(idea.screening_score), screening_score=idea.screening_score
            )
            if outcome.pk in addressed[idea.pk]
            else GapCell(addresses=False)
            for idea in ideas
        ]
        segment_scores = [score for (outcome_id, _), score in scores.items() if outcome_id == outcome.pk]
        segments = demand.invite_segments(segment_scores, min_respondents=settings.SCORING_MIN_RESPONDENTS)
        rows.append(GapRow(outcome=outcome, score=overall, cells=cells, segments=segments))
    rows.sort(key=lambda row: (-row.score.opportunity, row.outcome.code))
    return GapGrid(challenge=challenge, ideas=ideas, rows=rows, others=others)
