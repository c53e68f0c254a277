"""Notifications: record events in the outbox, turn them into notifications, send emails and digests.

The flow, so that nothing is lost and nothing is sent twice:

1. ``notify_event`` writes an ``OutboxEvent`` in the caller's transaction and, once it commits,
   queues ``process_outbox_event``. A broker that is down is logged, not raised: the request
   succeeds, and the beat task ``drain_outbox`` queues the event later.
2. ``outbox_event_process`` (worker) computes the recipients, creates their notifications in bulk
   (the unique (event_key, recipient) constraint makes a second run create nothing) and, after
   commit, queues one email per notification whose recipient wants it at once.
3. ``notification_email_send`` claims the notification's email (a lease, committed), sends it with
   no transaction open under a Message-ID derived from the notification, then marks ``emailed_at``
   (``notifications.sending``); ``digest_send`` and ``overdue_digest_send`` do the same for the
   rows a digest carries. A message that can never be sent is marked failed and blocks nothing.

Every email goes this way, the author's status-change email included (its own kind,
``MY_IDEA_STATUS``, with the author's preference and an unsubscribe link like every other kind).
"""

import dataclasses
import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import sending
from .models import DEFAULT_DELIVERY, Delivery, Kind, Notification, NotificationPreference, OutboxEvent

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


class UnsubscribeTokenInvalid(Exception):
    pass


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


def idea_received(idea) -> OutboxEvent | None:
    """The author's acknowledgement, for a submitted idea (a draft waits for its submission)."""
    from ideas.models import Status

    if idea.status != Status.SUBMITTED:
        return None
    return notify_event(kind=Kind.IDEA_RECEIVED, payload={"idea_id": idea.pk}, event_key=f"idea_received:{idea.pk}")


def status_changed(change) -> OutboxEvent:
    return notify_event(
        kind=Kind.STATUS_CHANGED,
        payload={"status_change_id": change.pk},
        actor_id=change.changed_by_id,
        event_key=f"status_changed:{change.pk}",
    )


def comment_posted(comment) -> OutboxEvent:
    return notify_event(
        kind=Kind.COMMENT_ON_IDEA,
        payload={"comment_id": comment.pk},
        actor_id=comment.author_id,
        event_key=f"comment:{comment.pk}",
    )


def kudos_given(*, comment, user) -> OutboxEvent:
    # Keyed on (comment, giver): kudos taken back and given again does not notify twice.
    return notify_event(
        kind=Kind.KUDOS_RECEIVED,
        payload={"comment_id": comment.pk},
        actor_id=user.pk,
        event_key=f"kudos:{comment.pk}:{user.pk}",
    )


def thread_message_posted(message):
    """Returns the message, so the caller can return it in one line."""
    notify_event(
        kind=Kind.MENTOR_MESSAGE,
        payload={"message_id": message.pk},
        actor_id=message.author_id,
        event_key=f"thread_message:{message.pk}",
    )
    return message


def revision_requested(request):
    """Returns the request, so the caller can return it in one line."""
    notify_event(
        kind=Kind.REVISION_REQUEST,
        payload={"revision_request_id": request.pk},
        actor_id=request.mentor_id,
        event_key=f"revision_request:{request.pk}",
    )
    return request


def phase_changed(*, challenge, change) -> OutboxEvent:
    from challenges.models import Challenge

    kind = Kind.RESULTS_ANNOUNCED if change.to_phase == Challenge.Phase.CLOSED else Kind.PHASE_CHANGED
    return notify_event(
        kind=kind,
        payload={"challenge_id": challenge.pk, "from_phase": change.from_phase, "to_phase": change.to_phase},
        actor_id=change.changed_by_id,
    )


# --- 2. Recipients, in the worker ---------------------------------------------------------------


@dataclasses.dataclass
class Draft:
    recipient: object
    kind: str
    title: str
    body: str
    url: str


