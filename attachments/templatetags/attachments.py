"""``{% load attachments %}``: the files the idea page and its comments show, one query a page."""

from django import template

from .. import selectors
from ..content import human_size
from ..selectors import IdeaFiles

register = template.Library()


def _files_of(context, idea_id: int) -> IdeaFiles:
    """The idea's files, read once per request however many comments ask (the idea page has
    already checked that the viewer sees the idea)."""
    request = context.get("request")
    cache = getattr(request, "_attachments_by_idea", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._attachments_by_idea = cache
    if idea_id not in cache:
        cache[idea_id] = selectors.idea_files(idea_id)
    return cache[idea_id]


@register.simple_tag(takes_context=True)
def idea_files(context, idea) -> IdeaFiles:
    return _files_of(context, idea.pk)


@register.simple_tag(takes_context=True)
def comment_files(context, comment) -> list:
    return _files_of(context, comment.idea_id).by_comment.get(comment.pk, [])


@register.simple_tag
def version_files(diff) -> list:
    """The files of the two versions a diff compares (the versions page; only the author and staff see it)."""
    return selectors.version_files_compared(diff["old"], diff["new"])


@register.filter
def filesize(size: int) -> str:
    return human_size(size or 0)
