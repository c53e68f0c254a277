from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, ChallengeQuestion, Outcome
from core.funnel import (
    AWAITING_ANSWER,
    DECIDED_STATUSES,
    ENDED_STATUSES,
    OPEN_STATUSES,
    REACHED_SHORTLIST_STATUSES,
    STATUSES_NEEDING_REASON,
    UNPUBLISHED_STATUSES,
    Status,
)

# The funnel's statuses and groups live in core.funnel (a pure module); re-exported here for the
# model fields and for code (and tests) that read them beside the models.
__all__ = [
    "AWAITING_SCREENING_FIRST",
    "Comment",
    "CommentFlag",
    "IdeaAnswer",
    "IdeaCoauthor",
    "DECIDED_STATUSES",
    "Idea",
    "IdeaFollow",
    "IdeaQuerySet",
    "IdeaVersion",
    "Kudos",
    "StatusChange",
    "Vote",
    "ENDED_STATUSES",
    "OPEN_STATUSES",
    "REACHED_SHORTLIST_STATUSES",
    "STATUSES_NEEDING_REASON",
    "Status",
]


# The triage queue's first sort key: ideas awaiting screening before the rest (the index
# idea_triage_queue serves ORDER BY this, submitted_at, id).
AWAITING_SCREENING_FIRST = models.Case(
    models.When(status=AWAITING_ANSWER.value, then=models.Value(0)), default=models.Value(1)
)


class IdeaQuerySet(models.QuerySet):
    def published(self):
        """Ideas that have left the author's drafts (and were not withdrawn)."""
        return self.exclude(status__in=UNPUBLISHED_STATUSES)

    def by_support(self):
        """Most supported first (uses the idea_support expression index)."""
        return self.order_by((F("votes_up") - F("votes_down")).desc(), F("submitted_at").desc(nulls_last=True), "-id")

    def by_newest(self):
        return self.order_by(F("submitted_at").desc(nulls_last=True), "-id")