def _drafts_idea_received(payload) -> list[Draft]:
    from ideas.models import Idea

    idea = Idea.objects.select_related("author", "challenge").filter(pk=payload["idea_id"]).first()
    if idea is None:
        return []
    return [
        Draft(
            idea.author,
            Kind.IDEA_RECEIVED,
            f"We received your idea “{idea.title}”",
            f"Thank you: your idea for “{idea.challenge.title}” is submitted. Staff will answer it with a reason.",
            idea.get_absolute_url(),
        )
    ]


def _followers(idea, exclude_ids) -> list:
    from ideas.models import IdeaFollow
    from ideas.rules import can_view_idea

    follows = IdeaFollow.objects.filter(idea=idea).exclude(user_id__in=exclude_ids).select_related("user")
    return [f.user for f in follows if f.user.is_active and can_view_idea(f.user, idea)]


def _drafts_status_changed(payload) -> list[Draft]:
    from ideas.models import StatusChange

    change = (
        StatusChange.objects.select_related("idea__author", "idea__challenge", "idea__duplicate_of")
        .filter(pk=payload["status_change_id"])
        .first()
    )
    if change is None:
        return []
    idea = change.idea
    label = change.get_to_status_display().lower()
    title = f"“{idea.title}” is now {label}"
    drafts = [
        Draft(
            idea.author,
            Kind.MY_IDEA_STATUS,
            f"Your idea “{idea.title}” is now {label}",
            _author_status_body(change),
            idea.get_absolute_url(),
        )
    ]
    followers = _followers(idea, exclude_ids={idea.author_id})
    drafts += [Draft(user, Kind.STATUS_CHANGED, title, change.reason, idea.get_absolute_url()) for user in followers]
    # Voters who asked for it; a voter who follows already has the follower's draft.
    drafts += [
        Draft(user, Kind.VOTED_IDEA_STATUS, title, change.reason, idea.get_absolute_url())
        for user in _opted_in_voters(idea, exclude_ids={idea.author_id} | {u.pk for u in followers})
    ]
    return drafts


def _author_status_body(change) -> str:
    """What the author reads: where the idea moved, why, and where its votes went if it was merged."""
    idea = change.idea
    lines = [
        f"Your idea “{idea.title}” in the challenge “{idea.challenge.title}” has moved from "
        f"{change.get_from_status_display().lower()} to {change.get_to_status_display().lower()}."
    ]
    if change.reason:
        lines.append(f"Why: {change.reason}")
    if idea.duplicate_of_id:
        lines.append(f"It was merged into “{idea.duplicate_of.title}”; your supporters' votes moved there.")
    lines.append("Thank you for taking part.")
    return "\n\n".join(lines)


def _opted_in_voters(idea, exclude_ids) -> list:
    """The idea's voters who turned on "ideas I voted on" (it is off by default), in one query."""
    from django.contrib.auth import get_user_model

    from ideas.rules import can_view_idea

    voters = (
        get_user_model()
        .objects.filter(
            votes__idea=idea,
            is_active=True,
            notification_preferences__kind=Kind.VOTED_IDEA_STATUS,
            notification_preferences__delivery__in=[Delivery.IMMEDIATELY, Delivery.DAILY],
        )
        .exclude(pk__in=exclude_ids)
        .order_by("pk")
    )
    return [user for user in voters if can_view_idea(user, idea)]


def _drafts_comment(payload) -> list[Draft]:
    from ideas.models import Comment
    from ideas.rules import can_view_idea
    from ideas.selectors import comment_url

    comment = (
        Comment.objects.select_related("author", "idea__author", "idea__challenge", "parent__author")
        .filter(pk=payload["comment_id"])
        .first()
    )
    if comment is None:
        return []
    idea, url = comment.idea, comment_url(comment)
    drafts = []
    if comment.parent_id:
        drafts.append(
            Draft(
                comment.parent.author,
                Kind.COMMENT_REPLY,
                f"{comment.author.public_name} replied to your comment on “{idea.title}”",
                comment.body,
                url,
            )
        )
    drafts.append(
        Draft(
            idea.author,
            Kind.COMMENT_ON_IDEA,
            f"{comment.author.public_name} commented on your idea “{idea.title}”",
            comment.body,
            url,
        )
    )
    drafts = [d for d in drafts if can_view_idea(d.recipient, idea)]
    # Followers last: the author or the replied-to keep their more personal notification.
    drafts += [
        Draft(
            user,
            Kind.COMMENT_ON_FOLLOWED,
            f"{comment.author.public_name} commented on “{idea.title}”, which you follow",
            comment.body,
            url,
        )
        for user in _followers(idea, exclude_ids={idea.author_id})
    ]
    return drafts


