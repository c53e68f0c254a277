from django import forms
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge

from .selectors import PERIOD_DEFAULT, PERIODS

# Marked for the catalogues, translated when raised (the English constants are what tests compare).
PERIOD_UNKNOWN = gettext_noop("Choose one of the periods listed.")
CHALLENGE_UNKNOWN = gettext_noop("Choose one of the challenges listed.")


class LeaderboardForm(forms.Form):
    """The leaderboard's period and challenge (by slug, or by id).

    ``challenges`` are the challenges the viewer may see (challenges.selectors.challenge_visible_to):
    any other challenge, invite-only or missing alike, gets the same message, so the form never tells
    whether a hidden challenge exists. A value it refuses is replaced by the default in the form's
    data, so the page shows the selects at what the board falls back to.
    """

    period = forms.CharField(
        required=False,
        initial=PERIOD_DEFAULT,
        label=_("Period"),
        widget=forms.Select(choices=[(key, label) for key, (label, _days) in PERIODS.items()]),
    )
    challenge = forms.CharField(required=False, label=_("Challenge"), widget=forms.Select)

    def __init__(self, data=None, *, challenges, **kwargs):
        super().__init__(data, **kwargs)
        # One query: the list feeds both the select's options and the lookup in clean_challenge.
        self._challenges = list(challenges.order_by("title", "pk"))
        self.fields["challenge"].widget.choices = [("", _("All challenges"))] + [
            (challenge.slug, challenge.title) for challenge in self._challenges
        ]

    def _show(self, name: str, value: str) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix(name)] = value

    def clean_period(self) -> str:
        value = self.cleaned_data["period"].strip()
        if not value:
            return PERIOD_DEFAULT
        if value not in PERIODS:
            self._show("period", PERIOD_DEFAULT)
            raise forms.ValidationError(gettext(PERIOD_UNKNOWN), code="invalid_choice")
        return value

    def clean_challenge(self) -> Challenge | None:
        value = self.cleaned_data["challenge"].strip()
        if not value:
            return None
        by_slug = {challenge.slug: challenge for challenge in self._challenges}
        by_id = {str(challenge.pk): challenge for challenge in self._challenges}
        challenge = by_slug.get(value) or by_id.get(value)
        if challenge is None:
            self._show("challenge", "")
            raise forms.ValidationError(gettext(CHALLENGE_UNKNOWN), code="invalid_choice")
        if value != challenge.slug:
            self._show("challenge", challenge.slug)  # named by id
        return challenge
