"""Notifications: record events in the outbox, turn them into notifications, send emails and digests.

The flow, so that nothing is lost and nothing is sent twice:

1. ``notify_event`` writes an ``OutboxEvent`` in the caller's transaction and, once it commits,
   queues ``process_outbox_event``. A broker that is down is logged, not raised: the request
   succeeds, and the beat task ``drain_outbox`` queues the event later.
2. ``outbox_event_process`` (worker) computes the recipients with the function the event's kind
   registered (``notifications.registry``: each app registers the kinds it causes), creates their
   notifications in bulk (the unique (event_key, recipient) constraint makes a second run create
   nothing) and, after commit, queues one email per notification whose recipient wants it at once.
3. ``notification_email_send`` claims the notification's email (a lease, committed), sends it with
   no transaction open under a Message-ID derived from the notification, then marks ``emailed_at``
   (``notifications.sending``); ``digest_send`` and ``notification_email_once`` (a dated digest
   such as the triage staff's overdue digest) do the same for the rows they are owed on. A message that can never be sent is marked failed and blocks nothing.

Every email goes this way, the author's status-change email included (its own kind,
``MY_IDEA_STATUS``, with the author's preference and an unsubscribe link like every other kind).
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.language import language_for
from core.email import email_message
from core.templatetags.portal import markdown_plain

from . import registry, sending
from .models import Delivery, Notification, NotificationPreference, OutboxEvent

# Unsubscribe links live in tokens.py (opaque, expiring); they are named here too, for the senders below.
from .tokens import UnsubscribeTokenInvalid, unsubscribe_token, unsubscribe_token_read, unsubscribe_url  # noqa: F401

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable

    from accounts.models import User


logger = logging.getLogger(__name__)


# --- 1. Events, in the request ---------------------------------------------------------------


def notify_event(*, kind: str, payload: dict, actor_id: int | None = None, event_key: str | None = None) -> OutboxEvent:
    """Record an event in the outbox, in the caller's transaction; queue its processing after commit.

    Safe to call twice with the same ``event_key``: the unique key keeps one event.
    """
    event_key = event_key or f"{kind}:{uuid.uuid4().hex}"
    with transaction.atomic():
        event, _ = OutboxEvent.objects.get_or_create(
            event_key=event_key, defaults={"kind": kind, "payload": payload, "actor_id": actor_id}
        )
    transaction.on_commit(lambda: _queue_processing(event.pk))
    return event


def _queue_processing(event_id: int) -> None:
    from .tasks import process_outbox_event

    try:
        process_outbox_event.delay(event_id)
    except Exception:  # the broker is down: drain_outbox queues it once it is back
        logger.warning("Could not queue outbox event %s; the outbox drain will retry.", event_id, exc_info=True)


# --- 2. Recipients, in the worker ---------------------------------------------------------------


def deliveries_for(user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """Each (user, kind)'s chosen delivery, the default where they chose nothing: one query."""
    chosen = {
        (p.user_id, p.kind): p.delivery
        for p in NotificationPreference.objects.filter(user_id__in=user_ids, kind__in=kinds)
    }
    defaults = {k: registry.get(k).default_delivery for k in kinds}
    return {(u, k): chosen.get((u, k), defaults[k]) for u in user_ids for k in kinds}


def delivery_for(user_id: int, kind: str) -> str:
    return deliveries_for([user_id], [kind])[(user_id, kind)]


