"""The refusals of ideas.services: each message is for the person who tried."""

from core.errors import DomainError

__all__ = [
    "CommentNotAllowed",
    "IdeaError",
    "MergeNotUndoable",
    "StaleDecision",
    "SubmissionNotAllowed",
    "TransitionNotAllowed",
    "VoteNotAllowed",
    "stale_decision_message",
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


def stale_decision_message(status: str) -> str:
    from ..models import Status

    return f"This idea changed since you opened it: it is now {Status(status).label.lower()}."
