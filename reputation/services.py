"""Awarding reputation, rebuilding the totals, and the tiers read from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.db.models import Case, Count, F, Func, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.funnel import Status

from .models import Kind, LeadThreshold, ReputationEvent, ReputationTotal, Tier

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    from accounts.models import User
    from challenges.models import Job
    from ideas.models import Comment, Idea
    from reviews.models import RevisionRequest


# The points table (shown on the help page, reputation/points/).
POINTS: dict[str, int] = {
    Kind.IDEA_SUBMITTED: 5,
    Kind.IDEA_SHORTLISTED: 20,
    Kind.IDEA_FINALIST: 50,
    Kind.IDEA_WINNER: 100,
    Kind.IDEA_IMPLEMENTED: 150,
    Kind.COMMENT_KUDOS: 2,
    Kind.SURVEY_COMPLETED: 10,
    Kind.VOTE_RECEIVED: 1,
    Kind.REVISION_ANSWERED: 10,
    Kind.IMPROVEMENT_MEASURED: 100,
}

# Up-votes received earn points for an idea's first VOTES_CAP_PER_IDEA up-votes only.
VOTES_CAP_PER_IDEA = 25

# A status an idea reaches → the award its author gets.
STATUS_AWARDS: dict[str, str] = {
    Status.SHORTLISTED: Kind.IDEA_SHORTLISTED,
    Status.FINALIST: Kind.IDEA_FINALIST,
    Status.WINNER: Kind.IDEA_WINNER,
    Status.IMPLEMENTED: Kind.IDEA_IMPLEMENTED,
}

SHORTLISTED_KINDS = (Kind.IDEA_SHORTLISTED,)
TOP_RESULT_KINDS = (Kind.IDEA_WINNER, Kind.IDEA_IMPLEMENTED)
TOP_SHARE = 100  # the top 1%: fewer than (ranked members // 100) members have more points


TIERS = [
    (Tier.NEWCOMER, _("No points yet.")),
    (
        Tier.CONTRIBUTOR,
        _(
            "Has earned points: submitted an idea, completed a survey, answered a revision request, or received "
            "kudos or up-votes."
        ),
    ),
    (Tier.INNOVATOR, _("At least one idea shortlisted.")),
    (
        Tier.LEAD_INNOVATOR,
        _("An idea that won or was implemented, or points in the top 1% of members (with 100 or more members ranked)."),
    ),
]


def _counters(kind: str) -> dict:
    return {
        "ideas_shortlisted": 1 if kind in SHORTLISTED_KINDS else 0,
        "ideas_won_or_implemented": 1 if kind in TOP_RESULT_KINDS else 0,
    }


LEAD_THRESHOLD_PK = 1


def _lead_threshold_compute() -> int | None:
    ranked = ReputationTotal.objects.filter(points__gt=0)
    places = ranked.count() // TOP_SHARE
    if not places:
        return None
    return ranked.order_by("-points").values_list("points", flat=True)[places - 1] or None


def lead_threshold(*, fresh: bool = False) -> int | None:
    """The fewest points that place a member in the top 1% (None below 100 ranked members).

    ``members_above < ranked // 100`` (tier_for_standing) holds exactly when the member has at least
    the points of the (ranked // 100)-th member by points. Stored in the database (LeadThreshold),
    never the cache, so that a write transaction can read it with Redis down; ``fresh`` computes it
    from the totals and stores it (the rebuild does).
    """
    if not fresh:
        stored = LeadThreshold.objects.filter(pk=LEAD_THRESHOLD_PK).first()
        if stored is not None:
            return stored.points
    threshold = _lead_threshold_compute()
    LeadThreshold.objects.update_or_create(
        pk=LEAD_THRESHOLD_PK, defaults={"points": threshold, "computed_at": timezone.now()}
    )
    return threshold


def _lead_threshold_subquery():
    """The stored threshold as a subquery (NULL when none is stored): the awards' UPDATE reads it itself."""
    return Subquery(LeadThreshold.objects.filter(pk=LEAD_THRESHOLD_PK).values("points")[:1])


def tier_expression(
    *, points: Combinable, shortlisted: Combinable, won: Combinable, threshold: Combinable | None
) -> Case:
    """The SQL twin of tier_for_standing, over a total's columns (or expressions of them)."""
    lead: Q | GreaterThan = GreaterThan(won, 0)
    if threshold is not None:
        lead = Q(lead) | Q(GreaterThanOrEqual(points, threshold))
    return Case(
        When(LessThanOrEqual(points, 0), then=Value(Tier.NEWCOMER)),
        When(lead, then=Value(Tier.LEAD_INNOVATOR)),
        When(GreaterThan(shortlisted, 0), then=Value(Tier.INNOVATOR)),
        default=Value(Tier.CONTRIBUTOR),
    )


def _tier_update(queryset, *, threshold, step_points: int = 0, step_shortlisted: int = 0, step_won: int = 0):
    """Move the totals in ``queryset`` by the steps and set their tier from the new values, in one UPDATE."""
    points = F("points") + step_points
    shortlisted = F("ideas_shortlisted") + step_shortlisted
    won = F("ideas_won_or_implemented") + step_won
    return queryset.update(
        points=points,
        ideas_shortlisted=shortlisted,
        ideas_won_or_implemented=won,
        tier=tier_expression(points=points, shortlisted=shortlisted, won=won, threshold=threshold),
    )


def _event_insert(*, user_id: int, kind: str, object_key: str, points: int, challenge_id: int | None) -> bool:
    """Insert the event unless (user, kind, object key) has one; whether it inserted. One statement,
    no savepoint: ``ON CONFLICT DO NOTHING`` on the unique constraint (PostgreSQL and SQLite)."""
    table = ReputationEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("user_id", "kind", "object_key", "points", "challenge_id", "created_at") '
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [user_id, kind, object_key, points, challenge_id, timezone.now()],
        )
        return cursor.rowcount == 1


