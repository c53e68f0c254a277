from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from challenges.models import Challenge, Outcome


class Status(models.TextChoices):
    """Where an idea stands in the funnel (DESIGN.md)."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SHORTLISTED = "shortlisted", "Shortlisted"
    IN_MENTORING = "in_mentoring", "In mentoring"
    FINALIST = "finalist", "Finalist"
    WINNER = "winner", "Winner"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    DECLINED = "declined", "Declined"
    NOT_SELECTED = "not_selected", "Not selected"
    DUPLICATE = "duplicate", "Duplicate"


# Statuses that answer an idea: a staff decision after submission.
DECIDED_STATUSES = frozenset(Status) - {Status.DRAFT, Status.SUBMITTED}
# Statuses whose reason the author must be given.
STATUSES_NEEDING_REASON = frozenset({Status.DECLINED, Status.NOT_SELECTED, Status.DUPLICATE, Status.IMPLEMENTED})


class IdeaQuerySet(models.QuerySet):
    def published(self):
        """Ideas that have left the author's drafts."""
        return self.exclude(status=Status.DRAFT)

    def by_support(self):
        """Most supported first (uses the idea_support expression index)."""
        return self.order_by((F("votes_up") - F("votes_down")).desc(), F("submitted_at").desc(nulls_last=True), "-id")

    def by_newest(self):
        return self.order_by(F("submitted_at").desc(nulls_last=True), "-id")


class Idea(models.Model):
    """A customer's answer to one challenge."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="ideas")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas")
    title = models.CharField(max_length=120)
    problem = models.TextField(max_length=5000, help_text="The problem or unmet outcome, in Markdown.")
    solution = models.TextField(max_length=10000, help_text="The proposed solution, in Markdown.")
    outcomes = models.ManyToManyField(Outcome, related_name="ideas", help_text="The challenge outcomes it addresses.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates")
    # Vote counters: changed only with F() under the idea's row lock (ideas.services).
    votes_up = models.PositiveIntegerField(default=0)
    votes_down = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When staff last changed the status.")

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["challenge", "status", "-submitted_at"], name="idea_challenge_status_sub"),
            models.Index(fields=["status", "-submitted_at"], name="idea_status_submitted"),
            models.Index(fields=["-decided_at"], name="idea_decided_at", condition=Q(decided_at__isnull=False)),
            models.Index(F("votes_up") - F("votes_down"), name="idea_support"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="idea_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="idea_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=(Q(status="duplicate") & Q(duplicate_of__isnull=False))
                | (~Q(status="duplicate") & Q(duplicate_of__isnull=True)),
                name="idea_duplicate_has_target",
                violation_error_message="A duplicate must name the idea it duplicates, and only a duplicate may.",
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=F("id")), name="idea_not_duplicate_of_itself"),
            models.CheckConstraint(condition=~Q(title=""), name="idea_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:detail", kwargs={"pk": self.pk})

    @property
    def support(self) -> int:
        return self.votes_up - self.votes_down


class Vote(models.Model):
    """One member's up or down vote on an idea: at most one per member per idea."""

    class Value(models.IntegerChoices):
        UP = 1, "Up"
        DOWN = -1, "Down"

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "user"],
                name="vote_one_per_user_per_idea",
                violation_error_message="You have already voted on this idea.",
            ),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_up_or_down"),
        ]
        indexes = [models.Index(fields=["user", "idea"], name="vote_user_idea")]

    def __str__(self) -> str:
        return f"{self.get_value_display()} by {self.user} on {self.idea}"


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=5000, help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "created_at"], name="comment_idea_created")]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty")]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.idea}"


class StatusChange(models.Model):
    """A recorded step of an idea through the funnel, with a reason its author reads."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="status_changes_made"
    )
    reason = models.TextField(blank=True, help_text="Shown to the author and followers.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set by the notification task once the author's email went out: a second run sends nothing.
    author_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        indexes = [models.Index(fields=["idea", "-created_at"], name="statuschange_idea_created")]
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=F("to_status")), name="statuschange_changes_status"),
        ]

    def __str__(self) -> str:
        return f"{self.idea}: {self.get_from_status_display()} → {self.get_to_status_display()}"
