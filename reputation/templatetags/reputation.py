"""{% tier_badge user %}: a small badge with the member's tier, beside their name."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ..services import tier_for

register = template.Library()


@register.simple_tag
def tier_badge(user):
    """One query (the member's totals and rank together). Use it where one name is shown, not in lists."""
    tier = tier_for(user)
    return format_html(
        '<a class="tag tier-badge" href="{}" title="Reputation tier: {}" aria-label="Reputation tier: {}">{}</a>',
        reverse("reputation:points"),
        tier,
        tier,
        tier,
    )
