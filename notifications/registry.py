"""The kinds of notification, registered by the apps that cause them.

The notifications app delivers — the outbox, preferences, in-app rows, emails, digests,
unsubscribe — and knows no domain app. Each app that causes a kind registers it from its own
``AppConfig.ready()`` (pretix's notification-type registry is the model): its key, the label the
preferences page shows, the delivery a member gets until they choose, who is offered it, and, for
the kinds an outbox event carries, the function that turns the event's payload into one draft per
recipient. Adding a kind touches only the app that causes it (``ideas/notification_kinds.py``,
``reviews/notification_kinds.py``, ``challenges/notification_kinds.py``,
``innovators/notification_kinds.py``).
"""

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


@dataclasses.dataclass
class Draft:
    """One recipient's notification of an event, before it is a row: the recipient and the texts."""

    recipient: "User"
    kind: str
    title: str
    body: str
    url: str


@dataclasses.dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    default_delivery: str  # a ``Delivery`` value
    # Where the preferences page lists it (the kinds of every app in one order).
    order: int
    # For an outbox event of this kind: the payload → the drafts, first draft per recipient wins.
    recipients: Callable[[dict], list[Draft]] | None = None
    # Who is offered the kind on the preferences page (everyone when None).
    offered_to: Callable[[object], bool] | None = None
    # The actor is normally never told of their own act; a kind that acknowledges it says so.
    tells_the_actor: bool = False
    # The heading it is listed under on the preferences page (``GROUPS``); the groups follow the
    # order of their first kind.
    group: str = _("Other")


# The preferences page's headings, for the kinds to name (a kind may name none: "Other").
YOUR_IDEAS = _("Your ideas and comments")
FOLLOWED = _("Ideas you follow or voted on")
MENTORING = _("Mentoring")
CHALLENGES = _("Challenges")
STAFF = _("For the portal’s team")


_kinds: dict[str, NotificationKind] = {}


class KindNotRegistered(ValueError):
    pass


def register(kind: NotificationKind) -> NotificationKind:
    """Add a kind; registering the same definition again (a second ``ready()``) changes nothing."""
    known = _kinds.get(kind.key)
    if known is not None and known != kind:
        raise ValueError(f"Notification kind {kind.key!r} is registered twice, differently.")
    _kinds[kind.key] = kind
    return kind


def get(key: str) -> NotificationKind:
    try:
        return _kinds[key]
    except KeyError:
        raise KindNotRegistered(f"No app registered the notification kind {key!r}.") from None


def is_registered(key: str) -> bool:
    return key in _kinds


def kinds() -> list[NotificationKind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.key))


def kind_choices() -> list[tuple[str, str]]:
    """The model fields' choices: a callable, so a new kind needs no migration of this app."""
    return [(kind.key, kind.label) for kind in kinds()]


# --- Listeners of processed events --------------------------------------------------------------
# Higher apps that react to every outbox event besides the members' notifications (webhooks) register
# a listener from their ``AppConfig.ready()``. ``outbox_event_process`` calls each one with the event,
# in its transaction and under the event's row lock, once per event (a processed event is not
# processed again); a listener writes rows of its own and queues its work after commit.

_event_listeners: list[Callable[[object], None]] = []


def event_listener_register(listener: Callable[[object], None]) -> None:
    """Call ``listener(event)`` for each outbox event when it is processed; registering twice adds it once."""
    if listener not in _event_listeners:
        _event_listeners.append(listener)


def event_listeners() -> list[Callable[[object], None]]:
    return list(_event_listeners)
