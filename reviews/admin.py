"""The staff triage queue, scorecards and reason templates. Writes go through ``reviews.services``
(screening) and ``ideas.services`` (status changes) only."""

import copy
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.exports import ChangelistCsvExportMixin
from challenges.models import Challenge
from core.admin import ReadOnlyAdminMixin, admin_page
from core.errors import refusal_shown
from core.funnel import AWAITING_ANSWER, Status
from core.pagination import CappedPaginator
from ideas.admin import IdeaAdmin, answers_cell, coauthors_cell, idea_export_queryset
from ideas.models import AWAITING_SCREENING_FIRST
from ideas.services import allowed_next_statuses
from scoring import demand

from . import rules, selectors, selectors_demand
from .admin_filters import AnswerPromiseFilter, DemandFlagFilter, SubmittedPeriodFilter, answer_filters_for
from .admin_mentoring import MENTORING_ACTIONS
from .forms_endings import ChallengeIdeasEndForm
from .forms_screening import ReasonTemplateForm, ScorecardForm
from .models import ReasonTemplate, Screening, ScreeningScore, TriageIdea
from .services import finalists as finalists_services
from .services import screening as screening_services

SCORECARD_TEMPLATE = "admin/reviews/triageidea/scorecard.html"
BOARD_TEMPLATE = "admin/reviews/triageidea/board.html"
GAPS_TEMPLATE = "admin/reviews/triageidea/gaps.html"
# A queue title longer than this is shortened; the full title shows on hover (its title attribute).
TITLE_CHARS = 70


def score_of_five(score: float | None) -> str:
    """A screening score as staff read it: "4.0 of 5"."""
    if score is None:
        return gettext("not screened")
    return gettext("%(score)s of 5") % {"score": number_format(score, 1)}


def demand_flag_badge(flag: str):
    """A queue row's or a board card's flag (``scoring.demand``), explained on hover; "—" for none."""
    if not flag:
        return "—"
    return format_html(
        '<span class="demand-flag demand-{}" title="{}">{}</span>',
        flag,
        demand.FLAG_LABELS[flag],
        demand.FLAG_SHORT[flag],
    )


CHALLENGE_CLOSE_TEMPLATE = "admin/reviews/challenge_close.html"


def follow_up_challenge_url(challenge: Challenge, outcome) -> str:
    """The challenge admin's add form, prefilled for a follow-up on a gap: the outcome, a draft title and
    brief naming the job and the challenge it follows, invite-only (the pool's best are invited to it).
    Nothing is saved until staff save it there."""
    job = outcome.job
    title = Truncator(gettext("Follow-up: %(outcome)s") % {"outcome": outcome.statement}).chars(200)
    brief = gettext(
        "“%(challenge)s” left one outcome of the job “%(job)s” without a strong idea:\n\n"
        "> %(outcome)s\n\n"
        "How could we help you get this done better? Tell us what gets in your way today and what would change it."
    ) % {"challenge": challenge.title, "job": job.name, "outcome": outcome.statement}
    query = urlencode(
        {
            "outcomes": outcome.pk,
            "title": title,
            "brief": brief,
            "visibility": Challenge.Visibility.INVITE_ONLY,
        }
    )
    return reverse("admin:challenges_challenge_add") + "?" + query


class TriageOnlyMixin:
    """Triage staff and superusers (``accounts.rules.is_triage``) see these pages; nobody else."""

    def has_module_permission(self, request):
        return rules.can_use_triage_queue(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.can_use_triage_queue(request.user)


class OverdueFilter(admin.SimpleListFilter):
    title = _("answer overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes: past the promised answer time")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_overdue=True)
        if self.value() == "no":
            return queryset.filter(is_overdue=False)
        return queryset


