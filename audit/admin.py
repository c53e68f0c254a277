"""The audit log in the admin: read-only (no add, change or delete for anyone), filterable, exportable."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone

from .models import AuditEntry
from .services import audit_export_csv


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id", "target_repr", "ip_address"]
    list_filter = [("actor", admin.RelatedOnlyFieldListFilter), "action", "target_type", "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["action", "target_repr", "target_id"]
    list_select_related = ["actor"]
    readonly_fields = [
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "before",
        "after",
        "ip_address",
    ]
    fields = readonly_fields
    change_list_template = "admin/audit/auditentry/change_list.html"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        export = path("export/", self.admin_site.admin_view(self.export_view), name="audit_auditentry_export")
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        export_url = reverse("admin:audit_auditentry_export") + (f"?{query}" if query else "")
        return super().changelist_view(request, extra_context={"export_url": export_url, **(extra_context or {})})

    def export_view(self, request):
        """The list as CSV, under the same filters as the page; the export is recorded in the log."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        entries = changelist.get_queryset(request).select_related("actor").order_by("-created_at", "-pk")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
        filters = dict(request.GET.items())
        audit_export_csv(
            actor=request.user,
            entries=entries.iterator(chunk_size=2000),
            out=response,
            filters=filters,
            request=request,
        )
        return response
