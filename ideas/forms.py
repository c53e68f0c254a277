import secrets

from django import forms
from django.urls import reverse

from challenges.models import Challenge, Outcome

from .forms_comments import CommentForm  # noqa: F401 - re-exported: views import it from here
from .models import Idea, Vote


class IdeaForm(forms.ModelForm):
    """An idea for one challenge; the outcomes offered are the challenge's."""

    outcomes = forms.ModelMultipleChoiceField(
        queryset=Outcome.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Which outcomes does it address?",
        help_text="Choose at least one of the outcomes this challenge targets.",
        error_messages={"required": "Choose at least one outcome that your idea addresses."},
    )

    class Meta:
        model = Idea
        fields = ["title", "problem", "solution", "outcomes"]
        labels = {"problem": "The problem", "solution": "Your proposed solution"}
        help_texts = {
            "title": "A short name for your idea (at most 120 characters).",
            "problem": "What goes wrong for customers today? At most 5,000 characters; Markdown allowed.",
            "solution": "What would you do about it, and how would it work? At most 10,000 characters; Markdown allowed.",
        }
        error_messages = {
            "title": {"required": "Give your idea a short title."},
            "problem": {"required": "Describe the problem your idea solves."},
            "solution": {"required": "Describe your proposed solution."},
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "solution": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, challenge: Challenge, **kwargs):
        super().__init__(*args, **kwargs)
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

    def _clean_text(self, name: str, minimum: int) -> str:
        value = self.cleaned_data[name].strip()
        if len(value) < minimum:
            label = self.fields[name].label.lower()
            raise forms.ValidationError(f"Say a little more: {label} needs at least {minimum} characters.")
        return value

    def clean_title(self):
        return self._clean_text("title", 5)

    def clean_problem(self):
        return self._clean_text("problem", 20)

    def clean_solution(self):
        return self._clean_text("solution", 20)


class WithdrawForm(forms.Form):
    """The author's optional reason for taking their idea back."""

    reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Why are you withdrawing it? (optional)",
        help_text="The team reads this; at most 1,000 characters.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        error_messages={"max_length": "Keep the reason to at most 1,000 characters (it has %(show_value)d)."},
    )


class VoteForm(forms.Form):
    """Up, down, or take the vote back."""

    value = forms.ChoiceField(
        choices=[("up", "Up"), ("down", "Down"), ("withdraw", "Take my vote back")],
        error_messages={"invalid_choice": "A vote is up, down, or taken back.", "required": "Choose how to vote."},
    )

    VALUES = {"up": Vote.Value.UP, "down": Vote.Value.DOWN, "withdraw": None}

    def vote_value(self) -> int | None:
        return self.VALUES[self.cleaned_data["value"]]
