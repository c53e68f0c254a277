"""What the innovators app holds about a member: their questionnaire answers (registered with
core.personal_data from InnovatorsConfig.ready())."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from core.personal_data import Former, Section, register

from .models import QuestionnaireAnswer, QuestionnaireResponse


def export_questionnaires(member) -> list[dict]:
    responses = (
        QuestionnaireResponse.objects.filter(user=member)
        .select_related("questionnaire")
        .prefetch_related(
            Prefetch("answers", queryset=QuestionnaireAnswer.objects.select_related("item").order_by("item__position"))
        )
        .order_by("submitted_at", "pk")
    )
    return [
        {
            "questionnaire": response.questionnaire.title,
            "score": response.score,
            "submitted_at": response.submitted_at,
            "answers": [{"question": answer.item.text, "answer": answer.value} for answer in response.answers.all()],
        }
        for response in responses
    ]


def erase(member, former: Former) -> None:
    """Questionnaire answers describe the person (the innovator pool ranks them): they go."""
    QuestionnaireResponse.objects.filter(user=member).delete()


def register_sections() -> None:
    register(
        Section(
            key="questionnaires",
            label=_("Your innovator questionnaire answers"),
            export=export_questionnaires,
            erase=erase,
            order=45,
        )
    )
