"""Forms for comments, replies, flags, moderation and kudos.

They check that a request is complete and well formed; ``ideas.services`` decides whether the
person may do it.
"""

from django import forms

from .models import Comment, CommentFlag

BODY_HELP = "Be kind and specific. Markdown allowed; at most 5,000 characters."


class CommentForm(forms.ModelForm):
    """A new comment, or the author's new text for theirs."""

    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "Your comment"}
        help_texts = {"body": BODY_HELP}
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "maxlength": 5000})}
        error_messages = {"body": {"required": "A comment cannot be empty."}}

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("A comment cannot be empty.")
        return body


class ReplyForm(CommentForm):
    """A reply: ``parent`` names the comment replied to."""

    parent = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "Say which comment you reply to.", "invalid": "Say which comment you reply to."},
    )


class CommentFlagForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=CommentFlag._meta.get_field("reason").max_length,
        label="What is wrong with it? (optional)",
        error_messages={"max_length": "Keep the reason to %(limit_value)d characters."},
    )


class CommentHideForm(forms.Form):
    reason = forms.CharField(
        max_length=Comment._meta.get_field("hidden_reason").max_length,
        label="Reason (the author reads it)",
        widget=forms.TextInput(attrs={"size": 60}),
        error_messages={
            "required": "Give the author a reason when hiding a comment.",
            "max_length": "Keep the reason to %(limit_value)d characters.",
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the author a reason when hiding a comment.")
        return reason


class KudosForm(forms.Form):
    """Give kudos, or take them back: the button says which, so a double click does not undo the first."""

    value = forms.ChoiceField(
        choices=[("give", "Give kudos"), ("take_back", "Take my kudos back")],
        error_messages={"invalid_choice": "Kudos are given or taken back.", "required": "Say whether to give kudos."},
    )
