"""The staff's form to schedule an implemented idea's follow-up survey."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from challenges.models import Segment

from .services import MAX_DELAY_DAYS, MAX_OPEN_DAYS


class FollowUpScheduleForm(forms.Form):
    outcomes = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label=_("Outcomes to measure"),
        help_text=_("The outcomes the idea addressed, of one job: respondents rate these again."),
    )
    segments = forms.ModelMultipleChoiceField(
        queryset=Segment.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Segments concerned"),
        help_text=_("Who is asked, and whose answers are compared. None ticked: every respondent."),
    )
    delay_days = forms.IntegerField(
        label=_("Opens after (days)"),
        min_value=0,
        max_value=MAX_DELAY_DAYS,
        initial=60,
        help_text=_("Give customers time to use what was built. 0 opens it now and invites at once."),
    )
    open_days = forms.IntegerField(
        label=_("Stays open (days)"),
        min_value=1,
        max_value=MAX_OPEN_DAYS,
        initial=21,
        help_text=_("The result is computed when it closes (staff may close it earlier)."),
    )
    min_respondents = forms.IntegerField(
        label=_("Minimum respondents per outcome"),
        min_value=1,
        max_value=100_000,
        help_text=_("Below this many answers in either wave, the result says so and makes no claim."),
    )

    def __init__(self, *args, idea, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = idea.outcomes.select_related("job").order_by("job__name", "code")
        self.fields["outcomes"].queryset = outcomes
        self.fields["outcomes"].label_from_instance = lambda outcome: f"{outcome.statement} ({outcome.job.name})"
        self.fields["min_respondents"].initial = settings.SCORING_MIN_RESPONDENTS
        if not self.is_bound:
            self.initial["outcomes"] = list(outcomes)
