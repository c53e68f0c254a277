"""The notifications that challenges cause: a followed challenge moves to a new phase or announces
its results.

Registered from ``ChallengesConfig.ready()`` (``notifications.registry``); ``phase_changed`` is
called by the phase services in the transaction of the change.
"""

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.language import language_for
from notifications.models import Delivery, OutboxEvent
from notifications.registry import CHALLENGES, Draft, NotificationKind, register
from notifications.services import notify_event

from .models import Challenge, ChallengeFollow
from .phases import phase_title
from .rules import can_view_challenge

PHASE_CHANGED = "phase_changed"
RESULTS_ANNOUNCED = "results_announced"
CHALLENGE_ANNOUNCEMENT = "challenge_announcement"


def announcement_made(announcement) -> OutboxEvent:
    # Keyed on the announcement: a retry never tells anyone twice.
    return notify_event(
        kind=CHALLENGE_ANNOUNCEMENT,
        payload={"announcement_id": announcement.pk},
        actor_id=announcement.sent_by_id,
        event_key=f"announcement:{announcement.pk}",
    )


def _drafts_announcement(payload) -> list[Draft]:
    from .models import Announcement
    from .selectors import challenge_audience

    announcement = Announcement.objects.select_related("challenge").filter(pk=payload["announcement_id"]).first()
    if announcement is None:
        return []
    challenge = announcement.challenge
    return [
        Draft(user, CHALLENGE_ANNOUNCEMENT, announcement.subject, announcement.body, challenge.get_absolute_url())
        for user in challenge_audience(challenge)
    ]


def phase_changed(*, challenge, change) -> OutboxEvent:
    kind = RESULTS_ANNOUNCED if change.to_phase == Challenge.Phase.CLOSED else PHASE_CHANGED
    return notify_event(
        kind=kind,
        payload={"challenge_id": challenge.pk, "from_phase": change.from_phase, "to_phase": change.to_phase},
        actor_id=change.changed_by_id,
    )


def _drafts_phase(payload, kind) -> list[Draft]:
    challenge = Challenge.objects.filter(pk=payload["challenge_id"]).first()
    if challenge is None:
        return []

    def title() -> str:
        if kind == RESULTS_ANNOUNCED:
            return gettext("The results of “%(title)s” are announced") % {"title": challenge.title}
        return phase_title(payload["to_phase"], challenge.title)

    drafts = []
    for f in ChallengeFollow.objects.filter(challenge=challenge).select_related("user"):
        if f.user.is_active and can_view_challenge(f.user, challenge):
            # Written in each follower's language.
            with translation.override(language_for(f.user)):
                drafts.append(Draft(f.user, kind, title(), "", challenge.get_absolute_url()))
    return drafts


def _drafts_phase_changed(payload) -> list[Draft]:
    return _drafts_phase(payload, PHASE_CHANGED)


def _drafts_results_announced(payload) -> list[Draft]:
    return _drafts_phase(payload, RESULTS_ANNOUNCED)


def register_kinds() -> None:
    """From ``ChallengesConfig.ready()``."""
    register(
        NotificationKind(
            PHASE_CHANGED,
            _("Challenge phase changed"),
            Delivery.DAILY,
            order=80,
            recipients=_drafts_phase_changed,
            group=CHALLENGES,
        )
    )
    register(
        NotificationKind(
            RESULTS_ANNOUNCED,
            _("Challenge results announced"),
            Delivery.IMMEDIATELY,
            order=90,
            recipients=_drafts_results_announced,
            group=CHALLENGES,
        )
    )
    register(
        NotificationKind(
            CHALLENGE_ANNOUNCEMENT,
            _("Announcements of challenges I take part in or follow"),
            Delivery.IMMEDIATELY,
            order=95,
            recipients=_drafts_announcement,
            group=CHALLENGES,
        )
    )
