"""Staff forms of the scoring admin (the members' survey form is in forms_survey.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SurveyWave


class RatingsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Survey CSV"),
        help_text=_(
            "UTF-8 CSV with a header line and the columns respondent_id, segment, outcome_code, importance, "
            "satisfaction (comma or semicolon). Every row is checked first: if any row is wrong, nothing is imported."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Check only"),
        required=False,
        help_text=_("Check the file and say what an import would change, without saving anything."),
    )
    wave = forms.ModelChoiceField(
        label=_("Survey wave"),
        queryset=SurveyWave.objects.select_related("job").order_by("job__name", "-opens_at", "-pk"),
        required=False,
        empty_label=_("Each job’s open survey round"),
        help_text=_(
            "Where the ratings go. Leave it to put them into the open round of each outcome’s job (opened now for "
            "a job that never had one); choose a wave to import a past round into its own, closed, wave."
        ),
    )
