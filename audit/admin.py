"""The audit log in the admin: read-only (no add, change or delete for anyone), filterable, exportable."""

import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .services import audit_export_csv


def _json_block(value):
    if not value:
        return "—"
    return format_html(
        "<pre class='audit-json'>{}</pre>", json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_shown", "action", "target"]
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
        "before_shown",
        "after_shown",
        "ip_address",
    ]
    fields = readonly_fields
    change_list_template = "admin/audit/auditentry/change_list.html"
    show_full_result_count = False

    @admin.display(description=_("actor"), ordering="actor")
    def actor_shown(self, obj):
        return obj.actor if obj.actor_id else _("the portal")

    @admin.display(description=_("target"))
    def target(self, obj):
        if not obj.target_type:
            return "—"
        return format_html('{}<div class="help">{} #{}</div>', obj.target_repr, obj.target_type, obj.target_id)

    @admin.display(description=_("before"))
    def before_shown(self, obj):
        return _json_block(obj.before)

    @admin.display(description=_("after"))
    def after_shown(self, obj):
        return _json_block(obj.after)

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