class Idea(models.Model):
    """A customer's answer to one challenge."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("challenge")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("author")
    )
    title = models.CharField(max_length=120, verbose_name=_("title"))
    # A draft may leave these empty; a submitted idea has both (idea_published_has_text), and the
    # services ask for their minimum lengths on submission (ideas.rules.submission_gaps).
    problem = models.TextField(
        max_length=5000,
        blank=True,
        help_text=_("The problem or unmet outcome, in Markdown (a draft may leave it empty)."),
        verbose_name=_("problem"),
    )
    solution = models.TextField(
        max_length=10000,
        blank=True,
        help_text=_("The proposed solution, in Markdown (a draft may leave it empty)."),
        verbose_name=_("solution"),
    )
    outcomes = models.ManyToManyField(
        Outcome, related_name="ideas", help_text=_("The challenge outcomes it addresses."), verbose_name=_("outcomes")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status"))
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # Vote counters: changed only with F() under the idea's row lock (ideas.services).
    votes_up = models.PositiveIntegerField(default=0, verbose_name=_("votes up"))
    votes_down = models.PositiveIntegerField(default=0, verbose_name=_("votes down"))
    comments_count = models.PositiveIntegerField(default=0, verbose_name=_("comments count"))
    # Ranking values, precomputed by ideas.tasks after votes (never in the request):
    rank_top = models.FloatField(
        default=0.0,
        help_text=_("Lower bound of the 95% Wilson interval of the share of up votes (0–1)."),
        verbose_name=_("rank top"),
    )
    rank_trending = models.PositiveIntegerField(
        default=0, help_text=_("Votes cast in the last 7 days."), verbose_name=_("rank trending")
    )
    rank_opportunity = models.FloatField(
        default=0.0,
        help_text=_("The highest overall opportunity score among the outcomes the idea addresses (0–20)."),
        verbose_name=_("rank opportunity"),
    )
    ranked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ranked at"))
    # The weighted mean of the staff screenings (1–5), kept by reviews.services; authors never see it.
    screening_score = models.FloatField(null=True, blank=True, verbose_name=_("screening score"))
    screenings_count = models.PositiveIntegerField(default=0, verbose_name=_("screenings count"))
    # Set while a mentor's revision request is open (kept by reviews' services): the author may edit
    # the idea again whatever its status and phase (ideas.rules.can_edit_idea).
    revision_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the open revision request was made, if one is open."),
        verbose_name=_("revision requested at"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("submitted at"))
    decided_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When staff last changed the status."), verbose_name=_("decided at")
    )
    # The new-idea form's one-time token: a double submit of the same form finds this idea instead
    # of creating a second one (idea_one_per_submit_key).
    submit_key = models.CharField(max_length=64, blank=True, default="", editable=False, verbose_name=_("submit key"))

    objects = IdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["challenge", "status", "-submitted_at"], name="idea_challenge_status_sub"),
            models.Index(fields=["status", "-submitted_at"], name="idea_status_submitted"),
            models.Index(fields=["-decided_at"], name="idea_decided_at", condition=Q(decided_at__isnull=False)),
            models.Index(F("votes_up") - F("votes_down"), name="idea_support"),
            models.Index(
                AWAITING_SCREENING_FIRST,
                F("submitted_at"),
                F("id"),
                name="idea_triage_queue",
                condition=~Q(status=Status.DRAFT.value),
            ),
            # A member's submitted ideas in a challenge (program metrics' participation, track records).
            models.Index(
                fields=["author", "challenge"], name="idea_author_challenge", condition=Q(submitted_at__isnull=False)
            ),
            models.Index(fields=["-rank_top", "-id"], name="idea_rank_top"),
            models.Index(fields=["-rank_trending", "-id"], name="idea_rank_trending"),
            models.Index(fields=["-rank_opportunity", "-id"], name="idea_rank_opportunity"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="idea_status_valid"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in UNPUBLISHED_STATUSES]) | Q(submitted_at__isnull=False),
                name="idea_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=(Q(status="duplicate") & Q(duplicate_of__isnull=False))
                | (~Q(status="duplicate") & Q(duplicate_of__isnull=True)),
                name="idea_duplicate_has_target",
                violation_error_message=_("A duplicate must name the idea it duplicates, and only a duplicate may."),
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=F("id")), name="idea_not_duplicate_of_itself"),
            models.CheckConstraint(condition=~Q(title=""), name="idea_title_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in UNPUBLISHED_STATUSES]) | (~Q(problem="") & ~Q(solution="")),
                name="idea_published_has_text",
                violation_error_message=_("A submitted idea describes its problem and its solution."),
            ),
            models.UniqueConstraint(
                fields=["author", "submit_key"],
                condition=~Q(submit_key=""),
                name="idea_one_per_submit_key",
                violation_error_message=_("This form was already sent: the idea exists."),
            ),
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
        UP = 1, _("Up")
        DOWN = -1, _("Down")

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes", verbose_name=_("idea"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes", verbose_name=_("user")
    )
    value = models.SmallIntegerField(choices=Value.choices, verbose_name=_("value"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "user"],
                name="vote_one_per_user_per_idea",
                violation_error_message=_("You have already voted on this idea."),
            ),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_up_or_down"),
        ]
        indexes = [models.Index(fields=["user", "idea"], name="vote_user_idea")]

    def __str__(self) -> str:
        if self.value == self.Value.UP:
            return gettext("Up vote by %(user)s on %(idea)s") % {"user": self.user, "idea": self.idea}
        return gettext("Down vote by %(user)s on %(idea)s") % {"user": self.user, "idea": self.idea}


class Comment(models.Model):
    """A comment on an idea, or a reply to one (one level of replies)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments", verbose_name=_("idea"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments", verbose_name=_("author")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text=_("The comment replied to."),
        verbose_name=_("parent"),
    )
    body = models.TextField(max_length=5000, help_text=_("Markdown."), verbose_name=_("body"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    edited_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the author last edited it."), verbose_name=_("edited at")
    )
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Deleted by its author: shown as removed."), verbose_name=_("removed at")
    )
    hidden_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Hidden by staff."), verbose_name=_("hidden at")
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments_hidden",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(
        max_length=300, blank=True, help_text=_("Shown to the comment's author."), verbose_name=_("hidden reason")
    )
    # Counters: changed with F() in ideas.services, or recomputed from the rows.
    kudos_count = models.PositiveIntegerField(default=0, verbose_name=_("kudos count"))
    flags_count = models.PositiveIntegerField(default=0, verbose_name=_("flags count"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["idea", "created_at"], name="comment_idea_created"),
            models.Index(fields=["-flags_count"], name="comment_flagged", condition=Q(flags_count__gt=0)),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="comment_not_reply_to_itself"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="comment_hidden_has_reason",
                violation_error_message=_("Give the author a reason when hiding a comment."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Comment by %(author)s on %(idea)s") % {"author": self.author, "idea": self.idea}


class StatusChange(models.Model):
    """A recorded step of an idea through the funnel, with a reason its author reads."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("idea"))
    from_status = models.CharField(max_length=16, choices=Status.choices, verbose_name=_("from status"))
    to_status = models.CharField(max_length=16, choices=Status.choices, verbose_name=_("to status"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="status_changes_made",
        verbose_name=_("changed by"),
    )
    reason = models.TextField(blank=True, help_text=_("Shown to the author and followers."), verbose_name=_("reason"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        indexes = [models.Index(fields=["idea", "-created_at"], name="statuschange_idea_created")]
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=F("to_status")), name="statuschange_changes_status"),
        ]

    def __str__(self) -> str:
        return f"{self.idea}: {self.get_from_status_display()} → {self.get_to_status_display()}"


class IdeaVersion(models.Model):
    """The idea's text as it was saved: one row per save by its author, numbered from 1."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="versions", verbose_name=_("idea"))
    number = models.PositiveIntegerField(verbose_name=_("number"))
    title = models.CharField(max_length=120, verbose_name=_("title"))
    problem = models.TextField(verbose_name=_("problem"))
    solution = models.TextField(verbose_name=_("solution"))
    outcome_codes = models.JSONField(
        default=list, help_text=_("The codes of the outcomes it addressed."), verbose_name=_("outcome codes")
    )
    # The answers to the challenge's own questions as they were: [{question_id, label, kind, value}].
    answers = models.JSONField(
        default=list, blank=True, help_text=_("The answers to the challenge's questions."), verbose_name=_("answers")
    )
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("saved by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("idea version")
        verbose_name_plural = _("idea versions")
        ordering = ["idea", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "number"], name="ideaversion_one_per_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="ideaversion_number_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.idea} v{self.number}"


class Kudos(models.Model):
    """A member's thanks for a helpful comment: one per member per comment (reputation reads these)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="kudos", verbose_name=_("comment"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_given", verbose_name=_("user")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("kudos")
        verbose_name_plural = _("kudos")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"],
                name="kudos_one_per_user_per_comment",
                violation_error_message=_("You already gave kudos to this comment."),
            )
        ]

    def __str__(self) -> str:
        return gettext("Kudos by %(user)s on comment %(comment)s") % {"user": self.user, "comment": self.comment_id}


class CommentFlag(models.Model):
    """A member's report of a comment to staff: one per member per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags", verbose_name=_("comment"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_flags", verbose_name=_("user")
    )
    reason = models.CharField(max_length=300, blank=True, verbose_name=_("reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("comment flag")
        verbose_name_plural = _("comment flags")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="commentflag_one_per_user_per_comment")]

    def __str__(self) -> str:
        return gettext("Flag by %(user)s on comment %(comment)s") % {"user": self.user, "comment": self.comment_id}


class IdeaFollow(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows", verbose_name=_("idea"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_follows", verbose_name=_("user")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("idea follow")
        verbose_name_plural = _("idea follows")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="ideafollow_one_per_user_per_idea")]
        indexes = [models.Index(fields=["user", "idea"], name="ideafollow_user_idea")]

    def __str__(self) -> str:
        return gettext("%(user)s follows %(idea)s") % {"user": self.user, "idea": self.idea}


