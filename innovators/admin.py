"""Staff pages: the questionnaire and its responses, and the innovator pool with its invitation action.

Writes go through ``innovators.services``: items change only until the first response
(``questionnaire_items_save``) and invitations are ``innovators_invite``.
"""

import datetime
import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, Outcome, Segment
from core.admin import ReadOnlyAdminMixin, admin_page
from core.errors import refusal_shown
from reputation.models import Tier
from scoring.demand import INVITE_BEST_COUNT
from scoring.selectors import segments_most_underserved

from . import rules, selectors, services
from .forms import InviteForOutcomeForm, InviteToChallengeForm
from .models import Innovator, Questionnaire, QuestionnaireAnswer, QuestionnaireItem, QuestionnaireResponse

INVITE_TEMPLATE = "admin/innovators/innovator/invite.html"
INVITE_FOR_OUTCOME_TEMPLATE = "admin/innovators/innovator/invite_for_outcome.html"
ITEM_FIELD = re.compile(r"^items-\d+-(position|text|weight)$")


class QuestionnaireStaffMixin:
    """Triage staff (``innovators.rules.can_manage_questionnaires``) see these pages; nobody else."""

    def has_module_permission(self, request):
        return rules.can_manage_questionnaires(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.can_manage_questionnaires(request.user)


# --- The questionnaire ------------------------------------------------------------------------


class QuestionnaireItemFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        # A member may have answered since the page was opened: their score must keep its meaning.
        if self.has_changed() and not services.questionnaire_items_editable(self.instance):
            raise forms.ValidationError(services.ITEMS_LOCKED_MESSAGE)


class QuestionnaireItemInline(QuestionnaireStaffMixin, admin.TabularInline):
    """Statements with their weights; read-only once a member has answered."""

    model = QuestionnaireItem
    formset = QuestionnaireItemFormSet
    fields = ["position", "text", "weight"]
    ordering = ["position", "pk"]
    extra = 0

    def _editable(self, request, obj) -> bool:
        return rules.can_manage_questionnaires(request.user) and (
            obj is None or services.questionnaire_items_editable(obj)
        )

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 0

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


@admin.register(Questionnaire)
class QuestionnaireAdmin(QuestionnaireStaffMixin, admin.ModelAdmin):
    """One questionnaire is open at a time (a constraint). Its statements lock with the first response."""

    list_display = ["title", "is_open", "created_at"]
    list_filter = ["is_open"]
    fields = ["title", "introduction", "is_open", "responses_link"]
    readonly_fields = ["responses_link"]
    inlines = [QuestionnaireItemInline]

    def has_add_permission(self, request):
        return rules.can_manage_questionnaires(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.can_manage_questionnaires(request.user)

    def has_delete_permission(self, request, obj=None):
        # Responses protect their questionnaire (on_delete=PROTECT): the admin then says so.
        return rules.can_manage_questionnaires(request.user)

    @admin.display(description=_("responses"))
    def responses_link(self, obj):
        from django.utils.html import format_html

        if obj is None or obj.pk is None:
            return "—"
        count = obj.responses.count()
        url = reverse("admin:innovators_questionnaireresponse_changelist") + f"?questionnaire__id__exact={obj.pk}"
        note = gettext(" (its statements can no longer change)") if count else ""
        label = ngettext("%(count)d response", "%(count)d responses", count) % {"count": count}
        return format_html('<a href="{}">{}</a>{}', url, label, note)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A member answered while this page was open: the inline turned read-only and its edits
        # were ignored (a read-only page sends no item fields), so say so rather than "changed".
        if not services.questionnaire_items_editable(form.instance) and any(
            ITEM_FIELD.match(key) for key in request.POST
        ):
            self.message_user(
                request,
                gettext("The statements were not changed: %(reason)s") % {"reason": services.ITEMS_LOCKED_MESSAGE},
                level=messages.ERROR,
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not QuestionnaireItem:
            return super().save_formset(request, form, formset, change)
        items = formset.save(commit=False)
        if not items and not formset.deleted_objects:
            return None
        with refusal_shown(request, prefix=gettext("The statements were not changed: ")):
            services.questionnaire_items_save(
                questionnaire=form.instance, staff=request.user, saved=items, deleted=formset.deleted_objects
            )
        return None


class QuestionnaireAnswerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = QuestionnaireAnswer
    fields = ["item", "weight", "value"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_view_permission(self, request, obj=None):
        return rules.can_manage_questionnaires(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item").order_by("item__position", "item__pk")

    @admin.display(description=_("weight"))
    def weight(self, obj):
        return obj.item.weight


@admin.register(QuestionnaireResponse)
class QuestionnaireResponseAdmin(QuestionnaireStaffMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by innovators.services.questionnaire_answer only: staff read them."""

    list_display = ["user", "questionnaire", "score_shown", "submitted_at"]
    list_filter = ["questionnaire"]
    list_select_related = ["user", "questionnaire"]
    search_fields = ["user__email", "user__display_name"]
    fields = ["questionnaire", "user", "score_shown", "submitted_at"]
    readonly_fields = fields
    inlines = [QuestionnaireAnswerInline]
    ordering = ["-submitted_at", "-pk"]

    @admin.display(description=_("score"), ordering="score")
    def score_shown(self, obj):
        return f"{obj.score:.0f}"


# --- The innovator pool -----------------------------------------------------------------------


class TierFilter(admin.SimpleListFilter):
    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return Tier.choices

    def queryset(self, request, queryset):
        if self.value() == Tier.NEWCOMER:
            return queryset.filter(Q(reputation_total__isnull=True) | Q(reputation_total__tier=Tier.NEWCOMER))
        if self.value() in Tier.values:
            return queryset.filter(reputation_total__tier=self.value())
        return queryset


class QuestionnaireScoreFilter(admin.SimpleListFilter):
    title = _("questionnaire score")
    parameter_name = "score"
    BANDS = {
        "75-100": Q(questionnaire_score__gte=75),
        "50-75": Q(questionnaire_score__gte=50, questionnaire_score__lt=75),
        "under-50": Q(questionnaire_score__lt=50),
        "none": Q(questionnaire_score__isnull=True),
    }

    def lookups(self, request, model_admin):
        return [
            ("75-100", "75–100"),
            ("50-75", gettext("50 to under 75")),
            ("under-50", gettext("under 50")),
            ("none", gettext("not answered")),
        ]

    def queryset(self, request, queryset):
        condition = self.BANDS.get(self.value())
        return queryset if condition is None else queryset.filter(condition)


class SegmentFilter(admin.SimpleListFilter):
    title = _("segment")
    parameter_name = "segment"

    def lookups(self, request, model_admin):
        return [
            *((str(pk), name) for pk, name in Segment.objects.order_by("name").values_list("pk", "name")),
            ("none", gettext("none known")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(respondent__segment__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(respondent__segment_id=int(self.value()))
        return queryset


class OutcomeFilter(admin.SimpleListFilter):
    title = _("wrote ideas for outcome")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        # Only the outcomes ideas were submitted for: the others would list nobody.
        outcomes = (
            Outcome.objects.filter(ideas__submitted_at__isnull=False)
            .distinct()
            .order_by("code")
            .values_list("pk", "code", "statement")
        )
        return [(str(pk), f"{code}: {statement}") for pk, code, statement in outcomes]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(selectors.wrote_ideas_for(int(self.value())))
        return queryset


class ActivityFilter(admin.SimpleListFilter):
    title = _("active (idea, comment or vote)")
    parameter_name = "active"
    WITHIN = {"30": 30, "90": 90, "365": 365}

    def lookups(self, request, model_admin):
        return [
            ("30", gettext("in the last 30 days")),
            ("90", gettext("in the last 90 days")),
            ("365", gettext("in the last year")),
            ("no", gettext("not in the last year")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() in self.WITHIN:
            return queryset.filter(last_activity__gte=now - datetime.timedelta(days=self.WITHIN[self.value()]))
        if self.value() == "no":
            year_ago = now - datetime.timedelta(days=365)
            return queryset.filter(Q(last_activity__lt=year_ago) | Q(last_activity__isnull=True))
        return queryset


@admin.register(Innovator)
class InnovatorAdmin(admin.ModelAdmin):
    """Active members (not staff) with their track record, to find the few to invite. One query per page."""

    list_display = ["name", "email", "tier", "points", "score", "segment", "ideas", "last_active"]
    list_display_links = None
    list_filter = [TierFilter, QuestionnaireScoreFilter, SegmentFilter, OutcomeFilter, ActivityFilter]
    search_fields = ["display_name", "email"]
    search_help_text = _("Search by name or email.")
    ordering = [F("reputation_total__points").desc(nulls_last=True), "pk"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["invite_to_challenge"]

    def get_queryset(self, request):
        return selectors.innovator_pool()

    def has_module_permission(self, request):
        return rules.can_use_innovator_pool(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.can_use_innovator_pool(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_invite_permission(self, request):
        return rules.can_invite_innovators(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A member's account is not edited here: back to the pool, found by their id."""
        return HttpResponseRedirect(reverse("admin:innovators_innovator_changelist", current_app=self.admin_site.name))

    # --- Columns (from the row's joins and annotations: no query per row) -------------------------

    @admin.display(description=_("name"), ordering="display_name")
    def name(self, obj):
        return obj.public_name

    @admin.display(description=_("tier"), ordering="reputation_total__tier")
    def tier(self, obj):
        total = getattr(obj, "reputation_total", None)
        return total.get_tier_display() if total else Tier.NEWCOMER.label

    @admin.display(description=_("points"), ordering=F("reputation_total__points").desc(nulls_last=True))
    def points(self, obj):
        total = getattr(obj, "reputation_total", None)
        return total.points if total else 0

    @admin.display(description=_("questionnaire"), ordering=F("questionnaire_score").desc(nulls_last=True))
    def score(self, obj):
        return "—" if obj.questionnaire_score is None else f"{obj.questionnaire_score:.0f}"

    @admin.display(description=_("segment"), ordering="respondent__segment__name")
    def segment(self, obj):
        respondent = getattr(obj, "respondent", None)
        return respondent.segment.name if respondent and respondent.segment else "—"

    @admin.display(description=_("ideas submitted"), ordering="ideas_submitted")
    def ideas(self, obj):
        return obj.ideas_submitted

    @admin.display(description=_("last activity"), ordering=F("last_activity").desc(nulls_last=True))
    def last_active(self, obj):
        if obj.last_activity is None:
            return gettext("never")
        return timezone.localtime(obj.last_activity).strftime("%Y-%m-%d")

    # --- Inviting, through innovators.services ----------------------------------------------------

    @admin.action(description=_("Invite to an invite-only challenge…"), permissions=["invite"])
    def invite_to_challenge(self, request, queryset):
        """Intermediate page: choose the challenge, then invite the selected members to it."""
        members = list(queryset.order_by("pk"))
        if "apply" in request.POST:
            form = InviteToChallengeForm(request.POST)
            if form.is_valid():
                challenge = form.cleaned_data["challenge"]
                try:
                    result = services.innovators_invite(challenge=challenge, users=members, invited_by=request.user)
                except services.InvitationRefused as error:
                    form.add_error("challenge", str(error))
                else:
                    self._invited_message(request, result, challenge.title)
                    return None  # back to the pool, with the message
        else:
            form = InviteToChallengeForm()
        return admin_page(
            self,
            request,
            INVITE_TEMPLATE,
            title=gettext("Invite to an invite-only challenge"),
            form=form,
            members=members,
            media=self.media + form.media,
            action_name="invite_to_challenge",
            status=400 if form.errors else 200,
        )

    def _invited_message(self, request, result: services.InnovatorsInvited, where: str) -> None:
        invited, already = len(result.invited), len(result.already_invited)
        self.message_user(
            request,
            ngettext("Invited %(count)d member to %(where)s;", "Invited %(count)d members to %(where)s;", invited)
            % {"count": invited, "where": where}
            + " "
            + ngettext("%(count)d was already invited.", "%(count)d were already invited.", already)
            % {"count": already},
            level=messages.SUCCESS if invited else messages.INFO,
        )

    # --- Inviting for a gap (the triage desk's gap grid) ------------------------------------------

    def get_urls(self):
        urls = [
            path(
                "invite-for-outcome/<int:outcome_id>/",
                self.admin_site.admin_view(self.invite_for_outcome_view),
                name="innovators_innovator_invite_for_outcome",
            ),
        ]
        return urls + super().get_urls()

    def invite_for_outcome_view(self, request, outcome_id):
        """The pool's best members in the segments where the outcome is most underserved
        (``scoring.demand``), previewed; staff choose the challenge and confirm exactly this list, and
        ``innovators_invite`` invites them (audited with the outcome and the segments)."""
        if not rules.can_invite_innovators(request.user):
            raise PermissionDenied
        outcome = get_object_or_404(Outcome.objects.select_related("job"), pk=outcome_id)
        segments = segments_most_underserved(outcome)
        members = selectors.innovators_best_in_segments([score.segment_id for score in segments])
        challenges = selectors.invitable_challenges_for_outcome(outcome.pk)
        source = request.GET.get("from", "")
        if source.isdigit():
            back_url = reverse("admin:reviews_gaps", args=[int(source)], current_app=self.admin_site.name)
            back_label = gettext("Back to the challenge's gaps")
        else:
            back_url = reverse("admin:innovators_innovator_changelist", current_app=self.admin_site.name)
            back_label = gettext("Back to the innovator pool")
        shown = [member.pk for member in members]
        if request.method == "POST":
            form = InviteForOutcomeForm(request.POST, challenges=challenges)
            if form.is_valid():
                if form.cleaned_data["members"] != shown:
                    form.add_error(
                        None,
                        gettext(
                            "Who would be invited has changed since you opened this page (new scores, points or "
                            "members): nobody was invited. Check the list below again, then confirm."
                        ),
                    )
                else:
                    challenge = form.cleaned_data["challenge"]
                    with refusal_shown(form=form) as result:
                        invited = services.innovators_invite(
                            challenge=challenge,
                            users=members,
                            invited_by=request.user,
                            reason={
                                "for_outcome_id": outcome.pk,
                                "from_segment_ids": [score.segment_id for score in segments],
                            },
                        )
                    if result.ok:
                        self._invited_message(
                            request,
                            invited,
                            gettext("“%(title)s” for %(code)s") % {"title": challenge.title, "code": outcome.code},
                        )
                        return HttpResponseRedirect(back_url)
            form.data = form.data.copy()
            form.data["members"] = ",".join(map(str, shown))
        else:
            targeting = [challenge for challenge in challenges if challenge.targets]
            form = InviteForOutcomeForm(
                initial={"challenge": targeting[0].pk if targeting else None, "members": ",".join(map(str, shown))},
                challenges=challenges,
            )
        follow_up = (
            reverse("admin:challenges_challenge_add")
            + "?"
            + urlencode({"outcomes": outcome.pk, "visibility": Challenge.Visibility.INVITE_ONLY})
        )
        return admin_page(
            self,
            request,
            INVITE_FOR_OUTCOME_TEMPLATE,
            title=gettext("Invite the best innovators for %(code)s") % {"code": outcome.code},
            outcome=outcome,
            segments=segments,
            members=members,
            challenges=challenges,
            form=form,
            back_url=back_url,
            back_label=back_label,
            follow_up_url=follow_up,
            best_count=INVITE_BEST_COUNT,
            media=self.media + form.media,
            status=400 if form.errors else 200,
        )
