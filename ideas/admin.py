"""The staff triage interface for ideas. Status changes go through ``ideas.services`` only."""

import copy

from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator, smart_split
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from accounts.rules import is_triage
from audit.exports import ChangelistCsvExportMixin
from core.admin import ReadOnlyAdminMixin, admin_page
from core.errors import DomainError, refusal_shown
from core.funnel import NOT_MERGEABLE_STATUSES, OPEN_STATUSES, Status
from core.redirects import next_url

from . import rules, selectors, services
from .forms_admin import IdeaAdminForm, IdeaStatusChangeForm, expected_statuses_decode
from .forms_comments import CommentHideForm
from .models import Comment, CommentFlag, Idea, IdeaAnswer, IdeaCoauthor, Merge, StatusChange, Vote
from .words import substring_of

admin.site.site_header = gettext_lazy("Idea portal — staff")
admin.site.site_title = gettext_lazy("Idea portal — staff")
admin.site.index_title = gettext_lazy("Triage")

CHANGE_STATUS_TEMPLATE = "admin/ideas/idea/change_status.html"
MERGE_PREVIEW_TEMPLATE = "admin/ideas/idea/merge_preview.html"
UNMERGE_TEMPLATE = "admin/ideas/idea/unmerge.html"


def _ids_param(value: str) -> list[int]:
    return [int(part) for part in (value or "").split(",") if part.isascii() and part.isdigit() and len(part) <= 18]