class Merge(models.Model):
    """A duplicate merged into its original, with exactly what moved, so the merge can be undone.

    Written by ``ideas.services.idea_status_change`` (to "duplicate") in the merge's transaction and
    undone by ``ideas.services.idea_unmerge`` while the original is still in ``target_status``.
    """

    duplicate = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="merges_as_duplicate", verbose_name=_("duplicate")
    )
    target = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="merges_into", verbose_name=_("target"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("merged by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    status_before = models.CharField(
        max_length=16,
        choices=Status.choices,
        help_text=_("The duplicate's status before the merge; an undo restores it."),
        verbose_name=_("status before"),
    )
    decided_at_before = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at before"))
    target_status = models.CharField(
        max_length=16,
        choices=Status.choices,
        help_text=_("The original's status at the merge: undo is possible while it stays."),
        verbose_name=_("target status"),
    )
    # The rows that changed idea (their ids) and those removed because the member already had one on
    # the original (or is its author): what an undo puts back.
    moved_vote_ids = models.JSONField(default=list, blank=True, verbose_name=_("moved vote ids"))
    removed_votes = models.JSONField(
        default=list, blank=True, help_text=_("[{user_id, value, created_at}]"), verbose_name=_("removed votes")
    )
    moved_follow_ids = models.JSONField(default=list, blank=True, verbose_name=_("moved follow ids"))
    removed_follower_ids = models.JSONField(default=list, blank=True, verbose_name=_("removed follower ids"))
    points_taken = models.IntegerField(
        default=0, help_text=_("Submission points taken from the duplicate's author."), verbose_name=_("points taken")
    )
    undone_at = models.DateTimeField(null=True, blank=True, verbose_name=_("undone at"))
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["duplicate"], condition=Q(undone_at__isnull=True), name="merge_one_live_per_duplicate"
            ),
            models.CheckConstraint(condition=~Q(duplicate=F("target")), name="merge_not_into_itself"),
        ]

    def __str__(self) -> str:
        return gettext("#%(duplicate)s merged into #%(target)s") % {
            "duplicate": self.duplicate_id,
            "target": self.target_id,
        }

    @property
    def votes_moved(self) -> int:
        return len(self.moved_vote_ids)

    @property
    def followers_moved(self) -> int:
        return len(self.moved_follow_ids)


