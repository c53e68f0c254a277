from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language, get_language_info, gettext_noop
from django.utils.translation import gettext_lazy as _

from .phases import PHASE_ORDER, Phase, phase_in_sentence


class Job(models.Model):
    """What a customer is trying to get done."""

    class Kind(models.TextChoices):
        FUNCTIONAL = "functional", _("Functional")
        EMOTIONAL = "emotional", _("Emotional")
        SOCIAL = "social", _("Social")

    name = models.CharField(
        max_length=200, unique=True, help_text=_('A verb and an object, e.g. "Plan a weekly shop".')
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FUNCTIONAL)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["functional", "emotional", "social"]), name="job_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.Model):
    """A measurable desired outcome of a job, e.g. "Minimise the time it takes to …"."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="outcomes")
    code = models.SlugField(
        max_length=40,
        unique=True,
        help_text=_("A short stable code used by survey imports, e.g. PLAN-03. It should never change."),
    )
    statement = models.CharField(max_length=300)
    # Optional judgements staff add beside the score; never mixed into the opportunity formula.
    ease_of_adoption = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("1 (hard for customers to adopt a solution) to 5 (easy). Optional.")
    )
    availability = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("1 (solutions are hard to get today) to 5 (widely available). Optional.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["job__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["job", "statement"], name="outcome_statement_unique_per_job"),
            models.CheckConstraint(
                condition=Q(ease_of_adoption__isnull=True) | Q(ease_of_adoption__gte=1, ease_of_adoption__lte=5),
                name="outcome_ease_of_adoption_1_to_5",
                violation_error_message=_("Ease of adoption is from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(availability__isnull=True) | Q(availability__gte=1, availability__lte=5),
                name="outcome_availability_1_to_5",
                violation_error_message=_("Availability is from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.statement}"


class Segment(models.Model):
    """A group of respondents, e.g. customers, non-customers, ex-customers."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChallengeQuerySet(models.QuerySet):
    def listed(self):
        """Challenges past their draft phase (what members may see, before visibility rules)."""
        return self.exclude(phase=Challenge.Phase.DRAFT)


