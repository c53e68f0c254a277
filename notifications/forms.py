from django import forms

from .models import Delivery, Kind


class PreferencesForm(forms.Form):
    """One choice per kind: immediately, in the daily digest, or no email."""

    def __init__(self, *args, initial_deliveries: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:  # the kinds the member can get: ``initial_deliveries`` lists them
            if kind.value not in initial_deliveries:
                continue
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=initial_deliveries[kind.value],
                widget=forms.RadioSelect,
            )