class IdeaAnswer(models.Model):
    """The idea's answer to one of its challenge's own questions.

    Keeps the question's label and kind as they were when it was answered: staff may reword, turn
    off or delete the question later (``question`` then becomes empty) and the answer stays, on the
    idea, in its versions and in the exports. Written only by ``ideas.services.idea_answers_save_unlocked``.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="answers", verbose_name=_("idea"))
    question = models.ForeignKey(
        ChallengeQuestion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("question"),
    )
    label = models.CharField(
        max_length=200, help_text=_("The question's label when it was answered."), verbose_name=_("label")
    )
    kind = models.CharField(max_length=16, choices=ChallengeQuestion.Kind.choices, verbose_name=_("kind"))
    value = models.TextField(max_length=5000, verbose_name=_("value"))
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("idea answer")
        verbose_name_plural = _("idea answers")
        ordering = ["idea", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "question"], condition=Q(question__isnull=False), name="ideaanswer_one_per_question"
            ),
            models.CheckConstraint(condition=~Q(value=""), name="ideaanswer_value_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"

    @property
    def shown_value(self) -> str:
        return (
            str(ANSWER_YES_NO.get(self.value, self.value)) if self.kind == ChallengeQuestion.Kind.YES_NO else self.value
        )


# How a yes/no answer is stored and shown.
ANSWER_YES_NO = {"yes": _("Yes"), "no": _("No")}


class IdeaCoauthor(models.Model):
    """A co-author of an idea: invited by the idea's author (by email or from the members), then
    accepted or declined by the invited member. The idea's ``author`` stays its main author.

    Written only by ``ideas.services.coauthors``; an accepted co-author edits the idea, answers its
    mentor and shares its reputation awards (``ideas.rules.is_idea_author``).
    """

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REMOVED = "removed", _("Removed")

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="coauthors", verbose_name=_("idea"))
    # The member invited or who accepted; empty while an invitation by email waits for its member.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="coauthorships",
        verbose_name=_("user"),
    )
    email = models.EmailField(
        blank=True, help_text=_("The address invited (empty for a member chosen by name)."), verbose_name=_("email")
    )
    status = models.CharField(max_length=16, choices=State.choices, default=State.INVITED, verbose_name=_("status"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    responded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("responded at"))
    # When the invitation's email to an address without a member was sent (keyed: sent once).
    sent_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("idea coauthor")
        verbose_name_plural = _("idea coauthors")
        ordering = ["idea", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(email=""), name="ideacoauthor_user_or_email"),
            models.UniqueConstraint(
                fields=["idea", "user"],
                condition=Q(user__isnull=False) & Q(status__in=["invited", "accepted"]),
                name="ideacoauthor_one_live_per_member",
                violation_error_message=_("This member is already a co-author or invited."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                "idea",
                condition=~Q(email="") & Q(status__in=["invited", "accepted"]),
                name="ideacoauthor_one_live_per_email",
                violation_error_message=_("This address is already invited."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["invited", "accepted", "declined", "removed"]), name="ideacoauthor_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "status"], name="ideacoauthor_user_status")]

    def __str__(self) -> str:
        return f"{self.user or self.email} on {self.idea} ({self.status})"
