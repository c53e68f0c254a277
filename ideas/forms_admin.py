"""Forms of the staff admin for ideas: the idea's own form and the status change form."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.funnel import NOT_MERGEABLE_STATUSES, STAFF_STATUSES, STATUSES_NEEDING_REASON, Status

from .hooks import reason_templates_for
from .models import Idea
from .services.errors import status_in_sentence

# Staff decide every status after "submitted"; draft → submitted is the author's step.
STAFF_STATUS_CHOICES = [(value, label) for value, label in Status.choices if value in STAFF_STATUSES]


class IdeaAdminForm(forms.ModelForm):
    """Staff may tidy an idea's text and outcomes; the outcomes stay within its challenge's."""

    class Meta:
        model = Idea
        fields = ["title", "problem", "solution", "outcomes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "outcomes" in self.fields and self.instance.challenge_id:
            self.fields["outcomes"].queryset = self.instance.challenge.outcomes.select_related("job")

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("An idea needs a title."))
        return title


STALE_PAGE = gettext_lazy(
    "This page is out of date (the ideas' statuses it was opened with are missing): open it again."
)


def expected_statuses_encode(ideas) -> str:
    """The statuses the ideas had when the page was opened, for its hidden field: "12:submitted,13:shortlisted"."""
    return ",".join(f"{idea.pk}:{idea.status}" for idea in ideas)


def expected_statuses_decode(value: str) -> dict[int, str]:
    """The hidden field back as {idea id: status}; anything malformed is left out (and reads as stale)."""
    statuses: dict[int, str] = {}
    for part in (value or "").split(","):
        pk, _sep, status = part.strip().partition(":")
        if pk.isascii() and pk.isdigit() and len(pk) <= 18 and status in Status.values:
            statuses[int(pk)] = status
    return statuses


class ExpectedStatusesField(forms.CharField):
    """A hidden field with the status of each idea as the staff member saw it when they opened the page.

    The services compare it under the idea's row lock and refuse a decision made on a status the
    idea has since left (CONVENTIONS: decisions that can cross).
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200_000)
        super().__init__(**kwargs)

    def to_python(self, value):
        return expected_statuses_decode(super().to_python(value))


class ExpectedStatusesMixin:
    """Forms that change ideas' states: carry the statuses they were opened with (``ideas=`` when unbound)."""

    def _expected_init(self, ideas) -> None:
        self.fields["expected_status"] = ExpectedStatusesField()
        if ideas is not None and not self.is_bound:
            self.fields["expected_status"].initial = expected_statuses_encode(ideas)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("expected_status") and "expected_status" not in self.errors:
            self.add_error(None, STALE_PAGE)
        return cleaned

    def expected_status_of(self, idea) -> str:
        """The status the page showed for ``idea`` (an empty string, which never matches, if it did not show it)."""
        return self.cleaned_data.get("expected_status", {}).get(idea.pk, "")


