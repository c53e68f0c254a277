"""The refusals of ideas.services: each message is for the person who tried."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.funnel import status_word

__all__ = [
    "CommentNotAllowed",
    "IdeaError",
    "MergeNotUndoable",
    "StaleDecision",
    "SubmissionNotAllowed",
    "TransitionNotAllowed",
    "VoteNotAllowed",
    "stale_decision_message",
    "status_in_sentence",
]


class IdeaError(DomainError):
    """A refused action on an idea; the message is for the person who tried it."""


class VoteNotAllowed(IdeaError):
    pass


class CommentNotAllowed(IdeaError):
    pass


class SubmissionNotAllowed(IdeaError):
    pass


class TransitionNotAllowed(IdeaError):
    pass


class MergeNotUndoable(IdeaError):
    """A merge that cannot be undone (undone already, or its original has moved on)."""


class StaleDecision(TransitionNotAllowed):
    """A decision based on a state the idea has left: someone else decided first. Nothing was changed."""


# One whole sentence per status, so each language words it its own way.
STALE_DECISION_MESSAGES = {
    "draft": _("This idea changed since you opened it: it is now draft."),
    "submitted": _("This idea changed since you opened it: it is now submitted."),
    "under_review": _("This idea changed since you opened it: it is now under review."),
    "shortlisted": _("This idea changed since you opened it: it is now shortlisted."),
    "in_mentoring": _("This idea changed since you opened it: it is now in mentoring."),
    "finalist": _("This idea changed since you opened it: it is now finalist."),
    "winner": _("This idea changed since you opened it: it is now winner."),
    "in_progress": _("This idea changed since you opened it: it is now in progress."),
    "implemented": _("This idea changed since you opened it: it is now implemented."),
    "declined": _("This idea changed since you opened it: it is now declined."),
    "not_selected": _("This idea changed since you opened it: it is now not selected."),
    "duplicate": _("This idea changed since you opened it: it is now duplicate."),
    "withdrawn": _("This idea changed since you opened it: it is now withdrawn."),
}


def stale_decision_message(status: str) -> str:
    """The refusal in the active language (call it where the error is raised)."""
    return str(STALE_DECISION_MESSAGES[str(status)])


def status_in_sentence(status: str) -> str:
    """A status named inside a sentence ("“Title” is declined: it cannot become winner."), where the
    sentence names two of them: lower case in English (core.funnel.status_word)."""
    return status_word(str(status))
