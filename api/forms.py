from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Scope
from .rules import can_hold_staff_scope

EXPIRY_CHOICES = [("30", _("In 30 days")), ("90", _("In 90 days")), ("365", _("In a year")), ("never", _("Never"))]

# The scopes' help, with and without the staff scope (offered to staff only).
SCOPES_HELP = _(
    "Read: what you can see. Write: act as you (ideas, votes, comments, follows); includes read. "
    "Staff: the triage endpoints; includes read."
)
SCOPES_HELP_NO_STAFF = _("Read: what you can see. Write: act as you (ideas, votes, comments, follows); includes read.")


class TokenForm(forms.Form):
    """A new personal access token: its name, scopes and lifetime (the staff scope is offered to staff only)."""

    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        label=_("Name"),
        help_text=_("What the token is for, so you can recognise it later (e.g. “CRM sync”)."),
        error_messages={"required": _("Give the token a name.")},
    )
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
        label=_("Scopes"),
        help_text=SCOPES_HELP,
        error_messages={"required": _("Choose at least one scope.")},
    )
    expires = forms.ChoiceField(
        choices=EXPIRY_CHOICES, initial="90", label=_("Expires"), help_text=_("An expired token stops working.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["maxlength"] = self.fields["name"].max_length
        if not can_hold_staff_scope(user):
            self.fields["scopes"].choices = [c for c in Scope.choices if c[0] != Scope.STAFF]
            self.fields["scopes"].help_text = SCOPES_HELP_NO_STAFF

    def expires_at(self):
        days = self.cleaned_data["expires"]
        return None if days == "never" else timezone.now() + timezone.timedelta(days=int(days))