class MergeTargetSelect(AutocompleteSelect):
    """The admin's autocomplete, asking the merge picker (``IdeaAdmin.merge_candidates_view``) instead:
    it knows the ideas being merged, so it offers only open ideas of their challenge, never themselves,
    matches titles (or an id) only, and shows each candidate's id, challenge, status and votes."""

    def __init__(self, *args, merge_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.merge_ids = list(merge_ids)

    def build_attrs(self, base_attrs, extra_attrs=None):
        # select2 names its combobox by the text it shows (aria-labelledby its rendered value): with
        # Django's empty placeholder an empty picker has no name for a screen reader (axe-core:
        # aria-input-field-name); the placeholder gives it one.
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-placeholder"] = _("Type words of its title, or its id")
        return attrs

    def get_url(self):
        url = reverse("admin:ideas_idea_merge_candidates", current_app=self.admin_site.name)
        return f"{url}?{urlencode({'for': ','.join(str(pk) for pk in self.merge_ids)})}"


class IdeaStatusChangeForm(ExpectedStatusesMixin, forms.Form):
    """Where the selected ideas go next, and the reason their authors read.

    The form only checks that the request is complete; ``ideas.services.idea_status_change``
    decides, idea by idea, whether the step is allowed, and whether the idea is still in the status
    the page showed (the hidden ``expected_status``).
    """

    field_order = ["to_status", "reason_template", "reason", "duplicate_of"]

    to_status = forms.ChoiceField(label=gettext_lazy("New status"), choices=STAFF_STATUS_CHOICES)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        # The statuses named are core.funnel.STATUSES_NEEDING_REASON.
        help_text=gettext_lazy(
            "The author and the idea's followers read this, word for word; for “implemented” it is the "
            "implementation note (what was done). Required for declined, duplicate, implemented, not selected."
        ),
    )
    reason_template = forms.ChoiceField(
        label=gettext_lazy("Reason template"),
        required=False,
        help_text=gettext_lazy(
            "A reusable reason for the chosen status: it fills the reason below, which you can then adapt. "
            "Without JavaScript, leave the reason empty and the template's text is used."
        ),
    )
    duplicate_of = forms.ModelChoiceField(
        label=gettext_lazy("Duplicate of"),
        queryset=Idea.objects.exclude(status__in=NOT_MERGEABLE_STATUSES),
        required=False,
        widget=MergeTargetSelect(Idea._meta.get_field("duplicate_of"), admin.site),
        help_text=gettext_lazy(
            "Only for “duplicate”: the idea these are merged into, an open idea of the same challenge "
            "(type words of its title, or its id). Votes and followers move to it; comments stay. "
            "You see what moves before anything changes, and can undo it while that idea stays in its status."
        ),
        error_messages={
            "invalid_choice": gettext_lazy("That idea cannot take a merge: choose a published idea of this challenge.")
        },
    )

    def __init__(self, *args, allowed_statuses=None, ideas=None, merge_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._expected_init(ideas)
        ids = merge_ids if merge_ids is not None else [idea.pk for idea in ideas or ()]
        self.fields["duplicate_of"].widget.merge_ids = list(ids)
        if allowed_statuses is not None:
            self.fields["to_status"].choices = [
                (v, label) for v, label in STAFF_STATUS_CHOICES if v in allowed_statuses
            ]
        statuses = {value for value, _label in self.fields["to_status"].choices}
        if statuses == {Status.IMPLEMENTED}:
            self.fields["reason"].label = _("Implementation note")
        # One query: the active templates for the statuses on offer, grouped by status in the select.
        self.reason_templates = reason_templates_for(statuses)
        groups: dict[str, list] = {}
        for template in self.reason_templates:
            groups.setdefault(template.get_to_status_display(), []).append((str(template.pk), template.title))
        self.fields["reason_template"].choices = [("", _("— none —")), *groups.items()]

    def reason_templates_data(self) -> list[dict]:
        """The templates for the page's script: which status each explains, and its text."""
        return [{"id": str(t.pk), "statuses": sorted(t.statuses), "text": t.text} for t in self.reason_templates]

    def clean(self):
        cleaned = super().clean()
        to_status = cleaned.get("to_status")
        reason = (cleaned.get("reason") or "").strip()
        template_id = cleaned.get("reason_template")
        cleaned["template"] = None
        if template_id:
            template = next(t for t in self.reason_templates if str(t.pk) == template_id)
            cleaned["template"] = template
            if to_status and to_status not in template.statuses:
                self.add_error(
                    "reason_template",
                    _("“%(template)s” explains %(statuses)s, not “%(status)s”.")
                    % {
                        "template": template.title,
                        # The statuses it explains, quoted: “declined” or “not selected”.
                        "statuses": _(" or ").join(f"“{status_in_sentence(s)}”" for s in sorted(template.statuses)),
                        "status": status_in_sentence(to_status),
                    },
                )
            elif not reason:
                reason = template.text.strip()
        cleaned["reason"] = reason
        if to_status == Status.IMPLEMENTED and not reason:
            self.add_error("reason", _("Write the implementation note: what was done, for the author to read."))
        elif to_status in STATUSES_NEEDING_REASON and not reason:
            self.add_error(
                "reason", _("Give the author a reason for “%(status)s”.") % {"status": status_in_sentence(to_status)}
            )
        duplicate_of = cleaned.get("duplicate_of")
        if to_status == Status.DUPLICATE and duplicate_of is None and "duplicate_of" not in self.errors:
            self.add_error("duplicate_of", _("Name the idea these ideas duplicate."))
        if to_status and to_status != Status.DUPLICATE and duplicate_of is not None:
            self.add_error("duplicate_of", _("Only a duplicate names another idea; leave this empty."))
        return cleaned
