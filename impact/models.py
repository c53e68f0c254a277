"""The impact follow-up of an implemented idea, and its measured result per outcome."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from challenges.models import Outcome
from ideas.models import Idea
from scoring.models import SurveyWave


class Verdict(models.TextChoices):
    PENDING = "pending", _("still collecting answers")
    IMPROVED = "improved", _("an improvement")
    NO_CHANGE = "no_change", _("no measurable change")
    WORSENED = "worsened", _("worse than before")
    TOO_FEW = "too_few", _("not enough answers")


class FollowUp(models.Model):
    """A follow-up survey wave on the outcomes an implemented idea addressed, compared with an earlier wave.

    Scheduled by staff (``impact.services.follow_up_schedule``); its wave opens at its date (its
    members are invited then) and, when it closes, the result is computed once: ``verdict`` and one
    ``OutcomeResult`` per outcome.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="impact_follow_ups")
    wave = models.OneToOneField(SurveyWave, on_delete=models.PROTECT, related_name="follow_up")
    baseline_wave = models.ForeignKey(
        SurveyWave,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The earlier wave the answers are compared with."),
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verdict = models.CharField(max_length=12, choices=Verdict.choices, default=Verdict.PENDING)
    result_computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Staff measure an idea again only once the previous measurement is over.
            models.UniqueConstraint(
                fields=["idea"], condition=Q(verdict="pending"), name="followup_one_pending_per_idea"
            ),
            models.CheckConstraint(
                condition=Q(verdict="pending", result_computed_at__isnull=True)
                | (~Q(verdict="pending") & Q(result_computed_at__isnull=False)),
                name="followup_result_dated_once_computed",
            ),
        ]
        indexes = [models.Index(fields=["idea", "verdict"], name="followup_idea_verdict")]

    def __str__(self) -> str:
        return f"Follow-up of idea #{self.idea_id}: {self.get_verdict_display()}"


class OutcomeResult(models.Model):
    """Before and after counts of one outcome in a follow-up, and the test of the satisfied share's change.

    Counts only: importance, satisfaction, opportunity and their intervals follow from them
    (``scoring.formulas``). ``z`` and ``p_value`` are empty when either wave had fewer respondents
    on the outcome than the wave's minimum: no claim is made then.
    """

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="results")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="+")
    before_respondents = models.PositiveIntegerField()
    before_important = models.PositiveIntegerField()
    before_satisfied = models.PositiveIntegerField()
    after_respondents = models.PositiveIntegerField()
    after_important = models.PositiveIntegerField()
    after_satisfied = models.PositiveIntegerField()
    z = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    verdict = models.CharField(max_length=12, choices=Verdict.choices)

    class Meta:
        verbose_name = _("outcome result")
        verbose_name_plural = _("outcome results")
        ordering = ["outcome__code"]
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "outcome"], name="outcomeresult_one_per_outcome"),
            models.CheckConstraint(
                condition=Q(
                    before_important__lte=F("before_respondents"),
                    before_satisfied__lte=F("before_respondents"),
                    after_important__lte=F("after_respondents"),
                    after_satisfied__lte=F("after_respondents"),
                ),
                name="outcomeresult_counts_within_respondents",
            ),
            models.CheckConstraint(
                condition=Q(p_value__isnull=True) | Q(p_value__gte=0, p_value__lte=1), name="outcomeresult_p_0_to_1"
            ),
            models.CheckConstraint(condition=~Q(verdict="pending"), name="outcomeresult_has_a_verdict"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome_id}: {self.get_verdict_display()}"
