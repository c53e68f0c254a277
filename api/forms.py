from django import forms
from django.utils import timezone

from .models import ApiToken, Scope
from .rules import can_hold_staff_scope

EXPIRY_CHOICES = [("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("never", "Never")]


class TokenForm(forms.Form):
    """A new personal access token: its name, scopes and lifetime (the staff scope is offered to staff only)."""

    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, so you can recognise it later (e.g. “CRM sync”).",
        error_messages={"required": "Give the token a name."},
    )
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
        help_text="Read: what you can see. Write: act as you (ideas, votes, comments, follows); includes read. "
        "Staff: the triage endpoints; includes read.",
        error_messages={"required": "Choose at least one scope."},
    )
    expires = forms.ChoiceField(
        choices=EXPIRY_CHOICES, initial="90", label="Expires", help_text="An expired token stops working."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["maxlength"] = self.fields["name"].max_length
        if not can_hold_staff_scope(user):
            self.fields["scopes"].choices = [c for c in Scope.choices if c[0] != Scope.STAFF]
            self.fields["scopes"].help_text = self.fields["scopes"].help_text.split(" Staff:")[0]

    def expires_at(self):
        days = self.cleaned_data["expires"]
        return None if days == "never" else timezone.now() + timezone.timedelta(days=int(days))