@transaction.atomic(savepoint=False)
def reputation_award(
    *,
    user: User,
    kind: str,
    object_key: str,
    points: int | None = None,
    actor: User | None = None,
    challenge_id: int | None = None,
) -> bool:
    """Award ``user`` for ``kind`` on ``object_key`` once; returns whether this call awarded it.

    The unique constraint on (user, kind, object_key) makes a second award (a retry, a race) a no-op.
    ``actor`` is whoever caused the award: no points for one's own actions on one's own content.
    ``challenge_id`` is the challenge it came from, for the leaderboards. The member's totals and
    cached tier move in one UPDATE. Two statements for a member who has totals already (an up-vote
    runs this on the voting request).
    """
    if user is None or (actor is not None and actor.pk == user.pk):
        return False
    points = POINTS[kind] if points is None else points
    if not _event_insert(user_id=user.pk, kind=kind, object_key=object_key, points=points, challenge_id=challenge_id):
        return False
    counters = _counters(kind)
    steps = {
        # Read by the UPDATE itself from the database: no query of its own, and no cache read in the
        # caller's write transaction (the vote's, the status change's).
        "threshold": _lead_threshold_subquery(),
        "step_points": points,
        "step_shortlisted": counters["ideas_shortlisted"],
        "step_won": counters["ideas_won_or_implemented"],
    }
    if not _tier_update(ReputationTotal.objects.filter(user=user), **steps):
        ReputationTotal.objects.bulk_create([ReputationTotal(user=user)], ignore_conflicts=True)
        _tier_update(ReputationTotal.objects.filter(user=user), **steps)
    return True


# --- an idea's authors: the main author and the co-authors ideas registers -------------------------

# ideas (above this app) registers the function that lists an idea's accepted co-authors' ids
# (``IdeasConfig.ready()``); without it, an idea's awards go to its main author alone.
_coauthor_ids_providers: list[Callable[[Idea], list[int]]] = []


def idea_coauthors_provider_register(provider: Callable[[Idea], list[int]]) -> None:
    if provider not in _coauthor_ids_providers:
        _coauthor_ids_providers.append(provider)


def idea_credited_ids(idea: Idea) -> list[int]:
    """Who shares the idea's awards: its main author first, then each accepted co-author, once each."""
    ids = [idea.author_id]
    for provider in _coauthor_ids_providers:
        ids += [pk for pk in provider(idea) if pk not in ids]
    return ids


def _member(pk: int) -> User:
    """A member by id for ``reputation_award``, which reads only the id: no query."""
    return get_user_model()(pk=pk)


def _award_idea_authors(*, idea: Idea, kind: str, object_key: str, actor: User | None = None) -> bool:
    """The same award, keyed the same, to each of the idea's authors: once each (the unique
    constraint on (member, kind, key)). Whether the main author was awarded."""
    awarded = [
        reputation_award(
            user=_member(pk), kind=kind, object_key=object_key, actor=actor, challenge_id=idea.challenge_id
        )
        for pk in idea_credited_ids(idea)
    ]
    return awarded[0]


def idea_awards_share(*, idea: Idea, member: User) -> int:
    """A co-author who joins an idea receives the awards it has earned so far, once each: the main
    author's events keyed on the idea (submission and its reversals, statuses reached, up-votes),
    with the same keys, so a later award of the same kind and key finds theirs there. Returns how
    many events were added. Awards keyed on something else (a revision request answered) stay with
    whoever earned them.
    """
    key = f"idea:{idea.pk}"
    events = (
        ReputationEvent.objects.filter(user_id=idea.author_id)
        .filter(Q(object_key=key) | Q(object_key__startswith=f"{key}/"))
        .order_by("created_at", "id")
    )
    return sum(
        reputation_award(
            user=member, kind=e.kind, object_key=e.object_key, points=e.points, challenge_id=e.challenge_id
        )
        for e in events
    )


