"""The questionnaire as a form: one 1–7 radio group per statement, and the staff's invitation form."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import SCALE_MAX, SCALE_MIN, Questionnaire
from .selectors import invitable_challenges

SCALE_ENDS = {SCALE_MIN: _("not at all like me"), SCALE_MAX: _("very much like me")}
SCALE_CHOICES = [
    (
        value,
        format_lazy("{value} — {end}", value=value, end=SCALE_ENDS[value]) if value in SCALE_ENDS else str(value),
    )
    for value in range(SCALE_MIN, SCALE_MAX + 1)
]


def item_field_name(item) -> str:
    return f"item_{item.pk}"


class QuestionnaireForm(forms.Form):
    """Every statement needs an answer; any error saves nothing (innovators.services.questionnaire_answer)."""

    questionnaire = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        super().__init__(*args, initial={"questionnaire": questionnaire.pk}, **kwargs)
        self.questionnaire = questionnaire
        self.items = list(questionnaire.items.all())
        for item in self.items:
            self.fields[item_field_name(item)] = forms.TypedChoiceField(
                label=item.text,
                choices=SCALE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": gettext("Choose an answer from %(min)d to %(max)d.")
                    % {"min": SCALE_MIN, "max": SCALE_MAX},
                    "invalid_choice": gettext("Choose one of the answers from %(min)d to %(max)d.")
                    % {"min": SCALE_MIN, "max": SCALE_MAX},
                },
            )

    # What the scale's two ends mean: the page names them beside 1 and 7.
    scale_ends = SCALE_ENDS

    def rows(self):
        return [self[item_field_name(item)] for item in self.items]

    def values(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[item_field_name(item)] for item in self.items}


class InviteToChallengeForm(forms.Form):
    challenge = forms.ModelChoiceField(
        queryset=invitable_challenges(),
        label=_("Challenge"),
        empty_label=_("Choose an invite-only challenge"),
        help_text=_(
            "Invite-only challenges past their draft and not closed. "
            "Each newly invited member is notified once; members already invited are left as they are."
        ),
        error_messages={"invalid_choice": _("Choose one of the invite-only challenges listed.")},
    )


class InviteForOutcomeForm(InviteToChallengeForm):
    """The gap grid's invitation: the challenge to invite to, and the members the page showed (their ids).

    The view invites only if the members it would choose now are exactly those shown, so staff
    confirm precisely who is invited.
    """

    members = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, challenges: list, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["challenge"]
        field.help_text = gettext(
            "Invite-only challenges past their draft and not closed, those that target this outcome first. "
            "Each newly invited member is notified once; members already invited are left as they are."
        )
        field.queryset = invitable_challenges().filter(pk__in=[challenge.pk for challenge in challenges])
        # The page's order (targeting this outcome first), not the queryset's.
        field.choices = [
            ("", field.empty_label),
            *(
                (
                    challenge.pk,
                    gettext("%(challenge)s (targets this outcome)") % {"challenge": challenge}
                    if challenge.targets
                    else str(challenge),
                )
                for challenge in challenges
            ),
        ]

    def clean_members(self) -> list[int]:
        parts = [part.strip() for part in self.cleaned_data["members"].split(",") if part.strip()]
        if not parts or not all(part.isdigit() for part in parts):
            raise forms.ValidationError(gettext("The list of members is missing: open the page again."))
        return [int(part) for part in parts]

    def clean(self):
        data = super().clean()
        # The member list is a hidden field: its error is the form's, shown above the fields.
        if "members" in self._errors:
            self.add_error(None, self._errors.pop("members"))
        return data
