"""Forms of mentoring: the mentor's review and revision request, the private thread, the staff assignment pages.

The forms check that a request is complete; ``reviews.services.mentoring`` decides whether it is allowed.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import MENTOR_GROUP
from ideas.forms_admin import STALE_PAGE, ExpectedStatusesMixin

from .models import Review
from .selectors import mentors_with_load

SCORE_HELP = {
    "desirability": _("Do customers want it?"),
    "feasibility": _("Can it be built?"),
    "viability": _("Can the business sustain it?"),
    "clarity": _("Is the plan clear?"),
}


def _mentors():
    return get_user_model().objects.filter(groups__name=MENTOR_GROUP, is_active=True).order_by("display_name", "pk")


class ReviewForm(forms.Form):
    """The rubric: four scores from 1 (poor) to 5 (excellent), comments and a recommendation."""

    desirability = forms.IntegerField(
        label=_("Desirability"), min_value=1, max_value=5, help_text=SCORE_HELP["desirability"]
    )
    feasibility = forms.IntegerField(
        label=_("Feasibility"), min_value=1, max_value=5, help_text=SCORE_HELP["feasibility"]
    )
    viability = forms.IntegerField(label=_("Viability"), min_value=1, max_value=5, help_text=SCORE_HELP["viability"])
    clarity = forms.IntegerField(label=_("Clarity"), min_value=1, max_value=5, help_text=SCORE_HELP["clarity"])
    comments = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}), label=_("Comments for the team")
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Review.Recommendation.choices, initial=Review.Recommendation.UNDECIDED
    )

    @classmethod
    def for_review(cls, review: Review | None, data=None):
        initial = None
        if review is not None:
            initial = {name: getattr(review, name) for name in cls.base_fields}
        return cls(data, initial=initial, prefix="review")


class RevisionRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What should the author revise?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The author reads this and can edit the idea again; their next save answers your request."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "revision")
        super().__init__(*args, **kwargs)


class ThreadMessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "thread")
        super().__init__(*args, **kwargs)


def mentor_label(user) -> str:
    """A mentor as the assign pages list them: who, and how many ideas they hold of how many they take."""
    values = {"name": user.public_name, "email": user.email, "load": user.load, "capacity": user.mentor_capacity}
    if user.load >= user.mentor_capacity:
        return gettext("%(name)s <%(email)s> · %(load)s of %(capacity)s ideas — full") % values
    return gettext("%(name)s <%(email)s> · %(load)s of %(capacity)s ideas") % values


class MentorAssignForm(ExpectedStatusesMixin, forms.Form):
    mentors = forms.ModelMultipleChoiceField(
        label=_("Mentors"),
        queryset=_mentors(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Members of the Mentor group, with the ideas they mentor now of the most they take (their "
            "capacity, set on the Mentors page). Each idea goes to the chosen mentor with the fewest ideas now; "
            "nobody gets more than their capacity."
        ),
    )
    capacity = forms.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        label=_("Capacity per mentor, this time only"),
        help_text=_("Optional: a lower limit for this assignment only. Empty: each mentor's own capacity."),
    )

    def __init__(self, *args, ideas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._expected_init(ideas)
        self.fields["mentors"].queryset = mentors_with_load()
        self.fields["mentors"].label_from_instance = mentor_label


class MentorReassignForm(ExpectedStatusesMixin, forms.Form):
    """The new mentor; carries each idea's status and current assignment as the page showed them."""

    mentor = forms.ModelChoiceField(queryset=_mentors(), label=_("New mentor"))
    expected_assignments = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200_000)

    def __init__(self, *args, ideas=None, current_assignments: dict[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._expected_init(ideas)
        if ideas is not None and current_assignments is not None and not self.is_bound:
            self.fields["expected_assignments"].initial = ",".join(
                f"{idea.pk}:{current_assignments.get(idea.pk, 0)}" for idea in ideas
            )

    def clean_expected_assignments(self) -> dict[int, int]:
        pairs = {}
        for part in (self.cleaned_data.get("expected_assignments") or "").split(","):
            idea_id, _, assignment_id = part.strip().partition(":")
            if idea_id.isascii() and idea_id.isdigit() and assignment_id.isascii() and assignment_id.isdigit():
                pairs[int(idea_id)] = int(assignment_id)
        return pairs

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("expected_assignments") and not self.non_field_errors():
            self.add_error(None, STALE_PAGE)
        return cleaned

    def expected_assignment_of(self, idea) -> int:
        """The idea's current assignment as the page showed it (0: none; -1, which never matches, if not shown)."""
        return self.cleaned_data.get("expected_assignments", {}).get(idea.pk, -1)
        self.fields["mentor"].queryset = mentors_with_load()
        self.fields["mentor"].label_from_instance = mentor_label
