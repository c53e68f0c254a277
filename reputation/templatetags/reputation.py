"""Reputation in templates: a member's name with their tier badge, linked to their profile when the viewer may see it.

Both read the tier cached on the member's totals (``tier_of``): select ``author__reputation_total``
with the rows and a list shows badges without a query per row. Staff (``accounts.rules``) wear a
"Team" badge instead: they earn no tier, and their staff flags are on the user row (no query).
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from accounts.rules import is_staff_member

from ..models import Tier
from ..rules import can_view_profile
from ..services import tier_of

register = template.Library()


@register.simple_tag
def tier_badge(user):
    """The member's reputation tier, or "Team" for staff (who never wear a newcomer or tier badge)."""
    if is_staff_member(user):
        return format_html(
            '<span class="tag team-badge" data-testid="team-badge" title="{}">{}</span>',
            gettext("A member of the portal’s team"),
            pgettext("badge", "Team"),
        )
    tier = tier_label(tier_of(user))
    described = gettext("Reputation tier: %(tier)s") % {"tier": tier}
    return format_html(
        '<a class="tag tier-badge" data-testid="tier-badge" href="{}" title="{}" aria-label="{}">{}</a>',
        reverse("reputation:points"),
        described,
        described,
        tier,
    )


@register.filter
def tier_label(tier) -> str:
    """A tier's name in the reader's language (a tier is stored by its English value)."""
    try:
        return str(Tier(tier).label)
    except ValueError:
        return str(tier)


@register.simple_tag(takes_context=True)
def member(context, user):
    """The member's public name (a link to their profile if the viewer may see it) and tier badge."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if can_view_profile(viewer, user):
        name = format_html('<a href="{}">{}</a>', reverse("reputation:profile", args=[user.pk]), user.public_name)
    else:
        name = format_html("{}", user.public_name)
    return format_html("{} {}", name, tier_badge(user))
