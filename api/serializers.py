"""What the API reads from requests and writes in responses.

Input serializers only parse and check types and lengths; the domain services decide (and refuse
with their own messages). Output serializers name only what the pages show the same person:
nothing here carries screening scores except the staff-only screening serializers.
"""

from rest_framework import serializers

from challenges.models import Challenge
from ideas import rules as idea_rules
from ideas.filters import IdeaFilter
from ideas.models import Idea, Status


class StrictCharField(serializers.CharField):
    """Text that must be a JSON string (DRF would turn a number or a boolean into text)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- output ---


class OutcomeOut(serializers.Serializer):
    code = serializers.CharField()
    statement = serializers.CharField()


class ChallengeRefOut(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    phase = serializers.CharField()


class ChallengeOut(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    brief = serializers.CharField(help_text="Markdown.")
    business_context = serializers.CharField(help_text="Markdown.")
    prize = serializers.CharField()
    phase = serializers.ChoiceField(choices=Challenge.Phase.choices)
    visibility = serializers.ChoiceField(choices=Challenge.Visibility.choices)
    opens_at = serializers.DateField(allow_null=True)
    review_starts_at = serializers.DateField(allow_null=True)
    mentoring_starts_at = serializers.DateField(allow_null=True)
    final_starts_at = serializers.DateField(allow_null=True)
    closes_at = serializers.DateField(allow_null=True)
    answer_within_days = serializers.IntegerField()
    idea_count = serializers.IntegerField(help_text="Published ideas (not drafts, not withdrawn).")
    url = serializers.CharField(source="get_absolute_url", help_text="The challenge's page on the portal.")


class OutcomeScoreOut(serializers.Serializer):
    outcome = serializers.CharField(help_text="The outcome's code.")
    respondents = serializers.IntegerField()
    importance = serializers.FloatField()
    satisfaction = serializers.FloatField()
    opportunity = serializers.FloatField()
    classification = serializers.CharField()


class ChallengeDetailOut(ChallengeOut):
    outcomes = OutcomeOut(many=True, source="outcome_list")
    scores = OutcomeScoreOut(
        many=True,
        allow_null=True,
        help_text="The targeted outcomes' opportunity scores (overall), or null while staff have not published them.",
    )
    following = serializers.BooleanField()
    followers = serializers.IntegerField()
    submission_refusal = serializers.CharField(
        allow_null=True, help_text="Why the requester may not submit an idea now, or null if they may."
    )


class AuthorOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="public_name")


class IdeaOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    problem = serializers.CharField(help_text="Markdown.")
    solution = serializers.CharField(help_text="Markdown.")
    status = serializers.ChoiceField(choices=Status.choices)
    challenge = ChallengeRefOut()
    author = AuthorOut()
    outcomes = serializers.SerializerMethodField()
    votes_up = serializers.IntegerField()
    votes_down = serializers.IntegerField()
    comments_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    my_vote = serializers.SerializerMethodField(help_text="The requester's vote: up, down or null.")
    url = serializers.CharField(source="get_absolute_url", help_text="The idea's page on the portal.")

    def get_outcomes(self, idea) -> list[str]:
        return [outcome.code for outcome in idea.outcomes.all()]

    def get_my_vote(self, idea) -> str | None:
        value = self.context.get("votes", {}).get(idea.pk)
        return {1: "up", -1: "down"}.get(value)


class StatusChangeOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class IdeaDetailOut(IdeaOut):
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", allow_null=True)
    history = StatusChangeOut(many=True, source="status_changes.all")
    vote_refusal = serializers.CharField(allow_null=True, help_text="Why the requester may not vote now, or null.")
    comment_refusal = serializers.CharField(allow_null=True)
    can_edit = serializers.BooleanField()
    can_withdraw = serializers.BooleanField()
    following = serializers.BooleanField()


class CommentOut(serializers.Serializer):
    id = serializers.IntegerField()
    idea = serializers.IntegerField(source="idea_id")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    author = AuthorOut(allow_null=True)
    body = serializers.CharField(allow_null=True, help_text="Null once removed by its author or hidden by moderators.")
    state = serializers.SerializerMethodField(help_text="shown, removed (by its author) or hidden (by moderators).")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    kudos_count = serializers.IntegerField()

    def get_state(self, comment) -> str:
        if comment.removed_at:
            return "removed"
        return "hidden" if comment.hidden_at else "shown"

    def to_representation(self, comment):
        data = super().to_representation(comment)
        if data["state"] != "shown":
            # As the page shows it: the words are gone, the place in the thread stays.
            data["body"] = None
            data["author"] = None
        return data


class NotificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class CountOut(serializers.Serializer):
    count = serializers.IntegerField()


class VoteOut(serializers.Serializer):
    my_vote = serializers.CharField(allow_null=True)
    votes_up = serializers.IntegerField()
    votes_down = serializers.IntegerField()


class FollowOut(serializers.Serializer):
    following = serializers.BooleanField()
    followers = serializers.IntegerField()


_PAGES: dict[type, type] = {}


def page_of(item_serializer):
    """The envelope of a cursor page of ``item_serializer`` (for the OpenAPI document)."""
    if item_serializer not in _PAGES:
        _PAGES[item_serializer] = type(
            f"{item_serializer.__name__.removesuffix('Out')}Page",
            (serializers.Serializer,),
            {
                "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last one."),
                "results": item_serializer(many=True),
            },
        )
    return _PAGES[item_serializer]


# --- input ---


class IdeaListQuery(serializers.Serializer):
    """The idea list's filters, search and sorts: the page's (ideas.filters.IdeaFilter)."""

    q = serializers.CharField(required=False, help_text="Words (web search syntax: “quoted phrase”, or, -word).")
    challenge = serializers.CharField(required=False, help_text="A challenge's slug.")
    status = serializers.ChoiceField(required=False, choices=IdeaFilter.base_filters["status"].extra["choices"])
    outcome = serializers.CharField(required=False, help_text="An outcome's code.")
    phase = serializers.ChoiceField(required=False, choices=IdeaFilter.base_filters["phase"].extra["choices"])
    mine = serializers.BooleanField(required=False, help_text="Only my ideas (members).")
    followed = serializers.BooleanField(required=False, help_text="Only ideas I follow (members).")
    sort = serializers.ChoiceField(required=False, choices=IdeaFilter.SORTS, default="newest")
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1)


# A draft needs its title alone; submitting (``submit: true`` here, or the submit endpoint) needs what
# ideas.rules.submission_gaps asks, and is refused with a message naming what is missing.
def _submit_needs(minimum: int) -> str:
    return f" To submit: at least {minimum} characters (a draft may leave it short or empty)."


class IdeaIn(serializers.Serializer):
    challenge = StrictCharField(max_length=80, help_text="The challenge's slug.")
    title = StrictCharField(max_length=Idea._meta.get_field("title").max_length, min_length=idea_rules.TITLE_MIN_LENGTH)
    problem = StrictCharField(
        max_length=Idea._meta.get_field("problem").max_length,
        required=False,
        allow_blank=True,
        default="",
        help_text="The problem, in Markdown." + _submit_needs(idea_rules.PROBLEM_MIN_LENGTH),
    )
    solution = StrictCharField(
        max_length=Idea._meta.get_field("solution").max_length,
        required=False,
        allow_blank=True,
        default="",
        help_text="The proposed solution, in Markdown." + _submit_needs(idea_rules.SOLUTION_MIN_LENGTH),
    )
    outcomes = serializers.ListField(
        child=StrictCharField(max_length=50),
        required=False,
        default=list,
        max_length=50,
        help_text="Codes of the outcomes it addresses. To submit: at least one.",
    )
    submit = serializers.BooleanField(
        default=False,
        help_text="false (default): saved as a draft only you see (a title is enough); true: submitted at once "
        "(refused, naming what is missing, unless complete).",
    )


class IdeaUpdateIn(serializers.Serializer):
    title = StrictCharField(
        max_length=Idea._meta.get_field("title").max_length, min_length=idea_rules.TITLE_MIN_LENGTH, required=False
    )
    problem = StrictCharField(
        max_length=Idea._meta.get_field("problem").max_length,
        required=False,
        allow_blank=True,
        help_text=_submit_needs(idea_rules.PROBLEM_MIN_LENGTH),
    )
    solution = StrictCharField(
        max_length=Idea._meta.get_field("solution").max_length,
        required=False,
        allow_blank=True,
        help_text=_submit_needs(idea_rules.SOLUTION_MIN_LENGTH),
    )
    outcomes = serializers.ListField(
        child=StrictCharField(max_length=50), max_length=50, required=False, help_text="To submit: at least one."
    )


class WithdrawIn(serializers.Serializer):
    reason = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")


class VoteIn(serializers.Serializer):
    value = serializers.ChoiceField(choices=["up", "down"])


class CommentIn(serializers.Serializer):
    body = StrictCharField(max_length=5000)
    parent = serializers.IntegerField(required=False, allow_null=True, help_text="The comment replied to.")


class CommentEditIn(serializers.Serializer):
    body = StrictCharField(max_length=5000)


# --- staff ---


class StatusChangeIn(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Status.choices)
    expected_status = serializers.ChoiceField(
        choices=Status.choices,
        help_text="The status your decision is based on: refused with 409 if the idea has moved on since.",
    )
    reason = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    duplicate_of = serializers.IntegerField(required=False, allow_null=True, help_text="For duplicate: the original.")


class StatusChangeResultOut(serializers.Serializer):
    idea = serializers.IntegerField(source="idea_id")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ScoreIn(serializers.Serializer):
    criterion = serializers.IntegerField()
    score = serializers.IntegerField(min_value=1, max_value=5)
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class ScreeningIn(serializers.Serializer):
    scores = ScoreIn(many=True)
    notes = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")


class ScoreOut(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    criterion_name = serializers.CharField(source="criterion.name")
    weight = serializers.IntegerField(source="criterion.weight")
    score = serializers.IntegerField()
    note = serializers.CharField()


class ScreeningOut(serializers.Serializer):
    screener = AuthorOut()
    notes = serializers.CharField()
    scores = ScoreOut(many=True, source="scores.all")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ScreeningsOut(serializers.Serializer):
    screening_score = serializers.FloatField(allow_null=True)
    screenings_count = serializers.IntegerField()
    screenings = ScreeningOut(many=True)


class OpportunityScoreOut(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.CharField(source="outcome.code")
    statement = serializers.CharField(source="outcome.statement")
    segment = serializers.CharField(source="segment.name", allow_null=True, default=None)
    respondents = serializers.IntegerField()
    importance = serializers.FloatField()
    satisfaction = serializers.FloatField()
    opportunity = serializers.FloatField()
    classification = serializers.CharField()
    computed_at = serializers.DateTimeField()


class FunnelStageOut(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class MetricsOut(serializers.Serializer):
    challenge = serializers.CharField(allow_null=True, help_text="The challenge's slug, or null: all challenges.")
    submitted = serializers.IntegerField()
    funnel = FunnelStageOut(many=True)
    implemented = serializers.IntegerField()
    implementation_rate = serializers.FloatField(allow_null=True)
    answered_in_time = serializers.IntegerField()
    answered_late = serializers.IntegerField()
    not_yet_due = serializers.IntegerField()
    answered_in_time_share = serializers.FloatField(allow_null=True)
    answer_median_days = serializers.FloatField(allow_null=True)
    answer_p90_days = serializers.FloatField(allow_null=True)
    decision_median_days = serializers.FloatField(allow_null=True)
    decision_p90_days = serializers.FloatField(allow_null=True)
