"""Admin for mentoring: the "Assign mentors…" and "Reassign mentor…" actions (used by the triage queue),
and read-mostly pages of assignments, reviews, thread messages and revision requests.

Actions call ``reviews.services.mentoring`` only; the records are written by the services, never here.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import MENTOR_GROUP
from core.admin import LabelledListEditableMixin, ReadOnlyAdminMixin, admin_page
from core.errors import refusal_shown

from . import rules, selectors
from .forms_mentoring import MentorAssignForm, MentorReassignForm
from .models import Mentor, MentorAssignment, Review, RevisionRequest, ThreadMessage
from .services import mentoring as services

ASSIGN_TEMPLATE = "admin/reviews/mentoring/assign.html"


def _page(modeladmin, request, *, form, ideas, title, action_name, intro, submit_label):
    return admin_page(
        modeladmin,
        request,
        ASSIGN_TEMPLATE,
        title=title,
        form=form,
        ideas=ideas,
        media=modeladmin.media + form.media,
        action_name=action_name,
        intro=intro,
        submit_label=submit_label,
    )


def _require_triage(request) -> None:
    if not rules.can_assign_mentors(request.user):
        raise PermissionDenied


@admin.action(description=_("Assign mentors…"))
def assign_mentors(modeladmin, request, queryset):
    """Intermediate page: choose mentors (shown with their load and capacity); each shortlisted idea goes to the
    least busy mentor with room."""
    _require_triage(request)
    ideas = list(queryset.select_related("challenge", "author").order_by("pk"))
    form = MentorAssignForm(request.POST if "apply" in request.POST else None, ideas=ideas)
    if "apply" in request.POST and form.is_valid():
        with refusal_shown(form=form) as outcome:
            outcomes = services.mentor_assign(
                ideas=ideas,
                mentors=form.cleaned_data["mentors"],
                capacity=form.cleaned_data["capacity"] or None,
                assigned_by=request.user,
                expected_statuses={idea.pk: form.expected_status_of(idea) for idea in ideas},
            )
        if outcome.ok:
            _report(modeladmin, request, outcomes)
            return None  # back to the list, with the report
    return _page(
        modeladmin,
        request,
        form=form,
        ideas=ideas,
        title=gettext("Assign mentors"),
        action_name="assign_mentors",
        intro=gettext(
            "Each shortlisted idea without a mentor goes to the chosen mentor with the fewest ideas now, "
            "never above their capacity, and moves to “in mentoring” (its author is told). Other ideas are reported, not changed."
        ),
        submit_label=gettext("Assign mentors"),
    )


def _report(modeladmin, request, outcomes) -> None:
    assigned = [o for o in outcomes if o.assigned]
    for outcome in outcomes:
        if not outcome.assigned:
            modeladmin.message_user(
                request,
                gettext("Idea #%(id)s “%(idea)s” was not assigned: %(reason)s")
                % {"id": outcome.idea.pk, "idea": outcome.idea.title, "reason": outcome.message},
                level=messages.WARNING,
            )
    if assigned:
        names = "; ".join(f"“{o.idea.title}” → {o.mentor.public_name}" for o in assigned)
        count = len(assigned)
        modeladmin.message_user(
            request,
            ngettext("%(count)s idea assigned: %(names)s.", "%(count)s ideas assigned: %(names)s.", count)
            % {"count": count, "names": names},
            level=messages.SUCCESS,
        )


@admin.action(description=_("Reassign mentor…"))
def reassign_mentor(modeladmin, request, queryset):
    """Intermediate page: choose the new mentor; each idea's current assignment ends and a new one starts."""
    _require_triage(request)
    ideas = list(queryset.select_related("challenge", "author").order_by("pk"))
    form = MentorReassignForm(
        request.POST if "apply" in request.POST else None,
        ideas=ideas,
        current_assignments=selectors.current_assignment_ids(ideas),
    )
    if "apply" in request.POST and form.is_valid():
        mentor = form.cleaned_data["mentor"]
        done = []
        for idea in ideas:
            with refusal_shown(
                request,
                prefix=gettext("Idea #%(id)s “%(idea)s” was not reassigned: ") % {"id": idea.pk, "idea": idea.title},
                level=messages.WARNING,
            ) as outcome:
                services.mentor_reassign(
                    idea=idea,
                    mentor=mentor,
                    assigned_by=request.user,
                    expected_status=form.expected_status_of(idea),
                    expected_assignment_id=form.expected_assignment_of(idea),
                )
            if outcome.ok:
                done.append(idea)
        if done:
            names = ", ".join(f"“{idea.title}”" for idea in done)
            modeladmin.message_user(
                request,
                gettext("%(mentor)s now mentors %(ideas)s.") % {"mentor": mentor.public_name, "ideas": names},
                level=messages.SUCCESS,
            )
        return None
    return _page(
        modeladmin,
        request,
        form=form,
        ideas=ideas,
        title=gettext("Reassign mentor"),
        action_name="reassign_mentor",
        intro=gettext(
            "Each idea in mentoring gets the chosen mentor; its former mentor loses access to the idea's private "
            "parts at once. The thread, reviews and revision requests stay with the idea."
        ),
        submit_label=gettext("Reassign"),
    )


