"""The refusals of ideas.services: each message is for the person who tried."""

__all__ = ["CommentNotAllowed", "IdeaError", "SubmissionNotAllowed", "TransitionNotAllowed", "VoteNotAllowed"]


class IdeaError(Exception):
    """A refused action on an idea; the message is for the person who tried it."""


class VoteNotAllowed(IdeaError):
    pass


class CommentNotAllowed(IdeaError):
    pass


class SubmissionNotAllowed(IdeaError):
    pass


class TransitionNotAllowed(IdeaError):
    pass
