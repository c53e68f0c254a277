"""Forms for comments, replies, flags, moderation and kudos.

They check that a request is complete and well formed; ``ideas.services`` decides whether the
person may do it.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Comment, CommentFlag

BODY_HELP = gettext_lazy("Be kind and specific. Markdown allowed; at most 5,000 characters.")


class CommentForm(forms.ModelForm):
    """A new comment, or the author's new text for theirs."""

    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": gettext_lazy("Your comment")}
        help_texts = {"body": BODY_HELP}
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": 5000})}
        error_messages = {"body": {"required": gettext_lazy("A comment cannot be empty.")}}

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("A comment cannot be empty."))
        return body


class ReplyForm(CommentForm):
    """A reply: ``parent`` names the comment replied to."""

    parent = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Say which comment you reply to."),
            "invalid": gettext_lazy("Say which comment you reply to."),
        },
    )


class CommentFlagForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=CommentFlag._meta.get_field("reason").max_length,
        label=gettext_lazy("What is wrong with it? (optional)"),
        error_messages={"max_length": gettext_lazy("Keep the reason to %(limit_value)d characters.")},
    )


class CommentHideForm(forms.Form):
    reason = forms.CharField(
        max_length=Comment._meta.get_field("hidden_reason").max_length,
        label=gettext_lazy("Reason (the author reads it)"),
        widget=forms.TextInput(attrs={"size": 60}),
        error_messages={
            "required": gettext_lazy("Give the author a reason when hiding a comment."),
            "max_length": gettext_lazy("Keep the reason to %(limit_value)d characters."),
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the author a reason when hiding a comment."))
        return reason


class KudosForm(forms.Form):
    """Give kudos, or take them back: the button says which, so a double click does not undo the first."""

    value = forms.ChoiceField(
        choices=[("give", gettext_lazy("Give kudos")), ("take_back", gettext_lazy("Take my kudos back"))],
        error_messages={
            "invalid_choice": gettext_lazy("Kudos are given or taken back."),
            "required": gettext_lazy("Say whether to give kudos."),
        },
    )
