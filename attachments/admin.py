from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: files change only through the idea and comment forms (attachments.services)."""

    list_display = [
        "original_name",
        "kind",
        "content_type",
        "size",
        "idea",
        "comment",
        "uploaded_by",
        "created_at",
        "removed_at",
    ]
    list_filter = ["kind", "content_type"]
    search_fields = ["original_name", "idea__title"]
    list_select_related = ["idea", "comment", "uploaded_by"]
    raw_id_fields = ["idea", "comment", "uploaded_by", "removed_by"]
    readonly_fields = [field.name for field in Attachment._meta.fields] + ["versions"]