@transaction.atomic
def outbox_event_process(*, event_id: int) -> int:
    """Create the event's notifications, once; returns how many were created.

    Holds the event's row lock (SELECT … FOR UPDATE) while it works, so two runs cannot interleave;
    the second finds it processed. Recipients never include the actor; the unique (event_key,
    recipient) constraint is the backstop. Emails are queued after commit. The listeners other apps
    registered (``registry.event_listener_register``: webhooks) see the event here, once.
    """
    event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
    if event is None or event.processed_at is not None:
        return 0
    kind = registry.get(event.kind)
    if kind.recipients is None:  # a kind without recipients (a digest) never rides the outbox
        raise TypeError(f"The notification kind {kind.key!r} has no recipients: it cannot be an outbox event.")
    drafts = drafts_in_recipients_languages(kind, event.payload)
    seen, unique = set() if kind.tells_the_actor else {event.actor_id}, []
    for draft in drafts:  # the first draft for a recipient wins (a reply beats "comment on my idea")
        if draft.recipient.pk not in seen and draft.recipient.is_active:
            seen.add(draft.recipient.pk)
            unique.append(draft)
    deliveries = deliveries_for([d.recipient.pk for d in unique], {d.kind for d in unique})
    rows = [
        Notification(
            recipient=d.recipient,
            kind=d.kind,
            event_key=event.event_key,
            title=d.title[:300],
            body=d.body,
            url=d.url,
            delivery=deliveries[(d.recipient.pk, d.kind)],
        )
        for d in unique
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    for listener in registry.event_listeners():  # webhooks: their deliveries, in this transaction
        listener(event)
    event.processed_at = timezone.now()
    event.save(update_fields=["processed_at"])
    if any(row.delivery == Delivery.IMMEDIATELY for row in rows):
        transaction.on_commit(lambda: queue_immediate_emails(event_key=event.event_key))
    return len(rows)


def drafts_in_recipients_languages(kind: registry.NotificationKind, payload: dict) -> list[registry.Draft]:
    """The kind's drafts of the event, each written in its recipient's language (``language_for``).

    The texts are composed once in the site's language, never in the language of whoever caused the
    event (the worker may run in their request); the drafts of recipients who read another language
    are composed again in it, one more run per language they read. A recipient's draft is the first
    one of the same kind for them in their language's run.
    """
    assert kind.recipients is not None  # the callers pass kinds that have recipients
    default = settings.LANGUAGE_CODE
    with translation.override(default):
        drafts = kind.recipients(payload)
    others = {language_for(draft.recipient) for draft in drafts} - {default}
    if not others:
        return drafts
    translated: dict[str, dict[tuple[int, str], registry.Draft]] = {}
    for language in sorted(others):
        with translation.override(language):
            again = kind.recipients(payload)
        firsts: dict[tuple[int, str], registry.Draft] = {}
        for draft in again:
            firsts.setdefault((draft.recipient.pk, draft.kind), draft)
        translated[language] = firsts
    return [
        translated.get(language_for(draft.recipient), {}).get((draft.recipient.pk, draft.kind), draft)
        for draft in drafts
    ]


# Immediate emails are queued in batches: publishing one message per email was most of a 10,000-follower
# fan-out's time (bench/notifications_fanout.py).
EMAIL_BATCH_SIZE = 200


def queue_immediate_emails(*, event_key: str | None = None, older_than: datetime.timedelta | None = None) -> int:
    """Queue the sends of the notifications still owed an immediate email, in batches; returns how many.

    Leaves out failed emails and those a worker holds now; an expired lease (its worker died) is owed
    again, so the drain re-queues it.
    """
    from .tasks import send_notification_emails

    due = Notification.objects.filter(
        delivery=Delivery.IMMEDIATELY, emailed_at__isnull=True, email_failed_at__isnull=True
    ).filter(sending.unclaimed())  # a claimed email is being sent; once its lease runs out, it is owed again
    if event_key is not None:
        due = due.filter(event_key=event_key)
    if older_than is not None:
        due = due.filter(created_at__lt=older_than)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), EMAIL_BATCH_SIZE):
        send_notification_emails.delay(ids[start : start + EMAIL_BATCH_SIZE])
    return len(ids)


def outbox_pending_ids(*, older_than: datetime.timedelta) -> list[int]:
    return list(
        OutboxEvent.objects.filter(processed_at__isnull=True, created_at__lt=older_than).values_list("pk", flat=True)
    )


# --- 3. Emails -------------------------------------------------------------------------------