def idea_status_award(*, idea: Idea, to_status: str, changed_by: User) -> bool:
    """Award the idea's authors for reaching a status that earns points (none for deciding on one's own idea)."""
    kind = STATUS_AWARDS.get(str(to_status))
    if kind is None:
        return False
    return _award_idea_authors(idea=idea, kind=kind, object_key=f"idea:{idea.pk}", actor=changed_by)


def idea_submitted_award(*, idea: Idea) -> bool:
    """Award the authors of an idea that has just been submitted (a draft earns nothing yet)."""
    if idea.status != "submitted":
        return False
    return _award_idea_authors(idea=idea, kind=Kind.IDEA_SUBMITTED, object_key=f"idea:{idea.pk}")


def idea_submitted_reversal(*, idea: Idea) -> bool:
    """Take back the submission award of an idea that was withdrawn or merged as a duplicate.

    A new event with the negative of the points the idea's submission holds now (the ledger stays
    append-only), so it happens at most once per award; nothing when there was no award or it was
    taken back already. Submitting another idea earns its own award, and withdrawing that one takes
    it back too: nothing to farm. Each co-author's share is taken back the same way. The caller
    holds the idea's row lock.
    """
    return _submission_points_take_all(idea) > 0


def _submission_points_net(idea, member_id: int) -> int:
    key = f"idea:{idea.pk}"
    kinds = [Kind.IDEA_SUBMITTED, Kind.IDEA_SUBMITTED_REVERSED, Kind.IDEA_MERGE_UNDONE]
    events = ReputationEvent.objects.filter(user_id=member_id, kind__in=kinds).filter(
        Q(object_key=key) | Q(object_key__startswith=f"{key}/")
    )
    return events.aggregate(net=Sum("points"))["net"] or 0


def _submission_points_take(idea, member_id: int) -> int:
    net = _submission_points_net(idea, member_id)
    if net <= 0:
        return 0
    key = f"idea:{idea.pk}"
    # The first reversal keeps the idea's own key; one after an undone merge gets a key of its own.
    earlier = ReputationEvent.objects.filter(
        user_id=member_id, kind=Kind.IDEA_SUBMITTED_REVERSED, object_key__startswith=key
    ).count()
    if earlier:
        key = f"{key}/again:{earlier}"
    taken = reputation_award(
        user=_member(member_id),
        kind=Kind.IDEA_SUBMITTED_REVERSED,
        object_key=key,
        points=-net,
        challenge_id=idea.challenge_id,
    )
    return net if taken else 0


def _submission_points_take_all(idea) -> int:
    """Take each author's submission points back; what the main author gave back."""
    taken = [_submission_points_take(idea, pk) for pk in idea_credited_ids(idea)]
    return taken[0]


def idea_merge_points_take(*, idea: Idea) -> int:
    """A merge as a duplicate takes the submission points back; how many (for ``idea_merge_points_restore``)."""
    return _submission_points_take_all(idea)


def idea_merge_points_restore(*, idea: Idea, merge_id: int, points: int) -> bool:
    """An undone merge gives back the ``points`` it took, once per merge (keyed on it), to each author."""
    if points <= 0:
        return False
    awarded = [
        reputation_award(
            user=_member(pk),
            kind=Kind.IDEA_MERGE_UNDONE,
            object_key=f"idea:{idea.pk}/merge:{merge_id}",
            points=points,
            challenge_id=idea.challenge_id,
        )
        for pk in idea_credited_ids(idea)
    ]
    return awarded[0]


def kudos_award(*, comment: Comment, giver: User) -> bool:
    """Award a comment's author for one member's kudos, once per giver (taking it back and again earns nothing)."""
    return reputation_award(
        user=comment.author,
        kind=Kind.COMMENT_KUDOS,
        object_key=f"comment:{comment.pk}/by:{giver.pk}",
        actor=giver,
        challenge_id=comment.idea.challenge_id,
    )


def vote_received_award(*, idea: Idea, voter: User, votes_up: int) -> bool:
    """Award the authors for an idea's up-vote number ``votes_up`` (its count just after the vote).

    Keyed on the count, not the voter: only counts 1..VOTES_CAP_PER_IDEA earn, each once, so the
    cap holds by construction and voting up, taking it back and voting up again earns nothing new.
    The caller holds the idea's row lock, so the count is exact.
    """
    if not 1 <= votes_up <= VOTES_CAP_PER_IDEA:
        return False
    return _award_idea_authors(
        idea=idea, kind=Kind.VOTE_RECEIVED, object_key=f"idea:{idea.pk}/up:{votes_up}", actor=voter
    )


