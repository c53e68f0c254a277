"""Read queries for screening and mentoring pages."""


# --- screening ---

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.funnel import (
    BOARD_ORDER,
    FINAL_ROUND_STATUSES,
    OPEN_STATUSES,
    REACHED_SHORTLIST_STATUSES,
    UNPUBLISHED_STATUSES,
    Status,
)
from ideas.models import Idea
from ideas.rules import is_idea_author
from ideas.selectors import answer_due_expression, answer_overdue_q, with_coauthors
from ideas.words import STOPWORDS, substring_of

from .models import MentorAssignment, ReasonTemplate, Screening, ScreeningScore
from .selectors_demand import DEMAND_FLAG, demand_thresholds, ideas_by_demand_flag, with_demand_need

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet
    from django.http import HttpRequest

    from accounts.models import User
    from accounts.types import Visitor
    from challenges.models import Challenge


def _author_count(condition: Q | None = None):
    """A correlated subquery: how many published ideas of the row's author match ``condition``."""
    ideas = Idea.objects.filter(author=OuterRef("author")).exclude(status__in=UNPUBLISHED_STATUSES)
    if condition is not None:
        ideas = ideas.filter(condition)
    counted = ideas.order_by().values("author").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def triage_queue(*, now: datetime.datetime) -> QuerySet[Idea]:
    """Published ideas for the triage queue, each row carrying everything its columns show.

    One query for a page, whatever its size: the answer deadline, whether it passed (``is_overdue``),
    the author's track record and the current mentor (``with_current_mentor``) are computed in SQL.
    """
    return with_current_mentor(
        Idea.objects.exclude(status=Status.DRAFT)
        .select_related("challenge", "author")
        .annotate(
            answer_due_at=answer_due_expression(),
        )
        .annotate(
            is_overdue=Case(
                When(
                    answer_overdue_q(now),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            author_ideas=_author_count(),
            author_shortlisted=_author_count(Q(status__in=REACHED_SHORTLIST_STATUSES)),
            author_implemented=_author_count(Q(status=Status.IMPLEMENTED)),
            mentor_name=_current_mentor_name(),
        )
    )


def _current_mentor_name():
    """A correlated subquery: the public name of the row's current mentor, or None (issue 16's mentor column)."""
    current = MentorAssignment.objects.filter(idea=OuterRef("pk"), ended_at__isnull=True).annotate(
        name=Case(
            When(~Q(mentor__display_name=""), then=F("mentor__display_name")),
            default=F("mentor__email"),
            output_field=CharField(),
        )
    )
    return Subquery(current.values("name")[:1], output_field=CharField())


def board_challenges() -> list[Challenge]:
    """Challenges for the board's picker: those still taking decisions first, then the newest (one query)."""
    from challenges.models import Challenge

    return list(
        Challenge.objects.exclude(phase=Challenge.Phase.DRAFT)
        .annotate(closed_last=Case(When(phase=Challenge.Phase.CLOSED, then=Value(1)), default=Value(0)))
        .order_by("closed_last", "-pk")
        .only("pk", "title", "phase")
    )


# How far "save and next" reads the queue: the same cap as the queue's count (core.pagination).
QUEUE_NEXT_CAP = 10_000


def queue_next_idea_id(queue: QuerySet[Idea], *, current_id: int, position: int | None) -> int | None:
    """The idea after ``current_id`` in ``queue`` (the changelist's filtered, ordered queryset), or None.

    One query for the ids in the queue's order (at most QUEUE_NEXT_CAP). An idea that has left the
    queue's filters since it was opened (screened, answered) is followed by the one now at its old
    ``position``.
    """
    ids = list(queue.values_list("pk", flat=True)[:QUEUE_NEXT_CAP])
    if current_id in ids:
        index = ids.index(current_id) + 1
    elif position is not None:
        index = max(position, 0)
    else:
        return None
    following = [pk for pk in ids[index:] if pk != current_id]
    return following[0] if following else None


def queue_position(queue: QuerySet[Idea], *, idea_id: int) -> int | None:
    """Where the idea stands in the queue's order (0 first), or None if it is not in it (one query)."""
    ids = list(queue.values_list("pk", flat=True)[:QUEUE_NEXT_CAP])
    return ids.index(idea_id) if idea_id in ids else None


# The board's columns, in the funnel's order: where an idea is, then where it ended.
BOARD_STATUSES = BOARD_ORDER
# Cards shown per column; the rest are counted and reached through the queue's filters.
BOARD_CARDS_PER_COLUMN = 30


def challenge_board(
    challenge: Challenge, *, now: datetime.datetime, demand_flag: str = "", flagged_first: bool = False
) -> list[dict]:
    """The challenge's published ideas by status, one column per BOARD_STATUSES entry, in four queries
    (the challenge's vote boundaries, the counts, the cards, their flags).

    Each column is ``{"status", "label", "count", "ideas"}``; ``ideas`` holds at most
    BOARD_CARDS_PER_COLUMN cards (awaiting ones oldest first, the others latest decision first),
    each a queue row (``triage_queue``'s annotations: overdue, mentor, track record) with its demand
    and need (``selectors_demand.with_demand_need``). ``demand_flag`` keeps only the ideas with that
    flag ("any": either; the counts too); ``flagged_first`` orders each column by the flags first.
    """
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    thresholds = demand_thresholds([challenge.pk])
    counted: QuerySet[Idea] = Idea.objects.filter(challenge_id=challenge.pk, status__in=BOARD_STATUSES)
    if demand_flag:
        counted = ideas_by_demand_flag(with_demand_need(counted, thresholds=thresholds), demand_flag)
    counts = dict(counted.order_by().values_list("status").annotate(n=Count("pk")))
    order = [F("decided_at").desc(nulls_last=True), F("submitted_at").asc(nulls_last=True), F("id").asc()]
    if flagged_first:
        order.insert(0, F("demand_rank").asc())
    ranked = triage_queue(now=now).filter(challenge_id=challenge.pk, status__in=BOARD_STATUSES)
    # The window numbers every idea of the challenge; the flags are computed inside it only when they
    # choose or order the cards, else afterwards for the cards shown (one more query, not one per idea).
    flags_in_window = bool(demand_flag or flagged_first)
    if flags_in_window:
        ranked = ideas_by_demand_flag(with_demand_need(ranked, thresholds=thresholds), demand_flag)
    cards = list(
        ranked.annotate(board_rank=Window(RowNumber(), partition_by=[F("status")], order_by=order))
        .filter(board_rank__lte=BOARD_CARDS_PER_COLUMN)
        .order_by("status", "board_rank")
    )
    if not flags_in_window:
        flags = dict(
            with_demand_need(Idea.objects.filter(pk__in=[idea.pk for idea in cards]), thresholds=thresholds)
            .order_by()
            .values_list("pk", DEMAND_FLAG)
        )
        for idea in cards:
            idea.demand_flag = flags.get(idea.pk, "")  # type: ignore[attr-defined]  # as with_demand_need names it
    by_status: dict[str, list] = {}
    for idea in cards:
        by_status.setdefault(idea.status, []).append(idea)
    return [
        {
            "status": status,
            "label": Status(status).label,
            "count": counts.get(status, 0),
            "ideas": by_status.get(status, []),
        }
        for status in BOARD_STATUSES
    ]


def triage_search(queryset: QuerySet[Idea], text: str) -> QuerySet[Idea]:
    """The queue's ideas with every word of ``text`` in their title or their author's email.

    Words in any order; in the title a word's other forms too (``ideas.words.substring_of``: "budgets"
    finds "Budget bar", "deliveries" finds "delivery"); stop words alone are left out.

    Each word is one ``pk IN (ideas by title UNION ideas by matching authors)``: the trigram indexes on
    ``UPPER(title)`` and ``UPPER(email)`` (reviews/0002) find the candidates and the queue joins
    only those. A plain ``title__icontains | author__email__icontains`` filter read every idea
    joined to its author (540 ms at 100,000 ideas); an OR of two ``IN`` lists still read them all.
    """
    from django.contrib.auth import get_user_model
    from django.utils.text import smart_split, unescape_string_literal

    typed = [
        unescape_string_literal(word) if word[0] in "\"'" and word[0] == word[-1] and len(word) > 1 else word
        for word in smart_split(text or "")
    ]
    # Quoted phrases stay as typed; stop words are left out unless there is nothing else.
    words = [word for word in typed if " " in word or word.lower() not in STOPWORDS] or typed
    for word in words:
        # No ORDER BY in the members (Idea's default ordering): SQLite refuses one in a compound SELECT.
        # A word's stem when it starts the word: "budgets" finds "budget", in either order.
        by_title = Idea.objects.filter(title__icontains=substring_of(word)).order_by().values("pk")
        authors = get_user_model().objects.filter(email__icontains=word).values("pk")
        by_author = Idea.objects.filter(author_id__in=authors).order_by().values("pk")
        queryset = queryset.filter(pk__in=by_title.union(by_author))
    return queryset


def screenings_of_idea(idea: Idea) -> QuerySet[Screening]:
    """The idea's scorecards with their scores and screeners, in two queries (staff only)."""
    return (
        Screening.objects.filter(idea=idea)
        .select_related("screener")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=ScreeningScore.objects.select_related("criterion").order_by(
                    "criterion__position", "criterion_id"
                ),
            )
        )
        .order_by("created_at", "id")
    )


