from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import ReputationEvent, ReputationTotal


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger is written by the services only: staff may look, not touch."""


@admin.register(ReputationEvent)
class ReputationEventAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "object_key", "points", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["object_key"]


@admin.register(ReputationTotal)
class ReputationTotalAdmin(ReadOnlyAdmin):
    list_display = ["user", "points", "ideas_shortlisted", "ideas_won_or_implemented"]
    list_select_related = ["user"]
    ordering = ["-points"]
