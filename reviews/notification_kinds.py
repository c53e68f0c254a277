"""The notifications that screening and mentoring cause: mentor messages, revision requests, and the
triage staff's daily digest of ideas overdue for a first answer.

Registered from ``ReviewsConfig.ready()`` (``notifications.registry``). The mentoring services call
``thread_message_posted`` and ``revision_requested`` in the transaction of the change.
"""

from django.urls import reverse
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from accounts.language import language_for
from accounts.rules import is_mentor, is_triage
from ideas.selectors import idea_authors
from notifications.models import Delivery
from notifications.registry import MENTORING, STAFF, Draft, NotificationKind, register
from notifications.services import notify_event

from .models import MentorAssignment, RevisionRequest, ThreadMessage

MENTOR_MESSAGE = "mentor_message"
REVISION_REQUEST = "revision_request"
REVISION_ANSWERED = "revision_answered"
OVERDUE_DIGEST = "overdue_digest"
# An event for the systems outside (webhooks) with no member notification of its own: the winner's
# author hears of it through the status change ("decision on my idea"), the followers when the
# results are announced.
WINNER_CHOSEN = "winner_chosen"


def winner_chosen(change):
    """The winner's status change; in the transaction of ``winner_choose``, once per winning change."""
    return notify_event(
        kind=WINNER_CHOSEN,
        payload={"status_change_id": change.pk, "idea_id": change.idea_id},
        actor_id=change.changed_by_id,
        event_key=f"winner_chosen:{change.pk}",
    )


def _no_drafts(payload) -> list[Draft]:
    return []


def _offered_to_nobody(user) -> bool:
    return False


def thread_message_posted(message):
    """Returns the message, so the caller can return it in one line."""
    notify_event(
        kind=MENTOR_MESSAGE,
        payload={"message_id": message.pk},
        actor_id=message.author_id,
        event_key=f"thread_message:{message.pk}",
    )
    return message


def revision_requested(request):
    """Returns the request, so the caller can return it in one line."""
    notify_event(
        kind=REVISION_REQUEST,
        payload={"revision_request_id": request.pk},
        actor_id=request.mentor_id,
        event_key=f"revision_request:{request.pk}",
    )
    return request


def revision_answered(request):
    """The author answered a revision request with a new version: tell the mentor who asked (if still theirs)."""
    notify_event(
        kind=REVISION_ANSWERED,
        payload={"revision_request_id": request.pk},
        actor_id=request.idea.author_id,
        event_key=f"revision_answered:{request.pk}",
    )
    return request


def _drafts_revision_answered(payload) -> list[Draft]:
    request = (
        RevisionRequest.objects.select_related("idea__author", "mentor", "answer_version")
        .filter(pk=payload["revision_request_id"])
        .first()
    )
    if request is None:
        return []
    idea = request.idea
    # Only the idea's current mentor: one the idea was taken from no longer sees it.
    assignment = MentorAssignment.objects.select_related("mentor").filter(idea=idea, ended_at__isnull=True).first()
    if assignment is None:
        return []
    number = request.answer_version.number if request.answer_version else None
    values = {"author": idea.author.public_name, "number": number, "idea": idea.title, "request": request.message[:200]}
    with override(language_for(assignment.mentor)):
        if number:
            body = gettext(
                "%(author)s saved a new version (version %(number)s) of “%(idea)s” in answer to your request: "
                "“%(request)s”."
            )
        else:
            body = gettext("%(author)s saved a new version of “%(idea)s” in answer to your request: “%(request)s”.")
        title = gettext("“%(idea)s” has a new version") % values
    url = reverse("reviews:mentor_idea", kwargs={"pk": idea.pk})
    return [Draft(assignment.mentor, REVISION_ANSWERED, title, body % values, url)]


def _drafts_mentor_message(payload) -> list[Draft]:
    message = ThreadMessage.objects.select_related("author", "idea__author").filter(pk=payload["message_id"]).first()
    if message is None:
        return []
    idea = message.idea

    def title(user) -> str:
        with override(language_for(user)):
            return gettext("New message from %(author)s about “%(idea)s”") % {
                "author": message.author.public_name,
                "idea": idea.title,
            }

    # The main author and the accepted co-authors read it on the idea's page; the mentor in the mentor
    # area, which is open to them where the idea's page may not be (an invite-only challenge's idea).
    drafts = [
        Draft(user, MENTOR_MESSAGE, title(user), message.body, idea.get_absolute_url()) for user in idea_authors(idea)
    ]
    assignment = MentorAssignment.objects.select_related("mentor").filter(idea=idea, ended_at__isnull=True).first()
    if assignment is not None:
        mentor_url = reverse("reviews:mentor_idea", kwargs={"pk": idea.pk})
        drafts.append(Draft(assignment.mentor, MENTOR_MESSAGE, title(assignment.mentor), message.body, mentor_url))
    return drafts


def _drafts_revision_request(payload) -> list[Draft]:
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
            author,
            REVISION_REQUEST,
            _revise_title(author, idea),
            request.message,
            idea.get_absolute_url(),
        )
        for author in idea_authors(idea)
    ]


def _revise_title(author, idea) -> str:
    with override(language_for(author)):
        return gettext("Your mentor asks you to revise “%(idea)s”") % {"idea": idea.title}


def register_kinds() -> None:
    """From ``ReviewsConfig.ready()``."""
    register(
        NotificationKind(
            MENTOR_MESSAGE,
            _("Mentor message"),
            Delivery.IMMEDIATELY,
            order=50,
            recipients=_drafts_mentor_message,
            group=MENTORING,
        )
    )
    register(
        NotificationKind(
            REVISION_REQUEST,
            _("Revision request"),
            Delivery.IMMEDIATELY,
            order=60,
            recipients=_drafts_revision_request,
            group=MENTORING,
        )
    )
    register(
        NotificationKind(
            REVISION_ANSWERED,
            _("A revision I asked for is answered (mentors)"),
            Delivery.IMMEDIATELY,
            order=65,
            recipients=_drafts_revision_answered,
            offered_to=is_mentor,
            group=MENTORING,
        )
    )
    # Sent by ``reviews.tasks.send_overdue_digests``, not from an event. The digest is itself the daily
    # email; "off" stops it. Only triage staff are offered it.
    register(
        NotificationKind(
            OVERDUE_DIGEST,
            _("Ideas overdue for a first answer (triage staff)"),
            Delivery.DAILY,
            order=120,
            offered_to=is_triage,
            group=STAFF,
        )
    )
    register(
        NotificationKind(
            WINNER_CHOSEN,
            _("Winner chosen (for webhooks)"),
            Delivery.OFF,
            order=200,
            recipients=_no_drafts,
            offered_to=_offered_to_nobody,
        )
    )
