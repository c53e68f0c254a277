"""Template helpers: Markdown rendered and sanitised (or as plain text), status badges."""

import functools
import html
import threading

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# What user Markdown may produce: text formatting, lists, quotes, code and links, nothing active.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    """One Markdown converter per thread, reset between texts: building one (its extensions and
    processors) cost more than converting a comment, on a page of fifty of them."""
    if not hasattr(_local, "converter"):
        _local.converter = markdown_lib.Markdown(extensions=["sane_lists"], output_format="html")
    return _local.converter


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """User Markdown as HTML that nh3 sanitised: no script, handler or javascript: URL survives.

    Kept per process for the last 4,096 texts: the same comments are rendered for every visitor."""
    html = _converter().reset().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3 in render_markdown


@functools.lru_cache(maxsize=4096)
def markdown_plain(text: str) -> str:
    """User Markdown as one line of plain text: no markup, no tags, entities decoded, spaces collapsed.

    For the places that show a text without its formatting (a list card's summary, a notification in
    a list or a menu, an email's subject): "**Great** idea, see [this](https://…)" reads "Great idea,
    see this". The result is text, to be escaped like any other (autoescape does it in templates)."""
    stripped = nh3.clean(render_markdown(text or ""), tags=set())  # the text of every tag, escaped
    return " ".join(html.unescape(stripped).split())


@register.filter(name="markdown_plain")
def markdown_plain_filter(text: str) -> str:
    """``{{ idea.problem|markdown_plain|truncatechars:280 }}``, ``{{ notification.title|markdown_plain }}``:
    Markdown stripped to plain text (cards, notifications, the bell's menu, emails)."""
    return markdown_plain(text or "")


@register.filter
def dict_get(mapping, key):
    return mapping.get(key) if mapping else None
