"""Notifications: record events in the outbox, turn them into notifications, send emails and digests.

The flow, so that nothing is lost and nothing is sent twice:

1. ``notify_event`` writes an ``OutboxEvent`` in the caller's transaction and, once it commits,
   queues ``process_outbox_event``. A broker that is down is logged, not raised: the request
   succeeds, and the beat task ``drain_outbox`` queues the event later.
2. ``outbox_event_process`` (worker) computes the recipients, creates their notifications in bulk
   (the unique (event_key, recipient) constraint makes a second run create nothing) and, after
   commit, queues one email per notification whose recipient wants it at once.
3. ``notification_email_send`` locks the notification and checks ``emailed_at``, so a retried or
   redelivered task sends once; ``digest_send`` does the same for a member's daily digest.

The status-change email to an idea's author stays where it was (``ideas.notifications``, keyed on
``StatusChange.author_notified_at``): here the author gets that change in-app only, and the idea's
followers get it in-app and by email as they chose.
"""

import dataclasses
import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import DEFAULT_DELIVERY, Delivery, Kind, Notification, NotificationPreference, OutboxEvent

# Unsubscribe links live in tokens.py (opaque, expiring); they are named here too, for the senders below.
from .tokens import UnsubscribeTokenInvalid, unsubscribe_token, unsubscribe_token_read, unsubscribe_url  # noqa: F401

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
    in_app_only: bool = False  # emailed elsewhere (the author's status-change email)


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
        StatusChange.objects.select_related("idea__author", "idea__challenge")
        .filter(pk=payload["status_change_id"])
        .first()
    )
    if change is None:
        return []
    idea = change.idea
    label = change.get_to_status_display().lower()
    title = f"“{idea.title}” is now {label}"
    drafts = [Draft(idea.author, Kind.STATUS_CHANGED, title, change.reason, idea.get_absolute_url(), in_app_only=True)]
    followers = _followers(idea, exclude_ids={idea.author_id})
    drafts += [Draft(user, Kind.STATUS_CHANGED, title, change.reason, idea.get_absolute_url()) for user in followers]
    # Voters who asked for it; a voter who follows already has the follower's draft.
    drafts += [
        Draft(user, Kind.VOTED_IDEA_STATUS, title, change.reason, idea.get_absolute_url())
        for user in _opted_in_voters(idea, exclude_ids={idea.author_id} | {u.pk for u in followers})
    ]
    return drafts


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
            delivery=Delivery.OFF if d.in_app_only else deliveries[(d.recipient.pk, d.kind)],
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
    """Queue the sends of the notifications still owed an immediate email, in batches; returns how many."""
    from .tasks import send_notification_emails

    due = Notification.objects.filter(delivery=Delivery.IMMEDIATELY, emailed_at__isnull=True)
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


def preference_set(*, user, kind: str, delivery: str) -> NotificationPreference:
    """Set how the member hears about one kind; the unique (user, kind) constraint keeps one row."""
    if delivery not in Delivery.values or kind not in Kind.values:
        raise ValueError("Unknown kind or delivery.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )
    return preference


def _send(*, user, subject: str, template: str, context: dict, headers: dict, unsubscribe: str) -> None:
    context = context | {"user": user, "site_url": settings.SITE_URL.rstrip("/"), "unsubscribe_url": unsubscribe}
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[user.email],
        headers=headers
        | {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    message.send()


@transaction.atomic
def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification, once; returns whether an email was sent.

    Holds the notification's row lock while it sends and marks it, so a retried or redelivered
    task sends once; a failed send rolls back and leaves it unsent for the retry. Re-reads the
    preference, so an unsubscribe since the event wins.
    """
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    user = notification.recipient
    if not user.email or not user.is_active or delivery_for(user.pk, notification.kind) != Delivery.IMMEDIATELY:
        notification.emailed_at = timezone.now()  # settled: nothing to send
        notification.save(update_fields=["emailed_at"])
        return False
    _send(
        user=user,
        subject=notification.title,
        template="notification",
        context={"notification": notification},
        headers={"X-Notification": str(notification.pk)},
        unsubscribe=unsubscribe_url(user_id=user.pk, kind=notification.kind),
    )
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def digest_user_ids() -> list[int]:
    return list(
        Notification.objects.filter(delivery=Delivery.DAILY, digest_at__isnull=True, read_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )


@transaction.atomic
def digest_send(*, user_id: int) -> int:
    """Send the member one email of their unread, undigested daily notifications; returns how many it held.

    Locks those rows (SELECT … FOR UPDATE) and marks them ``digest_at`` with the send, so a second
    run finds nothing; kinds turned off since are left out.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return 0
    due = list(
        Notification.objects.select_for_update()
        .filter(recipient_id=user_id, delivery=Delivery.DAILY, digest_at__isnull=True, read_at__isnull=True)
        .order_by("created_at")
    )
    if not due:
        return 0
    deliveries = deliveries_for([user_id], {n.kind for n in due})
    wanted = [n for n in due if deliveries[(user_id, n.kind)] == Delivery.DAILY]
    if wanted and user.email and user.is_active:
        _send(
            user=user,
            subject=f"Your daily digest: {len(wanted)} notification{'s' if len(wanted) != 1 else ''}",
            template="digest",
            context={
                "notifications": wanted,
                "unsubscribes": {n.kind: unsubscribe_url(user_id=user_id, kind=n.kind) for n in wanted},
            },
            headers={"X-Notification-Digest": str(user_id)},
            unsubscribe=unsubscribe_url(user_id=user_id, kind=wanted[0].kind),
        )
    Notification.objects.filter(pk__in=[n.pk for n in due]).update(digest_at=timezone.now())
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
    unique (event_key, recipient) constraint keeps one row; its lock (SELECT … FOR UPDATE) is
    held while sending and ``emailed_at`` marks it sent, so a retry or a second beat run does not
    send again. Nothing is written or sent when nothing is overdue.
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
    with transaction.atomic():
        notification, _ = Notification.objects.get_or_create(
            recipient=user,
            event_key=f"overdue-digest-{timezone.localdate(now).isoformat()}",
            defaults={"kind": Kind.OVERDUE_DIGEST, "title": title, "url": queue_path, "delivery": Delivery.OFF},
        )
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.emailed_at is not None:
            return False
        _send(
            user=user,
            subject=title,
            template="overdue_digest",
            context={"groups": list(groups.values()), "count": len(ideas), "queue_path": queue_path},
            headers={"X-Overdue-Digest": str(user.pk)},
            unsubscribe=unsubscribe_url(user_id=user.pk, kind=Kind.OVERDUE_DIGEST),
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


# --- In-app --------------------------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