def revision_answered_award(*, request: RevisionRequest) -> bool:
    """Award the author who answered a mentor's revision request with a new version."""
    idea = request.idea
    return reputation_award(
        user=idea.author,
        kind=Kind.REVISION_ANSWERED,
        object_key=f"revision:{request.pk}",
        actor=request.mentor,
        challenge_id=idea.challenge_id,
    )


def improvement_measured_award(*, idea: Idea) -> bool:
    """Award the author of an implemented idea whose follow-up survey measured an improvement (once per idea)."""
    return reputation_award(
        user=idea.author, kind=Kind.IMPROVEMENT_MEASURED, object_key=f"idea:{idea.pk}", challenge_id=idea.challenge_id
    )


def survey_completed_award(*, user: User, job: Job, wave_id: int | None = None) -> bool:
    """Award a member who answered every outcome of a job's survey (the caller checked it).

    Once per job for its survey rounds; once more per follow-up wave (``wave_id``) a member answers.
    """
    object_key = f"job:{job.pk}" if wave_id is None else f"wave:{wave_id}"
    return reputation_award(user=user, kind=Kind.SURVEY_COMPLETED, object_key=object_key)


@transaction.atomic
def reputation_rebuild() -> int:
    """Recompute every member's totals and tier from the events, in one GROUP BY; returns the totals written.

    On PostgreSQL the events table is locked in SHARE mode until commit, so an award cannot slip
    between the aggregate and the write and be lost. Safe to run twice: it overwrites.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{ReputationEvent._meta.db_table}" IN SHARE MODE')
    rows = (
        ReputationEvent.objects.order_by()
        .values("user_id")
        .annotate(
            total_points=Sum("points"),
            shortlisted=Count("pk", filter=Q(kind__in=SHORTLISTED_KINDS)),
            top_results=Count("pk", filter=Q(kind__in=TOP_RESULT_KINDS)),
        )
    )
    totals = [
        ReputationTotal(
            user_id=row["user_id"],
            points=row["total_points"],
            ideas_shortlisted=row["shortlisted"],
            ideas_won_or_implemented=row["top_results"],
        )
        for row in rows
    ]
    ReputationTotal.objects.exclude(user_id__in=[t.user_id for t in totals]).delete()
    ReputationTotal.objects.bulk_create(
        totals,
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["points", "ideas_shortlisted", "ideas_won_or_implemented"],
        batch_size=5000,
    )
    _tier_update(ReputationTotal.objects.all(), threshold=lead_threshold(fresh=True))
    return len(totals)


@dataclass(frozen=True)
class Standing:
    points: int
    ideas_shortlisted: int
    ideas_won_or_implemented: int
    members_above: int
    members_ranked: int


def tier_for_standing(standing: Standing | None) -> str:
    """The tier from the track record: results first, then points."""
    if standing is None or standing.points == 0:
        return Tier.NEWCOMER
    top_places = standing.members_ranked // TOP_SHARE
    if standing.ideas_won_or_implemented or standing.members_above < top_places:
        return Tier.LEAD_INNOVATOR
    if standing.ideas_shortlisted:
        return Tier.INNOVATOR
    return Tier.CONTRIBUTOR


def _count(queryset):
    return Subquery(queryset.order_by().annotate(n=Func(Value(1), function="COUNT")).values("n")[:1])


def standing_for(user: User) -> Standing | None:
    """The member's totals and rank, in one query; None without any award."""
    ranked = ReputationTotal.objects.filter(points__gt=0).annotate(one=Value(1)).values("one")
    above = ReputationTotal.objects.filter(points__gt=OuterRef("points")).annotate(one=Value(1)).values("one")
    row = (
        ReputationTotal.objects.filter(user_id=user.pk)
        .annotate(members_above=Coalesce(_count(above), 0), members_ranked=Coalesce(_count(ranked), 0))
        .values("points", "ideas_shortlisted", "ideas_won_or_implemented", "members_above", "members_ranked")
        .first()
    )
    return Standing(**row) if row else None


def tier_for(user: User) -> str:
    """The member's tier computed now from their standing (one query); lists read the cached tier_of."""
    if user is None or not getattr(user, "pk", None):
        return Tier.NEWCOMER
    return tier_for_standing(standing_for(user))


def tier_of(user: User) -> str:
    """The member's cached tier: no query when the caller selected ``reputation_total`` with the user."""
    if user is None or not getattr(user, "pk", None):
        return Tier.NEWCOMER
    try:
        return user.reputation_total.tier
    except ObjectDoesNotExist:
        return Tier.NEWCOMER