def challenge_open_ideas(challenge: Challenge) -> QuerySet[Idea]:
    """The challenge's ideas still waiting for an ending (ideas.models.OPEN_STATUSES), oldest first."""
    return (
        Idea.objects.filter(challenge_id=challenge.pk, status__in=OPEN_STATUSES).select_related("author").order_by("pk")
    )


def current_assignment_ids(ideas: Iterable[Idea]) -> dict[int, int]:
    """Each idea's current mentor assignment id (ideas without one are left out), in one query."""
    return dict(
        MentorAssignment.objects.filter(idea__in=[idea.pk for idea in ideas], ended_at__isnull=True).values_list(
            "idea_id", "pk"
        )
    )


def reason_templates_active() -> QuerySet[ReasonTemplate]:
    """Active reason templates, by status then title."""
    return ReasonTemplate.objects.filter(is_active=True).order_by("to_status", "title")


# --- mentoring ---
#
# Imports are local to keep this section independent of the others in this module. Mentors never
# see screening scores: these queries load no screening and defer the idea's screening fields.

MENTOR_HIDDEN_FIELDS = ("screening_score", "screenings_count")


def mentor_idea_list(mentor: User) -> QuerySet[Idea]:
    """The ideas currently assigned to the mentor, with what the list shows, in one query.

    Each idea carries ``assigned_at``, ``last_activity`` (latest of the idea's edit and its last
    thread message), ``has_open_revision``, ``has_new_version`` (a revision answered since the mentor
    last opened the idea: ``MentorAssignment.seen_at``) and ``has_review`` (this mentor's).
    """
    from django.db.models import Exists, OuterRef, Subquery
    from django.db.models.functions import Coalesce, Greatest

    from ideas.models import Idea

    from .models import MentorAssignment, Review, RevisionRequest, ThreadMessage

    current = MentorAssignment.objects.filter(idea=OuterRef("pk"), mentor=mentor, ended_at__isnull=True)
    last_message = ThreadMessage.objects.filter(idea=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    return (
        Idea.objects.filter(Exists(current))
        .select_related("challenge", "author")
        .defer(*MENTOR_HIDDEN_FIELDS)
        .annotate(
            assigned_at=Subquery(current.values("assigned_at")[:1]),
            seen_since=Coalesce(Subquery(current.values("seen_at")[:1]), Subquery(current.values("assigned_at")[:1])),
        )
        .annotate(
            # A revision answered (a new version saved) since the mentor last opened the idea here.
            has_new_version=Exists(
                RevisionRequest.objects.filter(
                    idea=OuterRef("pk"),
                    answer_version__isnull=False,
                    closed_at__isnull=True,
                    answered_at__gt=OuterRef("seen_since"),
                )
            ),
            last_activity=Greatest("updated_at", Coalesce(Subquery(last_message), "updated_at")),
            has_open_revision=Exists(RevisionRequest.objects.filter(idea=OuterRef("pk"), answered_at__isnull=True)),
            has_review=Exists(Review.objects.filter(idea=OuterRef("pk"), mentor=mentor)),
        )
        .order_by("-last_activity", "-pk")
    )


def mentor_idea_for(mentor: User, *, pk: int) -> Idea:
    """One idea currently assigned to the mentor, with its outcomes; raises Idea.DoesNotExist otherwise."""
    from accounts.rules import is_mentor
    from ideas.models import Idea

    if not is_mentor(mentor):
        raise Idea.DoesNotExist
    return with_coauthors(
        Idea.objects.filter(pk=pk, mentor_assignments__mentor=mentor, mentor_assignments__ended_at__isnull=True)
        .select_related("challenge", "author")
        .defer(*MENTOR_HIDDEN_FIELDS)
        .prefetch_related("outcomes", "answers")
    ).get()


def current_assignment(idea: Idea) -> MentorAssignment | None:
    """The idea's current mentor assignment with its mentor, or None (one query)."""
    from .models import MentorAssignment

    return MentorAssignment.objects.filter(idea=idea, ended_at__isnull=True).select_related("mentor").first()


def revision_requests_of(idea: Idea) -> list:
    """The idea's revision requests, newest first, with the versions asked about and answered (one query)."""
    from .models import RevisionRequest

    return list(
        RevisionRequest.objects.filter(idea=idea)
        .select_related("mentor", "version_before", "answer_version")
        .order_by("-created_at", "-pk")
    )


def thread_messages_of(idea: Idea) -> list:
    """The idea's private thread, oldest first, with the writers (one query)."""
    from .models import ThreadMessage

    return list(ThreadMessage.objects.filter(idea=idea).select_related("author").order_by("created_at", "pk"))


def mentoring_panel_for(user: Visitor, idea: Idea) -> dict | None:
    """What the idea page's mentoring card shows the user, or None if it is not theirs to see.

    No query for members who cannot be the author, a mentor or staff; three for the others
    (the assignment, the revision requests, the thread).
    """
    from accounts.rules import is_mentor, is_triage

    from .rules import can_view_mentoring, thread_post_refusal

    if not user.is_authenticated:
        return None
    if not (is_idea_author(user, idea) or is_triage(user) or is_mentor(user)):
        return None
    assignment = current_assignment(idea)
    mentor_id = assignment.mentor_id if assignment else None
    if not can_view_mentoring(user, idea, current_mentor_id=mentor_id or 0):
        return None
    requests = revision_requests_of(idea)
    if assignment is None and not requests:
        return None  # never mentored: nothing to show
    return {
        "assignment": assignment,
        "mentor": assignment.mentor if assignment else None,
        "open_request": next((r for r in requests if r.answered_at is None), None),
        "requests": requests,
        "messages": thread_messages_of(idea),
        "can_post": assignment is not None and thread_post_refusal(user, idea, current_mentor_id=mentor_id) is None,
        "is_author": is_idea_author(user, idea),
        "is_mentor": mentor_id == user.pk,
    }


def mentoring_panel_on_idea_page(request: HttpRequest, idea: Idea) -> dict | None:
    """The idea page's mentoring card (``reviews/_idea_mentoring.html``), registered with
    ``ideas.hooks.idea_panel_register``: ``mentoring_panel_for`` and the thread's form when the user may post."""
    from .forms_mentoring import ThreadMessageForm

    mentoring = mentoring_panel_for(request.user, idea)
    if mentoring is None:
        return None
    return {
        "template": "reviews/_idea_mentoring.html",
        "mentoring": mentoring,
        "thread_form": ThreadMessageForm() if mentoring["can_post"] else None,
    }


# --- finalists ---
#
# Imports are local to keep this section independent of the others in this module.


class FinalistComparison:
    """A challenge's finalists (and winners) side by side, for triage staff.

    ``criteria`` are the challenge's selection criteria; each idea in ``finalists`` carries
    ``versions_total``, ``review_list`` (its mentor reviews, oldest first), ``criterion_means``
    (one ``(criterion, mean or None)`` per criterion, the mean over its screeners) and
    ``outcome_scores`` (one ``(outcome, overall OutcomeScore or None)`` per outcome it addresses).
    """

    def __init__(self, *, criteria: list, finalists: list) -> None:
        self.criteria = criteria
        self.finalists = finalists

    @property
    def winners(self) -> list:
        return [idea for idea in self.finalists if idea.status == "winner"]

    @property
    def has_winner(self) -> bool:
        return bool(self.winners)


def finalists_compare(*, challenge: Challenge) -> FinalistComparison:
    """The challenge's finalists and winners, winners first, then by screening score and support.

    A fixed number of queries whatever the number of finalists: the ideas with their authors and
    version counts, their reviews, their outcomes, the criteria, the per-criterion screening means
    (one GROUP BY) and the outcomes' overall opportunity scores.
    """
    from django.db.models import Avg, Count, Prefetch

    from challenges.models import Outcome
    from ideas.models import Idea
    from scoring.selectors import scores_overall_for_outcomes

    from .models import Review, ScreeningScore

    finalists = list(
        Idea.objects.filter(challenge=challenge, status__in=FINAL_ROUND_STATUSES)
        .select_related("author")
        .annotate(versions_total=Count("versions"))
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("mentor").order_by("created_at", "id"),
                to_attr="review_list",
            ),
            Prefetch("outcomes", queryset=Outcome.objects.order_by("code"), to_attr="outcome_list"),
        )
        .order_by(
            # Winners first ("winner" > "finalist"), then the best screened, then the most supported.
            F("status").desc(),
            F("screening_score").desc(nulls_last=True),
            (F("votes_up") - F("votes_down")).desc(),
            "id",
        )
    )
    criteria = list(challenge.criteria.all())
    if not finalists:
        return FinalistComparison(criteria=criteria, finalists=[])
    means = {
        (row["screening__idea_id"], row["criterion_id"]): row["mean"]
        for row in ScreeningScore.objects.filter(screening__idea__in=[idea.pk for idea in finalists])
        .values("screening__idea_id", "criterion_id")
        .annotate(mean=Avg("score"))
        .order_by()
    }
    scores = scores_overall_for_outcomes({outcome.pk for idea in finalists for outcome in idea.outcome_list})
    for idea in finalists:
        idea.criterion_means = [(criterion, means.get((idea.pk, criterion.pk))) for criterion in criteria]
        idea.outcome_scores = [(outcome, scores.get(outcome.pk)) for outcome in idea.outcome_list]
    return FinalistComparison(criteria=criteria, finalists=finalists)


