"""Who may do what with the outcome surveys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.rules import is_triage

if TYPE_CHECKING:
    from accounts.types import Visitor


def can_answer_survey(user: Visitor) -> bool:
    """Any signed-in, active member answers surveys (as themselves: answers are per member)."""
    return user.is_authenticated and user.is_active


def can_share_survey(user: Visitor) -> bool:
    """Triage staff see a survey's shareable link (it asks a non-member to sign up first)."""
    return is_triage(user)


def can_view_landscape(user: Visitor) -> bool:
    """The landscape is for triage staff; customers see scores only on challenges that publish them."""
    return is_triage(user)