def _drafts_kudos(payload) -> list[Draft]:
    from ideas.models import Comment
    from ideas.selectors import comment_url

    comment = Comment.objects.select_related("author", "idea").filter(pk=payload["comment_id"]).first()
    if comment is None:
        return []
    return [
        Draft(
            comment.author,
            Kind.KUDOS_RECEIVED,
            f"Your comment on “{comment.idea.title}” received kudos",
            comment.body,
            comment_url(comment),
        )
    ]


def _drafts_mentor_message(payload) -> list[Draft]:
    from reviews.models import MentorAssignment, ThreadMessage

    message = ThreadMessage.objects.select_related("author", "idea__author").filter(pk=payload["message_id"]).first()
    if message is None:
        return []
    idea = message.idea
    recipients = [idea.author]
    assignment = MentorAssignment.objects.select_related("mentor").filter(idea=idea, ended_at__isnull=True).first()
    if assignment is not None:
        recipients.append(assignment.mentor)
    title = f"New message from {message.author.public_name} about “{idea.title}”"
    return [Draft(user, Kind.MENTOR_MESSAGE, title, message.body, idea.get_absolute_url()) for user in recipients]


def _drafts_revision_request(payload) -> list[Draft]:
    from reviews.models import RevisionRequest

    request = (
        RevisionRequest.objects.select_related("idea__author", "mentor")
        .filter(pk=payload["revision_request_id"])
        .first()
    )
    if request is None:
        return []
    idea = request.idea
    return [
        Draft(
            idea.author,
            Kind.REVISION_REQUEST,
            f"Your mentor asks you to revise “{idea.title}”",
            request.message,
            idea.get_absolute_url(),
        )
    ]


def _drafts_phase(payload, kind) -> list[Draft]:
    from challenges.models import Challenge, ChallengeFollow
    from challenges.rules import can_view_challenge

    challenge = Challenge.objects.filter(pk=payload["challenge_id"]).first()
    if challenge is None:
        return []
    phase = Challenge.Phase(payload["to_phase"]).label.lower()
    if kind == Kind.RESULTS_ANNOUNCED:
        title = f"Results of “{challenge.title}” are announced"
    else:
        title = f"“{challenge.title}” moved to {phase}"
    follows = ChallengeFollow.objects.filter(challenge=challenge).select_related("user")
    return [
        Draft(f.user, kind, title, "", challenge.get_absolute_url())
        for f in follows
        if f.user.is_active and can_view_challenge(f.user, challenge)
    ]


def _drafts_challenge_invitation(payload) -> list[Draft]:
    """The members staff invited from the innovator pool (innovators.services.innovators_invite).

    Only those still invited and active, and only once the challenge is past its draft: the link
    must open a page they can see.
    """
    import html

    import markdown as markdown_lib
    from django.utils.html import strip_tags
    from django.utils.text import Truncator

    from challenges.models import Challenge

    challenge = Challenge.objects.filter(pk=payload["challenge_id"]).first()
    if challenge is None or challenge.phase == Challenge.Phase.DRAFT:
        return []
    invited = (
        get_user_model()
        .objects.filter(pk__in=payload["user_ids"], is_active=True, challenge_invitations=challenge)
        .order_by("pk")
    )
    summary = " ".join(html.unescape(strip_tags(markdown_lib.markdown(challenge.brief))).split())
    body = (
        "Your track record of ideas caught our eye, so we invite you to this invite-only challenge: "
        "only the members we invite can see it."
    )
    if summary:
        body += "\n\n" + Truncator(summary).words(60)
    title = f"You are invited to the challenge “{challenge.title}”"
    return [Draft(user, Kind.CHALLENGE_INVITATION, title, body, challenge.get_absolute_url()) for user in invited]


