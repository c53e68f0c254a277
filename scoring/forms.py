"""Staff forms of the scoring admin (the members' survey form is in forms_survey.py)."""

from django import forms


class RatingsImportForm(forms.Form):
    file = forms.FileField(
        label="Survey CSV",
        help_text=(
            "UTF-8 CSV with a header line and the columns respondent_id, segment, outcome_code, importance, "
            "satisfaction (comma or semicolon). Every row is checked first: if any row is wrong, nothing is imported."
        ),
    )
    dry_run = forms.BooleanField(
        label="Check only",
        required=False,
        help_text="Check the file and say what an import would change, without saving anything.",
    )
