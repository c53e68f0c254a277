"""The funnel's judgements: staff screening scorecards, mentors, their reviews and private threads.

Authors never see screening scores or notes; a mentor sees only the ideas assigned to them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from challenges.models import SelectionCriterion
from ideas.models import Idea, IdeaVersion, Status


class Screening(models.Model):
    """One screener's scorecard of an idea against its challenge's criteria."""

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="screenings")
    screener = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("screener"), on_delete=models.PROTECT, related_name="screenings"
    )
    notes = models.TextField(
        verbose_name=_("notes"), blank=True, help_text=_("For staff only; the author never sees it.")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        constraints = [models.UniqueConstraint(fields=["idea", "screener"], name="screening_one_per_screener")]

    def __str__(self) -> str:
        return f"Screening of {self.idea} by {self.screener}"


class ScreeningScore(models.Model):
    """A score from 1 to 5 on one criterion, within one screening."""

    screening = models.ForeignKey(
        Screening, verbose_name=_("screening"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        SelectionCriterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="screening_scores"
    )
    score = models.PositiveSmallIntegerField(verbose_name=_("score"))
    note = models.CharField(verbose_name=_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("screening score")
        verbose_name_plural = _("screening scores")
        constraints = [
            models.UniqueConstraint(fields=["screening", "criterion"], name="screeningscore_one_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="screeningscore_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.score}"


class ReasonTemplate(models.Model):
    """A reusable reason for a status change (the author reads it); staff adapt it before sending."""

    to_status = models.CharField(
        verbose_name=_("to status"), max_length=16, choices=Status.choices, help_text=_("The status it explains.")
    )
    # A reason may fit more than one status ("the challenge ended without it" is true of an idea not
    # selected and of one declined unscreened); it is offered, and accepted, for these statuses only.
    also_for = models.JSONField(
        verbose_name=_("also for"),
        default=list,
        blank=True,
        help_text=_("Other statuses it was written for too, if any (their values)."),
    )
    title = models.CharField(verbose_name=_("title"), max_length=100)
    text = models.TextField(
        verbose_name=_("text"),
    )
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)

    class Meta:
        verbose_name = _("reason template")
        verbose_name_plural = _("reason templates")
        ordering = ["to_status", "title"]
        constraints = [models.UniqueConstraint(fields=["to_status", "title"], name="reasontemplate_unique_title")]

    def __str__(self) -> str:
        return f"{self.get_to_status_display()}: {self.title}"

    @property
    def statuses(self) -> frozenset[str]:
        """The statuses it was written for: the status page offers it for these, and ``idea_status_change``
        refuses it with any other."""
        return frozenset({self.to_status, *(self.also_for or [])})


class MentorAssignment(models.Model):
    """A mentor helping an idea's author; reassigning ends the current assignment and starts another."""

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="mentor_assignments")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="mentor_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(verbose_name=_("assigned at"), auto_now_add=True)
    ended_at = models.DateTimeField(verbose_name=_("ended at"), null=True, blank=True)
    seen_at = models.DateTimeField(
        verbose_name=_("seen at"),
        null=True,
        blank=True,
        help_text=_(
            "When the mentor last opened the idea in the mentor area: a version saved after it is "
            "flagged “new version” on their list until they open it."
        ),
    )

    class Meta:
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["idea"], condition=Q(ended_at__isnull=True), name="mentorassignment_one_current_per_idea"
            )
        ]
        indexes = [models.Index(fields=["mentor", "ended_at"], name="mentorassignment_mentor")]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.idea}"


class Review(models.Model):
    """A mentor's rubric review of an assigned idea, with a recommendation."""

    class Recommendation(models.TextChoices):
        FINALIST = "finalist", _("Recommend as finalist")
        NOT_SELECTED = "not_selected", _("Do not recommend")
        UNDECIDED = "undecided", _("Not decided yet")

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="reviews")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="reviews"
    )
    desirability = models.PositiveSmallIntegerField(
        verbose_name=_("desirability"), help_text=_("1–5: do customers want it?")
    )
    feasibility = models.PositiveSmallIntegerField(verbose_name=_("feasibility"), help_text=_("1–5: can it be built?"))
    viability = models.PositiveSmallIntegerField(
        verbose_name=_("viability"), help_text=_("1–5: can the business sustain it?")
    )
    clarity = models.PositiveSmallIntegerField(verbose_name=_("clarity"), help_text=_("1–5: is the plan clear?"))
    comments = models.TextField(verbose_name=_("comments"), blank=True)
    recommendation = models.CharField(
        verbose_name=_("recommendation"),
        max_length=16,
        choices=Recommendation.choices,
        default=Recommendation.UNDECIDED,
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["idea", "mentor"], name="review_one_per_mentor"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}), name=f"review_{field}_1_to_5"
                )
                for field in ("desirability", "feasibility", "viability", "clarity")
            ],
            models.CheckConstraint(
                condition=Q(recommendation__in=["finalist", "not_selected", "undecided"]),
                name="review_recommendation_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.idea} by {self.mentor}"

    @property
    def mean(self) -> float:
        return (self.desirability + self.feasibility + self.viability + self.clarity) / 4


class ThreadMessage(models.Model):
    """A message in an idea's private thread between its mentor, its author and staff."""

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="thread_messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="thread_messages"
    )
    body = models.TextField(verbose_name=_("body"), max_length=5000)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("thread message")
        verbose_name_plural = _("thread messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "created_at"], name="threadmessage_idea_created")]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="threadmessage_body_not_empty")]

    def __str__(self) -> str:
        return f"Message by {self.author} on {self.idea}"


class RevisionRequest(models.Model):
    """A mentor asks the author to revise; the author's next edit answers it with a new version."""

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="revision_requests")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="revision_requests"
    )
    message = models.TextField(verbose_name=_("message"), max_length=5000)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    # When it stopped being open: the author's answer, or the idea reaching an ending (then closed_at too).
    answered_at = models.DateTimeField(verbose_name=_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(
        verbose_name=_("closed at"),
        null=True,
        blank=True,
        help_text=_("Closed unanswered: the idea reached an ending (declined, won, …)."),
    )
    answer_version = models.ForeignKey(
        IdeaVersion,
        verbose_name=_("answer version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version_before = models.ForeignKey(
        IdeaVersion,
        verbose_name=_("version before"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The version asked about."),
    )

    class Meta:
        verbose_name = _("revision request")
        verbose_name_plural = _("revision requests")
        constraints = [
            models.UniqueConstraint(
                fields=["idea"], condition=Q(answered_at__isnull=True), name="revisionrequest_one_open_per_idea"
            ),
            models.CheckConstraint(condition=~Q(message=""), name="revisionrequest_message_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Revision of {self.idea} asked by {self.mentor}"


class Mentor(User):
    """Members of the Mentor group as triage staff see them: their load and capacity (a proxy, for its admin)."""

    class Meta:
        proxy = True
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")


class TriageIdea(Idea):
    """The staff triage queue: ideas as triage staff screen them (a proxy, for its own admin page)."""

    class Meta:
        proxy = True
        verbose_name = _("idea in the triage queue")
        verbose_name_plural = _("triage queue")
