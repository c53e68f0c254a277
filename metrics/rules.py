"""Who may see the program metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.rules import is_triage

if TYPE_CHECKING:
    from accounts.types import Visitor


def can_view_metrics(user: Visitor) -> bool:
    """Triage staff only: the figures name no one, but they are the team's own scorecard."""
    return is_triage(user)
