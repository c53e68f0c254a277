"""The Outcome-Driven Innovation formulas, as pure functions (DESIGN.md, "Words").

importance, satisfaction = 10 × the share of respondents who rated 4 or 5 (0–10)
opportunity = importance + max(importance − satisfaction, 0) (0–20)
"""

import math
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext_lazy as _

Z_95 = 1.959963984540054  # the normal quantile for a two-sided 95% interval

EXTREMELY_UNDERSERVED = "extremely_underserved"
UNDERSERVED = "underserved"
OVERSERVED = "overserved"
APPROPRIATELY_SERVED = "appropriately_served"

CLASS_LABELS = {
    EXTREMELY_UNDERSERVED: _("Extremely underserved"),
    UNDERSERVED: _("Underserved"),
    APPROPRIATELY_SERVED: _("Appropriately served"),
    OVERSERVED: _("Overserved"),
}


# Scores are rounded to this many decimals so that a sum such as 8.2 + 6.8 is exactly 15, not a
# float a hair below it that would fall into the wrong class.
PRECISION = 6


def top_two_box(count: int, respondents: int) -> float:
    """10 × the share who answered 4 or 5; 0 when nobody answered."""
    return round(10 * count / respondents, PRECISION) if respondents else 0.0


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion, as (low, high) in 0..1.

    With no trials nothing is known, and the interval is the whole range.
    """
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def opportunity(importance: float, satisfaction: float) -> float:
    return round(importance + max(importance - satisfaction, 0.0), PRECISION)


def classify(importance: float, satisfaction: float) -> str:
    score = opportunity(importance, satisfaction)
    if score >= 15:
        return EXTREMELY_UNDERSERVED
    if score >= 10:
        return UNDERSERVED
    if satisfaction > importance:
        return OVERSERVED
    return APPROPRIATELY_SERVED


@dataclass(frozen=True)
class Score:
    respondents: int
    importance: float
    satisfaction: float
    opportunity: float
    importance_low: float
    importance_high: float
    satisfaction_low: float
    satisfaction_high: float
    classification: str


def score(*, respondents: int, important: int, satisfied: int) -> Score:
    """Everything about one outcome (in one segment) from three counts.

    ``important`` and ``satisfied`` are the numbers of respondents who rated importance and
    satisfaction 4 or 5. Intervals are on the same 0–10 scale as the scores.
    """
    importance = top_two_box(important, respondents)
    satisfaction = top_two_box(satisfied, respondents)
    importance_low, importance_high = wilson_interval(important, respondents)
    satisfaction_low, satisfaction_high = wilson_interval(satisfied, respondents)
    return Score(
        respondents=respondents,
        importance=importance,
        satisfaction=satisfaction,
        opportunity=opportunity(importance, satisfaction),
        importance_low=10 * importance_low,
        importance_high=10 * importance_high,
        satisfaction_low=10 * satisfaction_low,
        satisfaction_high=10 * satisfaction_high,
        classification=classify(importance, satisfaction),
    )


def opportunity_shown(opportunity: float) -> str:
    """An opportunity score with one decimal, rounded down.

    Rounded down so that the number shown never crosses a class threshold: 14.95 is underserved
    and shows as 14.9, not as an "underserved 15.0". (The epsilon undoes float noise such as
    2.3 × 10 = 22.999…; scores carry at most six decimals.)
    """
    return f"{math.floor(opportunity * 10 + 1e-7) / 10:.1f}"


def opportunity_display(opportunity: float) -> str:
    """``opportunity_shown`` as people read it in the active language (14.9, 14,9); never for data attributes."""
    return opportunity_shown(opportunity).replace(".", formats.get_format("DECIMAL_SEPARATOR"))


# --- Comparing two waves ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProportionChange:
    """The change of a proportion (the satisfied share) between two independent samples.

    ``z`` is the two-proportion z statistic with the pooled proportion, ``p_value`` its two-sided
    p-value under the normal approximation; both are None when either sample is below the minimum
    (no claim is made then).
    """

    before: float
    after: float
    before_n: int
    after_n: int
    z: float | None
    p_value: float | None

    @property
    def difference(self) -> float:
        return self.after - self.before


def normal_two_sided_p(z: float) -> float:
    """P(|Z| ≥ |z|) for a standard normal Z: erfc(|z| / √2)."""
    return math.erfc(abs(z) / math.sqrt(2))


def two_proportion_z_test(
    successes_before: int, n_before: int, successes_after: int, n_after: int
) -> tuple[float, float]:
    """The pooled two-proportion z-test: (z, two-sided p-value).

    z = (p₂ − p₁) / √(p̂ (1 − p̂) (1/n₁ + 1/n₂)), p̂ = (x₁ + x₂) / (n₁ + n₂). When p̂ is 0 or 1 both
    samples agree completely: z = 0, p = 1. Both samples must be non-empty.
    """
    if n_before <= 0 or n_after <= 0:
        raise ValueError("Both samples need at least one respondent.")
    before, after = successes_before / n_before, successes_after / n_after
    pooled = (successes_before + successes_after) / (n_before + n_after)
    variance = pooled * (1 - pooled) * (1 / n_before + 1 / n_after)
    if variance == 0:
        return 0.0, 1.0
    z = (after - before) / math.sqrt(variance)
    return z, normal_two_sided_p(z)


def proportion_change(
    *, successes_before: int, n_before: int, successes_after: int, n_after: int, min_sample: int
) -> ProportionChange:
    """Before and after shares, and the test of their difference when both samples reach ``min_sample``."""
    before = successes_before / n_before if n_before else 0.0
    after = successes_after / n_after if n_after else 0.0
    z = p_value = None
    if n_before >= min_sample and n_after >= min_sample and n_before > 0 and n_after > 0:
        z, p_value = two_proportion_z_test(successes_before, n_before, successes_after, n_after)
    return ProportionChange(before=before, after=after, before_n=n_before, after_n=n_after, z=z, p_value=p_value)