class ScreenedFilter(admin.SimpleListFilter):
    title = _("screened")
    parameter_name = "screened"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("Not yet"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(screenings_count__gt=0)
        if self.value() == "no":
            return queryset.filter(screenings_count=0)
        return queryset


@admin.register(TriageIdea)
class TriageIdeaAdmin(ChangelistCsvExportMixin, TriageOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Ideas awaiting screening first, oldest first; overdue answers marked. One query per page."""

    # issue 16: every column fits 1280 px: figures combined, titles shortened (the full title on
    # hover), each figure explained above the table (change_list.html).
    list_display = [
        "idea_column",
        "status_column",
        "mentor_column",
        "votes_column",
        "opportunity",
        "demand_column",
        "screening",
        "track_record",
    ]
    list_display_links = ["idea_column"]  # the admin's link keeps the queue's filters (save and next)
    list_filter = [
        "challenge",
        "status",
        ("outcomes", admin.RelatedFieldListFilter),
        ScreenedFilter,
        OverdueFilter,
        AnswerPromiseFilter,
        SubmittedPeriodFilter,
        DemandFlagFilter,
    ]
    list_select_related = ["challenge", "author"]
    search_fields = ["title", "author__email"]
    search_help_text = _("Search by title or the author's email.")
    # Awaiting screening (submitted) first, then the oldest submission first.
    ordering = [
        AWAITING_SCREENING_FIRST.asc(),
        F("submitted_at").asc(nulls_last=True),
        "id",
    ]
    list_per_page = 25
    show_full_result_count = False  # a second COUNT(*) over 100,000 ideas for a number nobody reads
    paginator = CappedPaginator  # and the first stops at 10,000: "more than 10,000 triage ideas"
    actions = ["change_status", *MENTORING_ACTIONS]

    # The "Change status…" action of the ideas admin, reused as is (it calls ideas.services).
    change_status = IdeaAdmin.change_status
    _apply_status_change = IdeaAdmin._apply_status_change
    _status_page = IdeaAdmin._status_page
    _merge_needs_confirmation = IdeaAdmin._merge_needs_confirmation
    _merge_preview_page = IdeaAdmin._merge_preview_page
    has_change_status_permission = IdeaAdmin.has_change_status_permission

    def get_queryset(self, request):
        return selectors_demand.with_demand_need(selectors.triage_queue(now=timezone.now()))

    def get_list_filter(self, request):
        # Filtered to one challenge, the queue also filters by the answers to its choice questions.
        return [*super().get_list_filter(request), *answer_filters_for(request)]

    def get_search_results(self, request, queryset, search_term):
        """Each word in the title or the author's email (reviews.selectors.triage_search)."""
        return selectors.triage_search(queryset, search_term), False

    # The queue's export is for triage staff (who alone open this list): screening included.
    csv_export_name = "triage-queue"

    def csv_rows(self, queryset):
        header = [
            "id",
            "title",
            "challenge",
            "author",
            "author_email",
            "status",
            "submitted_at",
            "answer_due_at",
            "overdue",
            "votes_up",
            "votes_down",
            "support_lower_bound",
            "opportunity",
            "screening_score",
            "screeners",
            "mentor",
            "author_ideas",
            "author_shortlisted",
            "author_implemented",
            "demand_flag",
            "need_best_opportunity",
            "coauthors",
            "answers",
        ]
        rows = (
            [
                idea.pk,
                idea.title,
                idea.challenge.title,
                idea.author.public_name,
                idea.author.email,
                idea.get_status_display(),
                idea.submitted_at,
                idea.answer_due_at,
                idea.is_overdue,
                idea.votes_up,
                idea.votes_down,
                f"{idea.rank_top:.4f}",
                f"{idea.rank_opportunity:.2f}",
                "" if idea.screening_score is None else f"{idea.screening_score:.2f}",
                idea.screenings_count,
                idea.current_mentor_name,
                idea.author_ideas,
                idea.author_shortlisted,
                idea.author_implemented,
                idea.demand_flag,
                "" if idea.need_best is None else f"{idea.need_best:.2f}",
                coauthors_cell(idea),
                answers_cell(idea),
            ]
            for idea in idea_export_queryset(queryset.select_related("challenge", "author")).iterator(chunk_size=2000)
        )
        return header, rows

    # --- Columns (all read from the row's annotations: no query per row) ---------------------

    @admin.display(description=_("idea"), ordering="title")
    def idea_column(self, obj):
        return format_html(
            '<span class="triage-title" title="{}">{}</span><span class="triage-sub">{} · {}</span>',
            obj.title,
            Truncator(obj.title).chars(TITLE_CHARS),
            Truncator(obj.challenge.title).chars(28),
            date_format(timezone.localtime(obj.submitted_at), "d M Y") if obj.submitted_at else "—",
        )

    @admin.display(description=_("status · answer"), ordering="answer_due_at")
    def status_column(self, obj):
        return format_html(
            '<span class="nowrap">{}</span><span class="triage-sub">{}</span>',
            obj.get_status_display(),
            self.overdue_badge(obj),
        )

    def overdue_badge(self, obj):
        if obj.is_overdue:
            return format_html(
                '<span class="triage-overdue" title="{}">{}</span>',
                gettext("Answer promised by %(date)s")
                % {"date": timezone.localtime(obj.answer_due_at).strftime("%Y-%m-%d") if obj.answer_due_at else ""},
                gettext("overdue"),
            )
        if obj.status == AWAITING_ANSWER and obj.answer_due_at:
            return format_html(
                '<span class="nowrap">{}</span>',
                gettext("due %(date)s") % {"date": date_format(timezone.localtime(obj.answer_due_at), "d M")},
            )
        return gettext("answered") if obj.status != "submitted" else "—"

    @admin.display(description=_("mentor"), ordering="mentor_name")
    def mentor_column(self, obj):
        return Truncator(obj.mentor_name).chars(18) if obj.mentor_name else "—"

    @admin.display(description=_("votes · support"), ordering="rank_top")
    def votes_column(self, obj):
        return format_html(
            '<span class="nowrap">▲ {} ▼ {}</span><span class="triage-sub">{}</span>',
            obj.votes_up,
            obj.votes_down,
            gettext("%(percent)s%% support") % {"percent": f"{obj.rank_top * 100:.0f}"},
        )

    @admin.display(description=_("opportunity"), ordering="rank_opportunity")
    def opportunity(self, obj):
        return number_format(obj.rank_opportunity, 1)

    @admin.display(description=_("demand · need"), ordering="demand_rank")
    def demand_column(self, obj):
        return demand_flag_badge(obj.demand_flag)

    @admin.display(description=_("screening"), ordering=F("screening_score").desc(nulls_last=True))
    def screening(self, obj):
        if obj.screening_score is None:
            return "—"
        screeners = obj.screenings_count
        return format_html(
            '<span class="nowrap">{}</span><span class="triage-sub">{}</span>',
            score_of_five(obj.screening_score),
            ngettext("%(count)s screener", "%(count)s screeners", screeners) % {"count": screeners},
        )

    @admin.display(description=_("author's track record"), ordering="author_shortlisted")
    def track_record(self, obj):
        ideas = obj.author_ideas
        return ngettext(
            "%(ideas)s idea · %(shortlisted)s shortlisted · %(implemented)s implemented",
            "%(ideas)s ideas · %(shortlisted)s shortlisted · %(implemented)s implemented",
            ideas,
        ) % {"ideas": ideas, "shortlisted": obj.author_shortlisted, "implemented": obj.author_implemented}

    # --- The scorecard -------------------------------------------------------------------------

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/scorecard/",
                self.admin_site.admin_view(self.scorecard_view),
                name="reviews_triageidea_scorecard",
            ),
            path("board/", self.admin_site.admin_view(self.board_index_view), name="reviews_board_index"),
            path("board/<int:challenge_id>/", self.admin_site.admin_view(self.board_view), name="reviews_board"),
            path("board/<int:challenge_id>/gaps/", self.admin_site.admin_view(self.gaps_view), name="reviews_gaps"),
            path(
                "close-challenge/<int:challenge_id>/",
                self.admin_site.admin_view(self.challenge_close_view),
                name="reviews_challenge_close",
            ),
        ]
        return urls + super().get_urls()

    def get_changelist(self, request, **kwargs):
        return TriageChangeList

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": gettext("Triage queue"),
            "board_url": reverse("admin:reviews_board_index"),
        }
        challenge_id = request.GET.get("challenge__id__exact", "")
        if challenge_id.isdigit():
            extra_context["board_url"] = reverse("admin:reviews_board", args=[int(challenge_id)])
        return super().changelist_view(request, extra_context)

    def _queue_for(self, request, queue_query: str):
        """The queue as the changelist shows it with ``queue_query`` (its filters, search and order),
        as a queryset, without running the changelist's own count and page queries."""
        fake = copy.copy(request)
        fake.method = "GET"
        fake.GET = QueryDict(queue_query)
        fake._queue_only = True
        try:
            return self.get_changelist_instance(fake).queryset
        except (IncorrectLookupParameters, ValidationError, ValueError):
            fake.GET = QueryDict("")
            return self.get_changelist_instance(fake).queryset

    # --- The board ------------------------------------------------------------------------------

    def board_index_view(self, request):
        """The board needs a challenge: the ones still taking decisions first."""
        if not rules.can_use_triage_queue(request.user):
            raise PermissionDenied
        chosen = request.GET.get("challenge", "")
        if chosen.isdigit():
            return HttpResponseRedirect(reverse("admin:reviews_board", args=[int(chosen)]))
        return admin_page(
            self, request, BOARD_TEMPLATE, title=gettext("Funnel boards"), challenges=selectors.board_challenges()
        )

    def board_view(self, request, challenge_id):
        """A column per status, a card per idea; each card's "Move to…" opens the status page (the reason
        dialog) for that step, which comes back here."""
        if not rules.can_use_triage_queue(request.user):
            raise PermissionDenied
        challenge = get_object_or_404(Challenge, pk=challenge_id)
        demand_choices = dict(selectors_demand.DEMAND_FILTER_CHOICES)
        demand_flag = request.GET.get("demand", "")
        if demand_flag and demand_flag not in demand_choices:
            self.message_user(request, gettext("There is no such flag: showing every idea."), level=messages.WARNING)
            demand_flag = ""
        flagged_first = request.GET.get("sort", "") == "demand"
        columns = selectors.challenge_board(
            challenge, now=timezone.now(), demand_flag=demand_flag, flagged_first=flagged_first
        )
        here = request.get_full_path()
        for column in columns:
            moves = [
                (value, label)
                for value, label in Status.choices
                if value in allowed_next_statuses(column["status"]) and value != Status.WINNER
            ]
            for idea in column["ideas"]:
                idea.moves = moves
                idea.score_label = score_of_five(idea.screening_score)
                idea.overdue_html = self.overdue_badge(idea) if idea.status == Status.SUBMITTED else ""
                idea.demand_html = demand_flag_badge(idea.demand_flag) if idea.demand_flag else ""
        return admin_page(
            self,
            request,
            BOARD_TEMPLATE,
            title=gettext("Funnel board: %(challenge)s") % {"challenge": challenge.title},
            challenge=challenge,
            columns=columns,
            challenges=selectors.board_challenges(),
            here=here,
            queue_url=reverse("admin:reviews_triageidea_changelist") + f"?challenge__id__exact={challenge.pk}",
            finalists_url=reverse("reviews:finalists", args=[challenge.slug]),
            gaps_url=reverse("admin:reviews_gaps", args=[challenge.pk], current_app=self.admin_site.name),
            cards_per_column=selectors.BOARD_CARDS_PER_COLUMN,
            demand_choices=selectors_demand.DEMAND_FILTER_CHOICES,
            demand_flag=demand_flag,
            flagged_first=flagged_first,
            demand=demand,
        )

    def gaps_view(self, request, challenge_id):
        """The challenge's sweet-spot outcomes against its shortlisted ideas; a row with no strong idea
        offers a follow-up challenge on the outcome and an invitation of the pool's best in the segments
        where it is most underserved (``innovators``' page, which confirms who before it invites)."""
        if not rules.can_use_triage_queue(request.user):
            raise PermissionDenied
        challenge = get_object_or_404(Challenge, pk=challenge_id)
        grid = selectors_demand.challenge_gaps(challenge)
        for row in grid.rows:
            if row.is_gap:
                row.follow_up_url = follow_up_challenge_url(challenge, row.outcome)
                row.invite_url = (
                    reverse(
                        "admin:innovators_innovator_invite_for_outcome",
                        args=[row.outcome.pk],
                        current_app=self.admin_site.name,
                    )
                    + "?"
                    + urlencode({"from": challenge.pk})
                )
        return admin_page(
            self,
            request,
            GAPS_TEMPLATE,
            title=gettext("Gaps: %(challenge)s") % {"challenge": challenge.title},
            challenge=challenge,
            grid=grid,
            demand=demand,
            min_respondents=settings.SCORING_MIN_RESPONDENTS,
            board_url=reverse("admin:reviews_board", args=[challenge.pk], current_app=self.admin_site.name),
            change_url=reverse(
                "admin:challenges_challenge_change", args=[challenge.pk], current_app=self.admin_site.name
            ),
        )

    def challenge_close_view(self, request, challenge_id):
        """Every idea still open in the challenge, answered at once with one reason, then the challenge closed.

        All or nothing (``reviews.services.challenge_close``); the page carries each idea's status as
        shown, so an idea decided or submitted meanwhile makes the service refuse and change nothing.
        """
        if not rules.can_use_triage_queue(request.user):
            raise PermissionDenied
        challenge = get_object_or_404(Challenge, pk=challenge_id)
        change_url = reverse("admin:challenges_challenge_change", args=[challenge.pk], current_app=self.admin_site.name)
        if challenge.phase == Challenge.Phase.CLOSED:
            self.message_user(
                request,
                gettext("“%(challenge)s” is closed already.") % {"challenge": challenge.title},
                level=messages.INFO,
            )
            return HttpResponseRedirect(change_url)
        ideas = list(selectors.challenge_open_ideas(challenge))
        for idea in ideas:
            idea.ending_label = Status(finalists_services.ending_for(idea.status)).label
        form = ChallengeIdeasEndForm(request.POST if "apply" in request.POST else None, ideas=ideas)
        # With no idea left to answer there is nothing to fill in: the button closes the challenge.
        if "apply" in request.POST and (not ideas or form.is_valid()):
            answers = form.cleaned_data if ideas else {"reason": "", "expected_status": {}, "template": None}
            with refusal_shown(request, prefix=gettext("Nothing was changed: ")) as outcome:
                finalists_services.challenge_close(
                    challenge=challenge,
                    closed_by=request.user,
                    reason=answers["reason"],
                    expected_statuses=answers["expected_status"],
                    reason_template=answers["template"],
                )
            if not outcome.ok:
                return HttpResponseRedirect(request.path)
            count = len(ideas)
            if count:
                closed = ngettext(
                    "“%(challenge)s” is closed; %(count)s idea answered and its author told.",
                    "“%(challenge)s” is closed; %(count)s ideas answered and their author told.",
                    count,
                ) % {"challenge": challenge.title, "count": count}
            else:
                closed = gettext("“%(challenge)s” is closed.") % {"challenge": challenge.title}
            self.message_user(request, closed, level=messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        return admin_page(
            self,
            request,
            CHALLENGE_CLOSE_TEMPLATE,
            title=gettext("Close “%(challenge)s”") % {"challenge": challenge.title},
            challenge=challenge,
            ideas=ideas,
            form=form,
            media=self.media + form.media,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A queue row opens as its scorecard, keeping the queue's filters; the idea's own admin page edits it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        url = reverse("admin:reviews_triageidea_scorecard", args=[object_id], current_app=self.admin_site.name)
        queue_query = request.GET.get("_changelist_filters", "")
        if queue_query:
            url += "?" + urlencode({"_changelist_filters": queue_query})
        return HttpResponseRedirect(url)

    def scorecard_view(self, request, object_id):
        """One idea's scorecard; "Save and next" goes on through the queue as it was filtered and ordered
        (``_changelist_filters``, kept from the queue's link)."""
        if not rules.can_use_triage_queue(request.user):
            raise PermissionDenied
        idea = get_object_or_404(
            TriageIdea.objects.exclude(status="draft").select_related("challenge", "author"), pk=object_id
        )
        queue_query = request.GET.get("_changelist_filters", "")
        queue_url = reverse("admin:reviews_triageidea_changelist", current_app=self.admin_site.name)
        if queue_query:
            queue_url += "?" + queue_query
        refusal = rules.screening_refusal(request.user, idea)
        if refusal is None:
            criteria = screening_services.criteria_ensure_defaults(challenge=idea.challenge)
        else:
            criteria = list(idea.challenge.criteria.order_by("position", "id"))
        screenings = list(selectors.screenings_of_idea(idea))
        mine = next((s for s in screenings if s.screener_id == request.user.pk), None)
        others = [s for s in screenings if s is not mine]
        url = request.get_full_path()
        if request.method == "POST":
            if refusal:
                self.message_user(request, refusal, level=messages.ERROR)
                return HttpResponseRedirect(url)
            if "delete" in request.POST:
                if screening_services.screening_delete(idea=idea, screener=request.user):
                    self.message_user(request, gettext("Your scorecard was removed."), level=messages.SUCCESS)
                return HttpResponseRedirect(url)
            form = ScorecardForm(request.POST, criteria=criteria, screening=mine, idea=idea)
            if form.is_valid():
                with refusal_shown(form=form) as outcome:
                    screening_services.screening_save(
                        idea=idea,
                        screener=request.user,
                        scores=form.scores(),
                        notes=form.cleaned_data["notes"],
                        acknowledge=form.cleaned_data.get("acknowledge", False),
                    )
                if outcome.ok:
                    if form.cleaned_data.get("acknowledge"):
                        saved = gettext(
                            "Your scorecard of “%(idea)s” was saved; its author is told it is under review."
                        )
                    else:
                        saved = gettext("Your scorecard of “%(idea)s” was saved.")
                    saved %= {"idea": idea.title}
                    if "save_next" not in request.POST:
                        self.message_user(request, saved, level=messages.SUCCESS)
                        return HttpResponseRedirect(url)
                    position = request.POST.get("queue_position", "")
                    next_id = selectors.queue_next_idea_id(
                        self._queue_for(request, queue_query),
                        current_id=idea.pk,
                        position=int(position) if position.isdigit() else None,
                    )
                    if next_id is None:
                        self.message_user(
                            request, saved + " " + gettext("That was the last idea in the queue."), messages.SUCCESS
                        )
                        return HttpResponseRedirect(queue_url)
                    self.message_user(
                        request, saved + " " + gettext("Here is the next idea in the queue."), messages.SUCCESS
                    )
                    next_idea_url = reverse(
                        "admin:reviews_triageidea_scorecard", args=[next_id], current_app=self.admin_site.name
                    )
                    if queue_query:
                        next_idea_url += "?" + urlencode({"_changelist_filters": queue_query})
                    return HttpResponseRedirect(next_idea_url)
        else:
            form = ScorecardForm(criteria=criteria, screening=mine, idea=idea)
        idea.refresh_from_db(fields=["status", "screening_score", "screenings_count"])
        status_url = None
        if allowed_next_statuses(idea.status):
            status_url = reverse("admin:ideas_idea_change_status", args=[idea.pk], current_app=self.admin_site.name)
            status_url += "?" + urlencode({"next": url})
        return admin_page(
            self,
            request,
            SCORECARD_TEMPLATE,
            title=gettext("Scorecard: %(idea)s") % {"idea": idea.title},
            idea=idea,
            score_label=score_of_five(idea.screening_score),
            outcomes=list(idea.outcomes.select_related("job")),
            demand_need=selectors_demand.idea_demand_need(idea),
            demand=demand,
            min_respondents=settings.SCORING_MIN_RESPONDENTS,
            form=form,
            refusal=refusal,
            mine=mine,
            others=[(s, _weighted_mean(s)) for s in others],
            status_url=status_url,
            idea_url=reverse("admin:ideas_idea_change", args=[idea.pk], current_app=self.admin_site.name),
            queue_url=queue_url,
            queue_position=selectors.queue_position(self._queue_for(request, queue_query), idea_id=idea.pk)
            if refusal is None
            else None,
            board_url=reverse("admin:reviews_board", args=[idea.challenge_id], current_app=self.admin_site.name),
        )


class TriageChangeList(ChangeList):
    """The queue's changelist; built for "save and next" (``request._queue_only``) it stops at the
    filtered, ordered queryset and runs none of the page's count and row queries."""

    def get_results(self, request):
        if getattr(request, "_queue_only", False):
            self.result_list, self.result_count, self.full_result_count = [], 0, None
            self.can_show_all, self.multi_page, self.show_all = False, False, False
            return
        super().get_results(request)
        if not self.multi_page and not self.show_all:
            # One page only: read it as every page is read (ids, then rows), so the page costs the
            # same number of queries with 1 row as with 25 of 30.
            self.result_list = self.paginator.page(1).object_list

    def url_for_result(self, result):
        """A row opens its scorecard; the admin adds the queue's filters (``_changelist_filters``)."""
        return reverse(
            "admin:reviews_triageidea_scorecard", args=[quote(result.pk)], current_app=self.model_admin.admin_site.name
        )


def _weighted_mean(screening) -> float | None:
    """Σ weight × score / Σ weight over the prefetched scores (display only; the service stores it)."""
    scores = list(screening.scores.all())
    total = sum(s.criterion.weight for s in scores)
    return sum(s.criterion.weight * s.score for s in scores) / total if total else None


@admin.register(Screening)
class ScreeningAdmin(ChangelistCsvExportMixin, TriageOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: scorecards are written on the scorecard page, by reviews.services."""

    list_display = ["idea", "screener", "short_notes", "updated_at"]
    list_filter = ["idea__challenge", "screener"]
    csv_export_name = "scorecards"

    def csv_rows(self, queryset):
        """One row per scorecard: each criterion's score (name=score), the weighted mean, the notes."""
        header = ["idea_id", "idea", "challenge", "screener", "scores", "weighted_mean", "notes", "updated_at"]
        queryset = queryset.select_related("idea__challenge", "screener").prefetch_related(
            Prefetch(
                "scores",
                queryset=ScreeningScore.objects.select_related("criterion").order_by(
                    "criterion__position", "criterion_id"
                ),
            )
        )
        rows = (
            [
                s.idea_id,
                s.idea.title,
                s.idea.challenge.title,
                s.screener.public_name,
                "; ".join(f"{score.criterion.name}={score.score}" for score in s.scores.all()),
                "" if (mean := _weighted_mean(s)) is None else f"{mean:.2f}",
                s.notes,
                s.updated_at,
            ]
            for s in queryset.iterator(chunk_size=2000)
        )
        return header, rows

    list_select_related = ["idea", "screener"]
    search_fields = ["idea__title", "screener__email"]
    fields = ["idea", "screener", "notes", "created_at", "updated_at"]
    readonly_fields = fields

    @admin.display(description=_("notes"))
    def short_notes(self, obj):
        return Truncator(obj.notes).chars(80)


@admin.register(ReasonTemplate)
class ReasonTemplateAdmin(TriageOnlyMixin, admin.ModelAdmin):
    """Reusable reasons for status changes; staff pick one on the change-status page and adapt it."""

    form = ReasonTemplateForm
    list_display = ["title", "to_status", "other_statuses", "is_active", "short_text"]
    list_filter = ["to_status", "is_active"]
    search_fields = ["title", "text"]
    fields = ["to_status", "also_for", "title", "text", "is_active"]

    @admin.display(description=_("also for"))
    def other_statuses(self, obj):
        return ", ".join(Status(s).label.lower() for s in sorted(obj.also_for or [])) or "—"

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return Truncator(obj.text).chars(80)

    def has_add_permission(self, request):
        return rules.can_use_triage_queue(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.can_use_triage_queue(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.can_use_triage_queue(request.user)