class MergeCandidatesView(AutocompleteJsonView):
    """The merge picker's answers: open ideas of the merged ideas' challenge, never those ideas, found
    by words of the title (every word) or by id; each shown with its id, challenge, status and votes.

    Author names are not searched: "van" must not pick Ivan's idea.
    """

    def get_queryset(self):
        merging = _ids_param(self.request.GET.get("for", ""))
        challenge_ids = set(Idea.objects.filter(pk__in=merging).values_list("challenge_id", flat=True))
        if len(challenge_ids) != 1:
            # Ideas of several challenges have no common original.
            return Idea.objects.none()
        queryset = (
            Idea.objects.filter(challenge_id__in=challenge_ids, status__in=OPEN_STATUSES)
            .exclude(pk__in=merging)
            .select_related("challenge")
            .order_by("-votes_up", "pk")
        )
        term = self.term.strip().lstrip("#")
        if term.isascii() and term.isdigit() and len(term) <= 18:
            return queryset.filter(Q(pk=int(term)) | Q(title__icontains=term))
        for word in term.split():
            queryset = queryset.filter(title__icontains=substring_of(word))
        return queryset

    def serialize_result(self, obj, to_field_name):
        votes = _("%(up)d up, %(down)d down") % {"up": obj.votes_up, "down": obj.votes_down}
        return {
            "id": str(obj.pk),
            "text": f"#{obj.pk} {obj.title} — {obj.challenge.title} · {obj.get_status_display()} · {votes}",
        }


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The idea's history through the funnel, with the reasons its author was given."""

    model = StatusChange
    fk_name = "idea"
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    verbose_name = gettext_lazy("status change")
    verbose_name_plural = gettext_lazy("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class IdeaAnswerInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The idea's answers to its challenge's questions, under the labels they were answered under."""

    model = IdeaAnswer
    extra = 0
    can_delete = False
    fields = ["label", "value", "question"]
    readonly_fields = fields
    verbose_name = gettext_lazy("answer to the challenge's questions")
    verbose_name_plural = gettext_lazy("answers to the challenge's questions")


class IdeaCoauthorInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Who writes the idea besides its main author (changed only by the authors, on the portal)."""

    model = IdeaCoauthor
    extra = 0
    can_delete = False
    fields = ["user", "email", "status", "created_at", "responded_at"]
    readonly_fields = fields
    verbose_name = gettext_lazy("co-author")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


# The ideas export may be shared outside triage (with a product team, in a report): what any
# visitor can read on the idea's public page, and nothing of the screening (scores, screeners,
# notes) or the authors' email addresses. tests/test_exports.py holds it to that.
IDEAS_CSV_HEADER = [
    "id",
    "title",
    "challenge",
    "author",
    "status",
    "duplicate_of",
    "submitted_at",
    "decided_at",
    "votes_up",
    "votes_down",
    "comments",
    "url",
    "coauthors",
    "answers",
]


def idea_export_queryset(queryset):
    """The ideas with what the exports' co-author and answer columns read: two queries per chunk."""
    accepted = IdeaCoauthor.objects.filter(status=IdeaCoauthor.State.ACCEPTED).select_related("user")
    return queryset.prefetch_related(
        Prefetch("coauthors", queryset=accepted, to_attr="accepted_coauthors"),
        Prefetch("answers", queryset=IdeaAnswer.objects.order_by("order", "id")),
    )


def coauthors_cell(idea) -> str:
    """The accepted co-authors' public names (never their addresses), after the main author."""
    return ", ".join(c.user.public_name for c in idea.accepted_coauthors)


def answers_cell(idea) -> str:
    """ "Question: answer" for each answer to the challenge's questions, under the label it was answered under."""
    return "; ".join(f"{a.label}: {a.shown_value}" for a in idea.answers.all())


@admin.register(Idea)
class IdeaAdmin(ChangelistCsvExportMixin, admin.ModelAdmin):
    form = IdeaAdminForm
    list_display = ["title", "challenge", "author", "status", "support", "comments_count", "submitted_at"]
    list_display_links = ["title"]
    list_filter = ["status", "challenge", "outcomes"]
    list_select_related = ["challenge", "author"]
    search_fields = ["title", "author__email", "author__display_name"]
    search_help_text = gettext_lazy(
        "Search by title or the author's email or name; a number finds the idea with that id."
    )
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["duplicate_of"]
    readonly_fields = [
        "challenge",
        "author",
        "status_with_action",
        "duplicate_of",
        "votes_up",
        "votes_down",
        "comments_count",
        "created_at",
        "updated_at",
        "submitted_at",
        "decided_at",
    ]
    fieldsets = [
        (None, {"fields": ["challenge", "author", "title", "problem", "solution", "outcomes"]}),
        (gettext_lazy("Funnel"), {"fields": ["status_with_action", "duplicate_of", "submitted_at", "decided_at"]}),
        (gettext_lazy("Community"), {"fields": ["votes_up", "votes_down", "comments_count"]}),
        (gettext_lazy("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    filter_horizontal = ["outcomes"]
    inlines = [IdeaAnswerInline, IdeaCoauthorInline, StatusChangeInline]
    actions = ["change_status"]
    list_per_page = 50

    def get_queryset(self, request):
        # Named support_total: the model's ``support`` property cannot take an annotation.
        return super().get_queryset(request).annotate(support_total=F("votes_up") - F("votes_down"))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        by_id = queryset.filter(pk=int(term)) if term.isdigit() else None
        # Each word's stem where it starts the word ("budgets" finds "Budget bar"); quoted phrases as typed.
        search_term = " ".join(substring_of(word) if word.isalpha() else word for word in smart_split(search_term))
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if by_id is not None:
            queryset |= by_id
        if request.path == reverse("admin:autocomplete") and request.GET.get("field_name") == "duplicate_of":
            # Only a published idea that is not itself a duplicate can take a merge.
            queryset = queryset.exclude(status__in=NOT_MERGEABLE_STATUSES)
        return queryset, may_have_duplicates

    def has_add_permission(self, request):
        # Ideas come from customers, through ideas.services.idea_create.
        return False

    csv_export_name = "ideas"

    def csv_rows(self, queryset):
        rows = (
            [
                idea.pk,
                idea.title,
                idea.challenge.title,
                idea.author.public_name,
                idea.get_status_display(),
                idea.duplicate_of_id,
                idea.submitted_at,
                idea.decided_at,
                idea.votes_up,
                idea.votes_down,
                idea.comments_count,
                idea.get_absolute_url(),
                coauthors_cell(idea),
                answers_cell(idea),
            ]
            for idea in idea_export_queryset(queryset.select_related("challenge", "author")).iterator(chunk_size=2000)
        )
        return IDEAS_CSV_HEADER, rows

    @admin.display(description=gettext_lazy("support"), ordering="support_total")
    def support(self, obj):
        return obj.support_total

    @admin.display(description=gettext_lazy("status"))
    def status_with_action(self, obj):
        label = obj.get_status_display()
        if obj.pk and services.allowed_next_statuses(obj.status):
            url = reverse("admin:ideas_idea_change_status", args=[obj.pk])
            return format_html('{} &nbsp; <a class="button" href="{}">{}</a>', label, url, _("Change status…"))
        if obj.pk and obj.status == Status.DUPLICATE and obj.duplicate_of_id:
            # A merged idea takes no further step; its one action is the undo, while it is possible.
            target_url = reverse("admin:ideas_idea_change", args=[obj.duplicate_of_id])
            text = format_html(
                _('{status} of <a href="{url}">#{id}</a>'), status=label, url=target_url, id=obj.duplicate_of_id
            )
            if Merge.objects.filter(duplicate=obj, undone_at__isnull=True).exists():
                url = reverse("admin:ideas_idea_unmerge", args=[obj.pk])
                return format_html('{} &nbsp; <a class="button" href="{}">{}</a>', text, url, _("Undo merge…"))
            return text
        return format_html('{} &nbsp; <span class="help">{}</span>', label, _("(an ending: no further status)"))

    # --- Status changes ---------------------------------------------------------------------

    def has_change_status_permission(self, request, obj=None):
        return is_triage(request.user)

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/change-status/",
                self.admin_site.admin_view(self.change_status_view),
                name="ideas_idea_change_status",
            ),
            path(
                "<int:object_id>/unmerge/",
                self.admin_site.admin_view(self.unmerge_view),
                name="ideas_idea_unmerge",
            ),
            path(
                "merge-candidates/",
                self.admin_site.admin_view(MergeCandidatesView.as_view(admin_site=self.admin_site)),
                name="ideas_idea_merge_candidates",
            ),
        ]
        return urls + super().get_urls()

    def _apply_status_change(self, request, ideas, form):
        """Call the service once per idea; report each refusal by name and the successes together.

        Each idea is compared with the status the page showed for it: one another staff member
        decided on since is reported on its own (StaleDecision) and the others are applied.
        """
        to_status = form.cleaned_data["to_status"]
        changed = []
        for idea in ideas:
            with refusal_shown(
                request, prefix=_("Idea #%(id)s “%(title)s” was not changed: ") % {"id": idea.pk, "title": idea.title}
            ) as outcome:
                services.idea_status_change(
                    idea=idea,
                    to_status=to_status,
                    changed_by=request.user,
                    reason=form.cleaned_data["reason"],
                    duplicate_of=form.cleaned_data["duplicate_of"],
                    expected_status=form.expected_status_of(idea),
                    reason_template=form.cleaned_data["template"],
                )
            if outcome.ok:
                changed.append(idea)
        if changed:
            names = ", ".join(f"“{idea.title}”" for idea in changed)
            count = len(changed)
            self.message_user(
                request,
                ngettext(
                    "%(count)d idea now %(status)s: %(names)s.", "%(count)d ideas now %(status)s: %(names)s.", count
                )
                % {"count": count, "status": services.status_in_sentence(to_status), "names": names},
                level=messages.SUCCESS,
            )
        return changed

    def _status_page(self, request, *, form, ideas, title, single=None, back_url=None):
        return admin_page(
            self,
            request,
            CHANGE_STATUS_TEMPLATE,
            title=title,
            form=form,
            ideas=ideas,
            idea=single,
            back_url=back_url,
            media=self.media + form.media,
            action_name="change_status",
        )

    @admin.action(description=gettext_lazy("Change status…"), permissions=["change_status"])
    def change_status(self, request, queryset):
        """Intermediate page: ask for the new status and the reason, then change each idea."""
        ideas = list(queryset.select_related("challenge", "author").order_by("pk"))
        # issue 16: only the statuses at least one selected idea can take (the others are refused by name).
        allowed = frozenset().union(*(services.allowed_next_statuses(idea.status) for idea in ideas))
        if "apply" in request.POST:
            # The choices the page offered: those of the statuses it showed.
            shown = expected_statuses_decode(request.POST.get("expected_status", ""))
            if shown:
                allowed = frozenset().union(*(services.allowed_next_statuses(status) for status in shown.values()))
            form = IdeaStatusChangeForm(request.POST, allowed_statuses=allowed, merge_ids=[idea.pk for idea in ideas])
            if form.is_valid():
                if self._merge_needs_confirmation(request, form):
                    return self._merge_preview_page(request, form=form, ideas=ideas)
                self._apply_status_change(request, ideas, form)
                return None  # back to the changelist, with the messages
        else:
            if not allowed:
                self.message_user(
                    request,
                    _("None of the selected ideas can change status: each has reached its ending."),
                    level=messages.WARNING,
                )
                return None
            form = IdeaStatusChangeForm(allowed_statuses=allowed, ideas=ideas)
        return self._status_page(request, form=form, ideas=ideas, title=_("Change the status of ideas"))

    def change_status_view(self, request, object_id):
        """The same form for one idea, from its change page."""
        idea = get_object_or_404(self.get_queryset(request).select_related("challenge", "author"), pk=object_id)
        if not self.has_change_status_permission(request, idea):
            raise PermissionDenied
        # Back where staff came from (the queue, a scorecard, the board: ``next``), else the idea's page.
        back_url = next_url(
            request, reverse("admin:ideas_idea_change", args=[idea.pk], current_app=self.admin_site.name)
        )
        allowed = services.allowed_next_statuses(idea.status)
        if request.method == "POST":
            # The choices the page offered: those of the status it showed. If someone decided since,
            # the service refuses with what the idea is now, rather than the form with "not a choice".
            shown = expected_statuses_decode(request.POST.get("expected_status", "")).get(idea.pk)
            if shown is not None:
                allowed = services.allowed_next_statuses(shown)
            form = IdeaStatusChangeForm(request.POST, allowed_statuses=allowed, merge_ids=[idea.pk])
            # A refusal re-renders this bound form: the typed reason stays, with the service's message.
            if form.is_valid() and self._merge_needs_confirmation(request, form):
                return self._merge_preview_page(request, form=form, ideas=[idea], single=idea)
            if form.is_valid() and self._apply_status_change(request, [idea], form):
                return HttpResponseRedirect(back_url)
        else:
            if not allowed:
                # An ending takes no further step: no empty list of statuses beside a live button.
                self.message_user(
                    request,
                    _("“%(title)s” is %(status)s: an ending, with no further status.")
                    % {"title": idea.title, "status": services.status_in_sentence(idea.status)},
                    level=messages.INFO,
                )
                return HttpResponseRedirect(back_url)
            # From the board: the status its card showed (``shown``), so a decision taken since the board
            # was loaded is refused, and the step chosen there (``to``) preselected.
            shown = request.GET.get("shown", "")
            seen = idea
            if shown in Status.values and shown != idea.status:
                seen = copy.copy(idea)
                seen.status = shown
                allowed = services.allowed_next_statuses(shown)
            form = IdeaStatusChangeForm(
                allowed_statuses=allowed, ideas=[seen], initial={"to_status": request.GET.get("to", "")}
            )
        return self._status_page(
            request,
            form=form,
            ideas=[idea],
            title=_("Change the status of “%(title)s”") % {"title": idea.title},
            single=idea,
            back_url=back_url,
        )

    # --- Merges: a preview before, an undo after ---------------------------------------------

    def _merge_needs_confirmation(self, request, form) -> bool:
        return form.cleaned_data["to_status"] == Status.DUPLICATE and "confirm_merge" not in request.POST

    def _merge_preview_page(self, request, *, form, ideas, single=None):
        """What the merge would move, idea by idea, before anything changes; the form's data rides along."""
        target = form.cleaned_data["duplicate_of"]
        previews = [selectors.merge_preview(duplicate=idea, target=target) for idea in ideas if idea.pk != target.pk]
        carried = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in {"csrfmiddlewaretoken", "confirm_merge", "apply"}  # the button sends "apply"
            for value in values
        ]
        return admin_page(
            self,
            request,
            MERGE_PREVIEW_TEMPLATE,
            title=_("Merge into “%(title)s”?") % {"title": target.title},
            idea=single,
            target=target,
            target_open=target.status in OPEN_STATUSES,
            previews=previews,
            reason=form.cleaned_data["reason"],
            carried=carried,
        )

    def unmerge_view(self, request, object_id):
        """Undo the merge of this duplicate: shows what goes back, then does it on POST."""
        idea = get_object_or_404(Idea.objects.select_related("challenge", "duplicate_of"), pk=object_id)
        if not self.has_change_status_permission(request, idea):
            raise PermissionDenied
        change_url = reverse("admin:ideas_idea_change", args=[idea.pk], current_app=self.admin_site.name)
        merge = (
            Merge.objects.filter(duplicate=idea, undone_at__isnull=True)
            .select_related("duplicate", "target", "merged_by")
            .first()
        )
        if merge is None:
            self.message_user(
                request, _("“%(title)s” has no merge to undo.") % {"title": idea.title}, level=messages.WARNING
            )
            return HttpResponseRedirect(change_url)
        refusal = services.merge_refusal(merge)
        if request.method == "POST" and refusal is None:
            try:
                services.idea_unmerge(merge=merge, undone_by=request.user)
            except DomainError as error:
                refusal = str(error)
            else:
                self.message_user(
                    request,
                    _(
                        "Merge undone: “%(title)s” is %(status)s again, with %(votes)d vote(s) and "
                        "%(followers)d follower(s) back."
                    )
                    % {
                        "title": idea.title,
                        "status": services.status_in_sentence(merge.status_before),
                        "votes": merge.votes_moved + len(merge.removed_votes),
                        "followers": merge.followers_moved + len(merge.removed_follower_ids),
                    },
                    level=messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        return admin_page(
            self,
            request,
            UNMERGE_TEMPLATE,
            title=_("Undo the merge of “%(title)s”?") % {"title": idea.title},
            idea=idea,
            merge=merge,
            refusal=refusal,
        )


@admin.register(Merge)
class MergeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: merges are written by idea_status_change and undone by idea_unmerge (from the idea's page)."""

    list_display = ["duplicate", "target", "merged_by", "created_at", "votes_moved", "followers_moved", "undone"]
    list_select_related = ["duplicate", "target", "merged_by"]
    list_filter = ["duplicate__challenge"]
    search_fields = ["duplicate__title", "target__title"]
    date_hierarchy = "created_at"
    fields = [
        "duplicate",
        "target",
        "merged_by",
        "created_at",
        "status_before",
        "target_status",
        "moved_vote_ids",
        "removed_votes",
        "moved_follow_ids",
        "removed_follower_ids",
        "points_taken",
        "undone_at",
        "undone_by",
    ]
    readonly_fields = fields

    def has_module_permission(self, request):
        return is_triage(request.user)

    def has_view_permission(self, request, obj=None):
        return is_triage(request.user)

    @admin.display(description=gettext_lazy("votes moved"))
    def votes_moved(self, obj):
        return obj.votes_moved

    @admin.display(description=gettext_lazy("followers moved"))
    def followers_moved(self, obj):
        return obj.followers_moved

    @admin.display(description=gettext_lazy("undone"), boolean=True)
    def undone(self, obj):
        return obj.undone_at is not None


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: status changes are written by ideas.services.idea_status_change alone."""

    list_display = [
        "idea",
        "from_status",
        "to_status",
        "changed_by",
        "short_reason",
        "created_at",
    ]
    list_filter = ["to_status", "from_status", "idea__challenge"]
    list_select_related = ["idea", "changed_by"]
    search_fields = ["idea__title", "reason", "changed_by__email"]
    date_hierarchy = "created_at"
    fields = ["idea", "from_status", "to_status", "changed_by", "reason", "created_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("reason"))
    def short_reason(self, obj):
        return Truncator(obj.reason).chars(80)


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: votes and the idea's counters change together in ideas.services."""

    list_display = ["idea", "user", "value", "created_at", "updated_at"]
    list_filter = ["value", "idea__challenge"]
    list_select_related = ["idea", "user"]
    search_fields = ["idea__title", "user__email"]
    date_hierarchy = "created_at"
    fields = ["idea", "user", "value", "created_at", "updated_at"]
    readonly_fields = fields


HIDE_COMMENTS_TEMPLATE = "admin/ideas/comment/hide.html"


class CommentModerationFilter(admin.SimpleListFilter):
    title = gettext_lazy("moderation")
    parameter_name = "moderation"

    def lookups(self, request, model_admin):
        return [
            ("flagged", _("Flagged, still shown")),
            ("hidden", _("Hidden by the moderators")),
            ("removed", _("Removed by the author")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "flagged":
            return queryset.filter(flags_count__gt=0, hidden_at__isnull=True, removed_at__isnull=True)
        if self.value() == "hidden":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "removed":
            return queryset.filter(removed_at__isnull=False)
        return queryset


class CommentFlagInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Who flagged the comment and why: written by ideas.services.comment_flag only."""

    model = CommentFlag
    extra = 0
    can_delete = False
    fields = ["created_at", "user", "reason"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("flags from members")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Moderation: staff read comments and their flags, and hide a comment with a reason its author
    reads (through ideas.services.comment_hide), rather than rewrite it. Comments are added, removed
    and counted in ideas.services."""

    list_display = ["short_body", "idea", "author", "created_at", "state", "flags_count", "kudos_count"]
    list_filter = [CommentModerationFilter, "idea__challenge"]
    list_select_related = ["idea", "author"]
    search_fields = ["body", "idea__title", "author__email"]
    date_hierarchy = "created_at"
    fields = [
        "idea",
        "author",
        "parent",
        "body",
        "state_with_action",
        "hidden_by",
        "hidden_reason",
        "flags_count",
        "kudos_count",
        "created_at",
        "edited_at",
        "removed_at",
    ]
    readonly_fields = fields
    inlines = [CommentFlagInline]
    actions = ["hide_comments", "unhide_comments"]
    list_per_page = 50

    @admin.display(description=gettext_lazy("comment"))
    def short_body(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        if obj.removed_at:
            return pgettext("comment state", "removed")
        if obj.hidden_at:
            return pgettext("comment state", "hidden")
        return pgettext("comment state", "shown")

    @admin.display(description=gettext_lazy("state"))
    def state_with_action(self, obj):
        label = self.state(obj)
        if obj.pk and not obj.removed_at and not obj.hidden_at:
            url = reverse("admin:ideas_comment_hide", args=[obj.pk])
            return format_html('{} &nbsp; <a class="button" href="{}">{}</a>', label, url, _("Hide…"))
        return label

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting here would leave the idea's comments_count wrong; authors remove, staff hide.
        return False

    # --- Hiding, through ideas.services ------------------------------------------------------

    def has_hide_permission(self, request, obj=None):
        return rules.can_moderate_comments(request.user)

    def get_urls(self):
        urls = [
            path("<int:object_id>/hide/", self.admin_site.admin_view(self.hide_view), name="ideas_comment_hide"),
        ]
        return urls + super().get_urls()

    def _hide(self, request, comments, reason) -> list[Comment]:
        """Call the service once per comment; report each refusal by number and the successes together."""
        hidden = []
        for comment in comments:
            with refusal_shown(request, prefix=_("Comment #%(id)s was not hidden: ") % {"id": comment.pk}) as outcome:
                services.comment_hide(staff=request.user, comment=comment, reason=reason)
            if outcome.ok:
                hidden.append(comment)
        if hidden:
            count = len(hidden)
            self.message_user(
                request,
                ngettext(
                    "%(count)d comment hidden; the author sees your reason.",
                    "%(count)d comments hidden; the authors see your reason.",
                    count,
                )
                % {"count": count},
                level=messages.SUCCESS,
            )
        return hidden

    def _hide_page(self, request, *, form, comments, single=None):
        return admin_page(
            self,
            request,
            HIDE_COMMENTS_TEMPLATE,
            title=_("Hide comments") if single is None else _("Hide comment #%(id)s") % {"id": single.pk},
            form=form,
            comments=comments,
            comment=single,
            media=self.media + form.media,
            action_name="hide_comments",
        )

    @admin.action(description=gettext_lazy("Hide selected comments…"), permissions=["hide"])
    def hide_comments(self, request, queryset):
        """Intermediate page: ask for the reason the authors read, then hide each comment."""
        comments = list(queryset.select_related("idea", "author").order_by("pk"))
        if "apply" in request.POST:
            form = CommentHideForm(request.POST)
            if form.is_valid():
                self._hide(request, comments, form.cleaned_data["reason"])
                return None  # back to the changelist, with the messages
        else:
            form = CommentHideForm()
        return self._hide_page(request, form=form, comments=comments)

    @admin.action(description=gettext_lazy("Show hidden comments again"), permissions=["hide"])
    def unhide_comments(self, request, queryset):
        shown = 0
        for comment in queryset.order_by("pk"):
            with refusal_shown(
                request, prefix=_("Comment #%(id)s: ") % {"id": comment.pk}, level=messages.WARNING
            ) as outcome:
                services.comment_unhide(staff=request.user, comment=comment)
            if outcome.ok:
                shown += 1
        if shown:
            self.message_user(
                request,
                ngettext("%(count)d comment shown again.", "%(count)d comments shown again.", shown) % {"count": shown},
                messages.SUCCESS,
            )

    def hide_view(self, request, object_id):
        """The same form for one comment, from its change page."""
        comment = get_object_or_404(self.get_queryset(request).select_related("idea", "author"), pk=object_id)
        if not self.has_hide_permission(request, comment):
            raise PermissionDenied
        if request.method == "POST":
            form = CommentHideForm(request.POST)
            if form.is_valid() and self._hide(request, [comment], form.cleaned_data["reason"]):
                return HttpResponseRedirect(
                    reverse("admin:ideas_comment_change", args=[comment.pk], current_app=self.admin_site.name)
                )
        else:
            form = CommentHideForm()
        return self._hide_page(request, form=form, comments=[comment], single=comment)
