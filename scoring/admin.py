"""Survey data, read-mostly: ratings arrive from members' surveys and imports, not from this admin."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ideaportal.admin_utils import ReadOnlyAdminMixin

from .forms import RatingsImportForm
from .models import Rating, RatingsImportJob, Respondent
from .services.import_jobs import ratings_import_audit, ratings_import_job_create
from .services.imports import ImportResult, RatingsImportInvalid, RowError, ratings_import

IMPORT_TEMPLATE = "admin/scoring/rating/import.html"
IMPORT_JOB_TEMPLATE = "admin/scoring/rating/import_job.html"


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
class RatingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: ratings come from the survey and the CSV import, which ask for a recompute."""

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

    # --- Survey import ------------------------------------------------------------------------

    def has_import_permission(self, request) -> bool:
        """Staff who may add ratings (a superuser has every permission) may import a survey."""
        return request.user.has_perm("scoring.import_ratings")

    def get_urls(self):
        urls = [
            path("import/", self.admin_site.admin_view(self.import_view), name="scoring_rating_import"),
            path(
                "import/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="scoring_rating_import_job",
            ),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload a survey CSV: the service checks every row; any problem is listed and nothing saved."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        problems, more = [], 0
        if request.method == "POST":
            form = RatingsImportForm(request.POST, request.FILES)
            if form.is_valid():
                dry_run = form.cleaned_data["dry_run"]
                upload = form.cleaned_data["file"]
                if upload.size > settings.RATINGS_IMPORT_BACKGROUND_BYTES:
                    # Too large for the request: stored, and imported by a worker while staff watch.
                    job = ratings_import_job_create(file=upload, user=request.user, dry_run=dry_run)
                    return HttpResponseRedirect(
                        reverse("admin:scoring_rating_import_job", args=[job.pk], current_app=self.admin_site.name)
                    )
                try:
                    result = ratings_import(
                        file=form.cleaned_data["file"],
                        dry_run=dry_run,
                        before_commit=None
                        if dry_run
                        else lambda result: ratings_import_audit(
                            actor=request.user, result=result, file_name=upload.name, request=request
                        ),
                    )
                except RatingsImportInvalid as invalid:
                    problems, more = invalid.errors, invalid.more
                else:
                    if dry_run:
                        self.message_user(
                            request, f"The file is valid; nothing was saved. {result.summary()}", messages.INFO
                        )
                        return HttpResponseRedirect(request.path)
                    self.message_user(request, f"Survey imported. {result.summary()}", messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:scoring_rating_changelist", current_app=self.admin_site.name)
                    )
        else:
            form = RatingsImportForm()
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": "Import survey CSV",
            "subtitle": None,
            "opts": opts,
            "form": form,
            "problems": problems,
            "problems_total": len(problems) + more,
            "problems_more": more,
            "media": self.media + form.media,
            "recent_jobs": RatingsImportJob.objects.all()[:5],
            "background_mb": settings.RATINGS_IMPORT_BACKGROUND_BYTES / 1024 / 1024,
            "limit_mb": settings.UPLOAD_MAX_BYTES / 1024 / 1024,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, IMPORT_TEMPLATE, context)

    def import_job_view(self, request, job_id: int):
        """A background import's progress (the page reloads itself until it finishes) and its result."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(RatingsImportJob, pk=job_id)
        problems = [RowError(**problem) for problem in job.problems]
        result = ImportResult(**job.result) if job.result else None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import of {job.file_name}",
            "subtitle": None,
            "opts": self.model._meta,
            "job": job,
            "summary": result.summary() if result else "",
            "recompute_queued": bool(result and not result.dry_run and result.changed),
            "problems": problems,
            "problems_total": len(problems) + job.problems_more,
            "problems_more": job.problems_more,
            "refresh_seconds": 2,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, IMPORT_JOB_TEMPLATE, context)
