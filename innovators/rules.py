"""Who may do what with the questionnaire and the innovator pool."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.rules import is_member, is_triage

if TYPE_CHECKING:
    from accounts.types import Visitor


def can_answer_questionnaire(user: Visitor) -> bool:
    """Members answer the questionnaire; staff only preview it (their answers would not mean anything)."""
    return is_member(user)


def can_manage_questionnaires(user: Visitor) -> bool:
    """Triage staff write the questionnaires and read the responses."""
    return is_triage(user)


def can_use_innovator_pool(user: Visitor) -> bool:
    """The pool shows members' track records, scores and emails: triage staff only."""
    return is_triage(user)


def can_invite_innovators(user: Visitor) -> bool:
    return is_triage(user)
