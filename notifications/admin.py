from django.contrib import admin
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Notification, NotificationPreference, OutboxEvent


class EmailStateFilter(admin.SimpleListFilter):
    """Where each notification's email stands; "failed" lists those that can never be sent, with why."""

    title = _("email")
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("Failed (never sent)")),
            ("owed", _("Owed (immediate, not sent yet)")),
            ("sending", _("Claimed by a worker now")),
            ("sent", _("Sent")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "failed":
                return queryset.filter(email_failed_at__isnull=False)
            case "owed":
                return queryset.filter(
                    delivery=Delivery.IMMEDIATELY, emailed_at__isnull=True, email_failed_at__isnull=True
                )
            case "sending":
                return queryset.filter(email_claimed_until__gte=Now())
            case "sent":
                return queryset.filter(emailed_at__isnull=False, email_failed_at__isnull=True)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at", "emailed_at", "digest_at", "email_failure"]
    list_filter = [EmailStateFilter, "kind", "delivery"]
    raw_id_fields = ["recipient"]
    search_fields = ["title", "event_key"]
    readonly_fields = ["email_claimed_until", "email_attempts", "email_failed_at", "email_failure"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery"]
    raw_id_fields = ["user"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["event_key", "kind", "created_at", "processed_at"]
    readonly_fields = ["kind", "event_key", "payload", "actor_id", "created_at", "processed_at"]
