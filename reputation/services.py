"""Awarding reputation, rebuilding the totals, and the tiers read from them."""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Func, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Kind, ReputationEvent, ReputationTotal

# The points table (shown on the help page, reputation/points/).
POINTS: dict[str, int] = {
    Kind.IDEA_SUBMITTED: 5,
    Kind.IDEA_SHORTLISTED: 20,
    Kind.IDEA_FINALIST: 50,
    Kind.IDEA_WINNER: 100,
    Kind.IDEA_IMPLEMENTED: 150,
    Kind.COMMENT_KUDOS: 2,
    Kind.SURVEY_COMPLETED: 10,
}

# A status an idea reaches → the award its author gets.
STATUS_AWARDS: dict[str, str] = {
    "shortlisted": Kind.IDEA_SHORTLISTED,
    "finalist": Kind.IDEA_FINALIST,
    "winner": Kind.IDEA_WINNER,
    "implemented": Kind.IDEA_IMPLEMENTED,
}

SHORTLISTED_KINDS = (Kind.IDEA_SHORTLISTED,)
TOP_RESULT_KINDS = (Kind.IDEA_WINNER, Kind.IDEA_IMPLEMENTED)
TOP_SHARE = 100  # the top 1%: fewer than (ranked members // 100) members have more points


class Tier:
    NEWCOMER = "newcomer"
    CONTRIBUTOR = "contributor"
    INNOVATOR = "innovator"
    LEAD_INNOVATOR = "lead innovator"


TIERS = [
    (Tier.NEWCOMER, "No points yet."),
    (Tier.CONTRIBUTOR, "Has earned points: submitted an idea, completed a survey, or had a comment given kudos."),
    (Tier.INNOVATOR, "At least one idea shortlisted."),
    (
        Tier.LEAD_INNOVATOR,
        "An idea that won or was implemented, or points in the top 1% of members (with 100 or more members ranked).",
    ),
]


def _counters(kind: str) -> dict:
    return {
        "ideas_shortlisted": 1 if kind in SHORTLISTED_KINDS else 0,
        "ideas_won_or_implemented": 1 if kind in TOP_RESULT_KINDS else 0,
    }


@transaction.atomic
def reputation_award(*, user, kind: str, object_key: str, points: int | None = None, actor=None) -> bool:
    """Award ``user`` for ``kind`` on ``object_key`` once; returns whether this call awarded it.

    The unique constraint on (user, kind, object_key) makes a second award (a retry, a race) a no-op.
    ``actor`` is whoever caused the award: no points for one's own actions on one's own content.
    """
    if user is None or (actor is not None and actor.pk == user.pk):
        return False
    points = POINTS[kind] if points is None else points
    try:
        with transaction.atomic():
            ReputationEvent.objects.create(user=user, kind=kind, object_key=object_key, points=points)
    except IntegrityError:
        return False
    ReputationTotal.objects.bulk_create([ReputationTotal(user=user)], ignore_conflicts=True)
    counters = _counters(kind)
    ReputationTotal.objects.filter(user=user).update(
        points=F("points") + points, **{name: F(name) + step for name, step in counters.items() if step}
    )
    return True


def idea_status_award(*, idea, to_status: str, changed_by) -> bool:
    """Award the idea's author for reaching a status that earns points (none for deciding on one's own idea)."""
    kind = STATUS_AWARDS.get(str(to_status))
    if kind is None:
        return False
    return reputation_award(user=idea.author, kind=kind, object_key=f"idea:{idea.pk}", actor=changed_by)


def idea_submitted_award(*, idea) -> bool:
    """Award the author of an idea that has just been submitted (a draft earns nothing yet)."""
    if idea.status != "submitted":
        return False
    return reputation_award(user=idea.author, kind=Kind.IDEA_SUBMITTED, object_key=f"idea:{idea.pk}")


def kudos_award(*, comment, giver) -> bool:
    """Award a comment's author for one member's kudos, once per giver (taking it back and again earns nothing)."""
    return reputation_award(
        user=comment.author, kind=Kind.COMMENT_KUDOS, object_key=f"comment:{comment.pk}/by:{giver.pk}", actor=giver
    )


def survey_completed_award(*, user, job) -> bool:
    """Award a member who answered every outcome of a job's survey (the caller checked it)."""
    return reputation_award(user=user, kind=Kind.SURVEY_COMPLETED, object_key=f"job:{job.pk}")


@transaction.atomic
def reputation_rebuild() -> int:
    """Recompute every member's totals from the events, in one GROUP BY; returns the totals written.

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
    )
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


def standing_for(user) -> Standing | None:
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


def tier_for(user) -> str:
    if user is None or not getattr(user, "pk", None):
        return Tier.NEWCOMER
    return tier_for_standing(standing_for(user))
