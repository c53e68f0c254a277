"""Read queries that idea pages share."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from challenges.models import Challenge, Outcome
from core.funnel import AWAITING_ANSWER, DECIDED_STATUSES, ENDED_STATUSES

from . import fulltext
from .models import ANSWER_YES_NO, Comment, Idea, IdeaFollow, Status, StatusChange, Vote
from .rules import VOTE_SIGN_IN, can_moderate_comments, comment_actions, visible_ideas_q, vote_refusal
from .words import search_terms

if TYPE_CHECKING:
    from django.db.models.expressions import CombinedExpression, OrderBy

    from accounts.models import User
    from accounts.types import Visitor

    from .models import IdeaVersion


def answer_due_expression() -> Func | ExpressionWrapper:
    """When the challenge promised the author a first answer: the SQL twin of ``funnel.answer_due_at``.

    PostgreSQL multiplies an interval; SQLite (the embedded demo) cannot, so it uses datetime().
    """
    days = F("challenge__answer_within_days")
    if connection.vendor == "sqlite":
        modifier = Concat(Value("+"), Cast(days, CharField()), Value(" days"), output_field=CharField())
        return Func(F("submitted_at"), modifier, function="datetime", output_field=DateTimeField())
    return ExpressionWrapper(F("submitted_at") + days * Value(datetime.timedelta(days=1)), output_field=DateTimeField())


def answer_overdue_q(now: datetime.datetime) -> Q:
    """Ideas past their answer-due time still awaiting their first answer (``funnel.is_overdue``).

    Needs the ``answer_due_at`` annotation (``answer_due_expression``); exactly at the deadline is in time.
    """
    return Q(status=AWAITING_ANSWER, decided_at__isnull=True, answer_due_at__lt=Value(now))


def idea_list_for(user: Visitor) -> QuerySet[Idea]:
    """The ideas a user may see, with what a list row shows (co-authors included), in a fixed number of queries."""
    return with_coauthors(
        Idea.objects.filter(visible_ideas_q(user))
        .select_related("challenge", "author__reputation_total")
        .prefetch_related(Prefetch("outcomes", queryset=Outcome.objects.only("id", "code", "statement")))
    )


def idea_recently_decided_for(user: Visitor, *, limit: int = 6) -> QuerySet[Idea]:
    """Ideas staff answered most recently: the loop being closed, for the home page. Each has
    ``answer``, the reason of its latest status change (in the same SELECT), which its card shows."""
    latest_reason = StatusChange.objects.filter(idea=OuterRef("pk")).order_by("-created_at", "-id").values("reason")
    return (
        idea_list_for(user)
        .filter(status__in=DECIDED_STATUSES, decided_at__isnull=False)
        .annotate(answer=Subquery(latest_reason[:1]))
        .order_by("-decided_at")[:limit]
    )


def idea_detail_for(user: Visitor, *, pk: int, comments_page: int = 1) -> Idea:
    """One idea the user may see, with a page of its comment threads and its history; raises Idea.DoesNotExist.

    ``idea.comment_threads`` holds up to COMMENT_THREADS_PER_PAGE + 1 threads: one more than a page
    says whether there is a next one (``comment_threads_page``).
    """
    ideas = (
        Idea.objects.filter(visible_ideas_q(user))
        .select_related("challenge", "author__reputation_total", "duplicate_of")
        .prefetch_related(
            "outcomes",
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("changed_by")),
            "answers",
        )
    )
    idea = with_coauthors(ideas).get(pk=pk)
    idea.comment_threads = comment_threads_for(user, idea=idea, page=comments_page)
    return idea


def user_votes_on(user: Visitor, ideas: Iterable[Idea]) -> dict[int, int]:
    """{idea id: +1 or -1} for the user's votes on these ideas, in one query."""
    if not user.is_authenticated:
        return {}
    ids = [idea.pk for idea in ideas]
    return dict(Vote.objects.filter(user=user, idea_id__in=ids).values_list("idea_id", "value"))