class Challenge(models.Model):
    """A focused question to customers about chosen outcomes."""

    # The phases and their order live in challenges.phases (a pure module).
    Phase = Phase

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INVITE_ONLY = "invite_only", _("Invite-only")

    PHASE_ORDER = PHASE_ORDER

    title = models.CharField(verbose_name=_("title"), max_length=200)
    slug = models.SlugField(verbose_name=_("slug"), max_length=80, unique=True)
    brief = models.TextField(verbose_name=_("brief"), help_text=_("The question customers answer, in Markdown."))
    business_context = models.TextField(
        verbose_name=_("business context"),
        blank=True,
        help_text=_("What customers cannot know: capabilities, constraints, what a good idea looks like (Markdown)."),
    )
    prize = models.CharField(
        verbose_name=_("prize"), max_length=300, blank=True, help_text=_("The prize or reward for the winner.")
    )
    outcomes = models.ManyToManyField(
        Outcome,
        verbose_name=_("outcomes"),
        related_name="challenges",
        blank=True,
        help_text=_("The outcomes this challenge targets."),
    )
    phase = models.CharField(
        verbose_name=_("phase"), max_length=12, choices=Phase.choices, default=Phase.DRAFT, db_index=True
    )
    visibility = models.CharField(
        verbose_name=_("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    invited_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited members"),
        related_name="challenge_invitations",
        blank=True,
        help_text=_("Members who may see an invite-only challenge."),
    )
    # The day each phase starts (the timeline shown to customers).
    opens_at = models.DateField(verbose_name=_("opens at"), null=True, blank=True)
    review_starts_at = models.DateField(verbose_name=_("review starts at"), null=True, blank=True)
    mentoring_starts_at = models.DateField(verbose_name=_("mentoring starts at"), null=True, blank=True)
    final_starts_at = models.DateField(verbose_name=_("final starts at"), null=True, blank=True)
    closes_at = models.DateField(verbose_name=_("closes at"), null=True, blank=True)
    publish_scores = models.BooleanField(
        verbose_name=_("publish scores"),
        default=False,
        help_text=_("Show customers the opportunity scores of the targeted outcomes on the challenge page."),
    )
    answer_within_days = models.PositiveSmallIntegerField(
        verbose_name=_("answer within days"),
        default=10,
        help_text=_("Every idea gets a first human answer within this many days."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The language the challenge and its ideas are written in, shown to members on its page. "
            "Leave empty for the site's language."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-opens_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(phase__in=PHASE_ORDER),
                name="challenge_phase_valid",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "invite_only"]), name="challenge_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(answer_within_days__gte=1, answer_within_days__lte=365),
                name="challenge_answer_within_days_range",
                violation_error_message=_("The answer promise must be between 1 and 365 days."),
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{earlier}__isnull": True})
                    | Q(**{f"{later}__isnull": True})
                    | Q(**{f"{earlier}__lte": F(later)}),
                    name=f"challenge_{earlier}_before_{later}",
                    violation_error_message=_("Phase dates must follow the order of the phases."),
                )
                for earlier, later in [
                    ("opens_at", "review_starts_at"),
                    ("review_starts_at", "mentoring_starts_at"),
                    ("mentoring_starts_at", "final_starts_at"),
                    ("final_starts_at", "closes_at"),
                ]
            ],
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", kwargs={"slug": self.slug})

    @property
    def is_open(self) -> bool:
        return self.phase == self.Phase.OPEN

    @property
    def is_invite_only(self) -> bool:
        return self.visibility == self.Visibility.INVITE_ONLY

    @property
    def phase_in_sentence(self) -> str:
        """The phase's name inside a sentence, in the reader's language ("in review", "In Prüfung")."""
        return phase_in_sentence(self.phase)

    @property
    def language_name(self) -> str:
        """The name of the language the challenge states, in the reader's language ("German", "Deutsch", "allemand")."""
        return str(get_language_info(self.language)["name_translated"]) if self.language else ""

    @property
    def language_name_in_sentence(self) -> str:
        """The same inside a sentence: "written in German", "auf Deutsch", "en allemand" (lower case in French)."""
        name = self.language_name
        return name.lower() if (get_language() or "").startswith("fr") else name

    def timeline(self) -> list[dict]:
        """The phases with their start dates, marking which are past and which is current."""
        current = self.PHASE_ORDER.index(self.phase)
        dates = {
            "open": self.opens_at,
            "review": self.review_starts_at,
            "mentoring": self.mentoring_starts_at,
            "final": self.final_starts_at,
            "closed": self.closes_at,
        }
        return [
            {
                "phase": value,
                "label": label,
                "starts": dates[value],
                "is_current": index == current,
                "is_past": index < current,
            }
            for index, (value, label) in enumerate(self.Phase.choices)
            if value != self.Phase.DRAFT
        ]


class SelectionCriterion(models.Model):
    """A published criterion ideas are screened against, with its weight."""

    # The defaults are written in English here (gettext_noop: in the catalogues, not translated
    # here) and stored in the challenge's language when a challenge gets them
    # (reviews.services.criteria_ensure_defaults): once stored they are the challenge's content.
    DEFAULTS = [
        (gettext_noop("Pain-point fit"), gettext_noop("Does it relieve an important, poorly served outcome?"), 40),
        (gettext_noop("Capability fit"), gettext_noop("Can we deliver it with what we have or can build?"), 30),
        (gettext_noop("Profit potential"), gettext_noop("Can it make or save money for the business?"), 30),
    ]
    # What the ends of the 1–5 scale mean for each default criterion (issue 16: a scorecard with
    # labelled scale points); a criterion of another name starts with the fields' generic defaults.
    DEFAULT_SCALES = {
        gettext_noop("Pain-point fit"): (
            gettext_noop("A minor or well-served outcome"),
            gettext_noop("An important outcome customers say is poorly served"),
        ),
        gettext_noop("Capability fit"): (
            gettext_noop("Needs skills or assets we lack and cannot get"),
            gettext_noop("We can deliver it with what we have"),
        ),
        gettext_noop("Profit potential"): (
            gettext_noop("No clear way to make or save money"),
            gettext_noop("Clear, sizeable revenue or savings"),
        ),
    }
    GENERIC_SCALE = ("Weak: little or no evidence", "Strong: clear evidence")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(verbose_name=_("name"), max_length=100)
    description = models.CharField(verbose_name=_("description"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        verbose_name=_("weight"), default=1, help_text=_("Relative weight; shown to customers as a share.")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"), default=0)
    low_means = models.CharField(
        _("1 means"),
        max_length=120,
        default=GENERIC_SCALE[0],
        blank=True,
        help_text=_("What a score of 1 means on this criterion; screeners read it beside the scale."),
    )
    high_means = models.CharField(
        _("5 means"),
        max_length=120,
        default=GENERIC_SCALE[1],
        blank=True,
        help_text=_("What a score of 5 means on this criterion; screeners read it beside the scale."),
    )

    class Meta:
        ordering = ["challenge", "position", "id"]
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "name"], name="criterion_name_unique_per_challenge"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100),
                name="criterion_weight_range",
                violation_error_message=_("A weight is a whole number from 1 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class ChallengeFollow(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("challenge follow")
        verbose_name_plural = _("challenge follows")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="challengefollow_one_per_user_per_challenge")
        ]
        verbose_name = _("challenge follow")
        verbose_name_plural = _("challenge follows")

    def __str__(self) -> str:
        return f"{self.user} follows {self.challenge}"


