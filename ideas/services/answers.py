"""The answers an idea gives to its challenge's own questions (``challenges.ChallengeQuestion``).

A draft may leave any question empty; a submission needs every active required question answered
(``answers_missing_refusal``, checked by ``idea_create`` and ``idea_submit`` at submission only).
Each answer keeps the question's label and kind as it was answered, so staff rewording, turning off
or deleting a question never loses an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.models import ChallengeQuestion

from ..models import ANSWER_YES_NO, IdeaAnswer
from .errors import SubmissionNotAllowed

if TYPE_CHECKING:
    from challenges.models import Challenge

    from ..models import Idea

__all__ = [
    "ANSWER_MAX_LENGTH",
    "AnswersMissing",
    "answers_missing_refusal",
    "answers_snapshot",
    "idea_answers_save_unlocked",
]

# Short text is one line; long text as long as the idea's problem.
ANSWER_MAX_LENGTH: dict[str, int] = {ChallengeQuestion.Kind.SHORT_TEXT: 200, ChallengeQuestion.Kind.LONG_TEXT: 5000}
NUMBER_MAX_DIGITS = 15


class AnswersMissing(SubmissionNotAllowed):
    """A submission without the answers its challenge requires; ``question_ids`` are the missing ones."""

    def __init__(self, message: str, question_ids: list[int]):
        super().__init__(message)
        self.question_ids = question_ids


def answer_value_clean(question: ChallengeQuestion, value: str, *, kept: str = "") -> str:
    """The value to store for ``question`` ("" for no answer); raises SubmissionNotAllowed for a bad one.

    ``kept`` is the idea's answer already stored: a choice staff have since removed from the options
    may stay chosen (the answer is kept), but may not be newly chosen.
    """
    value = (value or "").strip()
    if not value:
        return ""
    kind = question.kind
    if kind in ANSWER_MAX_LENGTH and len(value) > ANSWER_MAX_LENGTH[kind]:
        raise SubmissionNotAllowed(
            _("“%(question)s”: keep the answer to at most %(limit)s characters.")
            % {"question": question.label, "limit": number_format(ANSWER_MAX_LENGTH[kind], force_grouping=True)}
        )
    if kind == ChallengeQuestion.Kind.CHOICE and value not in question.options and value != kept:
        raise SubmissionNotAllowed(
            _("“%(question)s”: choose one of the options offered.") % {"question": question.label}
        )
    if kind == ChallengeQuestion.Kind.YES_NO and value not in ANSWER_YES_NO:
        raise SubmissionNotAllowed(_("“%(question)s”: answer yes or no.") % {"question": question.label})
    if kind == ChallengeQuestion.Kind.NUMBER:
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise SubmissionNotAllowed(
                _("“%(question)s”: write a number, such as 12 or 3.5.") % {"question": question.label}
            ) from None
        if not number.is_finite() or len(number.as_tuple().digits) > NUMBER_MAX_DIGITS:
            raise SubmissionNotAllowed(
                _("“%(question)s”: write a number of at most %(digits)d digits.")
                % {"question": question.label, "digits": NUMBER_MAX_DIGITS}
            )
        value = format(number.normalize(), "f") if number == number.to_integral() else str(number)
    return value


def idea_answers_save_unlocked(*, idea: Idea, answers: Mapping[int, str]) -> bool:
    """Store the idea's answers to its challenge's active questions ({question id: value}, "" clears one).

    The caller holds the idea's row lock (or has just created it). A question of another challenge is
    refused; a question turned off since the form was shown is left as it was (its answer kept). The
    stored label and kind are refreshed from the question when an answer changes. Returns whether
    anything changed.
    """
    questions = {q.pk: q for q in ChallengeQuestion.objects.filter(challenge_id=idea.challenge_id)}
    if any(int(pk) not in questions for pk in answers):
        raise SubmissionNotAllowed(_("An idea can only answer the questions of its own challenge."))
    stored = {a.question_id: a for a in IdeaAnswer.objects.filter(idea=idea, question_id__in=list(questions))}
    changed = False
    for pk, raw in answers.items():
        question = questions[int(pk)]
        if not question.active:
            continue
        answer = stored.get(question.pk)
        value = answer_value_clean(question, raw, kept=answer.value if answer else "")
        if not value:
            if answer is not None:
                answer.delete()
                changed = True
            continue
        if answer is None:
            IdeaAnswer.objects.create(
                idea=idea,
                question=question,
                label=question.label,
                kind=question.kind,
                value=value,
                order=question.order,
            )
            changed = True
        elif (answer.value, answer.label, answer.kind) != (value, question.label, question.kind):
            answer.value, answer.label, answer.kind, answer.order = value, question.label, question.kind, question.order
            answer.save(update_fields=["value", "label", "kind", "order", "updated_at"])
            changed = True
    return changed


def answers_snapshot(idea: Idea) -> list[dict]:
    """The idea's answers as a version keeps them: [{question_id, label, kind, value}], in order."""
    return [
        {"question_id": a.question_id, "label": a.label, "kind": a.kind, "value": a.value}
        for a in IdeaAnswer.objects.filter(idea=idea).order_by("order", "id")
    ]


def answers_missing_refusal(*, idea: Idea | None = None, challenge: Challenge) -> AnswersMissing | None:
    """The refusal for a submission that leaves a required question of ``challenge`` unanswered, or None.

    Asked at submission only (a draft may be incomplete): the active required questions without an
    answer stored for ``idea`` (none stored for a new idea that has none yet).
    """
    required = ChallengeQuestion.objects.filter(challenge=challenge, active=True, required=True).order_by("order", "id")
    if idea is not None:
        required = required.exclude(answers__idea=idea)
    missing = list(required)
    if not missing:
        return None
    labels = ", ".join(f"“{q.label}”" for q in missing)
    message = ngettext(
        "Answer this question of the challenge before you submit: %(questions)s. A draft may leave them empty.",
        "Answer these questions of the challenge before you submit: %(questions)s. A draft may leave them empty.",
        len(missing),
    ) % {"questions": labels}
    return AnswersMissing(
        message,
        [q.pk for q in missing],
    )
