"""The files field of the idea form and of the comment form (``ideas.hooks.form_part_register``).

Each part is a small Django form bound to the request's POST and FILES. Its ``clean`` reads every
file's content (``attachments.content.inspect``: the type from the bytes, pictures re-encoded), so a
refused file is named in a field error and nothing is saved; ``save`` runs in the same transaction
as the idea or comment and calls the service, which counts the limits again under the idea's lock.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ideas.models import Comment, Idea

from . import selectors, services
from .content import FileRefused, human_size, inspect

# What the browser's file picker offers (the server decides from the content anyway).
ACCEPT = ".jpg,.jpeg,.png,.webp,.gif,.pdf,.docx,.xlsx,.pptx,.odt,.ods,.odp"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _limits_help(per_item: int, *, comment: bool) -> str:
    values = {
        "size": human_size(settings.ATTACHMENT_MAX_BYTES),
        "count": per_item,
        "total": human_size(settings.ATTACHMENTS_IDEA_MAX_BYTES),
    }
    if comment:
        text = ngettext(
            "Pictures (JPEG, PNG, WebP, GIF), PDF or office documents; at most %(size)s a file and %(count)s file "
            "on a comment. Pictures are stored without their location and camera data.",
            "Pictures (JPEG, PNG, WebP, GIF), PDF or office documents; at most %(size)s a file and %(count)s files "
            "on a comment. Pictures are stored without their location and camera data.",
            per_item,
        )
    else:
        text = ngettext(
            "Pictures (JPEG, PNG, WebP, GIF), PDF or office documents; at most %(size)s a file and %(count)s file "
            "on an idea, %(total)s in all. Pictures are stored without their location and camera data.",
            "Pictures (JPEG, PNG, WebP, GIF), PDF or office documents; at most %(size)s a file and %(count)s files "
            "on an idea, %(total)s in all. Pictures are stored without their location and camera data.",
            per_item,
        )
    return text % values


class _FilesForm(forms.Form):
    """Files and one description for the pictures among them."""

    per_item_setting = "ATTACHMENTS_PER_IDEA"
    for_comment = False

    files = MultipleFileField(required=False, label=gettext_lazy("Attach pictures or documents"))
    alt_text = forms.CharField(
        required=False,
        max_length=300,
        label=gettext_lazy("Describe the pictures"),
        help_text=gettext_lazy(
            "What they show, for people who cannot see them (read aloud by screen readers). At most 300 characters."
        ),
    )

    def __init__(self, *args, prefix: str, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        per_item = getattr(settings, self.per_item_setting)
        self.fields["files"].help_text = _limits_help(per_item, comment=self.for_comment)
        self.fields["files"].widget.attrs.update({"accept": ACCEPT})
        self.fields["alt_text"].widget.attrs["maxlength"] = 300

    def clean(self):
        cleaned = super().clean()
        uploads = cleaned.get("files") or []
        per_item = getattr(settings, self.per_item_setting)
        if len(uploads) > per_item:
            self.add_error(
                "files",
                ngettext(
                    "Choose at most %(limit)s file; you chose %(count)s.",
                    "Choose at most %(limit)s files; you chose %(count)s.",
                    per_item,
                )
                % {"limit": per_item, "count": len(uploads)},
            )
            return cleaned
        new_files, problems = [], []
        for upload in uploads:
            name = (upload.name or "attachment")[:200]
            if upload.size > settings.ATTACHMENT_MAX_BYTES:  # before reading a byte of it
                problems.append(
                    _("“%(name)s” is %(size)s: a file may be at most %(limit)s.")
                    % {
                        "name": name,
                        "size": human_size(upload.size),
                        "limit": human_size(settings.ATTACHMENT_MAX_BYTES),
                    }
                )
                continue
            try:
                inspected = inspect(name, upload.read())
            except FileRefused as refusal:
                problems.append(str(refusal))
                continue
            new_files.append(services.NewFile(name=name, inspected=inspected, alt_text=cleaned.get("alt_text", "")))
        if problems:
            problems.append(_("Nothing was saved: choose the files again."))
            for problem in problems:
                self.add_error("files", problem)
        elif any(new.inspected.kind == "image" for new in new_files) and not cleaned.get("alt_text", "").strip():
            self.add_error("alt_text", _("Describe what the pictures show, for people who cannot see them."))
            self.add_error("files", _("Nothing was saved: choose the files again."))
        cleaned["new_files"] = new_files
        return cleaned


class IdeaFilesForm(_FilesForm):
    remove = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Remove files"),
        help_text=gettext_lazy("The idea's earlier versions keep them."),
    )
    versions_seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, idea: Idea | None, **kwargs):
        super().__init__(*args, **kwargs)
        if idea is None:
            del self.fields["remove"]
            self.fields["versions_seen"].initial = 0
        else:
            existing = selectors.idea_files_editable(idea)
            self.fields["remove"].queryset = existing
            self.fields["remove"].label_from_instance = lambda attachment: attachment.original_name
            self.fields["versions_seen"].initial = selectors.idea_versions_count(idea)


class CommentFilesForm(_FilesForm):
    per_item_setting = "ATTACHMENTS_PER_COMMENT"
    for_comment = True


class _FilesPart:
    """A files fieldset bound to the request: what ``ideas.hooks.FormPart`` asks of a part."""

    template = "attachments/_attachments_field.html"
    collapsed = False
    existing: list = []

    def __init__(self, request, form: _FilesForm):
        self.form = form
        self.user = request.user

    @property
    def errors(self):
        return self.form.errors

    def is_valid(self) -> bool:
        return self.form.is_valid()


def _bound(request) -> tuple:
    return (request.POST, request.FILES) if request.method == "POST" else ()


class IdeaFilesPart(_FilesPart):
    """The files fieldset of the new-idea and edit forms, with a remove box for each file it has."""

    def __init__(self, request, *, idea: Idea | None):
        super().__init__(request, IdeaFilesForm(*_bound(request), idea=idea, prefix="attachments"))
        self.existing = list(self.form.fields["remove"].queryset) if "remove" in self.form.fields else []

    def save(self, *, idea: Idea, comment: Comment | None = None) -> None:
        data = self.form.cleaned_data
        add, remove = data["new_files"], [attachment.pk for attachment in data.get("remove") or []]
        if add or remove:
            services.attachments_change(
                user=self.user, idea=idea, add=add, remove=remove, versions_seen=data.get("versions_seen") or 0
            )


class CommentFilesPart(_FilesPart):
    """The files fieldset of the new-comment form (folded away until opened: most comments have none)."""

    collapsed = True

    def __init__(self, request):
        super().__init__(request, CommentFilesForm(*_bound(request), prefix="comment-attachments"))

    def save(self, *, idea: Idea, comment: Comment | None = None) -> None:
        if comment is not None and self.form.cleaned_data["new_files"]:
            services.comment_attachments_add(user=self.user, comment=comment, add=self.form.cleaned_data["new_files"])


def idea_files_part(request, *, idea: Idea | None) -> IdeaFilesPart:
    return IdeaFilesPart(request, idea=idea)


def comment_files_part(request, *, idea: Idea | None) -> CommentFilesPart | None:
    return CommentFilesPart(request) if request.user.is_authenticated else None
