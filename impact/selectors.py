"""Read queries of impact: who a follow-up invites, and each follow-up's summary for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import User
from core.funnel import Status
from scoring import formulas
from scoring.models import Rating, Respondent, SurveyWave

from .models import FollowUp, OutcomeResult, Verdict
from .rules import can_manage_follow_ups, can_schedule_follow_up

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable

    from django.http import HttpRequest

    from challenges.models import Outcome
    from ideas.models import Idea


def follow_up_invitees(follow_up: FollowUp) -> list[tuple[User, bool]]:
    """Who a follow-up wave invites, each with whether they answered the earlier wave. One query.

    Members (active, not erased) who told us their segment through the survey, in the segments the
    wave asks (every segment when it names none): those who rated one of its outcomes in the
    earlier wave (True), and the rest of those segments' members, who did not (False). Imported
    respondents have no account to notify and are never invited.
    """
    wave = follow_up.wave
    outcome_ids = list(wave.outcomes.values_list("pk", flat=True))
    segment_ids = list(wave.segments.values_list("pk", flat=True))
    respondents = Respondent.objects.filter(
        user__isnull=False, user__is_active=True, user__erased_at__isnull=True
    ).exclude(segment__isnull=True)
    if segment_ids:
        respondents = respondents.filter(segment_id__in=segment_ids)
    answered = Rating.objects.filter(
        respondent=OuterRef("pk"), wave_id=follow_up.baseline_wave_id, outcome_id__in=outcome_ids
    )
    rows = respondents.annotate(answered_before=Exists(answered)).select_related("user").order_by("pk")
    return [(respondent.user, respondent.answered_before) for respondent in rows if respondent.user is not None]


def _percent(share: float) -> str:
    return _("%(percent)d%%") % {"percent": round(100 * share)}


def p_value_shown(p_value: float) -> str:
    """p as people read it: two decimals, three below 0.01, "< 0.001" below that."""
    separator = formats.get_format("DECIMAL_SEPARATOR")
    if p_value < 0.001:
        return "p < " + "0.001".replace(".", separator)
    if p_value < 0.01:
        return "p = " + f"{p_value:.3f}".replace(".", separator)
    return "p = " + f"{p_value:.2f}".replace(".", separator)


@dataclass(frozen=True)
class OutcomeLine:
    """One outcome of a measured follow-up: before and after, as the panel says it."""

    outcome: Outcome
    before: formulas.Score
    after: formulas.Score
    change: formulas.ProportionChange
    verdict: str
    verdict_label: str | Promise
    min_respondents: int

    @property
    def p_shown(self) -> str:
        return p_value_shown(self.change.p_value) if self.change.p_value is not None else ""

    @property
    def shares(self) -> str:
        """“satisfied share from 31% to 52% (n=64 → 58)”"""
        change = self.change
        return _("satisfied share from %(before)s to %(after)s (n=%(before_n)d → %(after_n)d)") % {
            "before": _percent(change.before),
            "after": _percent(change.after),
            "before_n": change.before_n,
            "after_n": change.after_n,
        }

    @property
    def claim(self) -> str:
        """“p = 0.02 — an improvement”, or why no claim is made."""
        if self.change.p_value is None:
            fewest = min(self.change.before_n, self.change.after_n)
            return _("not enough answers to tell (%(fewest)d of %(needed)d needed in each wave): no claim is made") % {
                "fewest": fewest,
                "needed": self.min_respondents,
            }
        return f"{self.p_shown} — {self.verdict_label}"

    @property
    def sentence(self) -> str:
        """The whole line, for a notification: “Outcome”: satisfied share from 31% to 52% (n=64 → 58), p = 0.02 — an improvement."""
        joiner = ", " if self.change.p_value is not None else " — "
        return f"“{self.outcome.statement}”: {self.shares}{joiner}{self.claim}."


@dataclass(frozen=True)
class FollowUpSummary:
    """What the idea's page and the implemented-ideas page say about an idea's latest follow-up."""

    follow_up: FollowUp
    state: str  # "scheduled", "collecting" or "measured"
    verdict: str
    verdict_label: str | Promise
    respondents: int  # so far (collecting) or in the follow-up wave (measured)
    min_respondents: int
    opens_at: datetime.datetime
    closes_at: datetime.datetime | None
    lines: list[OutcomeLine]

    @property
    def enough(self) -> bool:
        return self.respondents >= self.min_respondents


def _line(result: OutcomeResult, min_respondents: int) -> OutcomeLine:
    before = formulas.score(
        respondents=result.before_respondents, important=result.before_important, satisfied=result.before_satisfied
    )
    after = formulas.score(
        respondents=result.after_respondents, important=result.after_important, satisfied=result.after_satisfied
    )
    change = formulas.ProportionChange(
        before=result.before_satisfied / result.before_respondents if result.before_respondents else 0.0,
        after=result.after_satisfied / result.after_respondents if result.after_respondents else 0.0,
        before_n=result.before_respondents,
        after_n=result.after_respondents,
        z=result.z,
        p_value=result.p_value,
    )
    return OutcomeLine(
        outcome=result.outcome,
        before=before,
        after=after,
        change=change,
        verdict=result.verdict,
        verdict_label=Verdict(result.verdict).label,
        min_respondents=min_respondents,
    )


def _summary(follow_up: FollowUp, respondents: int) -> FollowUpSummary:
    wave = follow_up.wave
    if follow_up.verdict != Verdict.PENDING:
        state = "measured"
        lines = [_line(result, wave.min_respondents) for result in follow_up.results.all()]
        respondents = max((line.change.after_n for line in lines), default=0)
    else:
        state = "scheduled" if wave.status == SurveyWave.Status.SCHEDULED else "collecting"
        lines = []
    return FollowUpSummary(
        follow_up=follow_up,
        state=state,
        verdict=follow_up.verdict,
        verdict_label=Verdict(follow_up.verdict).label,  # lazy: read in the reader's language
        respondents=respondents,
        min_respondents=wave.min_respondents,
        opens_at=wave.opens_at,
        closes_at=wave.closes_at,
        lines=lines,
    )


def follow_up_summaries_for(idea_ids: Iterable[int]) -> dict[int, FollowUpSummary]:
    """{idea id: the summary of its latest follow-up}, for ideas that have one. Three queries at most,
    whatever the number of ideas: the follow-ups with their waves, their results with outcomes, and
    the respondents so far of the waves still collecting."""
    follow_ups = (
        FollowUp.objects.filter(idea_id__in=list(idea_ids))
        .select_related("wave", "baseline_wave")
        .prefetch_related(Prefetch("results", queryset=OutcomeResult.objects.select_related("outcome")))
        .order_by("idea_id", "-created_at", "-pk")
    )
    latest: dict[int, FollowUp] = {}
    for follow_up in follow_ups:
        latest.setdefault(follow_up.idea_id, follow_up)
    collecting = [f.wave_id for f in latest.values() if f.verdict == Verdict.PENDING and f.wave.is_open]
    so_far: dict[int, int] = {}
    if collecting:
        so_far = dict(
            Rating.objects.filter(wave_id__in=collecting)
            .values("wave_id")
            .annotate(respondents=Count("respondent_id", distinct=True))
            .values_list("wave_id", "respondents")
        )
    return {idea_id: _summary(f, so_far.get(f.wave_id, 0)) for idea_id, f in latest.items()}


def follow_up_summary(follow_up: FollowUp) -> FollowUpSummary:
    """The summary of one follow-up (its result's notification)."""
    respondents = 0
    if follow_up.verdict == Verdict.PENDING and follow_up.wave.is_open:
        respondents = Rating.objects.filter(wave_id=follow_up.wave_id).values("respondent_id").distinct().count()
    return _summary(follow_up, respondents)


def follow_up_for_staff(follow_up_id: int) -> FollowUp:
    """A follow-up with its idea and waves (the staff pages); raises FollowUp.DoesNotExist."""
    return FollowUp.objects.select_related("idea", "wave__job", "baseline_wave").get(pk=follow_up_id)


def impact_panel_on_idea_page(request: HttpRequest, idea: Idea) -> dict | None:
    """The idea page's "Measured after implementation" panel (``impact/_idea_panel.html``), registered
    with ``ideas.hooks.idea_panel_register``: the latest follow-up's summary for everyone who sees
    the idea; for triage staff, the link to schedule one or to close the open one. No query for an
    idea that is not implemented: only implemented ideas are followed up (an ending: it stays so)."""
    if idea.status != Status.IMPLEMENTED:
        return None
    summary = follow_up_summaries_for([idea.pk]).get(idea.pk)
    may_schedule = can_schedule_follow_up(request.user, idea) and (summary is None or summary.state == "measured")
    if summary is None and not may_schedule:
        return None
    return {
        "template": "impact/_idea_panel.html",
        "summary": summary,
        "may_schedule": may_schedule,
        "may_close": can_manage_follow_ups(request.user) and summary is not None and summary.state == "collecting",
    }


def measured_improvement_exists() -> Exists:
    """For an idea queryset's annotate or filter: it has a follow-up that measured an improvement."""
    return Exists(FollowUp.objects.filter(idea=OuterRef("pk"), verdict=Verdict.IMPROVED))
