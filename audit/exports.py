"""CSV exports of admin lists, each recorded in the audit log: the rows the list shows under its current
filters, search and order. It lives with the audit log because taking data out is an audited staff
action, and it imports no app of the portal.

The portal's one CSV helper: every cell a spreadsheet could read as a formula (it starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with an apostrophe (OWASP's advice on
CSV injection), since ideas, comments and notes are written by members. The response streams, so a
large export neither waits for nor holds every row.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone

from .cells import csv_cell
from .services import audit_record


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with a BOM, so spreadsheet programs read the accents)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([csv_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ChangelistCsvExportMixin:
    """A ModelAdmin mixin: an "Export CSV" button on the changelist that downloads the rows it shows.

    The export builds the same ``ChangeList`` from the same query string, so the list filters, the
    search and the order apply exactly; every page, not only the one on screen. Subclasses give
    ``csv_export_name`` and ``csv_rows(queryset) -> (header, rows)``; the queryset is the
    changelist's, and ``csv_export_queryset`` may add the joins the columns need.
    """

    csv_export_name = "export"

    def csv_rows(self, queryset) -> tuple[list[str], Iterable[Sequence[object]]]:
        raise NotImplementedError

    def csv_export_queryset(self, queryset):
        return queryset

    def _csv_url_name(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_export"

    def get_urls(self):
        urls = [path("export.csv", self.admin_site.admin_view(self.csv_export_view), name=self._csv_url_name())]
        return urls + super().get_urls()

    def csv_export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = self.csv_export_queryset(changelist.get_queryset(request))
        header, rows = self.csv_rows(queryset)
        # Taking data out is a staff action like any other: the audit log says who took which list, how filtered.
        audit_record(
            actor=request.user,
            action="list.exported",
            after={"list": self.csv_export_name, "filters": request.GET.urlencode()},
            request=request,
        )
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        return csv_response(f"{self.csv_export_name}-{stamp}.csv", header, rows)

    def changelist_view(self, request, extra_context=None):
        url = reverse(f"{self.admin_site.name}:{self._csv_url_name()}")
        query = request.GET.urlencode()
        extra_context = {**(extra_context or {}), "csv_export_url": f"{url}?{query}" if query else url}
        return super().changelist_view(request, extra_context=extra_context)
