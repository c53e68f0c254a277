"""The reputation ledger: append-only events with points, and each member's totals kept from them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    IDEA_SUBMITTED = "idea_submitted", _("Idea submitted")
    # The submission award taken back: the idea was withdrawn or merged as a duplicate (negative points).
    IDEA_SUBMITTED_REVERSED = "idea_submitted_reversed", _("Idea withdrawn or merged: submission points taken back")
    # A merge undone: the submission points the merge took back are given again (positive points).
    IDEA_MERGE_UNDONE = "idea_merge_undone", _("Merge undone: submission points given back")
    IDEA_SHORTLISTED = "idea_shortlisted", _("Idea shortlisted")
    IDEA_FINALIST = "idea_finalist", _("Idea a finalist")
    IDEA_WINNER = "idea_winner", _("Idea a winner")
    IDEA_IMPLEMENTED = "idea_implemented", _("Idea implemented")
    COMMENT_KUDOS = "comment_kudos", _("Comment given kudos")
    SURVEY_COMPLETED = "survey_completed", _("Survey completed")
    VOTE_RECEIVED = "vote_received", _("Up-vote received on an idea")
    REVISION_ANSWERED = "revision_answered", _("Answer to a mentor’s revision request")
    IMPROVEMENT_MEASURED = "improvement_measured", _("Implemented idea measured as an improvement")


class Tier(models.TextChoices):
    NEWCOMER = "newcomer", _("newcomer")
    CONTRIBUTOR = "contributor", _("contributor")
    INNOVATOR = "innovator", _("innovator")
    LEAD_INNOVATOR = "lead innovator", _("lead innovator")


class ReputationEvent(models.Model):
    """One award, or the reversal of one (negative points). Rows are only ever inserted
    (reputation.services.reputation_award), never changed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reputation_events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # What the award is for, e.g. "idea:12", "job:3", "comment:5/by:7" (one kudos giver).
    object_key = models.CharField(max_length=100)
    points = models.IntegerField()
    # The challenge the award came from (an idea's, a comment's idea's), for the per-challenge leaderboards;
    # empty for awards outside challenges (a survey).
    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.SET_NULL, null=True, blank=True, related_name="reputation_events"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reputation event")
        verbose_name_plural = _("reputation events")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_key"], name="reputation_event_once"),
        ]
        indexes = [
            models.Index(fields=["user", "kind"], name="reputation_event_user_kind"),
            # Leaderboards: the events of a period, overall or in one challenge.
            models.Index(fields=["created_at"], name="reputation_event_created"),
            models.Index(fields=["challenge", "created_at"], name="reputation_event_challenge"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.object_key} +{self.points}"


class ReputationTotal(models.Model):
    """A member's totals: kept with F() by each award, rebuildable from the events (reputation_rebuild)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reputation_total")
    points = models.PositiveIntegerField(default=0)
    ideas_shortlisted = models.PositiveIntegerField(default=0)
    ideas_won_or_implemented = models.PositiveIntegerField(default=0)
    # The tier, kept with the totals so lists can show badges without a query per row
    # (reputation.services.tier_for_totals; the top-1% part is refreshed by the daily rebuild).
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.NEWCOMER)

    class Meta:
        verbose_name = _("reputation total")
        verbose_name_plural = _("reputation totals")
        indexes = [
            models.Index(fields=["-points"], name="reputation_total_points"),
            models.Index(fields=["tier"], name="reputation_total_tier"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.points} points"


class LeadThreshold(models.Model):
    """The fewest points that place a member in the top 1% (one row, pk 1; null below 100 ranked members).

    Kept in the database, not the cache: every award reads it inside its transaction, as a
    subquery of the totals' UPDATE (reputation.services._tier_update). ``reputation_rebuild``
    (daily, from beat) sets it.
    """

    points = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("lead innovator threshold")
        verbose_name_plural = _("lead innovator thresholds")

    def __str__(self):
        return f"lead innovator threshold: {self.points}"
