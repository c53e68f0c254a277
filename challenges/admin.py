from django.conf import settings
from django.contrib import admin
from django.db.models import Count, F, FilteredRelation, Q
from django.urls import reverse
from django.utils.html import format_html

from scoring.formulas import CLASS_LABELS, opportunity_shown

from .models import Challenge, Job, Outcome, Segment, SelectionCriterion


class OutcomeInline(admin.TabularInline):
    model = Outcome
    fields = ["code", "statement", "created_at"]
    readonly_fields = ["created_at"]
    extra = 1
    show_change_link = True


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "outcome_count", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    fields = ["name", "kind", "description", "created_at"]
    readonly_fields = ["created_at"]
    inlines = [OutcomeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(outcome_total=Count("outcomes"))

    @admin.display(description="outcomes", ordering="outcome_total")
    def outcome_count(self, obj):
        return obj.outcome_total


FACTORS = {"ease_of_adoption", "availability"}


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    """Outcomes with their overall score beside the staff's two optional factors (never mixed into it)."""

    list_display = ["code", "statement", "job_name", "score", "ease_of_adoption", "availability"]
    list_editable = ["ease_of_adoption", "availability"]
    list_filter = ["job__kind", "job"]
    list_select_related = ["job"]
    search_fields = ["code", "statement", "job__name"]
    autocomplete_fields = ["job"]
    fields = ["job", "code", "statement", "ease_of_adoption", "availability", "overall_score", "created_at"]
    readonly_fields = ["overall_score", "created_at"]

    def get_queryset(self, request):
        # The overall score rides along as one LEFT JOIN, so the changelist costs no query per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                overall=FilteredRelation("scores", condition=Q(scores__segment__isnull=True)),
                overall_opportunity=F("overall__opportunity"),
                overall_importance=F("overall__importance"),
                overall_satisfaction=F("overall__satisfaction"),
                overall_classification=F("overall__classification"),
                overall_respondents=F("overall__respondents"),
            )
        )

    @staticmethod
    def _few(obj) -> bool:
        return obj.overall_respondents is not None and obj.overall_respondents < settings.SCORING_MIN_RESPONDENTS

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The factors are 1–5: say so to the browser too, and keep the inputs narrow in the list.
        if db_field.name in FACTORS:
            kwargs.update(min_value=1, max_value=5)
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            field.widget.attrs["style"] = "width: 4em"
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="job", ordering="job__name")
    def job_name(self, obj):
        # Not the job field itself: the admin never wraps a foreign key's column, and this list is wide.
        return obj.job.name

    @admin.display(description="overall score", ordering="overall_opportunity")
    def score(self, obj):
        """Opportunity, class and respondents in one column, so the list fits beside the filters."""
        if obj.overall_opportunity is None:
            return "—"
        few = " (few respondents)" if self._few(obj) else ""
        return (
            f"{opportunity_shown(obj.overall_opportunity)} · {CLASS_LABELS.get(obj.overall_classification, '')} · "
            f"{obj.overall_respondents} respondents{few}"
        )

    @admin.display(description="overall score")
    def overall_score(self, obj):
        if obj.pk is None or obj.overall_opportunity is None:
            return "Not scored yet: nobody has rated this outcome."
        return format_html(
            "Opportunity <strong>{}</strong> ({}): importance {}, satisfaction {}, from {} respondents{}. "
            '<a href="{}">See it on the landscape</a>',
            opportunity_shown(obj.overall_opportunity),
            CLASS_LABELS.get(obj.overall_classification, ""),
            f"{obj.overall_importance:.1f}",
            f"{obj.overall_satisfaction:.1f}",
            obj.overall_respondents,
            f" — fewer than {settings.SCORING_MIN_RESPONDENTS}, treat with care" if self._few(obj) else "",
            reverse("opportunities:job", args=[obj.job_id]),
        )


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "respondent_count"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(respondent_total=Count("respondents"))

    @admin.display(description="respondents", ordering="respondent_total")
    def respondent_count(self, obj):
        return obj.respondent_total


class SelectionCriterionInline(admin.TabularInline):
    model = SelectionCriterion
    fields = ["position", "name", "description", "weight"]
    extra = 1


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "phase",
        "visibility",
        "opens_at",
        "closes_at",
        "idea_count",
        "answer_within_days",
        "publish_scores",
    ]
    list_filter = ["phase", "visibility", "publish_scores"]
    search_fields = ["title", "slug", "brief"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["outcomes", "invited_members"]
    date_hierarchy = "opens_at"
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "phase", "visibility"]}),
        ("The question", {"fields": ["brief", "business_context", "prize", "outcomes"]}),
        (
            "Timeline",
            {
                "fields": [
                    "opens_at",
                    "review_starts_at",
                    "mentoring_starts_at",
                    "final_starts_at",
                    "closes_at",
                    "answer_within_days",
                ]
            },
        ),
        (
            "Scores",
            {
                "fields": ["publish_scores"],
                "description": "Scores are for staff unless published: then customers see each targeted "
                "outcome's overall opportunity score on the challenge page.",
            },
        ),
        (
            "Invite-only",
            {"fields": ["invited_members"], "description": "Only these members see an invite-only challenge."},
        ),
        ("Record", {"fields": ["created_at"], "classes": ["collapse"]}),
    ]
    inlines = [SelectionCriterionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(idea_total=Count("ideas"))

    def get_changeform_initial_data(self, request):
        """Also take ?outcomes=1&outcomes=2, as a form of checkboxes sends it (the landscape's
        "start a challenge"), besides Django's ?outcomes=1,2; ids that are not numbers are dropped."""
        initial = super().get_changeform_initial_data(request)
        if "outcomes" in request.GET:
            initial["outcomes"] = [
                part.strip()
                for value in request.GET.getlist("outcomes")
                for part in value.split(",")
                if part.strip().isdigit()
            ]
        return initial

    @admin.display(description="ideas", ordering="idea_total")
    def idea_count(self, obj):
        return obj.idea_total