class ChallengeInvitation(models.Model):
    """An invitation to an invite-only challenge, by email; accepting it adds the member to invited_members."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, help_text=_("The secret in the invitation link."))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("challenge invitation")
        verbose_name_plural = _("challenge invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "challenge", name="challengeinvitation_one_per_email_per_challenge"
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_by__isnull=False),
                name="challengeinvitation_accepted_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.challenge}"


class Announcement(models.Model):
    """A message from staff to a challenge's participants (authors, voters, commenters) and followers.

    Written by ``challenges.services.challenge_announce``; delivered through the notifications outbox
    (kind ``challenge_announcement``), so each member's preference and unsubscribe link apply.
    """

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="announcements")
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=5000)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    audience_count = models.PositiveIntegerField(
        default=0, help_text=_("Members who could see the challenge and were to be told when it was sent.")
    )
    # The writing form's one-time key: a second POST of the same form (a double click) sends nothing more.
    send_key = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "send_key"], name="announcement_one_per_send_key"),
            models.CheckConstraint(condition=~Q(subject=""), name="announcement_subject_not_empty"),
            models.CheckConstraint(condition=~Q(body=""), name="announcement_body_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.challenge})"


class ChallengeQuestion(models.Model):
    """A question of the challenge's own, asked on the idea form after the standard fields.

    Never deleted while ideas answered it: staff turn it off (``active``) instead, and each answer
    keeps the label and kind it was given under (``ideas.IdeaAnswer``), so no edit loses an answer.
    """

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        CHOICE = "choice", _("A choice")
        NUMBER = "number", _("A number")
        YES_NO = "yes_no", _("Yes or no")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(verbose_name=_("label"), max_length=200, help_text=_("The question as customers read it."))
    help = models.CharField(
        verbose_name=_("help"), max_length=300, blank=True, help_text=_("An optional hint shown under the question.")
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=16, choices=Kind.choices, default=Kind.SHORT_TEXT)
    choices = models.TextField(
        verbose_name=_("choices"),
        blank=True,
        help_text=_("For “a choice”: one option per line. Changing them keeps the answers already given."),
    )
    required = models.BooleanField(
        verbose_name=_("required"),
        default=False,
        help_text=_("Required to submit an idea (a draft may leave it empty)."),
    )
    order = models.PositiveSmallIntegerField(verbose_name=_("order"), default=0)
    active = models.BooleanField(
        verbose_name=_("active"),
        default=True,
        help_text=_(
            "Untick to stop asking it: the answers already given stay on the ideas, their versions and exports."
        ),
    )

    class Meta:
        verbose_name = _("challenge question")
        verbose_name_plural = _("challenge questions")
        ordering = ["challenge", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(label=""), name="challengequestion_label_not_empty"),
            models.CheckConstraint(
                condition=~Q(kind="choice") | ~Q(choices=""),
                name="challengequestion_choice_has_options",
                violation_error_message=_("A choice question needs its options, one per line."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def options(self) -> list[str]:
        """The choice question's options, in order, without blanks or repeats."""
        seen: list[str] = []
        for line in self.choices.splitlines():
            option = line.strip()
            if option and option not in seen:
                seen.append(option)
        return seen
