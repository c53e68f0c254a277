"""Template helpers: Markdown rendered and sanitised, status badges."""

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


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    """Render user Markdown to HTML that nh3 sanitised: no script, handler or javascript: URL survives."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


@register.filter
def dict_get(mapping, key):
    return mapping.get(key) if mapping else None
