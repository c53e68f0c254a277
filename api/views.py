"""The API's endpoints, version 1. Each is a view like any other: parse, ask the same rule, call the
same service or selector as the page does, answer in JSON. Refusals are raised (api.errors turns
them into the one error shape)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges import rules as challenge_rules
from challenges import selectors as challenge_selectors
from challenges import services as challenge_services
from challenges.models import Challenge, Outcome
from ideas import rules as idea_rules
from ideas import selectors as idea_selectors
from ideas import services as idea_services
from ideas.filters import IdeaFilter
from ideas.models import Comment, Idea
from metrics import selectors as metrics_selectors
from metrics.rules import can_view_metrics
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from reviews import rules as review_rules
from reviews.selectors import screenings_of_idea
from reviews.services import screening as screening_services
from scoring.rules import can_view_landscape
from scoring.selectors import scores_overall_for_outcomes

from . import selectors
from . import serializers as s
from .models import Scope
from .pagination import Keyset, keyset_page, paginated

# The idea list's sorts as keysets: the same columns and direction as ideas.selectors.IDEA_SORTS.
IDEA_KEYSETS = {
    "newest": Keyset("newest", "submitted_at", kind=datetime.datetime),
    "top": Keyset("top", "rank_top"),
    "trending": Keyset("trending", "rank_trending", kind=int),
    "opportunity": Keyset("opportunity", "rank_opportunity"),
}
SCORE_FIELDS = ("respondents", "importance", "satisfaction", "opportunity", "classification")
NEWEST_FIRST = Keyset("id-desc", None)
OLDEST_FIRST = Keyset("id-asc", None, descending=False)

CURSOR_PARAMETERS = [
    OpenApiParameter("cursor", str, description="The `next` link of the previous page carries it."),
    OpenApiParameter(
        "page_size", int, description=f"1 to {settings.API_PAGE_SIZE_MAX}, default {settings.API_PAGE_SIZE}."
    ),
]


class MembersOnly:
    """Signed-in members only (a token or a session), whatever the method."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.is_authenticated:
            raise NotAuthenticated(_("Sign in, or send a personal access token: Authorization: Bearer <token>."))


class StaffOnly(MembersOnly):
    """Triage staff with a staff-scoped token (or their session); ``staff_rule`` is the named rule."""

    required_scope = Scope.STAFF
    staff_rule = staticmethod(review_rules.can_use_triage_queue)
    staff_refusal = gettext_lazy("Only triage staff can use this endpoint.")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.staff_rule(request.user):
            raise PermissionDenied(self.staff_refusal)


def _idea(request, pk: int) -> Idea:
    """The idea if the requester may see it; else it does not exist for them (404), as on the page."""
    try:
        return idea_selectors.idea_visible_get(request.user, pk=pk)
    except Idea.DoesNotExist:
        raise NotFound(_("No such idea.")) from None


def _challenge(request, slug: str) -> Challenge:
    try:
        challenge = challenge_selectors.challenge_detail(slug=slug)
    except Challenge.DoesNotExist:
        raise NotFound(_("No such challenge.")) from None
    if not challenge_rules.can_view_challenge(request.user, challenge):
        raise NotFound(_("No such challenge."))
    return challenge


