"""Demand against need, and gaps: the thresholds of the method, defined once (docs/METHOD.md).

A pure module: no models, no queries. The triage queue, the funnel board, the scorecard's table,
the gap grid and the innovators' invitation read these names; the SQL that applies them is in
``reviews.selectors_demand`` and ``innovators.selectors``.

*Demand* is how many members voted an idea up; *need* is the opportunity score of the outcomes
it addresses (``scoring.formulas``: importance + max(importance − satisfaction, 0), 0–20).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutcomeScoreLike(Protocol):
    """What the functions below read of a score (``scoring.models.OutcomeScore`` has it)."""

    @property
    def segment_id(self) -> int | None: ...
    @property
    def segment(self) -> object: ...
    @property
    def respondents(self) -> int: ...
    @property
    def opportunity(self) -> float: ...


ScoreT = TypeVar("ScoreT", bound=OutcomeScoreLike)


# --- Need: the opportunity classes (Ulwick), as in scoring.formulas.classify ----------------------

# An outcome with an opportunity of 15 or more is extremely underserved.
EXTREMELY_UNDERSERVED_AT = 15.0
# 10 or more (below 15): underserved, the sweet spot. Below 10: appropriately served or, when
# satisfaction is above importance, overserved. An idea whose outcomes all score below 10 answers
# no unmet need.
UNDERSERVED_AT = 10.0

# --- Demand: where an idea stands among its challenge's ideas ----------------------------------

# Popular: among the top quarter of its challenge's ideas by up votes (fewer than a quarter of them
# have more up votes than it) ...
POPULAR_TOP_SHARE = 0.25
# ... and with at least this many up votes: the top quarter of a quiet challenge is not popular.
POPULAR_MIN_UP_VOTES = 5

# Unnoticed: fewer than this many up votes ...
UNNOTICED_FEWER_THAN_UP_VOTES = 3
# ... or in the bottom quarter of its challenge (at least three quarters of its ideas have more up
# votes than it).
UNNOTICED_BOTTOM_SHARE = 0.25

# --- The flags ---------------------------------------------------------------------------------

# Popular but overserved: popular, and none of its outcomes is underserved (its best overall
# opportunity is below UNDERSERVED_AT). Customers like it; it answers no unmet need.
POPULAR_OVERSERVED = "popular_overserved"
# Needed but unnoticed: unnoticed, and one of its outcomes is extremely underserved (its best overall
# opportunity is at least EXTREMELY_UNDERSERVED_AT). It answers a pressing need few have seen.
NEEDED_UNNOTICED = "needed_unnoticed"

FLAG_LABELS = {
    NEEDED_UNNOTICED: _("Needed but unnoticed"),
    POPULAR_OVERSERVED: _("Popular but overserved"),
}
FLAG_SHORT = {
    NEEDED_UNNOTICED: pgettext_lazy("demand flag, short", "needed"),
    POPULAR_OVERSERVED: pgettext_lazy("demand flag, short", "overserved"),
}
# The order of the "demand · need" sort: needed but unnoticed first (the ideas to look at), then
# popular but overserved, then the rest.
FLAG_ORDER = (NEEDED_UNNOTICED, POPULAR_OVERSERVED)

# Only scores from at least settings.SCORING_MIN_RESPONDENTS respondents raise a flag or choose the
# segments to invite from: a score from too few respondents is shown, marked, but decides nothing.

# --- Gaps --------------------------------------------------------------------------------------

# A strong idea: shortlisted or further, with a screening score (the staff scorecards' weighted
# mean, 1–5) of at least this. A sweet-spot outcome of a challenge with no strong idea is a gap.
STRONG_SCREENING_AT = 3.5
# Inviting for a gap: the segments where the outcome is underserved (opportunity at least
# UNDERSERVED_AT in that segment), the most underserved first, at most this many ...
INVITE_SEGMENTS_MAX = 3
# ... and from the innovator pool's members in those segments, the best this many: the most
# reputation points, then the highest questionnaire score, then the longest-standing member.
INVITE_BEST_COUNT = 10


def flag_label(flag: str) -> str:
    return FLAG_LABELS.get(flag, "")


def invite_segments(segment_scores: Iterable[ScoreT], *, min_respondents: int) -> list[ScoreT]:
    """The segments to invite from for one outcome, from its per-segment scores: those underserved
    there (opportunity at least UNDERSERVED_AT) from at least ``min_respondents`` respondents, the
    most underserved first (then by segment name), at most INVITE_SEGMENTS_MAX."""
    chosen = [
        score
        for score in segment_scores
        if score.segment_id is not None and score.respondents >= min_respondents and score.opportunity >= UNDERSERVED_AT
    ]
    chosen.sort(key=lambda score: (-score.opportunity, str(score.segment)))
    return chosen[:INVITE_SEGMENTS_MAX]


def strength_of(screening_score: float | None) -> str:
    """How strong a shortlisted idea is for the gap grid: "strong", "weak" or "unscreened"."""
    if screening_score is None:
        return "unscreened"
    return "strong" if screening_score >= STRONG_SCREENING_AT else "weak"
