import secrets

from django import forms
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges.models import Challenge, ChallengeQuestion, Outcome

from . import rules
from .forms_comments import CommentForm  # noqa: F401 - re-exported: views import it from here
from .models import ANSWER_YES_NO, Idea, Status, Vote
from .services.answers import ANSWER_MAX_LENGTH


class IdeaForm(forms.ModelForm):
    """An idea for one challenge; the outcomes offered are the challenge's.

    A draft needs its title alone. ``complete`` (submitting, or saving an idea already submitted)
    also asks for what a submitted idea needs (``rules.submission_gaps``), each on its field; the
    services check the same rule again.
    """

    outcomes = forms.ModelMultipleChoiceField(
        queryset=Outcome.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Which outcomes does it address?"),
        help_text=gettext_lazy(
            "To submit, choose at least one of the outcomes this challenge targets (a draft may wait)."
        ),
    )

    class Meta:
        model = Idea
        fields = ["title", "problem", "solution", "outcomes"]
        labels = {"problem": gettext_lazy("The problem"), "solution": gettext_lazy("Your proposed solution")}
        help_texts = {
            "title": format_lazy(
                gettext_lazy(
                    "A short name for your idea: at least {minimum} and at most 120 characters. "
                    "A title is all a draft needs."
                ),
                minimum=rules.TITLE_MIN_LENGTH,
            ),
            "problem": format_lazy(
                gettext_lazy(
                    "What goes wrong for customers today? To submit: at least {minimum} characters "
                    "(a draft may be shorter); at most 5,000. Markdown allowed."
                ),
                minimum=rules.PROBLEM_MIN_LENGTH,
            ),
            "solution": format_lazy(
                gettext_lazy(
                    "What would you do about it, and how would it work? To submit: at least "
                    "{minimum} characters (a draft may be shorter); at most 10,000. Markdown allowed."
                ),
                minimum=rules.SOLUTION_MIN_LENGTH,
            ),
        }
        error_messages = {"title": {"required": gettext_lazy("Give your idea a short title: a draft needs one too.")}}
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "solution": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, challenge: Challenge, complete: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete
        if self.instance.pk is None:
            # A new idea's form carries a one-time token: sending it twice creates one idea
            # (ideas.services.idea_create, the idea_one_per_submit_key constraint).
            self.fields["submit_key"] = forms.CharField(
                widget=forms.HiddenInput,
                required=False,
                max_length=Idea._meta.get_field("submit_key").max_length,
                initial=secrets.token_urlsafe(24),
            )
        self.fields["outcomes"].queryset = challenge.outcomes.select_related("job").order_by("code")
        for name in ("title", "problem", "solution"):
            self.fields[name].widget.attrs["maxlength"] = Idea._meta.get_field(name).max_length
        # Similar ideas of the challenge as the customer types the title (ideas/similar.py); the page
        # holds the #similar-ideas panel and the #similar-context inputs (challenge, idea to leave out).
        self.fields["title"].widget.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": reverse("ideas:similar"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#similar-ideas",
                "hx-include": "#similar-context",
                "hx-sync": "this:replace",
                "aria-controls": "similar-ideas",
            }
        )

    def clean_title(self):
        value = self.cleaned_data["title"].strip()
        if len(value) < rules.TITLE_MIN_LENGTH:
            raise forms.ValidationError(
                _("Say a little more: the title needs at least %(minimum)d characters.")
                % {"minimum": rules.TITLE_MIN_LENGTH}
            )
        return value

    def clean_problem(self):
        return self.cleaned_data["problem"].strip()

    def clean_solution(self):
        return self.cleaned_data["solution"].strip()

    def clean(self):
        cleaned = super().clean()
        if self.complete:
            gaps = rules.submission_gaps(
                problem=cleaned.get("problem", ""),
                solution=cleaned.get("solution", ""),
                outcomes_count=len(cleaned.get("outcomes") or ()),
            )
            for name, message in gaps.items():
                if name not in self.errors:
                    self.add_error(name, message)
            if gaps:
                submitting = self.instance.pk is None or self.instance.status == Status.DRAFT
                named = rules.submission_gaps_named(gaps)
                if submitting:
                    raise forms.ValidationError(
                        _(
                            "Not submitted yet: complete %(missing)s first (see below). "
                            "You can save it as a draft meanwhile: a title is enough."
                        )
                        % {"missing": named}
                    )
                raise forms.ValidationError(
                    _("Not saved: a submitted idea keeps %(missing)s (see below).") % {"missing": named}
                )
        return cleaned