def _outcomes(challenge: Challenge, codes: list[str]) -> list[Outcome]:
    """The outcomes named by their codes; unknown codes are a field error (the service checks the rest)."""
    found = {outcome.code: outcome for outcome in Outcome.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError({"outcomes": [_("No such outcome: %(codes)s.") % {"codes": ", ".join(unknown)}]})
    return [found[code] for code in dict.fromkeys(codes)]


def _idea_detail(request, idea_pk: int, *, status_code=status.HTTP_200_OK) -> Response:
    idea = _idea(request, idea_pk)
    user = request.user
    idea.vote_refusal = idea_rules.vote_refusal(user, idea)
    idea.comment_refusal = idea_rules.comment_refusal(user, idea)
    idea.can_edit = idea_rules.can_edit_idea(user, idea)
    idea.can_withdraw = idea_rules.can_withdraw_idea(user, idea)
    idea.following = idea_selectors.idea_follow_state(user, idea)["following"]
    votes = idea_selectors.user_votes_on(user, [idea])
    return Response(s.IdeaDetailOut(idea, context={"votes": votes}).data, status=status_code)


# --- challenges ---


class ChallengeList(APIView):
    @extend_schema(
        operation_id="challenges_list",
        summary="Challenges you may see",
        parameters=CURSOR_PARAMETERS,
        responses=s.page_of(s.ChallengeOut),
    )
    def get(self, request):
        rows, next_cursor = keyset_page(request, challenge_selectors.challenge_list_for(request.user), NEWEST_FIRST)
        return paginated(request, rows, next_cursor, s.ChallengeOut(rows, many=True).data)


class ChallengeDetail(APIView):
    @extend_schema(summary="A challenge", responses=s.ChallengeDetailOut)
    def get(self, request, slug: str):
        challenge = _challenge(request, slug)
        challenge.outcome_list = list(challenge.outcomes.all())
        challenge.idea_count = challenge_selectors.challenge_list_for(request.user).get(pk=challenge.pk).idea_count
        follow = challenge_selectors.challenge_follow_state(request.user, challenge)
        challenge.following, challenge.followers = follow["following"], follow["followers"]
        challenge.submission_refusal = challenge_rules.submission_refusal(request.user, challenge)
        # As on the challenge's page: the targeted outcomes' scores once staff publish them (staff always).
        challenge.scores = None
        if challenge_rules.can_view_scores(request.user, challenge):
            stored = scores_overall_for_outcomes(outcome.pk for outcome in challenge.outcome_list)
            challenge.scores = [
                {"outcome": o.code} | {f: getattr(stored[o.pk], f) for f in SCORE_FIELDS}
                for o in challenge.outcome_list
                if o.pk in stored
            ]
        return Response(s.ChallengeDetailOut(challenge).data)


class ChallengeFollow(MembersOnly, APIView):
    @extend_schema(summary="Follow a challenge", request=None, responses=s.FollowOut)
    def put(self, request, slug: str):
        challenge = _challenge(request, slug)
        challenge_services.challenge_follow(user=request.user, challenge=challenge)
        return Response(challenge_selectors.challenge_follow_state(request.user, challenge))

    @extend_schema(summary="Stop following a challenge", request=None, responses=s.FollowOut)
    def delete(self, request, slug: str):
        challenge = _challenge(request, slug)
        challenge_services.challenge_unfollow(user=request.user, challenge=challenge)
        return Response(challenge_selectors.challenge_follow_state(request.user, challenge))


# --- ideas ---


class IdeaList(APIView):
    @extend_schema(
        operation_id="ideas_list",
        summary="Ideas you may see, with the list page's filters, search and sorts",
        parameters=[s.IdeaListQuery],
        responses=s.page_of(s.IdeaOut),
    )
    def get(self, request):
        ideas = IdeaFilter(
            request.query_params,
            queryset=idea_selectors.idea_list_for(request.user).published(),
            challenges=challenge_selectors.challenge_visible_to(request.user),
            request=request,
        )
        if not ideas.is_valid():
            raise ValidationError({name: list(errors) for name, errors in ideas.form.errors.items()})
        rows, next_cursor = keyset_page(request, ideas.qs, IDEA_KEYSETS[ideas.sort_chosen])
        votes = idea_selectors.user_votes_on(request.user, rows)
        return paginated(request, rows, next_cursor, s.IdeaOut(rows, many=True, context={"votes": votes}).data)

    @extend_schema(
        summary="Create an idea: a draft (default) or submitted at once",
        description="Send an `Idempotency-Key` header (up to 64 characters) to make a retry safe: the same key "
        "answers with the idea it created first (200 instead of 201).",
        request=s.IdeaIn,
        responses={201: s.IdeaDetailOut, 200: s.IdeaDetailOut},
    )
    def post(self, request):
        data = s.IdeaIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        challenge = _challenge(request, fields["challenge"])
        idea = idea_services.idea_create(
            author=request.user,
            challenge=challenge,
            title=fields["title"],
            problem=fields["problem"],
            solution=fields["solution"],
            outcomes=_outcomes(challenge, fields["outcomes"]),
            submit=fields["submit"],
            submit_key=request.headers.get("Idempotency-Key", ""),
        )
        created = getattr(idea, "created_now", True)
        return _idea_detail(request, idea.pk, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class IdeaMine(MembersOnly, APIView):
    @extend_schema(
        summary="My ideas, drafts and withdrawn ones included",
        parameters=CURSOR_PARAMETERS,
        responses=s.page_of(s.IdeaOut),
    )
    def get(self, request):
        mine = idea_selectors.idea_list_mine(request.user).select_related("author").prefetch_related("outcomes")
        rows, next_cursor = keyset_page(request, mine, NEWEST_FIRST)
        votes = idea_selectors.user_votes_on(request.user, rows)
        return paginated(request, rows, next_cursor, s.IdeaOut(rows, many=True, context={"votes": votes}).data)


class IdeaDetail(APIView):
    @extend_schema(summary="An idea, with its history and what you may do with it", responses=s.IdeaDetailOut)
    def get(self, request, pk: int):
        return _idea_detail(request, pk)

    @extend_schema(
        summary="Edit your idea (what you leave out stays)", request=s.IdeaUpdateIn, responses=s.IdeaDetailOut
    )
    def patch(self, request, pk: int):
        idea = _idea(request, pk)
        data = s.IdeaUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        codes = fields.get("outcomes") or list(idea.outcomes.values_list("code", flat=True))
        idea_services.idea_update(
            idea=idea,
            user=request.user,
            title=fields.get("title", idea.title),
            problem=fields.get("problem", idea.problem),
            solution=fields.get("solution", idea.solution),
            outcomes=_outcomes(idea.challenge, codes),
        )
        return _idea_detail(request, pk)


class IdeaSubmit(APIView):
    @extend_schema(summary="Submit your draft", request=None, responses=s.IdeaDetailOut)
    def post(self, request, pk: int):
        idea_services.idea_submit(idea=_idea(request, pk), user=request.user)
        return _idea_detail(request, pk)


class IdeaWithdraw(APIView):
    @extend_schema(
        summary="Withdraw your idea before screening starts", request=s.WithdrawIn, responses=s.IdeaDetailOut
    )
    def post(self, request, pk: int):
        idea = _idea(request, pk)
        data = s.WithdrawIn(data=request.data)
        data.is_valid(raise_exception=True)
        idea_services.idea_withdraw(user=request.user, idea=idea, reason=data.validated_data["reason"])
        return _idea_detail(request, pk)


class IdeaVote(APIView):
    @extend_schema(summary="Vote up or down (or change your vote)", request=s.VoteIn, responses=s.VoteOut)
    def put(self, request, pk: int):
        idea = _idea(request, pk)
        data = s.VoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        value = {"up": 1, "down": -1}[data.validated_data["value"]]
        idea = idea_services.vote_cast(user=request.user, idea=idea, value=value)
        return Response(
            {"my_vote": data.validated_data["value"], "votes_up": idea.votes_up, "votes_down": idea.votes_down}
        )

    @extend_schema(summary="Take your vote back", request=None, responses=s.VoteOut)
    def delete(self, request, pk: int):
        idea = idea_services.vote_withdraw(user=request.user, idea=_idea(request, pk))
        return Response({"my_vote": None, "votes_up": idea.votes_up, "votes_down": idea.votes_down})


class IdeaFollow(MembersOnly, APIView):
    @extend_schema(summary="Follow an idea", request=None, responses=s.FollowOut)
    def put(self, request, pk: int):
        idea = _idea(request, pk)
        idea_services.idea_follow(user=request.user, idea=idea)
        return Response(idea_selectors.idea_follow_state(request.user, idea))

    @extend_schema(summary="Stop following an idea", request=None, responses=s.FollowOut)
    def delete(self, request, pk: int):
        idea = _idea(request, pk)
        idea_services.idea_unfollow(user=request.user, idea=idea)
        return Response(idea_selectors.idea_follow_state(request.user, idea))


# --- comments ---


class IdeaComments(APIView):
    @extend_schema(
        summary="An idea's comments, oldest first (replies name their parent)",
        parameters=CURSOR_PARAMETERS,
        responses=s.page_of(s.CommentOut),
    )
    def get(self, request, pk: int):
        idea = _idea(request, pk)
        rows, next_cursor = keyset_page(request, selectors.comments_of_idea(idea), OLDEST_FIRST)
        return paginated(request, rows, next_cursor, s.CommentOut(rows, many=True).data)

    @extend_schema(
        summary="Comment on an idea, or reply to a comment", request=s.CommentIn, responses={201: s.CommentOut}
    )
    def post(self, request, pk: int):
        idea = _idea(request, pk)
        data = s.CommentIn(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent") is not None:
            parent = idea_selectors.comment_of_idea(idea, pk=data.validated_data["parent"])
            if parent is None:
                raise ValidationError({"parent": [_("No such comment on this idea.")]})
        comment = idea_services.comment_create(
            author=request.user, idea=idea, body=data.validated_data["body"], parent=parent
        )
        return Response(s.CommentOut(comment).data, status=status.HTTP_201_CREATED)


def _comment(request, pk: int) -> Comment:
    try:
        return idea_selectors.comment_for(request.user, pk=pk)
    except Comment.DoesNotExist:
        raise NotFound(_("No such comment.")) from None


class CommentDetail(APIView):
    @extend_schema(
        summary="Edit your comment (within its edit window)", request=s.CommentEditIn, responses=s.CommentOut
    )
    def patch(self, request, pk: int):
        comment = _comment(request, pk)
        data = s.CommentEditIn(data=request.data)
        data.is_valid(raise_exception=True)
        comment = idea_services.comment_edit(user=request.user, comment=comment, body=data.validated_data["body"])
        return Response(s.CommentOut(comment).data)

    @extend_schema(summary="Remove your comment", request=None, responses={204: None})
    def delete(self, request, pk: int):
        idea_services.comment_remove(user=request.user, comment=_comment(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- notifications ---


class NotificationList(MembersOnly, APIView):
    @extend_schema(
        summary="My notifications, newest first", parameters=CURSOR_PARAMETERS, responses=s.page_of(s.NotificationOut)
    )
    def get(self, request):
        rows, next_cursor = keyset_page(request, notification_selectors.notifications_for(request.user), NEWEST_FIRST)
        return paginated(request, rows, next_cursor, s.NotificationOut(rows, many=True).data)


class NotificationRead(MembersOnly, APIView):
    @extend_schema(summary="Mark one of my notifications read", request=None, responses=s.CountOut)
    def post(self, request, pk: int):
        count = notification_services.notification_mark_read(user=request.user, notification_id=pk)
        return Response({"count": count})


class NotificationReadAll(MembersOnly, APIView):
    @extend_schema(summary="Mark all my notifications read", request=None, responses=s.CountOut)
    def post(self, request):
        return Response({"count": notification_services.notifications_mark_all_read(user=request.user)})


# --- staff ---


class IdeaStatusChange(StaffOnly, APIView):
    # The area is triage staff's (the queue's rule); idea_status_change asks can_change_status again.
    staff_refusal = gettext_lazy("Only triage staff can change an idea's status.")

    @extend_schema(
        summary="Move an idea through the funnel, with a reason (staff)",
        request=s.StatusChangeIn,
        responses={201: s.StatusChangeResultOut},
    )
    def post(self, request, pk: int):
        idea = _idea(request, pk)
        data = s.StatusChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        duplicate_of = None
        if fields.get("duplicate_of") is not None:
            try:
                duplicate_of = idea_selectors.idea_visible_get(request.user, pk=fields["duplicate_of"])
            except Idea.DoesNotExist:
                raise ValidationError({"duplicate_of": [_("No such idea.")]}) from None
        change = idea_services.idea_status_change(
            idea=idea,
            to_status=fields["to_status"],
            changed_by=request.user,
            reason=fields["reason"],
            duplicate_of=duplicate_of,
            expected_status=fields["expected_status"],
        )
        return Response(s.StatusChangeResultOut(change).data, status=status.HTTP_201_CREATED)


class IdeaScreenings(StaffOnly, APIView):
    staff_rule = staticmethod(review_rules.can_view_screenings)
    staff_refusal = gettext_lazy("Screening scores and notes are for triage staff only.")

    @extend_schema(summary="An idea's scorecards and screening score (staff)", responses=s.ScreeningsOut)
    def get(self, request, pk: int):
        idea = _idea(request, pk)
        data = {
            "screening_score": idea.screening_score,
            "screenings_count": idea.screenings_count,
            "screenings": list(screenings_of_idea(idea)),
        }
        return Response(s.ScreeningsOut(data).data)

    @extend_schema(
        summary="Save my scorecard of an idea (staff): every criterion of its challenge, 1 to 5",
        request=s.ScreeningIn,
        responses=s.ScreeningsOut,
    )
    def put(self, request, pk: int):
        idea = _idea(request, pk)
        data = s.ScreeningIn(data=request.data)
        data.is_valid(raise_exception=True)
        scores = {row["criterion"]: (row["score"], row["note"]) for row in data.validated_data["scores"]}
        screening_services.screening_save(
            idea=idea, screener=request.user, scores=scores, notes=data.validated_data["notes"]
        )
        return self.get(request, pk)


class OpportunityScores(StaffOnly, APIView):
    staff_rule = staticmethod(can_view_landscape)
    staff_refusal = gettext_lazy("Opportunity scores are for triage staff here (challenges may publish their own).")

    @extend_schema(
        summary="Stored opportunity scores of the outcomes, overall and per segment (staff)",
        parameters=CURSOR_PARAMETERS,
        responses=s.page_of(s.OpportunityScoreOut),
    )
    def get(self, request):
        rows, next_cursor = keyset_page(request, selectors.opportunity_scores(), OLDEST_FIRST)
        return paginated(request, rows, next_cursor, s.OpportunityScoreOut(rows, many=True).data)


def _days(delta: datetime.timedelta | None) -> float | None:
    return delta.total_seconds() / 86400 if delta is not None else None


class Metrics(StaffOnly, APIView):
    staff_rule = staticmethod(can_view_metrics)
    staff_refusal = gettext_lazy("The program metrics are for triage staff only.")

    @extend_schema(
        summary="Program metrics, overall or for one challenge (staff)",
        parameters=[OpenApiParameter("challenge", str, description="A challenge's slug; leave out for all.")],
        responses=s.MetricsOut,
    )
    def get(self, request):
        slug = request.query_params.get("challenge", "")
        challenge = None
        if slug:
            challenge = next((c for c in metrics_selectors.metrics_challenges() if c.slug == slug), None)
            if challenge is None:
                raise NotFound(_("No such challenge."))
        summary = metrics_selectors.metrics_summary(challenge=challenge, now=timezone.now())
        data = {
            "challenge": challenge.slug if challenge else None,
            "submitted": summary.submitted,
            "funnel": [
                {"status": st, "label": label, "count": count, "share": share}
                for st, label, count, share in summary.funnel
            ],
            "implemented": summary.implemented,
            "implementation_rate": summary.implementation_rate,
            "answered_in_time": summary.in_time,
            "answered_late": summary.late,
            "not_yet_due": summary.not_yet_due,
            "answered_in_time_share": summary.answered_in_time_share,
            "answer_median_days": _days(summary.answer_median),
            "answer_p90_days": _days(summary.answer_p90),
            "decision_median_days": _days(summary.decision_median),
            "decision_p90_days": _days(summary.decision_p90),
        }
        return Response(s.MetricsOut(data).data)


# --- anything else under /api/ ---


class NotFoundView(APIView):
    """Unknown addresses under /api/ answer in the error shape too."""

    schema = None

    def get(self, request, *args, **kwargs):
        raise NotFound(_("No such endpoint: see the OpenAPI document at %(schema)s.") % {"schema": "/api/v1/schema/"})

    post = put = patch = delete = get
