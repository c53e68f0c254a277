from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Challenge


class InvitationEmailsForm(forms.Form):
    """Staff paste email addresses, one a line; every bad line is reported and nothing is saved."""

    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 60, "placeholder": "ana@example.com\nbo@example.org"}),
        help_text=_(
            "One address a line. Each gets an email with a personal link to join the challenge. "
            "An address already invited is skipped; a member's address puts them in at once (they are emailed too)."
        ),
        error_messages={"required": _("Paste at least one email address, one a line.")},
    )

    def clean_emails(self) -> list[str]:
        try:
            return services.invitation_emails_clean(self.cleaned_data["emails"].splitlines())
        except services.InvalidEmails as error:
            raise forms.ValidationError(error.problems) from None


class PhaseSetForm(forms.Form):
    """The phase staff move a challenge to (the admin's phase page offers the next and the previous one)."""

    phase = forms.ChoiceField(choices=Challenge.Phase.choices)


class AnnouncementForm(forms.Form):
    """What staff write to a challenge's participants and followers; the service checks the rest."""

    subject = forms.CharField(
        max_length=services.ANNOUNCEMENT_SUBJECT_MAX,
        label=_("Subject"),
        help_text=_("The notification's title and the email's subject."),
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=services.ANNOUNCEMENT_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text=_(
            "Plain text. Each member reads it in the portal and by email as their preferences say, "
            "with a link to the challenge and one to stop these emails."
        ),
    )
    send_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