def mentors_with_load() -> QuerySet[User]:
    """Active members of the Mentor group with ``load``, their current assignments (one query)."""
    from django.contrib.auth import get_user_model

    from accounts.models import MENTOR_GROUP

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MENTOR_GROUP)
        .annotate(load=Count("mentor_assignments", filter=Q(mentor_assignments__ended_at__isnull=True), distinct=True))
        .order_by("display_name", "email", "pk")
    )


def with_current_mentor(queryset: QuerySet[Idea]) -> QuerySet[Idea]:
    """Annotate ideas with their current mentor: ``current_mentor_id`` and ``current_mentor_name``
    (display name, else email), as subqueries, so a list gains the column without a query per row."""
    from django.db.models import CharField, OuterRef, Subquery, Value
    from django.db.models import functions as fn

    from .models import MentorAssignment

    current = MentorAssignment.objects.filter(idea=OuterRef("pk"), ended_at__isnull=True)
    name = fn.Coalesce(fn.NullIf("mentor__display_name", Value("")), "mentor__email", output_field=CharField())
    return queryset.annotate(
        current_mentor_id=Subquery(current.values("mentor_id")[:1]),
        current_mentor_name=Subquery(current.annotate(name=name).values("name")[:1]),
    )


def first_answer_expression() -> Subquery:
    """When the idea had its first answer, as a subquery: the first status change after submission to a
    staff decision (``DECIDED_STATUSES``) not made by the idea's author. The metrics page counts the
    same (``metrics.selectors._idea_facts``, as a join); ``tests/test_metrics_range.py`` holds the
    two to agree."""
    from ideas.models import DECIDED_STATUSES, StatusChange

    answers = (
        StatusChange.objects.filter(
            idea=OuterRef("pk"), to_status__in=DECIDED_STATUSES, created_at__gte=OuterRef("submitted_at")
        )
        .filter(Q(changed_by__isnull=True) | ~Q(changed_by=OuterRef("author")))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    return Subquery(answers, output_field=DateTimeField())


ANSWER_PROMISE_CHOICES = [
    ("in_time", _("Answered in time")),
    ("late", _("Not answered in time")),
    ("not_yet_due", _("No answer yet, not due")),
]


def ideas_by_answer_promise(queryset: QuerySet[Idea], which: str, *, now: datetime.datetime) -> QuerySet[Idea]:
    """Submitted ideas answered within their challenge's promise (``in_time``), not (``late``: answered
    after it, or unanswered past it), or unanswered and not yet due (``not_yet_due``): the metrics
    page's definitions, as a filter. An idea its author withdrew before any answer is in none."""
    queryset = queryset.filter(submitted_at__isnull=False).annotate(
        promise_due_at=answer_due_expression(), first_answer_at=first_answer_expression()
    )
    unanswered = Q(first_answer_at__isnull=True) & ~Q(status=Status.WITHDRAWN)
    if which == "in_time":
        return queryset.filter(first_answer_at__lte=F("promise_due_at"))
    if which == "late":
        return queryset.filter(
            Q(first_answer_at__gt=F("promise_due_at")) | (unanswered & Q(promise_due_at__lt=Value(now)))
        )
    if which == "not_yet_due":
        return queryset.filter(unanswered & Q(promise_due_at__gte=Value(now)))
    return queryset
