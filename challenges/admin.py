from django.contrib import admin
from django.db.models import Count

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


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["code", "statement", "job", "created_at"]
    list_filter = ["job__kind", "job"]
    list_select_related = ["job"]
    search_fields = ["code", "statement", "job__name"]
    autocomplete_fields = ["job"]
    fields = ["job", "code", "statement", "created_at"]
    readonly_fields = ["created_at"]


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
    list_display = ["title", "phase", "visibility", "opens_at", "closes_at", "idea_count", "answer_within_days"]
    list_filter = ["phase", "visibility"]
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
            "Invite-only",
            {"fields": ["invited_members"], "description": "Only these members see an invite-only challenge."},
        ),
        ("Record", {"fields": ["created_at"], "classes": ["collapse"]}),
    ]
    inlines = [SelectionCriterionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(idea_total=Count("ideas"))

    @admin.display(description="ideas", ordering="idea_total")
    def idea_count(self, obj):
        return obj.idea_total
