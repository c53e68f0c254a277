"""Survey data, read-mostly: ratings arrive from members' surveys and imports, not from this admin."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, FilteredRelation, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from challenges.models import Outcome
from core.admin import LabelledListEditableMixin, ReadOnlyAdminMixin, admin_page

from .forms import RatingsImportForm
from .formulas import CLASS_LABELS, opportunity_display
from .models import Rating, RatingsImportJob, Respondent, SurveyWave
from .services.import_jobs import ratings_import_audit, ratings_import_job_create
from .services.imports import ImportResult, RatingsImportInvalid, RowError, ratings_import
from .services.waves import wave_close, wave_open, wave_schedule

IMPORT_TEMPLATE = "admin/scoring/rating/import.html"
IMPORT_JOB_TEMPLATE = "admin/scoring/rating/import_job.html"


def _one_decimal(value: float) -> str:
    """A score with one decimal, in the active language (7.5, 7,5)."""
    return formats.number_format(round(value, 1), 1)


# The staff's two optional factors of an outcome, 1–5 (never mixed into its score).
FACTORS = {"ease_of_adoption", "availability"}


@admin.register(Outcome)
class OutcomeAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    """Outcomes with their overall score (registered by scoring, which stores and formats it) beside the staff's two optional factors (never mixed into it)."""

    list_display = ["code", "statement", "job_name", "score", "ease_of_adoption", "availability"]
    list_editable = ["ease_of_adoption", "availability"]
    list_filter = ["job__kind", "job"]
    list_select_related = ["job"]
    search_fields = ["code", "statement", "job__name"]
    autocomplete_fields = ["job"]
    fields = ["job", "code", "statement", "ease_of_adoption", "availability", "overall_score", "created_at"]
    readonly_fields = ["overall_score", "created_at"]

    def get_queryset(self, request):
        # The overall score rides along as one LEFT JOIN, so the changelist costs no query per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                overall=FilteredRelation("scores", condition=Q(scores__segment__isnull=True, scores__current=True)),
                overall_opportunity=F("overall__opportunity"),
                overall_importance=F("overall__importance"),
                overall_satisfaction=F("overall__satisfaction"),
                overall_classification=F("overall__classification"),
                overall_respondents=F("overall__respondents"),
            )
        )

    @staticmethod
    def _few(obj) -> bool:
        return obj.overall_respondents is not None and obj.overall_respondents < settings.SCORING_MIN_RESPONDENTS

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The factors are 1–5: say so to the browser too, and keep the inputs narrow in the list.
        if db_field.name in FACTORS:
            kwargs.update(min_value=1, max_value=5)
            field = super().formfield_for_dbfield(db_field, request, **kwargs)
            field.widget.attrs["style"] = "width: 4em"
            return field
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("job"), ordering="job__name")
    def job_name(self, obj):
        # Not the job field itself: the admin never wraps a foreign key's column, and this list is wide.
        return obj.job.name

    @admin.display(description=gettext_lazy("overall score"), ordering="overall_opportunity")
    def score(self, obj):
        """Opportunity, class and respondents in one column, so the list fits beside the filters."""
        if obj.overall_opportunity is None:
            return "—"
        values = {
            "opportunity": opportunity_display(obj.overall_opportunity),
            "class": CLASS_LABELS.get(obj.overall_classification, ""),
            "count": obj.overall_respondents,
        }
        if self._few(obj):
            return _("%(opportunity)s · %(class)s · %(count)d respondents (few respondents)") % values
        return _("%(opportunity)s · %(class)s · %(count)d respondents") % values

    @admin.display(description=gettext_lazy("overall score"))
    def overall_score(self, obj):
        if obj.pk is None or obj.overall_opportunity is None:
            return _("Not scored yet: nobody has rated this outcome.")
        values = {
            "opportunity": opportunity_display(obj.overall_opportunity),
            "class": CLASS_LABELS.get(obj.overall_classification, ""),
            "importance": _one_decimal(obj.overall_importance),
            "satisfaction": _one_decimal(obj.overall_satisfaction),
            "count": obj.overall_respondents,
            "url": reverse("opportunities:job", args=[obj.job_id]),
            "min": settings.SCORING_MIN_RESPONDENTS,
        }
        if self._few(obj):
            text = _(
                "Opportunity <strong>{opportunity}</strong> ({class}): importance {importance}, satisfaction "
                "{satisfaction}, from {count} respondents — fewer than {min}, treat with care. "
                '<a href="{url}">See it on the landscape</a>'
            )
        else:
            text = _(
                "Opportunity <strong>{opportunity}</strong> ({class}): importance {importance}, satisfaction "
                '{satisfaction}, from {count} respondents. <a href="{url}">See it on the landscape</a>'
            )
        return format_html(text, **values)


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

    list_display = ["respondent", "outcome_code", "wave", "importance", "satisfaction", "segment", "updated_at"]
    list_filter = ["outcome__job", "wave__kind", "wave__status", "respondent__segment", "importance", "satisfaction"]
    list_select_related = ["respondent__segment", "outcome", "wave__job"]
    search_fields = ["respondent__key", "outcome__code", "outcome__statement"]
    autocomplete_fields = ["respondent", "outcome"]
    fields = ["respondent", "outcome", "wave", "importance", "satisfaction", "updated_at"]
    readonly_fields = ["updated_at"]
    # Counting a million ratings for the paginator is the slow part of this page.
    show_full_result_count = False

    @admin.display(description=gettext_lazy("outcome"), ordering="outcome__code")
    def outcome_code(self, obj):
        return obj.outcome.code

    @admin.display(description=gettext_lazy("segment"), ordering="respondent__segment__name")
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
                    job = ratings_import_job_create(
                        file=upload, user=request.user, dry_run=dry_run, wave=form.cleaned_data["wave"]
                    )
                    return HttpResponseRedirect(
                        reverse("admin:scoring_rating_import_job", args=[job.pk], current_app=self.admin_site.name)
                    )
                try:
                    result = ratings_import(
                        file=form.cleaned_data["file"],
                        dry_run=dry_run,
                        wave=form.cleaned_data["wave"],
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
                            request,
                            _("The file is valid; nothing was saved. %(summary)s") % {"summary": result.summary()},
                            messages.INFO,
                        )
                        return HttpResponseRedirect(request.path)
                    self.message_user(
                        request, _("Survey imported. %(summary)s") % {"summary": result.summary()}, messages.SUCCESS
                    )
                    return HttpResponseRedirect(
                        reverse("admin:scoring_rating_changelist", current_app=self.admin_site.name)
                    )
        else:
            form = RatingsImportForm()
        return admin_page(
            self,
            request,
            IMPORT_TEMPLATE,
            title=_("Import survey CSV"),
            form=form,
            problems=problems,
            problems_total=len(problems) + more,
            problems_more=more,
            media=self.media + form.media,
            recent_jobs=RatingsImportJob.objects.all()[:5],
            background_mb=settings.RATINGS_IMPORT_BACKGROUND_BYTES / 1024 / 1024,
            limit_mb=settings.UPLOAD_MAX_BYTES / 1024 / 1024,
        )

    def import_job_view(self, request, job_id: int):
        """A background import's progress (the page reloads itself until it finishes) and its result."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(RatingsImportJob, pk=job_id)
        problems = [RowError(**problem) for problem in job.problems]
        result = ImportResult(**job.result) if job.result else None
        return admin_page(
            self,
            request,
            IMPORT_JOB_TEMPLATE,
            title=_("Import of %(file)s") % {"file": job.file_name},
            job=job,
            summary=result.summary() if result else "",
            recompute_queued=bool(result and not result.dry_run and result.changed),
            problems=problems,
            problems_total=len(problems) + job.problems_more,
            problems_more=job.problems_more,
            refresh_seconds=2,
        )


class SurveyWaveForm(forms.ModelForm):
    class Meta:
        model = SurveyWave
        fields = ["job", "name", "opens_at", "closes_at", "outcomes", "segments", "min_respondents"]

    def clean(self):
        data = super().clean()
        job, outcomes = data.get("job"), data.get("outcomes")
        if job is not None and outcomes and any(outcome.job_id != job.pk for outcome in outcomes):
            self.add_error("outcomes", _("Choose outcomes of the job “%(job)s” only.") % {"job": job.name})
        return data


@admin.register(SurveyWave)
class SurveyWaveAdmin(admin.ModelAdmin):
    """Survey rounds of each job: staff schedule the next round here; it opens at its date (the previous
    round closes then). Follow-up waves are scheduled from an implemented idea's page. A wave is never
    edited once created: its answers would mean something else."""

    form = SurveyWaveForm
    list_display = ["name", "job", "kind", "status", "opens_at", "closes_at"]
    list_filter = ["kind", "status", "job"]
    list_select_related = ["job"]
    search_fields = ["name", "job__name"]
    autocomplete_fields = ["job"]
    filter_horizontal = ["outcomes", "segments"]
    actions = ["open_now", "close_now"]

    def get_readonly_fields(self, request, obj=None):
        return [*SurveyWaveForm.Meta.fields, "kind", "status", "opened_at", "closed_at"] if obj else []

    def get_fields(self, request, obj=None):
        return (
            [*SurveyWaveForm.Meta.fields, "kind", "status", "opened_at", "closed_at"]
            if obj
            else SurveyWaveForm.Meta.fields
        )

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only
        data = form.cleaned_data
        wave = wave_schedule(
            job=data["job"],
            name=data["name"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            outcomes=data["outcomes"],
            segments=data["segments"],
            min_respondents=data["min_respondents"],
        )
        obj.pk, obj.status, obj.kind = wave.pk, wave.status, wave.kind

    def save_related(self, request, form, formsets, change):
        pass  # the service set the outcomes and segments

    @admin.action(description=gettext_lazy("Open the selected waves now (a round closes the job's open round)"))
    def open_now(self, request, queryset):
        opened = sum(1 for pk in queryset.values_list("pk", flat=True) if wave_open(wave_id=pk))
        self.message_user(
            request,
            ngettext(
                "%(count)d wave opened; waves already open or closed were left as they were.",
                "%(count)d waves opened; waves already open or closed were left as they were.",
                opened,
            )
            % {"count": opened},
        )

    @admin.action(description=gettext_lazy("Close the selected waves now (a follow-up's result is computed)"))
    def close_now(self, request, queryset):
        closed = sum(1 for pk in queryset.values_list("pk", flat=True) if wave_close(wave_id=pk))
        self.message_user(
            request,
            ngettext(
                "%(count)d wave closed; waves not open were left as they were.",
                "%(count)d waves closed; waves not open were left as they were.",
                closed,
            )
            % {"count": closed},
        )
