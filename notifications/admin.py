from django.contrib import admin

from .models import Notification, NotificationPreference, OutboxEvent


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at", "emailed_at", "digest_at"]
    list_filter = ["kind", "delivery"]
    raw_id_fields = ["recipient"]
    search_fields = ["title", "event_key"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery"]
    raw_id_fields = ["user"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["event_key", "kind", "created_at", "processed_at"]
    readonly_fields = ["kind", "event_key", "payload", "actor_id", "created_at", "processed_at"]
