"""Read queries of a challenge's results: where each of its ideas ended and why (the challenge page
and its results page in ``pages`` call them). They read the ideas' statuses and history, so they
live with the ideas, not in challenges (which sits below ideas)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Subquery

from challenges.models import Challenge
from core.funnel import RESULT_ORDER, WINNER_STATUSES, Status

from .models import Idea, StatusChange
from .rules import visible_ideas_q
from .selectors import with_coauthors

if TYPE_CHECKING:
    from accounts.types import Visitor


# Where an idea ended, best first: the order of the results table.
# (core.funnel: RESULT_ORDER; a winner stays a winner when its implementation starts and ends: WINNER_STATUSES.)


@dataclass
class ChallengeResults:
    """The published ideas of a challenge and where each ended, with ``reason`` and ``reached_final``."""

    ideas: list[Idea] = field(default_factory=list)

    @property
    def winners(self) -> list[Idea]:
        return [idea for idea in self.ideas if idea.status in WINNER_STATUSES]

    @property
    def finalists(self) -> list[Idea]:
        """Ideas that reached the final and did not win (still finalists, or not selected there)."""
        return [
            idea for idea in self.ideas if getattr(idea, "reached_final", False) and idea.status not in WINNER_STATUSES
        ]

    @property
    def has_winner(self) -> bool:
        return bool(self.winners)


def challenge_results(user: Visitor, *, challenge: Challenge) -> ChallengeResults:
    """Every published idea of the challenge the user may see, in one query, best result first.

    Each idea carries ``reason``: the reason of the status change that gave it its current status
    (reasons are public: the idea page shows them to everyone), and ``reached_final``: whether it was
    ever a finalist.
    """
    latest_reason = (
        StatusChange.objects.filter(idea=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-created_at", "-id")
        .values("reason")[:1]
    )
    reached_final = StatusChange.objects.filter(idea=OuterRef("pk"), to_status=Status.FINALIST)
    ideas = list(
        with_coauthors(
            Idea.objects.filter(visible_ideas_q(user), challenge=challenge)
            .published()
            .select_related("author", "duplicate_of")
            .annotate(reason=Subquery(latest_reason), reached_final=Exists(reached_final))
            .by_support()
        )
    )
    rank = {status: index for index, status in enumerate(RESULT_ORDER)}
    # Stable: within a status, most supported first (the query's order).
    ideas.sort(key=lambda idea: (rank.get(idea.status, len(rank)), not idea.reached_final))
    return ChallengeResults(ideas=ideas)
