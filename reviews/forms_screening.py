"""The staff scorecard form: one 1–5 score and a note per criterion of the idea's challenge."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.funnel import STAFF_STATUSES, Status

from .models import ReasonTemplate
from .services.screening import NOTE_MAX_LENGTH

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class ScorecardForm(forms.Form):
    """Fields ``score_<criterion id>`` and ``note_<criterion id>`` per criterion, then overall notes.

    It checks only that the card is complete; ``reviews.services.screening_save`` decides the rest.
    """

    def __init__(self, *args, criteria, screening=None, idea=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        existing = {score.criterion_id: score for score in screening.scores.all()} if screening else {}
        for criterion in self.criteria:
            current = existing.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=gettext("%(criterion)s (weight %(weight)s)")
                % {"criterion": criterion.name, "weight": criterion.weight},
                choices=SCORE_CHOICES,
                coerce=int,
                # The scorecard's template writes what 1 and 5 mean at the ends of the radios.
                widget=forms.RadioSelect(attrs={"class": "inline scale-radios"}),
                help_text=criterion.description,
                initial=str(current.score) if current else None,
                error_messages={
                    "required": gettext("Score “%(criterion)s” from 1 to 5.") % {"criterion": criterion.name}
                },
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=gettext("Note on %(criterion)s") % {"criterion": criterion.name.lower()},
                required=False,
                max_length=NOTE_MAX_LENGTH,
                initial=current.note if current else "",
                widget=forms.TextInput(attrs={"size": 80}),
            )
        self.fields["notes"] = forms.CharField(
            label=_("Overall notes"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
            initial=screening.notes if screening else "",
            help_text=_("For staff only; the author never sees scores or notes."),
        )
        if idea is not None and idea.status == Status.SUBMITTED:
            # The first answer the author gets, before any decision: "we've read it, we're looking at it".
            self.fields["acknowledge"] = forms.BooleanField(
                label=_("Tell the author it is under review"),
                required=False,
                initial=True,
                help_text=_(
                    "Moves the idea from “submitted” to “under review”: the author hears that staff read it, "
                    "and it counts as the first answer (it is no longer overdue)."
                ),
            )

    def rows(self):
        """(criterion, score field, note field) per criterion, for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int, str]]:
        """The cleaned card as ``screening_save`` takes it."""
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data.get(f"note_{c.pk}", "")) for c in self.criteria
        }


class ReasonTemplateForm(forms.ModelForm):
    """A reason template and every status it was written for (its main one, and others it fits too)."""

    also_for = forms.MultipleChoiceField(
        label=_("Also for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Other statuses this reason fits as written; it is offered, and accepted, for these only."),
    )

    class Meta:
        model = ReasonTemplate
        fields = ["to_status", "also_for", "title", "text", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff_statuses = [(v, label) for v, label in Status.choices if v in STAFF_STATUSES]
        self.fields["to_status"].choices = staff_statuses
        self.fields["also_for"].choices = staff_statuses

    def clean(self):
        cleaned = super().clean()
        cleaned["also_for"] = sorted(set(cleaned.get("also_for") or []) - {cleaned.get("to_status")})
        return cleaned
