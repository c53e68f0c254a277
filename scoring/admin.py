"""Survey data, read-mostly: ratings arrive from members' surveys and imports, not from this admin."""

from django.contrib import admin

from .models import Rating, Respondent


@admin.register(Respondent)
class RespondentAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "segment", "created_at"]
    list_filter = ["segment"]
    list_select_related = ["user", "segment"]
    search_fields = ["key", "user__email"]
    autocomplete_fields = ["user", "segment"]
    fields = ["key", "user", "segment", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["respondent", "outcome_code", "importance", "satisfaction", "segment", "updated_at"]
    list_filter = ["outcome__job", "respondent__segment", "importance", "satisfaction"]
    list_select_related = ["respondent__segment", "outcome"]
    search_fields = ["respondent__key", "outcome__code", "outcome__statement"]
    autocomplete_fields = ["respondent", "outcome"]
    fields = ["respondent", "outcome", "importance", "satisfaction", "updated_at"]
    readonly_fields = ["updated_at"]
    # Counting a million ratings for the paginator is the slow part of this page.
    show_full_result_count = False

    @admin.display(description="outcome", ordering="outcome__code")
    def outcome_code(self, obj):
        return obj.outcome.code

    @admin.display(description="segment", ordering="respondent__segment__name")
    def segment(self, obj):
        return obj.respondent.segment
