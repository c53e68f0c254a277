from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from challenges.models import Job, Outcome, Segment

# Respondent keys of portal members: member-<user id>. Imported surveys may not use them.
MEMBER_KEY_PREFIX = "member-"


class Respondent(models.Model):
    """Someone who rated outcomes: a member answering in the portal, or a row of an imported survey."""

    key = models.CharField(
        max_length=100, unique=True, help_text=_("The respondent id of an imported survey, or member-<id> for members.")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="respondent"
    )
    segment = models.ForeignKey(Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="respondents")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")

    def __str__(self) -> str:
        return self.key


class SurveyWave(models.Model):
    """A dated round of a job's outcome survey. Ratings belong to a wave; scores are kept per wave.

    A job has at most one open *round* at a time (the wave the survey page writes into, created
    when a job's survey is first answered). A *follow-up* wave measures the outcomes an implemented
    idea addressed, in the segments concerned, after a delay staff choose; it runs beside the
    round and is answered from its own page.
    """

    class Kind(models.TextChoices):
        ROUND = "round", _("Survey round")
        FOLLOW_UP = "follow_up", _("Impact follow-up")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("survey wave", "Scheduled")
        OPEN = "open", pgettext_lazy("survey wave", "Open")
        CLOSED = "closed", pgettext_lazy("survey wave", "Closed")

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(max_length=200, help_text=_('What respondents and staff see, e.g. "Spring 2026".'))
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ROUND)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    opens_at = models.DateTimeField(default=timezone.now, help_text=_("When the wave opens for answers."))
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it closes by itself. Empty: it stays open until staff close it.")
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcomes = models.ManyToManyField(
        Outcome,
        blank=True,
        related_name="+",
        help_text=_("The outcomes it asks about. Empty: every outcome of the job."),
    )
    segments = models.ManyToManyField(
        Segment, blank=True, related_name="+", help_text=_("Who may answer. Empty: every respondent.")
    )
    min_respondents = models.PositiveIntegerField(
        default=30, help_text=_("Below this many respondents on an outcome, no before/after claim is made.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        ordering = ["opens_at", "pk"]
        constraints = [
            # The survey page writes into "the" open round of a job: there is never a second one.
            models.UniqueConstraint(
                fields=["job"], condition=Q(status="open", kind="round"), name="wave_one_open_round_per_job"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="wave_closes_after_it_opens",
                violation_error_message=_("A wave closes after it opens."),
            ),
            models.CheckConstraint(condition=Q(min_respondents__gte=1), name="wave_min_respondents_positive"),
        ]
        indexes = [models.Index(fields=["status", "opens_at"], name="wave_status_opens_at")]

    def __str__(self) -> str:
        return f"{self.job.name}: {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def kind_in_sentence(self) -> str:
        """The kind inside a sentence ("survey round"): lower case, except where the language capitalises nouns."""
        return str(WAVE_KIND_IN_SENTENCE.get(self.kind, self.get_kind_display()))


WAVE_KIND_IN_SENTENCE = {
    SurveyWave.Kind.ROUND: pgettext_lazy("survey wave kind, inside a sentence", "survey round"),
    SurveyWave.Kind.FOLLOW_UP: pgettext_lazy("survey wave kind, inside a sentence", "impact follow-up"),
}


class Rating(models.Model):
    """One respondent's importance and satisfaction (each 1–5) for one outcome, in one survey wave."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="ratings")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="ratings")
    wave = models.ForeignKey(SurveyWave, on_delete=models.PROTECT, related_name="ratings")
    importance = models.PositiveSmallIntegerField(help_text=_("1 (not at all important) to 5 (extremely important)."))
    satisfaction = models.PositiveSmallIntegerField(
        help_text=_("1 (not at all satisfied) to 5 (extremely satisfied) with today's solutions.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "outcome", "wave"], name="rating_one_per_respondent_outcome_wave"
            ),
            models.CheckConstraint(condition=Q(importance__gte=1, importance__lte=5), name="rating_importance_1_to_5"),
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="rating_satisfaction_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["outcome", "respondent"], name="rating_outcome_respondent")]
        permissions = [("import_ratings", "Can import survey ratings from CSV")]

    def __str__(self) -> str:
        return f"{self.respondent} on {self.outcome.code}: {self.importance}/{self.satisfaction}"


class OutcomeScore(models.Model):
    """The stored opportunity score of one outcome in one survey wave, in one segment or overall (segment empty).

    Written only by scoring.services.scores_recompute; pages read these rows and never aggregate
    ratings themselves. ``current`` marks the rows of each job's latest survey round that has
    scores: what the landscape, the rankings and the challenge pages show unless a wave is asked for.
    """

    class Classification(models.TextChoices):
        EXTREMELY_UNDERSERVED = "extremely_underserved", _("Extremely underserved")
        UNDERSERVED = "underserved", _("Underserved")
        APPROPRIATELY_SERVED = "appropriately_served", _("Appropriately served")
        OVERSERVED = "overserved", _("Overserved")

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="scores")
    current = models.BooleanField(default=False, help_text=_("From the job's latest survey round with scores."))
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="scores")
    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, null=True, blank=True, related_name="scores", help_text=_("Empty: overall.")
    )
    respondents = models.PositiveIntegerField()
    important_count = models.PositiveIntegerField(help_text=_("Respondents who rated importance 4 or 5."))
    satisfied_count = models.PositiveIntegerField(help_text=_("Respondents who rated satisfaction 4 or 5."))
    importance = models.FloatField()
    satisfaction = models.FloatField()
    opportunity = models.FloatField()
    importance_low = models.FloatField()
    importance_high = models.FloatField()
    satisfaction_low = models.FloatField()
    satisfaction_high = models.FloatField()
    classification = models.CharField(max_length=24, choices=Classification.choices)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("outcome score")
        verbose_name_plural = _("outcome scores")
        ordering = ["-opportunity", "outcome__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "outcome", "segment"],
                condition=Q(segment__isnull=False),
                name="score_one_per_wave_outcome_segment",
            ),
            models.UniqueConstraint(
                fields=["wave", "outcome"], condition=Q(segment__isnull=True), name="score_one_overall_per_wave_outcome"
            ),
            models.UniqueConstraint(
                fields=["outcome", "segment"],
                condition=Q(current=True, segment__isnull=False),
                name="score_one_current_per_outcome_segment",
            ),
            models.UniqueConstraint(
                fields=["outcome"], condition=Q(current=True, segment__isnull=True), name="score_one_current_overall"
            ),
            models.CheckConstraint(
                condition=Q(importance__gte=0, importance__lte=10, satisfaction__gte=0, satisfaction__lte=10),
                name="score_scales_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(opportunity__gte=0, opportunity__lte=20), name="score_opportunity_0_to_20"
            ),
            models.CheckConstraint(
                condition=Q(important_count__lte=models.F("respondents"), satisfied_count__lte=models.F("respondents")),
                name="score_counts_within_respondents",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome.code} ({self.segment or 'overall'}): {self.opportunity:.1f}"

    @property
    def low_sample(self) -> bool:
        """Too few respondents to trust: shown as such wherever the score is."""
        from django.conf import settings

        return self.respondents < settings.SCORING_MIN_RESPONDENTS


class ScoringRun(models.Model):
    """One row (id 1): when scores were last computed. Its row lock serialises recomputes."""

    computed_at = models.DateTimeField(null=True, blank=True)
    ratings = models.PositiveIntegerField(default=0, help_text=_("Ratings read by the last recompute."))
    scores = models.PositiveIntegerField(default=0, help_text=_("Score rows written by the last recompute."))
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="scoringrun_single_row")]

    def __str__(self) -> str:
        return f"Scores computed at {self.computed_at}"


class RatingsImportJob(models.Model):
    """A survey CSV too large to import in the request: stored on upload, imported by a worker.

    The admin's page for the job shows its progress (rows checked) and its result: the same
    summary, or the same per-row problems, as an import in the request.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        CHECKING = "checking", _("checking the rows")
        WRITING = "writing", _("saving the ratings")
        DONE = "done", _("done")
        INVALID = "invalid", _("the file has problems; nothing was imported")
        FAILED = "failed", _("failed")

    FINISHED = (Status.DONE, Status.INVALID, Status.FAILED)

    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField()
    dry_run = models.BooleanField(default=False)
    wave = models.ForeignKey(
        SurveyWave,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The wave chosen for the ratings; empty: each job's open survey round."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_checked = models.PositiveBigIntegerField(default=0)
    bytes_checked = models.PositiveBigIntegerField(default=0)
    # The ImportResult's fields once done; the problems (line, column, value, reason) once invalid.
    result = models.JSONField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)
    problems_more = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ratings import")
        verbose_name_plural = _("ratings imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="ratings_import_job_status")]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent_checked(self) -> int:
        if self.status in (self.Status.WRITING, self.Status.DONE):
            return 100
        return min(100, round(100 * self.bytes_checked / self.file_size)) if self.file_size else 0
