"""The notification innovators cause: staff invite members from the innovator pool to an invite-only
challenge (``innovators.services.innovators_invite``).

Registered from ``InnovatorsConfig.ready()`` (``notifications.registry``).
"""

import html

import markdown as markdown_lib
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.language import language_for
from challenges.models import Challenge
from notifications.models import Delivery
from notifications.registry import CHALLENGES, Draft, NotificationKind, register

CHALLENGE_INVITATION = "challenge_invitation"


def _drafts_challenge_invitation(payload) -> list[Draft]:
    """The members staff invited from the innovator pool.

    Only those still invited and active, and only once the challenge is past its draft: the link
    must open a page they can see.
    """
    challenge = Challenge.objects.filter(pk=payload["challenge_id"]).first()
    if challenge is None or challenge.phase == Challenge.Phase.DRAFT:
        return []
    invited = (
        get_user_model()
        .objects.filter(pk__in=payload["user_ids"], is_active=True, challenge_invitations=challenge)
        .order_by("pk")
    )
    summary = " ".join(html.unescape(strip_tags(markdown_lib.markdown(challenge.brief))).split())
    excerpt = Truncator(summary).words(60) if summary else ""
    drafts = []
    for user in invited:
        # Written in each member's language; the challenge's own words stay as written.
        with translation.override(language_for(user)):
            body = gettext(
                "Your track record of ideas caught our eye, so we invite you to this invite-only challenge: "
                "only the members we invite can see it."
            )
            if excerpt:
                body += "\n\n" + excerpt
            title = gettext("You are invited to the challenge “%(title)s”") % {"title": challenge.title}
        drafts.append(Draft(user, CHALLENGE_INVITATION, title, body, challenge.get_absolute_url()))
    return drafts


def register_kinds() -> None:
    """From ``InnovatorsConfig.ready()``."""
    register(
        NotificationKind(
            CHALLENGE_INVITATION,
            _("Invitation to an invite-only challenge"),
            Delivery.IMMEDIATELY,
            order=130,
            recipients=_drafts_challenge_invitation,
            group=CHALLENGES,
        )
    )