_RECIPIENTS = {
    Kind.IDEA_RECEIVED: _drafts_idea_received,
    Kind.STATUS_CHANGED: _drafts_status_changed,
    Kind.COMMENT_ON_IDEA: _drafts_comment,
    Kind.KUDOS_RECEIVED: _drafts_kudos,
    Kind.MENTOR_MESSAGE: _drafts_mentor_message,
    Kind.REVISION_REQUEST: _drafts_revision_request,
    Kind.PHASE_CHANGED: lambda payload: _drafts_phase(payload, Kind.PHASE_CHANGED),
    Kind.RESULTS_ANNOUNCED: lambda payload: _drafts_phase(payload, Kind.RESULTS_ANNOUNCED),
    Kind.CHALLENGE_INVITATION: _drafts_challenge_invitation,
}


def deliveries_for(user_ids, kinds) -> dict[tuple[int, str], str]:
    """Each (user, kind)'s chosen delivery, the default where they chose nothing: one query."""
    chosen = NotificationPreference.objects.filter(user_id__in=user_ids, kind__in=kinds)
    chosen = {(p.user_id, p.kind): p.delivery for p in chosen}
    return {(u, k): chosen.get((u, k), DEFAULT_DELIVERY[k]) for u in user_ids for k in kinds}


def delivery_for(user_id: int, kind: str) -> str:
    return deliveries_for([user_id], [kind])[(user_id, kind)]


@transaction.atomic
def outbox_event_process(*, event_id: int) -> int:
    """Create the event's notifications, once; returns how many were created.

    Holds the event's row lock (SELECT … FOR UPDATE) while it works, so two runs cannot interleave;
    the second finds it processed. Recipients never include the actor; the unique (event_key,
    recipient) constraint is the backstop. Emails are queued after commit.
    """
    event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
    if event is None or event.processed_at is not None:
        return 0
    drafts = _RECIPIENTS[event.kind](event.payload)
    seen, unique = {event.actor_id}, []
    if event.kind == Kind.IDEA_RECEIVED:
        seen = set()  # the author's own acknowledgement
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
    event.processed_at = timezone.now()
    event.save(update_fields=["processed_at"])
    if any(row.delivery == Delivery.IMMEDIATELY for row in rows):
        transaction.on_commit(lambda: queue_immediate_emails(event_key=event.event_key))
    return len(rows)


# Immediate emails are queued in batches: publishing one message per email was most of a 10,000-follower
# fan-out's time (bench/notifications_fanout.py).
EMAIL_BATCH_SIZE = 200


def queue_immediate_emails(*, event_key: str | None = None, older_than=None) -> int:
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


def outbox_pending_ids(*, older_than) -> list[int]:
    return list(
        OutboxEvent.objects.filter(processed_at__isnull=True, created_at__lt=older_than).values_list("pk", flat=True)
    )


