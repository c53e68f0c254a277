"""Who may do what with impact follow-ups. Their results are as public as the idea they measure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.rules import is_triage
from core.funnel import Status

if TYPE_CHECKING:
    from accounts.types import Visitor
    from ideas.models import Idea


def can_manage_follow_ups(user: Visitor) -> bool:
    """Triage staff schedule and close follow-up surveys."""
    return is_triage(user)


def can_schedule_follow_up(user: Visitor, idea: Idea) -> bool:
    """Triage staff, on an implemented idea (whether one is already under way is the service's check)."""
    return can_manage_follow_ups(user) and idea.status == Status.IMPLEMENTED
