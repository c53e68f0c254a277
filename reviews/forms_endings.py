"""The form that answers every idea still open in a challenge at once, before it closes."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.funnel import CLOSING_ENDINGS
from ideas.forms_admin import ExpectedStatusesMixin

from .selectors import reason_templates_active

# The endings a challenge's open ideas get when it closes (reviews.services.finalists.ending_for).
ENDING_STATUSES = CLOSING_ENDINGS


class ChallengeIdeasEndForm(ExpectedStatusesMixin, forms.Form):
    """One reason for every idea still open: each becomes not selected (declined if never screened)."""

    reason_template = forms.ChoiceField(
        label=_("Reason template"),
        required=False,
        help_text=_("A reusable reason written for “not selected”: leave the reason empty to use its text as is."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Every author of these ideas reads this, word for word."),
    )

    def __init__(self, *args, ideas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._expected_init(ideas)
        self.reason_templates = [t for t in reason_templates_active() if t.statuses & set(ENDING_STATUSES)]
        self.fields["reason_template"].choices = [
            ("", gettext("— none —")),
            *[(str(t.pk), f"{t.get_to_status_display()}: {t.title}") for t in self.reason_templates],
        ]

    def clean(self):
        cleaned = super().clean()
        reason = (cleaned.get("reason") or "").strip()
        template = next((t for t in self.reason_templates if str(t.pk) == cleaned.get("reason_template")), None)
        if template is not None and not reason:
            reason = template.text.strip()
        if not reason:
            self.add_error("reason", gettext("Give the authors a reason: choose a template or write one."))
        cleaned["reason"] = reason
        cleaned["template"] = template
        return cleaned