@dataclass(frozen=True)
class VoteBox:
    """What one idea's vote box shows the viewer (``templates/ideas/_vote.html``, on the idea's page,
    on list cards and in the similar-ideas panel): the counts, the viewer's vote, and why they may
    not vote (``rules.vote_refusal``), or None when the buttons are theirs."""

    idea: Idea
    user_vote: int | None
    refusal: str | None

    @property
    def sign_in(self) -> bool:
        """A visitor who could vote once signed in (the box offers to sign in and come back)."""
        return self.refusal == VOTE_SIGN_IN

    @property
    def ended(self) -> bool:
        """The idea reached an ending: voting is closed for good, its votes stay (a list card says so briefly)."""
        return self.idea.status in ENDED_STATUSES

    @property
    def merged(self) -> bool:
        """Merged into another idea: its votes moved there, so its own count means nothing now."""
        return self.idea.status == Status.DUPLICATE


def vote_boxes_for(user: Visitor, ideas: Iterable[Idea], *, listed: bool = False) -> dict[int, VoteBox]:
    """{idea id: VoteBox} for these ideas: the viewer's votes in one query whatever their number
    (none for a visitor), and each refusal without a query.

    ``listed``: the ideas come from ``idea_list_for(user)``, so the viewer may see them all and
    the rule skips asking again (for a member, that asks the database about an invite-only
    challenge's members once per idea).
    """
    ideas = list(ideas)
    votes = user_votes_on(user, ideas)
    return {
        idea.pk: VoteBox(
            idea=idea, user_vote=votes.get(idea.pk), refusal=vote_refusal(user, idea, known_visible=listed)
        )
        for idea in ideas
    }


def vote_box_for(user: Visitor, idea: Idea) -> VoteBox:
    """The vote box of one idea the viewer may see (one query for a member, none for a visitor)."""
    return vote_boxes_for(user, [idea])[idea.pk]


def idea_list_mine(user: User) -> QuerySet[Idea]:
    """The member's own ideas and the ideas they co-author, drafts included, newest first."""
    return with_coauthors(
        Idea.objects.filter(Q(author=user) | coauthored_ideas_q(user))
        .select_related("challenge", "author")
        .order_by("-created_at")
    )


# --- comments (replies, kudos, flags, moderation) ---


def idea_sent_with(user: Visitor, submit_key: str) -> Idea | None:
    """The idea the member created with this new-idea form (its one-time token), if any."""
    if not submit_key or not getattr(user, "pk", None):
        return None
    return Idea.objects.filter(author_id=user.pk, submit_key=submit_key).first()


def _comments_for_viewer(queryset: QuerySet[Comment], user) -> QuerySet[Comment]:
    """Comments with their author, the viewer's kudos and flag, and whether the edit window is open.

    What the viewer gave is an EXISTS in the same SELECT, so the page asks no query per comment.
    """
    import datetime

    from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value
    from django.db.models.functions import Now

    from .models import CommentFlag, Kudos
    from .rules import COMMENT_EDIT_MINUTES

    window = datetime.timedelta(minutes=COMMENT_EDIT_MINUTES)
    queryset = queryset.select_related("author__reputation_total").annotate(
        in_edit_window=ExpressionWrapper(Q(created_at__gt=Now() - window), output_field=BooleanField())
    )
    if not user.is_authenticated:
        return queryset.annotate(viewer_gave_kudos=Value(False), viewer_flagged=Value(False))
    return queryset.annotate(
        viewer_gave_kudos=Exists(Kudos.objects.filter(comment=OuterRef("pk"), user=user)),
        viewer_flagged=Exists(CommentFlag.objects.filter(comment=OuterRef("pk"), user=user)),
    )


# A popular idea has hundreds of threads: the page shows them oldest first, this many at a time
# (each comment, with its buttons and links, costs about 1 ms to render).
COMMENT_THREADS_PER_PAGE = 20


def comment_threads_for(user: Visitor, *, idea: Idea, page: int = 1) -> list[Comment]:
    """A page of the idea's top-level comments, oldest first (one more than a page, to tell whether
    another follows), each with all its ``replies``: two queries, whatever the discussion's size."""
    start = (page - 1) * COMMENT_THREADS_PER_PAGE
    replies = _comments_for_viewer(Comment.objects.order_by("created_at", "id"), user)
    top_level = _comments_for_viewer(
        Comment.objects.filter(idea=idea, parent__isnull=True).order_by("created_at", "id"), user
    )
    threads = top_level.prefetch_related(Prefetch("replies", queryset=replies))
    return list(threads[start : start + COMMENT_THREADS_PER_PAGE + 1])


