"""The outcome survey of one job: importance and satisfaction, 1–5, for each of its outcomes."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from challenges.models import Outcome

from .selectors_survey import segments

IMPORTANCE_CHOICES = [
    (1, gettext_lazy("Not at all important")),
    (2, gettext_lazy("Slightly important")),
    (3, gettext_lazy("Moderately important")),
    (4, gettext_lazy("Very important")),
    (5, gettext_lazy("Extremely important")),
]
SATISFACTION_CHOICES = [
    (1, gettext_lazy("Not at all satisfied")),
    (2, gettext_lazy("Slightly satisfied")),
    (3, gettext_lazy("Moderately satisfied")),
    (4, gettext_lazy("Very satisfied")),
    (5, gettext_lazy("Extremely satisfied")),
]
IMPORTANCE_QUESTION = gettext_lazy("How important is this to you?")
SATISFACTION_QUESTION = gettext_lazy("How satisfied are you with the solutions you use today?")
ANSWER_FIELD = re.compile(r"^(importance|satisfaction)_(.+)$")


def _scale_field(choices, label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        label=label,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the five answers, from 1 to 5.")},
    )


class SurveyForm(forms.Form):
    """Two radio groups per outcome, and the member's segment when it is not known yet.

    ``complete`` (the "Submit survey" button) needs both answers for every outcome, and an outcome
    with only one of its two is an error. Otherwise ("Save and continue later") the outcomes with
    both answers are saved and the others wait: a half-answered one is no error but is listed in
    ``incomplete_outcomes`` (after ``is_valid``), for the page to name. Any error (an answer that
    is not one of the five, an outcome the survey does not ask about) saves nothing.
    """

    def __init__(
        self,
        *args,
        outcomes: list[Outcome],
        saved: dict[int, tuple[int, int]],
        ask_segment: bool,
        complete: bool = False,
        **kwargs,
    ):
        initial = {}
        for outcome_id, (importance, satisfaction) in saved.items():
            initial[f"importance_{outcome_id}"] = importance
            initial[f"satisfaction_{outcome_id}"] = satisfaction
        super().__init__(*args, initial=initial, **kwargs)
        self.outcomes = outcomes
        self.complete = complete
        self.incomplete_outcomes: list[Outcome] = []
        self.ask_segment = ask_segment
        if ask_segment:
            self.fields["segment"] = forms.ModelChoiceField(
                queryset=segments(),
                required=False,
                widget=forms.RadioSelect,
                label=_("Which describes you best?"),
                help_text=_(
                    "Asked once: answers are compared between these groups. You can change it on your profile."
                ),
                error_messages={"invalid_choice": _("Choose one of the groups listed.")},
            )
        for outcome in outcomes:
            self.fields[f"importance_{outcome.pk}"] = _scale_field(IMPORTANCE_CHOICES, IMPORTANCE_QUESTION)
            self.fields[f"satisfaction_{outcome.pk}"] = _scale_field(SATISFACTION_CHOICES, SATISFACTION_QUESTION)

    def _foreign_answer_keys(self) -> list[str]:
        """Answers sent for outcomes this survey does not show (an out-of-date page or a tampered form)."""
        return [key for key in self.data if ANSWER_FIELD.match(key) and key not in self.fields]

    def clean(self):
        cleaned = super().clean()
        if self._foreign_answer_keys():
            raise forms.ValidationError(
                _(
                    "Some answers are for outcomes this survey does not ask about (the page may be out of date): "
                    "nothing was saved. Please reload the page and answer again."
                )
            )
        complete_pairs = 0
        for outcome in self.outcomes:
            names = f"importance_{outcome.pk}", f"satisfaction_{outcome.pk}"
            if any(name in self.errors for name in names):
                continue
            importance, satisfaction = (cleaned.get(name) for name in names)
            if importance is not None and satisfaction is not None:
                complete_pairs += 1
            elif (importance is not None or satisfaction is not None) and not self.complete:
                self.incomplete_outcomes.append(outcome)  # kept for later: the rest is saved
            elif importance is not None:
                self.add_error(
                    names[1],
                    _("Also rate how satisfied you are today: an outcome is saved once both questions are answered."),
                )
            elif satisfaction is not None:
                self.add_error(
                    names[0],
                    _("Also rate how important this is to you: an outcome is saved once both questions are answered."),
                )
            elif self.complete:
                self.add_error(names[0], _("Rate how important this is to you."))
                self.add_error(names[1], _("Rate how satisfied you are with today's solutions."))
        segment = cleaned.get("segment")
        if self.ask_segment and segment is None and "segment" not in self.errors and (complete_pairs or self.complete):
            self.add_error("segment", _("Tell us which group describes you best: your answers are counted with it."))
        if not self.errors and not complete_pairs and segment is None and not self.incomplete_outcomes:
            raise forms.ValidationError(_("Nothing to save yet: answer both questions for at least one outcome."))
        if self.errors:
            to_fix = len(self.outcomes_with_errors())
            if to_fix:
                message = ngettext(
                    "Nothing was saved: please check %(count)d outcome below.",
                    "Nothing was saved: please check %(count)d outcomes below.",
                    to_fix,
                ) % {"count": to_fix}
            else:
                message = _("Nothing was saved: please check the question below.")
            raise forms.ValidationError(message)
        return cleaned

    def answers(self) -> dict[int, tuple[int, int]]:
        """{outcome id: (importance, satisfaction)} of the outcomes with both answers (after is_valid)."""
        answers = {}
        for outcome in self.outcomes:
            importance = self.cleaned_data.get(f"importance_{outcome.pk}")
            satisfaction = self.cleaned_data.get(f"satisfaction_{outcome.pk}")
            if importance is not None and satisfaction is not None:
                answers[outcome.pk] = (importance, satisfaction)
        return answers

    def outcomes_with_errors(self) -> list[Outcome]:
        return [
            outcome
            for outcome in self.outcomes
            if f"importance_{outcome.pk}" in self.errors or f"satisfaction_{outcome.pk}" in self.errors
        ]

    def rows(self) -> list[dict]:
        """One entry per outcome, for the template: the outcome and its two bound radio groups."""
        with_errors = {outcome.pk for outcome in self.outcomes_with_errors()}
        incomplete = {outcome.pk for outcome in self.incomplete_outcomes}
        return [
            {
                "outcome": outcome,
                "importance": self[f"importance_{outcome.pk}"],
                "satisfaction": self[f"satisfaction_{outcome.pk}"],
                "scales": [self[f"importance_{outcome.pk}"], self[f"satisfaction_{outcome.pk}"]],
                "has_errors": outcome.pk in with_errors,
                "incomplete": outcome.pk in incomplete,
            }
            for outcome in self.outcomes
        ]
