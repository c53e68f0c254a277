"""Knowing the innovators: the emergent-customer questionnaire and the pool staff invite from.

Staff define a short questionnaire (items on a 1–7 scale, each with a weight); a customer answers
it once and gets a score from 0 to 100. With their reputation, segment, the outcomes they wrote
ideas for and their activity, it lets staff find the few customers who give most of the good ideas
and invite them to focused, invite-only challenges (``innovators.services``).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User

SCALE_MIN, SCALE_MAX = 1, 7


class Questionnaire(models.Model):
    """A short questionnaire; at most one is open to customers at a time."""

    title = models.CharField(max_length=200)
    introduction = models.TextField(
        blank=True, help_text=_("Shown above the items: why we ask, and that answering is optional.")
    )
    is_open = models.BooleanField(
        default=False, help_text=_("Customers can answer it. Only one questionnaire can be open at a time.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_open"],
                condition=Q(is_open=True),
                name="questionnaire_one_open",
                violation_error_message=_("Another questionnaire is open: close it first."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuestionnaireItem(models.Model):
    """One statement the customer rates from 1 (not at all like me) to 7 (very much like me)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=300)
    weight = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01), MaxValueValidator(10)],
        help_text=_("How much the item counts in the score (above 0, at most 10)."),
    )

    class Meta:
        verbose_name = _("questionnaire item")
        verbose_name_plural = _("questionnaire items")
        ordering = ["questionnaire", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "position"], name="questionnaire_item_position_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=10), name="questionnaire_item_weight"),
            models.CheckConstraint(condition=~Q(text=""), name="questionnaire_item_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text


class QuestionnaireResponse(models.Model):
    """A customer's answers to one questionnaire, given once, with the weighted score (0–100)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questionnaire_responses")
    score = models.FloatField(help_text=_("The weighted mean of the answers, from 0 (all 1s) to 100 (all 7s)."))
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "user"], name="questionnaire_answered_once"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="questionnaire_score_range"),
        ]
        indexes = [models.Index(fields=["questionnaire", "score"], name="questionnaire_response_score")]

    def __str__(self) -> str:
        return f"{self.user} on {self.questionnaire}: {self.score:.0f}"


class QuestionnaireAnswer(models.Model):
    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(QuestionnaireItem, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)])

    class Meta:
        verbose_name = _("questionnaire answer")
        verbose_name_plural = _("questionnaire answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="questionnaire_answer_once_per_item"),
            models.CheckConstraint(
                condition=Q(value__gte=SCALE_MIN) & Q(value__lte=SCALE_MAX), name="questionnaire_answer_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


class Innovator(User):
    """A member as staff see them in the innovator pool (a proxy of the user, for its own admin page)."""

    class Meta:
        proxy = True
        verbose_name = _("innovator")
        verbose_name_plural = _("innovator pool")