def comment_actions_set(comments: Iterable[Comment], user: Visitor, *, discussion_refusal: str | None) -> None:
    """Give each comment (and its prefetched replies) ``actions``: what the viewer sees and may do
    (``rules.comment_actions``), computed here so the templates read booleans. No query: the
    annotations of ``_comments_for_viewer`` and the viewer's roles (cached on the user) suffice."""
    moderator = can_moderate_comments(user)
    for comment in comments:
        actions = comment_actions(user, comment, discussion_refusal=discussion_refusal, moderator=moderator)
        comment.actions = actions  # type: ignore[attr-defined]  # read by the templates
        replies = getattr(comment, "_prefetched_objects_cache", {}).get("replies")
        if replies is not None:
            comment_actions_set(replies, user, discussion_refusal=discussion_refusal)


def comment_threads_page(idea: Idea, page: int, *, user: Visitor, discussion_refusal: str | None) -> dict:
    """What the comments section shows of ``idea.comment_threads`` (fetched by idea_detail_for), each
    comment with the viewer's ``actions``; ``discussion_refusal`` is ``rules.comment_refusal`` for the idea."""
    threads = idea.comment_threads[:COMMENT_THREADS_PER_PAGE]  # type: ignore[attr-defined]  # idea_detail_for
    comment_actions_set(threads, user, discussion_refusal=discussion_refusal)
    threads = idea.comment_threads  # type: ignore[attr-defined]
    return {
        "threads": threads[:COMMENT_THREADS_PER_PAGE],
        "number": page,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if len(threads) > COMMENT_THREADS_PER_PAGE else None,
    }


def comment_page_of(*, idea_id: int, comment_id: int) -> int:
    """The page of the idea's comments that shows this comment (its thread's page); 1 if not found."""
    comment = Comment.objects.filter(idea_id=idea_id, pk=comment_id).values("parent_id", "pk").first()
    if comment is None:
        return 1
    root = Comment.objects.filter(pk=comment["parent_id"] or comment["pk"]).values("created_at", "pk").get()
    earlier = Comment.objects.filter(idea_id=idea_id, parent__isnull=True).filter(
        Q(created_at__lt=root["created_at"]) | Q(created_at=root["created_at"], pk__lt=root["pk"])
    )
    return earlier.count() // COMMENT_THREADS_PER_PAGE + 1


def comment_url(comment: Comment) -> str:
    """A link to the comment that opens the page of threads holding it."""
    return f"{comment.idea.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}"


def comment_for(user: Visitor, *, pk: int) -> Comment:
    """One comment on an idea the user may see, with its idea and challenge; raises Comment.DoesNotExist."""
    visible_ideas = Idea.objects.filter(visible_ideas_q(user)).values("pk")
    return _comments_for_viewer(
        Comment.objects.filter(idea__in=visible_ideas).select_related("idea__challenge", "idea__author"), user
    ).get(pk=pk)


def comment_of_idea(idea: Idea, *, pk: int) -> Comment | None:
    """The comment ``pk`` on this idea (a reply's parent), or None."""
    try:
        return Comment.objects.select_related("idea__challenge").get(idea=idea, pk=int(pk))
    except (Comment.DoesNotExist, TypeError, ValueError):
        return None


# --- versions, withdrawal and similar ideas ---


def idea_versions(idea: Idea) -> list:
    """The idea's saved versions, newest first (author and staff only: see rules.can_view_versions)."""
    from .models import IdeaVersion  # imported here: this section keeps to itself (shared file)

    return list(IdeaVersion.objects.filter(idea=idea).select_related("saved_by").order_by("-number"))


def _tokens(text: str) -> list[str]:
    # Words, runs of punctuation and the whitespace between them: joining the tokens gives the text back.
    import re

    return re.findall(r"\w+|\s+|[^\w\s]+", text)


