from django import forms

from . import registry
from .models import Delivery


class PreferencesForm(forms.Form):
    """One choice per kind: immediately, in the daily digest, or no email."""

    def __init__(self, *args, initial_deliveries: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in registry.kinds():  # the kinds the member can get: ``initial_deliveries`` lists them
            if kind.key not in initial_deliveries:
                continue
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=initial_deliveries[kind.key],
                widget=forms.RadioSelect,
            )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields under the preferences table's headings, each group where its first kind comes."""
        grouped: dict[str, list[forms.BoundField]] = {}
        for name in self.fields:
            grouped.setdefault(registry.get(name).group, []).append(self[name])
        return list(grouped.items())