MENTORING_ACTIONS: list = [assign_mentors, reassign_mentor]


class MentoringAdminMixin(ReadOnlyAdminMixin):
    """Triage staff read these records; only the mentoring services write them."""

    def has_module_permission(self, request):
        return rules.can_assign_mentors(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.can_assign_mentors(request.user)


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(MentoringAdminMixin, admin.ModelAdmin):
    list_display = ["idea", "mentor", "assigned_by", "assigned_at", "ended_at"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["idea", "mentor", "assigned_by"]
    search_fields = ["idea__title", "mentor__email", "mentor__display_name"]


@admin.register(Review)
class ReviewAdmin(MentoringAdminMixin, admin.ModelAdmin):
    list_display = [
        "idea",
        "mentor",
        "desirability",
        "feasibility",
        "viability",
        "clarity",
        "recommendation",
        "updated_at",
    ]
    list_filter = ["recommendation"]
    list_select_related = ["idea", "mentor"]
    search_fields = ["idea__title", "mentor__email"]


@admin.register(ThreadMessage)
class ThreadMessageAdmin(MentoringAdminMixin, admin.ModelAdmin):
    list_display = ["idea", "author", "short_body", "created_at"]
    list_select_related = ["idea", "author"]
    search_fields = ["idea__title", "body"]

    @admin.display(description=_("message"))
    def short_body(self, obj):
        return Truncator(obj.body).chars(80)


@admin.register(RevisionRequest)
class RevisionRequestAdmin(MentoringAdminMixin, admin.ModelAdmin):
    list_display = ["idea", "mentor", "created_at", "answered_at", "version_before", "answer_version"]
    list_filter = [("answered_at", admin.EmptyFieldListFilter)]
    list_select_related = ["idea", "mentor", "version_before", "answer_version"]
    search_fields = ["idea__title", "message"]


class MentorCapacityForm(forms.ModelForm):
    class Meta:
        model = Mentor
        fields = ["mentor_capacity"]

    def clean_mentor_capacity(self):
        capacity = self.cleaned_data["mentor_capacity"]
        if not 1 <= capacity <= 50:
            raise forms.ValidationError(gettext("A mentor holds between 1 and 50 ideas at once."))
        return capacity


@admin.register(Mentor)
class MentorAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    """The members of the Mentor group, with the ideas they mentor now and their capacity, which triage
    staff set here (the assign pages never go above it). People join the group on the Users page."""

    form = MentorCapacityForm
    list_display = ["name", "email", "load", "mentor_capacity"]
    list_editable = ["mentor_capacity"]
    list_display_links = None
    search_fields = ["display_name", "email"]
    ordering = ["display_name", "email", "pk"]
    actions = None

    def get_queryset(self, request):
        # The proxy's own rows (so the changelist edits Mentor objects), with the same filter and load.
        return Mentor.objects.filter(is_active=True, groups__name=MENTOR_GROUP).annotate(
            load=Count("mentor_assignments", filter=Q(mentor_assignments__ended_at__isnull=True), distinct=True)
        )

    @admin.display(description=_("name"), ordering="display_name")
    def name(self, obj):
        return obj.public_name

    @admin.display(description=_("mentoring now"), ordering="load")
    def load(self, obj):
        if obj.load >= obj.mentor_capacity:
            return gettext("%(load)s (full)") % {"load": obj.load}
        return str(obj.load)

    def has_module_permission(self, request):
        return rules.can_assign_mentors(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.can_assign_mentors(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.can_assign_mentors(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