def _word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(kind, text)] with kind "same", "del" or "ins": the word-level changes from old to new.

    Plain text segments; the template escapes them and wraps changes in <del>/<ins>.
    """
    import difflib

    a, b = _tokens(old), _tokens(new)
    segments: list[tuple[str, str]] = []

    def add(kind: str, tokens: list[str]) -> None:
        if not tokens:
            return
        text = "".join(tokens)
        if segments and segments[-1][0] == kind:
            segments[-1] = (kind, segments[-1][1] + text)
        else:
            segments.append((kind, text))

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            add("same", a[i1:i2])
        else:
            add("del", a[i1:i2])
            add("ins", b[j1:j2])
    return segments


def idea_version_diff(old: IdeaVersion, new: IdeaVersion) -> dict:
    """What changed from one version to another: word-level diffs of the texts, outcomes added and removed."""
    fields = [
        (label, _word_diff(getattr(old, name), getattr(new, name)), getattr(old, name) != getattr(new, name))
        for name, label in (
            ("title", _("Title")),
            ("problem", _("The problem")),
            ("solution", _("Proposed solution")),
        )
    ]
    old_codes, new_codes = set(old.outcome_codes), set(new.outcome_codes)
    statements = dict(Outcome.objects.filter(code__in=old_codes | new_codes).values_list("code", "statement"))
    outcomes = [
        {
            "code": code,
            "statement": statements.get(code, ""),
            "kind": "same" if code in old_codes and code in new_codes else ("del" if code in old_codes else "ins"),
        }
        for code in sorted(old_codes | new_codes)
    ]
    answers = _answers_diff(old.answers or [], new.answers or [])
    return {
        "old": old,
        "new": new,
        "fields": [{"label": label, "segments": segments, "changed": changed} for label, segments, changed in fields],
        "outcomes": outcomes,
        "outcomes_changed": old_codes != new_codes,
        "answers": answers,
        "answers_changed": any(answer["changed"] for answer in answers),
    }


def _answers_diff(old: list[dict], new: list[dict]) -> list[dict]:
    """The answers of two versions side by side, matched by question (or by label once the question
    is gone), in the newer version's order: [{label, segments, changed}]."""

    def key(answer: dict) -> str:
        return f"q{answer['question_id']}" if answer.get("question_id") else f"l{answer.get('label', '')}"

    def shown(answer: dict | None) -> str:
        if answer is None:
            return ""
        value = str(answer.get("value", ""))
        return str(ANSWER_YES_NO.get(value, value)) if answer.get("kind") == "yes_no" else value

    old_by_key = {key(a): a for a in old}
    new_by_key = {key(a): a for a in new}
    keys = list(new_by_key) + [k for k in old_by_key if k not in new_by_key]
    rows = []
    for k in keys:
        before, after = old_by_key.get(k), new_by_key.get(k)
        label = (after or before or {}).get("label", "")
        rows.append(
            {
                "label": label,
                "segments": _word_diff(shown(before), shown(after)),
                "changed": shown(before) != shown(after),
            }
        )
    return rows


# --- follows and ranking ---

# Imports of this section (kept here while the sections are written in parallel; hoist when merging).


# The list's sorts: each on a precomputed, indexed column, with the id as a stable tiebreak.
IDEA_SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "top": ("-rank_top", "-id"),
    "trending": ("-rank_trending", "-id"),
    "newest": (F("submitted_at").desc(nulls_last=True), "-id"),
    "opportunity": ("-rank_opportunity", "-id"),
}
IDEA_SORT_DEFAULT = "newest"
# The text search's language: stems "deliveries" and "delivery" alike.
SEARCH_CONFIG = "english"


def idea_list_sorted(ideas: QuerySet[Idea], sort: str) -> QuerySet[Idea]:
    return ideas.order_by(*IDEA_SORTS.get(sort, IDEA_SORTS[IDEA_SORT_DEFAULT]))


def search_document() -> CombinedExpression:
    """PostgreSQL: an idea's weighted search document, exactly the expression ideas/0007 indexes (GIN)."""
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "problem", "solution", weight="B", config=SEARCH_CONFIG
    )