# --- 3. Emails -------------------------------------------------------------------------------


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token_read(token: str) -> tuple[object, str]:
    """The (user, kind) a token names; raises UnsubscribeTokenInvalid for a tampered or stale token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = get_user_model().objects.get(pk=data["u"])
        kind = Kind(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, get_user_model().DoesNotExist):
        raise UnsubscribeTokenInvalid(
            "This unsubscribe link is not valid. Change your emails on your preferences page."
        ) from None
    return user, kind


def preference_set(*, user, kind: str, delivery: str) -> NotificationPreference:
    """Set how the member hears about one kind; the unique (user, kind) constraint keeps one row."""
    if delivery not in Delivery.values or kind not in Kind.values:
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
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[user.email],
        headers=headers
        | {
            "Message-ID": sending.message_id(key),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    return message


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
        return _email(
            user=user,
            subject=notification.title,
            template="notification",
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
        return _email(
            user=user,
            subject=f"Your daily digest: {len(wanted)} notification{'s' if len(wanted) != 1 else ''}",
            template="digest",
            context={
                "notifications": wanted,
                "unsubscribes": {n.kind: unsubscribe_url(user_id=user_id, kind=n.kind) for n in wanted},
            },
            key=f"digest-{user_id}-{due[0].pk}",
            headers={"X-Notification-Digest": str(user_id)},
            unsubscribe=unsubscribe_url(user_id=user_id, kind=wanted[0].kind),
        )

    sending.send_claimed(ids=ids, build=build, field="digest_at")
    return len(wanted)


# --- Staff: ideas overdue for a first answer ----------------------------------------------------


def overdue_ideas(*, now):
    """Submitted ideas with no decision whose promised answer time passed strictly before ``now``.

    The same deadline as the triage queue (``answer_due_expression``): exactly at it is not overdue.
    """
    from ideas.models import Idea, Status
    from reviews.selectors import answer_due_expression

    return (
        Idea.objects.filter(status=Status.SUBMITTED, decided_at__isnull=True)
        .annotate(answer_due_at=answer_due_expression())
        .filter(answer_due_at__lt=now)
        .select_related("challenge")
        .order_by("challenge__title", "challenge_id", "answer_due_at", "pk")
    )


def overdue_digest_recipient_ids() -> list[int]:
    """Active triage staff (the Triage group with staff status, or superusers) who have an email."""
    from django.db.models import Q

    from accounts.models import TRIAGE_GROUP

    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(is_staff=True, groups__name=TRIAGE_GROUP))
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _triage_queue_overdue_path() -> str:
    return reverse("admin:reviews_triageidea_changelist") + "?overdue=yes"


def overdue_digest_send(*, user_id: int, now=None) -> bool:
    """Email one triage staff member today's overdue ideas, grouped by challenge; returns whether it sent.

    At most once per member per day: keyed on a Notification (``overdue-digest-<date>``) whose
    unique (event_key, recipient) constraint keeps one row; its email is claimed, sent and marked
    like any other (``notifications.sending``), so a retry or a second beat run does not send
    again. Nothing is written or sent when nothing is overdue.
    """
    from accounts.rules import is_triage

    now = now or timezone.now()
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.email or not is_triage(user):
        return False
    if delivery_for(user.pk, Kind.OVERDUE_DIGEST) == Delivery.OFF:
        return False
    ideas = list(overdue_ideas(now=now))
    if not ideas:
        return False
    groups: dict[int, dict] = {}
    for idea in ideas:
        idea.days_overdue = (now - idea.answer_due_at).days
        groups.setdefault(idea.challenge_id, {"challenge": idea.challenge, "ideas": []})["ideas"].append(idea)
    queue_path = _triage_queue_overdue_path()
    title = f"{len(ideas)} idea{'s' if len(ideas) != 1 else ''} overdue for a first answer"
    event_key = f"overdue-digest-{timezone.localdate(now).isoformat()}"
    notification, _ = sending.db_retry(
        lambda: Notification.objects.get_or_create(
            recipient=user,
            event_key=event_key,
            defaults={"kind": Kind.OVERDUE_DIGEST, "title": title, "url": queue_path, "delivery": Delivery.OFF},
        )
    )
    if not sending.claim(notification.pk):
        return False
    context = {"groups": list(groups.values()), "count": len(ideas), "queue_path": queue_path}
    return sending.send_claimed(
        ids=[notification.pk],
        build=lambda: _email(
            user=user,
            subject=title,
            template="overdue_digest",
            context=context,
            key=f"notification-{notification.pk}",
            unsubscribe=unsubscribe_url(user_id=user.pk, kind=Kind.OVERDUE_DIGEST),
            headers={"X-Overdue-Digest": str(user.pk)},
        ),
    )


# --- In-app --------------------------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
