from django.conf import settings
from django.db import models
from django.db.models import Q

from challenges.models import Outcome, Segment


class Respondent(models.Model):
    """Someone who rated outcomes: a member answering in the portal, or a row of an imported survey."""

    key = models.CharField(
        max_length=100, unique=True, help_text="The respondent id of an imported survey, or member-<id> for members."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="respondent"
    )
    segment = models.ForeignKey(Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="respondents")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class Rating(models.Model):
    """One respondent's importance and satisfaction (each 1–5) for one outcome."""

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="ratings")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="ratings")
    importance = models.PositiveSmallIntegerField(help_text="1 (not at all important) to 5 (extremely important).")
    satisfaction = models.PositiveSmallIntegerField(
        help_text="1 (not at all satisfied) to 5 (extremely satisfied) with today's solutions."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["respondent", "outcome"], name="rating_one_per_respondent_per_outcome"),
            models.CheckConstraint(condition=Q(importance__gte=1, importance__lte=5), name="rating_importance_1_to_5"),
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="rating_satisfaction_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["outcome", "respondent"], name="rating_outcome_respondent")]

    def __str__(self) -> str:
        return f"{self.respondent} on {self.outcome.code}: {self.importance}/{self.satisfaction}"
