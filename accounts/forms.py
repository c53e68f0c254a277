from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth calls ``signup`` after it created the user)."""

    display_name = forms.CharField(
        max_length=60,
        required=False,
        label=_("Display name"),
        help_text=User._meta.get_field("display_name").help_text,
    )

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=["display_name"])