def preference_set(*, user: User, kind: str, delivery: str) -> NotificationPreference:
    """Set how the member hears about one kind; the unique (user, kind) constraint keeps one row."""
    if delivery not in Delivery.values or not registry.is_registered(kind):
        raise ValueError("Unknown kind or delivery.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )
    return preference


def _email(
    *, user, subject: str, template: str, context: dict, key: str, unsubscribe: str, headers: dict
) -> EmailMultiAlternatives:
    """The message, built but not sent; ``key`` names the row it is owed on (its stable Message-ID)."""
    context = context | {"user": user, "site_url": settings.SITE_URL.rstrip("/"), "unsubscribe_url": unsubscribe}
    return email_message(
        to=user.email,
        subject=subject,
        template=template,
        context=context,
        headers=headers
        | {
            "Message-ID": sending.message_id(key),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification, once; returns whether an email was sent.

    Claims it (a lease, committed), sends with no transaction open, marks ``emailed_at``
    (``notifications.sending``): a retried or redelivered task, or the drain, finds it claimed or
    sent and sends nothing. Re-reads the preference, so an unsubscribe since the event wins. A
    message that cannot be built or is refused for good is marked failed and False is returned.
    """
    if not sending.claim(notification_id):
        return False
    notification = sending.db_retry(
        lambda: Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or sending.gave_up(notification):
        return False

    def build() -> EmailMultiAlternatives | None:
        user = notification.recipient
        if not user.email or not user.is_active or delivery_for(user.pk, notification.kind) != Delivery.IMMEDIATELY:
            return None  # settled: nothing to send
        with translation.override(language_for(user)):  # the recipient's language, not the actor's
            return _email(
                user=user,
                subject=markdown_plain(notification.title),
                template="notifications/email/notification",
                context={"notification": notification},
                key=f"notification-{notification.pk}",
                unsubscribe=unsubscribe_url(user_id=user.pk, kind=notification.kind),
                headers={"X-Notification": str(notification.pk)},
            )

    return sending.send_claimed(ids=[notification.pk], build=build)


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Email a batch of notifications, each once (see ``notification_email_send``); returns how many went.

    A message that can never be sent is marked failed inside and the batch goes on; a transient SMTP
    error raises (the task retries the batch, and what was sent is not sent again).
    """
    return sum(notification_email_send(notification_id=pk) for pk in notification_ids)


def _digest_due(user_id: int):
    return Notification.objects.filter(
        recipient_id=user_id,
        delivery=Delivery.DAILY,
        digest_at__isnull=True,
        read_at__isnull=True,
        email_failed_at__isnull=True,
    )


def digest_user_ids() -> list[int]:
    return list(
        Notification.objects.filter(
            delivery=Delivery.DAILY, digest_at__isnull=True, read_at__isnull=True, email_failed_at__isnull=True
        )
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def digest_send(*, user_id: int) -> int:
    """Send the member one email of their unread, undigested daily notifications; returns how many it held.

    Claims those rows (a lease, committed; rows another run holds are left to it), sends with no
    transaction open under a Message-ID derived from the member and the first row, then marks them
    ``digest_at``: a second run finds nothing. Kinds turned off since are left out of the email.
    """
    user = sending.db_retry(lambda: get_user_model().objects.filter(pk=user_id).first())
    if user is None:
        return 0
    due_ids = sending.db_retry(lambda: list(_digest_due(user_id).values_list("pk", flat=True)))
    ids = sending.claim_rows(due_ids, digest_at__isnull=True, read_at__isnull=True)
    if not ids:
        return 0
    due = sending.db_retry(lambda: list(Notification.objects.filter(pk__in=ids).order_by("created_at", "pk")))
    wanted: list[Notification] = []

    def build() -> EmailMultiAlternatives | None:
        deliveries = deliveries_for([user_id], {n.kind for n in due})
        wanted[:] = [n for n in due if deliveries[(user_id, n.kind)] == Delivery.DAILY]
        if not (wanted and user.email and user.is_active):
            return None
        count = len(wanted)
        with translation.override(language_for(user)):  # the recipient's language
            return _email(
                user=user,
                subject=ngettext(
                    "Your daily digest: %(count)d notification", "Your daily digest: %(count)d notifications", count
                )
                % {"count": count},
                template="notifications/email/digest",
                context={
                    "notifications": wanted,
                    # Each kind's unsubscribe link, named by the kind's label in the recipient's language.
                    "unsubscribes": {
                        str(registry.get(n.kind).label): unsubscribe_url(user_id=user_id, kind=n.kind) for n in wanted
                    },
                },
                key=f"digest-{user_id}-{due[0].pk}",
                headers={"X-Notification-Digest": str(user_id)},
                unsubscribe=unsubscribe_url(user_id=user_id, kind=wanted[0].kind),
            )

    sending.send_claimed(ids=ids, build=build, field="digest_at")
    return len(wanted)


# --- One-off emails on a row of their own (a dated digest) --------------------------------------------


def notification_email_once(
    *, user: User, kind: str, event_key: str, title: str, url: str, template: str, context: dict, headers: dict
) -> bool:
    """Email the member once per (``event_key``, member), on a notification row of its own; whether it sent.

    For the emails an app sends outside the outbox (the triage staff's daily overdue digest): the
    row's unique (event_key, recipient) constraint keeps one row, and its email is claimed, sent and
    marked like any other (``notifications.sending``), so a retry or a second beat run does not send
    again. ``template`` is the base name of a ``.txt`` and an ``.html`` template.
    """
    notification, _ = sending.db_retry(
        lambda: Notification.objects.get_or_create(
            recipient=user,
            event_key=event_key,
            defaults={"kind": kind, "title": title, "url": url, "delivery": Delivery.OFF},
        )
    )
    if not sending.claim(notification.pk):
        return False

    def build() -> EmailMultiAlternatives:
        with translation.override(language_for(user)):  # the body in the recipient's language
            return _email(
                user=user,
                subject=markdown_plain(title),
                template=template,
                context=context,
                key=f"notification-{notification.pk}",
                unsubscribe=unsubscribe_url(user_id=user.pk, kind=kind),
                headers=headers,
            )

    return sending.send_claimed(ids=[notification.pk], build=build)


# --- In-app --------------------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> int:
    """Mark one of the member's own notifications read; another member's (or a missing one) changes nothing."""
    return Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_open(*, user: User, notification_id: int) -> Notification | None:
    """The member opens one of their notifications: it is marked read; returns it (None if not theirs).

    Two queries at most: the row, read only among the member's own, and the UPDATE when it was unread.
    The caller follows ``url`` (checked as a page of this site by ``core.redirects``).
    """
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
