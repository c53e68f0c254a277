from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from challenges.models import Segment


class ProfileForm(forms.ModelForm):
    """The member's display name, language, whether their profile is public, and the segment their survey answers are counted in.

    The segment is not a field of the user: it lives on the member's survey respondent
    (scoring.services.survey.respondent_segment_set writes it). Without segments there is no question.
    """

    segment = forms.ModelChoiceField(
        queryset=Segment.objects.none(),
        required=False,
        label=_("Which describes you best?"),
        empty_label=_("Not set"),
        help_text=_("Your survey answers are counted in this group's totals; it is never shown beside your name."),
        error_messages={"invalid_choice": _("Choose one of the groups listed.")},
    )

    class Meta:
        model = User
        fields = ["display_name", "language", "profile_public"]

    def __init__(self, *args, segment: Segment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].label = _("Display name")
        # Each language named in itself; no choice follows the browser (Accept-Language).
        self.fields["language"].choices = [("", _("Follow my browser")), *settings.LANGUAGES]
        segments = Segment.objects.order_by("name")
        if segments.exists():
            self.fields["segment"].queryset = segments
            self.fields["segment"].initial = segment
        else:
            del self.fields["segment"]

    def clean_display_name(self):
        return self.cleaned_data["display_name"].strip()

    @property
    def segment_answered(self) -> bool:
        """Whether the form asked the segment and the request answered it (a form without the field keeps it)."""
        return "segment" in self.fields and self.add_prefix("segment") in self.data
