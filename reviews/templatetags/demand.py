"""The thresholds of ``scoring.demand`` for the legends of the queue, the board and the gap grid."""

from django import template
from django.conf import settings
from django.utils.formats import get_format

from scoring import demand

register = template.Library()


def _number(value: float) -> str:
    """A threshold as people read it, in the active language's decimal mark (12.5, 12,5)."""
    return f"{value:g}".replace(".", get_format("DECIMAL_SEPARATOR"))


@register.simple_tag
def demand_thresholds() -> dict:
    return {
        "extremely": _number(demand.EXTREMELY_UNDERSERVED_AT),
        "underserved": _number(demand.UNDERSERVED_AT),
        "popular_votes": demand.POPULAR_MIN_UP_VOTES,
        "unnoticed_votes": demand.UNNOTICED_FEWER_THAN_UP_VOTES,
        "strong": _number(demand.STRONG_SCREENING_AT),
        "invite_best": demand.INVITE_BEST_COUNT,
        "invite_segments": demand.INVITE_SEGMENTS_MAX,
        "min_respondents": settings.SCORING_MIN_RESPONDENTS,
    }