def idea_list_search(ideas: QuerySet[Idea], text: str) -> QuerySet[Idea]:
    """Ideas whose title, problem or solution have every word, in any order and in any form ("budgets"
    finds "budget"), in web search syntax: "quoted phrase", or, -word; stop words alone are ignored.

    PostgreSQL: ``websearch_to_tsquery('english')`` against the GIN-indexed search document
    (ideas/0007). SQLite: the FTS5 index kept by triggers (``ideas.fulltext``, ideas/0014).
    """
    text = text.strip()
    if not text:
        return ideas
    if connection.vendor == "postgresql":
        return ideas.alias(search=search_document()).filter(
            search=SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        )
    wanted, unwanted = fulltext.match_expressions(search_terms(text))
    if wanted is None and unwanted is None:
        return ideas.none()  # only stop words: PostgreSQL finds nothing either
    if wanted is not None:
        ideas = ideas.filter(pk__in=RawSQL(fulltext.MATCHING_IDS, [wanted]))
    if unwanted is not None:
        ideas = ideas.exclude(pk__in=RawSQL(fulltext.MATCHING_IDS, [unwanted]))
    return ideas


def idea_visible_get(user: Visitor, *, pk: int) -> Idea:
    """One idea the user may see, with its challenge (no comments or history); raises Idea.DoesNotExist."""
    return Idea.objects.filter(visible_ideas_q(user)).select_related("challenge").get(pk=pk)


def ideas_followed_by_q(user: Visitor) -> Q:
    """The ideas the member follows, as an EXISTS filter (no join that would repeat rows)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(Exists(IdeaFollow.objects.filter(idea_id=OuterRef("pk"), user_id=user.pk)))


def idea_follow_state(user: Visitor, idea: Idea) -> dict:
    """{"following": bool, "followers": int} for the idea's follow card, in one query."""
    return _follow_state(IdeaFollow.objects.filter(idea=idea), user)


def _follow_state(follows: QuerySet, user) -> dict:
    if not user.is_authenticated:
        return {"following": False, "followers": follows.count()}
    counts = follows.aggregate(followers=Count("pk"), following=Count("pk", filter=Q(user_id=user.pk)))
    return {"following": bool(counts["following"]), "followers": counts["followers"]}


@dataclass(frozen=True)
class MergeMoves:
    """What merging ``duplicate`` into ``target`` moves; the merge itself and its preview read the same."""

    votes_moving: QuerySet[Vote]
    votes_not_moving: QuerySet[Vote]
    follows_moving: QuerySet[IdeaFollow]
    follows_already: QuerySet[IdeaFollow]
    comments_staying: QuerySet[Comment]


def merge_moves(*, duplicate: Idea, target: Idea) -> MergeMoves:
    """The duplicate's votes and follows that move to ``target`` and those that do not.

    A member who voted on both keeps the vote on the target, and its author cannot vote on their own
    idea: those votes of the duplicate are dropped (not counted twice). A member who follows both
    keeps one follow. Comments stay on the duplicate.
    """
    voters_on_target = Vote.objects.filter(idea=target).values("user_id")
    followers_of_target = IdeaFollow.objects.filter(idea=target).values("user_id")
    votes = Vote.objects.filter(idea=duplicate)
    not_moving = Q(user_id__in=voters_on_target) | Q(user_id=target.author_id)
    follows = IdeaFollow.objects.filter(idea=duplicate)
    return MergeMoves(
        votes_moving=votes.exclude(not_moving),
        votes_not_moving=votes.filter(not_moving),
        follows_moving=follows.exclude(user_id__in=followers_of_target),
        follows_already=follows.filter(user_id__in=followers_of_target),
        comments_staying=Comment.objects.filter(idea=duplicate, removed_at__isnull=True, hidden_at__isnull=True),
    )


@dataclass(frozen=True)
class MergePreview:
    duplicate: Idea
    target: Idea
    votes_moving: int
    votes_not_moving: int
    followers_moving: int
    followers_already: int
    comments_staying: int


def merge_preview(*, duplicate: Idea, target: Idea) -> MergePreview:
    """Counts for the confirmation page: N votes and M followers move, K comments stay (one query)."""
    moves = merge_moves(duplicate=duplicate, target=target)
    names = {
        "votes_moving": moves.votes_moving,
        "votes_not_moving": moves.votes_not_moving,
        "followers_moving": moves.follows_moving,
        "followers_already": moves.follows_already,
        "comments_staying": moves.comments_staying,
    }
    counts = (
        Idea.objects.filter(pk=duplicate.pk)
        .annotate(**{name: Subquery(_count_of(qs)) for name, qs in names.items()})
        .values(*names)
        .get()
    )
    return MergePreview(duplicate=duplicate, target=target, **{k: v or 0 for k, v in counts.items()})


