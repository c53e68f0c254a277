"""Who may do what with the questionnaire and the innovator pool."""

from accounts.rules import is_member, is_triage


def can_answer_questionnaire(user) -> bool:
    """Members answer the questionnaire; staff only preview it (their answers would not mean anything)."""
    return is_member(user)


def can_manage_questionnaires(user) -> bool:
    """Triage staff write the questionnaires and read the responses."""
    return is_triage(user)


def can_use_innovator_pool(user) -> bool:
    """The pool shows members' track records, scores and emails: triage staff only."""
    return is_triage(user)


def can_invite_innovators(user) -> bool:
    return is_triage(user)
