"""What the scoring app holds about a member: their survey answers (registered with
core.personal_data from ScoringConfig.ready())."""

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from core.personal_data import Former, Section, register

from .models import Rating, Respondent


def export_survey_answers(member) -> dict:
    respondent = Respondent.objects.filter(user=member).select_related("segment").first()
    if respondent is None:
        return {"segment": None, "ratings": []}
    ratings = (
        Rating.objects.filter(respondent=respondent).select_related("outcome", "wave").order_by("outcome__code", "pk")
    )
    return {
        "segment": respondent.segment.name if respondent.segment else None,
        "ratings": [
            {
                "outcome": rating.outcome.code,
                "statement": rating.outcome.statement,
                "survey_wave": rating.wave.name,
                "importance": rating.importance,
                "satisfaction": rating.satisfaction,
                "updated_at": rating.updated_at,
            }
            for rating in ratings
        ],
    }


def erase(member, former: Former) -> None:
    """The ratings stay in the opportunity scores, as an imported survey's anonymous rows do: the
    respondent loses its link to the member and the key that named their id."""
    Respondent.objects.filter(user=member).update(
        user=None, key=Concat(Value("erased-"), Cast("pk", output_field=CharField()))
    )


def register_sections() -> None:
    register(
        Section(
            key="survey_answers",
            label=_("Your outcome survey answers"),
            export=export_survey_answers,
            erase=erase,
            order=40,
        )
    )
