from django import forms
from django.utils.translation import gettext_lazy as _


class AccountEraseForm(forms.Form):
    """The confirmation of an erasure: the password (members who have one) and a tick that they read
    what happens. Members who sign in only through single sign-on confirm by signing in again
    (allauth's reauthentication, privacy.views.account_delete)."""

    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
        strip=False,
        error_messages={"required": _("Type your password to confirm it is you. Nothing was deleted.")},
    )
    understood = forms.BooleanField(
        label=_("I understand that my account is deleted for good and cannot be restored."),
        error_messages={"required": _("Tick this box to confirm you want your account deleted.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password. Nothing was deleted."))
        return password
