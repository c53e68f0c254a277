"""Follow-ups in the admin: read-only (staff schedule and close them from the idea's page, through the services)."""

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ReadOnlyAdminMixin

from .models import FollowUp, OutcomeResult


class OutcomeResultInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OutcomeResult
    extra = 0
    fields = [
        "outcome",
        "before_respondents",
        "before_satisfied",
        "after_respondents",
        "after_satisfied",
        "z",
        "p_value",
        "verdict",
    ]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["idea", "wave_dates", "verdict", "result_computed_at"]
    list_filter = ["verdict"]
    list_select_related = ["idea", "wave"]
    search_fields = ["idea__title"]
    fields = ["idea_link", "wave", "baseline_wave", "scheduled_by", "created_at", "verdict", "result_computed_at"]
    inlines = [OutcomeResultInline]

    @admin.display(description=gettext_lazy("wave"))
    def wave_dates(self, obj):
        closes = f" → {date_format(obj.wave.closes_at, 'j M Y')}" if obj.wave.closes_at else ""
        return f"{obj.wave.get_status_display()}: {date_format(obj.wave.opens_at, 'j M Y')}{closes}"

    @admin.display(description=gettext_lazy("idea"))
    def idea_link(self, obj):
        return format_html(
            _("{link} (schedule or close it there)"),
            link=format_html('<a href="{}">{}</a>', obj.idea.get_absolute_url(), obj.idea),
        )

    def get_readonly_fields(self, request, obj=None):
        return self.fields