def _count_of(queryset: QuerySet) -> QuerySet:
    # Every row of these belongs to one idea: grouped by it, the count is one row (none when empty).
    return queryset.order_by().values("idea").annotate(n=Count("pk")).values("n")


def challenge_participant_ids(challenge: Challenge) -> list[QuerySet]:
    """Who took part in a challenge, for its announcements (registered with
    ``challenges.selectors.challenge_participants_provider_register``): authors of its published ideas,
    its voters and its commenters (a removed comment still counts: they took part)."""
    return [
        Idea.objects.filter(challenge=challenge).exclude(status=Status.DRAFT).values("author_id"),
        Vote.objects.filter(idea__challenge=challenge).values("user_id"),
        Comment.objects.filter(idea__challenge=challenge).values("author_id"),
    ]


# --- the challenge's questions and co-authors ---


def challenge_questions_asked(challenge: Challenge) -> list:
    """The questions the idea form asks now: the challenge's active ones, in order."""
    from challenges.models import ChallengeQuestion

    return list(ChallengeQuestion.objects.filter(challenge=challenge, active=True).order_by("order", "id"))


def idea_answers_stored(idea: Idea) -> dict[int, str]:
    """{question id: value} of the idea's answers to questions that still exist (the form's initial values)."""
    from .models import IdeaAnswer

    return dict(IdeaAnswer.objects.filter(idea=idea, question__isnull=False).values_list("question_id", "value"))


IdeasT = TypeVar("IdeasT", bound=QuerySet)


def with_coauthors(ideas: IdeasT) -> IdeasT:
    """Each idea with its accepted co-authors (``idea.accepted_coauthors``, their members and tiers):
    one query for a whole list, for the byline and the rules (``rules.accepted_coauthor_ids``)."""
    from .models import IdeaCoauthor

    accepted = (
        IdeaCoauthor.objects.filter(status=IdeaCoauthor.State.ACCEPTED)
        .select_related("user__reputation_total")
        .order_by("responded_at", "id")
    )
    return ideas.prefetch_related(Prefetch("coauthors", queryset=accepted, to_attr="accepted_coauthors"))


def idea_coauthors_for_author(idea: Idea) -> list:
    """The co-authors and open invitations the main author manages, oldest first (addresses included:
    the main author typed them)."""
    from .models import IdeaCoauthor

    return list(
        IdeaCoauthor.objects.filter(idea=idea, status__in=[IdeaCoauthor.State.INVITED, IdeaCoauthor.State.ACCEPTED])
        .select_related("user")
        .order_by("created_at", "id")
    )


MEMBER_SEARCH_LIMIT = 10


def members_by_name(text: str, *, exclude_ids: Iterable[int] = ()) -> list:
    """Members whose shown name contains ``text`` (never matched on, or showing, an email address):
    active, not erased, with a public profile (a member who hides theirs is invited by email)."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            display_name__icontains=text.strip(), is_active=True, erased_at__isnull=True, profile_public=True
        )
        .exclude(pk__in=list(exclude_ids))
        .only("id", "display_name")
        .order_by("display_name", "id")[:MEMBER_SEARCH_LIMIT]
    )


def coauthored_ideas_q(user: User) -> Q:
    """Ideas the member co-authors (accepted): the SQL twin of being a co-author in ``rules.is_idea_author``."""
    from .models import IdeaCoauthor

    return Q(Exists(IdeaCoauthor.objects.filter(idea_id=OuterRef("pk"), user=user, status=IdeaCoauthor.State.ACCEPTED)))


def idea_authors(idea: Idea) -> list:
    """The idea's main author and its accepted co-authors who are active members, main author first:
    who hears what the author hears (notifications of ideas and of mentoring)."""
    from .models import IdeaCoauthor

    coauthors = IdeaCoauthor.objects.filter(
        idea=idea, status=IdeaCoauthor.State.ACCEPTED, user__is_active=True
    ).select_related("user")
    return [idea.author, *(c.user for c in coauthors.order_by("responded_at", "id"))]
