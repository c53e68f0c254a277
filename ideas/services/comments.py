"""Comments on ideas."""

from django.db import transaction
from django.db.models import F

from .. import rules
from ..models import Comment, Idea
from .errors import CommentNotAllowed

__all__ = ["comment_create"]


@transaction.atomic
def comment_create(*, author, idea: Idea, body: str) -> Comment:
    """Add a comment; raises CommentNotAllowed with the reason."""
    refusal = rules.comment_refusal(author, idea)
    if refusal:
        raise CommentNotAllowed(refusal)
    body = body.strip()
    if not body:
        raise CommentNotAllowed("A comment cannot be empty.")
    comment = Comment.objects.create(idea=idea, author=author, body=body)
    Idea.objects.filter(pk=idea.pk).update(comments_count=F("comments_count") + 1)
    return comment