class WithdrawForm(forms.Form):
    """The author's optional reason for taking their idea back."""

    reason = forms.CharField(
        required=False,
        max_length=1000,
        label=gettext_lazy("Why are you withdrawing it? (optional)"),
        help_text=gettext_lazy("The team reads this; at most 1,000 characters."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        error_messages={
            "max_length": gettext_lazy("Keep the reason to at most 1,000 characters (it has %(show_value)d).")
        },
    )


class VoteForm(forms.Form):
    """Up, down, or take the vote back."""

    value = forms.ChoiceField(
        choices=[
            ("up", gettext_lazy("Up")),
            ("down", gettext_lazy("Down")),
            ("withdraw", gettext_lazy("Take my vote back")),
        ],
        error_messages={
            "invalid_choice": gettext_lazy("A vote is up, down, or taken back."),
            "required": gettext_lazy("Choose how to vote."),
        },
    )

    VALUES = {"up": Vote.Value.UP, "down": Vote.Value.DOWN, "withdraw": None}

    def vote_value(self) -> int | None:
        return self.VALUES[self.cleaned_data["value"]]


class AnswersForm(forms.Form):
    """The challenge's own questions, after the standard fields of the idea form (prefix ``answer``).

    Nothing is required here: a draft may leave questions empty, and a submission's required answers
    are checked by the service (``ideas.services.answers_missing_refusal``), whose refusal the view
    puts on the questions it names. Values are checked again by the service.
    """

    prefix = "answer"

    def __init__(self, *args, questions: list[ChallengeQuestion], stored: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        stored = stored or {}
        self.questions = {f"q{q.pk}": q for q in questions}
        for name, question in self.questions.items():
            self.fields[name] = self._field_for(question, stored.get(question.pk, ""))
            self.fields[name].initial = stored.get(question.pk, "")

    @staticmethod
    def _field_for(question: ChallengeQuestion, kept: str) -> forms.Field:
        Kind = ChallengeQuestion.Kind
        # The question's label and help are staff's content; only the portal's own words are translated.
        label = question.label if question.required else _("%(label)s (optional)") % {"label": question.label}
        help_text = question.help
        if question.required:
            required = _("Required to submit; a draft may leave it empty.")
            help_text = f"{help_text} {required}" if help_text else required
        common = {"label": label, "help_text": help_text, "required": False}
        if question.kind == Kind.LONG_TEXT:
            limit = ANSWER_MAX_LENGTH[Kind.LONG_TEXT]
            return forms.CharField(
                max_length=limit, widget=forms.Textarea(attrs={"rows": 4, "maxlength": limit}), **common
            )
        if question.kind == Kind.CHOICE:
            options = question.options
            if kept and kept not in options:
                options = [*options, kept]  # removed by staff since: the answer given is kept
            choices = [("", "—")] + [(option, option) for option in options]
            return forms.ChoiceField(choices=choices, **common)
        if question.kind == Kind.YES_NO:
            choices = [("", "—"), *ANSWER_YES_NO.items()]
            return forms.ChoiceField(choices=choices, **common)
        if question.kind == Kind.NUMBER:
            return forms.DecimalField(max_digits=15, widget=forms.NumberInput(attrs={"step": "any"}), **common)
        limit = ANSWER_MAX_LENGTH[Kind.SHORT_TEXT]
        return forms.CharField(max_length=limit, widget=forms.TextInput(attrs={"maxlength": limit}), **common)

    def answers(self) -> dict[int, str]:
        """{question id: value as text} for the service ("" clears an answer)."""
        values = {}
        for name, question in self.questions.items():
            value = self.cleaned_data.get(name)
            values[question.pk] = "" if value is None else str(value)
        return values

    def mark_missing(self, question_ids: list[int]) -> None:
        """Put the submission's refusal on each required question left empty."""
        for question_id in question_ids:
            name = f"q{question_id}"
            if name in self.fields:
                self.add_error(name, _("Answer this question to submit your idea (a draft may leave it empty)."))


class CoauthorInviteForm(forms.Form):
    """The main author invites a co-author by email address (members are chosen by name instead)."""

    email = forms.EmailField(
        label=gettext_lazy("Invite by email address"),
        help_text=gettext_lazy(
            "They receive a link to accept; a member with this confirmed address is told in the portal too."
        ),
        error_messages={
            "required": gettext_lazy("Give the co-author's email address."),
            "invalid": gettext_lazy("Enter a valid email address."),
        },
    )


class MemberSearchForm(forms.Form):
    """Find members by the name they show (never by email)."""

    q = forms.CharField(
        label=gettext_lazy("Find a member by name"),
        min_length=2,
        max_length=80,
        help_text=gettext_lazy("At least 2 letters of the name they show in the portal."),
        error_messages={"min_length": gettext_lazy("Type at least 2 letters of their name.")},
    )
