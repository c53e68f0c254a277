"""The notifications that ideas cause: their kinds, who receives them, and the events that carry them.

Registered from ``IdeasConfig.ready()`` (``notifications.registry``). The services call the event
functions below (``idea_received``, ``status_changed``, ``comment_posted``, ``kudos_given``) in
the transaction of the change; the worker turns each event into one notification per recipient.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.language import language_for
from core.funnel import status_title, your_idea_status_sentence, your_idea_status_title
from notifications.models import Delivery, OutboxEvent
from notifications.registry import FOLLOWED, YOUR_IDEAS, Draft, NotificationKind, register
from notifications.services import notify_event

from .models import Comment, Idea, IdeaCoauthor, IdeaFollow, Status, StatusChange
from .rules import can_view_idea, is_coauthor_invitee
from .selectors import comment_url, idea_authors

IDEA_RECEIVED = "idea_received"
STATUS_CHANGED = "status_changed"
MY_IDEA_STATUS = "my_idea_status"
COMMENT_ON_IDEA = "comment_on_idea"
COMMENT_REPLY = "comment_reply"
KUDOS_RECEIVED = "kudos_received"
VOTED_IDEA_STATUS = "voted_idea_status"
COMMENT_ON_FOLLOWED = "comment_on_followed"
# An event for the systems outside (webhooks), with no member notification of its own: an idea's
# up-votes reached one of ``settings.IDEA_VOTE_THRESHOLDS``.
VOTE_THRESHOLD_REACHED = "vote_threshold_reached"
# Co-authors: a member invited to co-author an idea; the main author told of the answer.
COAUTHOR_INVITED = "coauthor_invited"
COAUTHOR_ANSWERED = "coauthor_answered"


# --- events, in the request ----------------------------------------------------------------------


def idea_received(idea) -> OutboxEvent | None:
    """The author's acknowledgement, for a submitted idea (a draft waits for its submission)."""
    if idea.status != Status.SUBMITTED:
        return None
    return notify_event(kind=IDEA_RECEIVED, payload={"idea_id": idea.pk}, event_key=f"idea_received:{idea.pk}")


def status_changed(change) -> OutboxEvent:
    return notify_event(
        kind=STATUS_CHANGED,
        payload={"status_change_id": change.pk},
        actor_id=change.changed_by_id,
        event_key=f"status_changed:{change.pk}",
    )


def comment_posted(comment) -> OutboxEvent:
    return notify_event(
        kind=COMMENT_ON_IDEA,
        payload={"comment_id": comment.pk},
        actor_id=comment.author_id,
        event_key=f"comment:{comment.pk}",
    )


def kudos_given(*, comment, user) -> OutboxEvent:
    # Keyed on (comment, giver): kudos taken back and given again does not notify twice.
    return notify_event(
        kind=KUDOS_RECEIVED,
        payload={"comment_id": comment.pk},
        actor_id=user.pk,
        event_key=f"kudos:{comment.pk}:{user.pk}",
    )


def vote_threshold_reached(*, idea, threshold: int, actor_id: int) -> OutboxEvent:
    # Keyed on (idea, threshold): votes taken back and cast again do not make a second event.
    return notify_event(
        kind=VOTE_THRESHOLD_REACHED,
        payload={"idea_id": idea.pk, "threshold": threshold},
        actor_id=actor_id,
        event_key=f"vote_threshold:{idea.pk}:{threshold}",
    )


def coauthor_invited(coauthorship) -> OutboxEvent | None:
    """A member invited to co-author (an address without a member gets an email of its own instead:
    ``ideas.services.coauthor_invitation_send``)."""
    if coauthorship.user_id is None:
        return None
    return notify_event(
        kind=COAUTHOR_INVITED,
        payload={"coauthor_id": coauthorship.pk},
        actor_id=coauthorship.invited_by_id,
        event_key=f"coauthor_invited:{coauthorship.pk}",
    )


def coauthor_answered(coauthorship) -> OutboxEvent:
    return notify_event(
        kind=COAUTHOR_ANSWERED,
        payload={"coauthor_id": coauthorship.pk},
        actor_id=coauthorship.user_id,
        event_key=f"coauthor_answered:{coauthorship.pk}:{coauthorship.status}",
    )


# --- recipients, in the worker -------------------------------------------------------------------


_authors = idea_authors


def _drafts_idea_received(payload) -> list[Draft]:
    idea = Idea.objects.select_related("author", "challenge").filter(pk=payload["idea_id"]).first()
    if idea is None:
        return []
    drafts = []
    for author in _authors(idea):
        with _in_language_of(author):
            drafts.append(
                Draft(
                    author,
                    IDEA_RECEIVED,
                    _("We received your idea “%(title)s”") % {"title": idea.title},
                    _("Thank you: your idea for “%(challenge)s” is submitted. Staff will answer it with a reason.")
                    % {"challenge": idea.challenge.title},
                    idea.get_absolute_url(),
                )
            )
    return drafts


def _in_language_of(user):
    """Write a recipient's texts in their language (the worker has no request)."""
    return translation.override(language_for(user))


def _followers(idea, exclude_ids) -> list:
    follows = IdeaFollow.objects.filter(idea=idea).exclude(user_id__in=exclude_ids).select_related("user")
    return [f.user for f in follows if f.user.is_active and can_view_idea(f.user, idea)]


def _drafts_status_changed(payload) -> list[Draft]:
    change = (
        StatusChange.objects.select_related("idea__author", "idea__challenge", "idea__duplicate_of")
        .filter(pk=payload["status_change_id"])
        .first()
    )
    if change is None:
        return []
    idea = change.idea
    authors = _authors(idea)
    author_ids = {author.pk for author in authors}
    drafts = []
    for author in authors:
        with _in_language_of(author):
            drafts.append(
                Draft(
                    author,
                    MY_IDEA_STATUS,
                    your_idea_status_title(change.to_status, idea=idea.title),
                    _author_status_body(change),
                    idea.get_absolute_url(),
                )
            )

    def watcher_draft(user, kind) -> Draft:
        with _in_language_of(user):
            title = status_title(change.to_status, idea=idea.title)
        return Draft(user, kind, title, change.reason, idea.get_absolute_url())

    followers = _followers(idea, exclude_ids=author_ids)
    drafts += [watcher_draft(user, STATUS_CHANGED) for user in followers]
    # Voters who asked for it; a voter who follows already has the follower's draft.
    drafts += [
        watcher_draft(user, VOTED_IDEA_STATUS)
        for user in _opted_in_voters(idea, exclude_ids=author_ids | {u.pk for u in followers})
    ]
    return drafts


def _author_status_body(change) -> str:
    """What the author reads: where the idea moved, why, and where its votes went if it was merged
    (in the active language: the caller chose the author's)."""
    idea = change.idea
    lines = [
        your_idea_status_sentence(
            change.to_status, idea=idea.title, challenge=idea.challenge.title, previous=change.from_status
        )
    ]
    if change.reason:
        lines.append(_("Why: %(reason)s") % {"reason": change.reason})
    if idea.duplicate_of_id:
        lines.append(
            _("It was merged into “%(title)s”; your supporters' votes moved there.")
            % {"title": idea.duplicate_of.title}
        )
    lines.append(_("Thank you for taking part."))
    return "\n\n".join(lines)


def _opted_in_voters(idea, exclude_ids) -> list:
    """The idea's voters who turned on "ideas I voted on" (it is off by default), in one query."""
    voters = (
        get_user_model()
        .objects.filter(
            votes__idea=idea,
            is_active=True,
            notification_preferences__kind=VOTED_IDEA_STATUS,
            notification_preferences__delivery__in=[Delivery.IMMEDIATELY, Delivery.DAILY],
        )
        .exclude(pk__in=exclude_ids)
        .order_by("pk")
    )
    return [user for user in voters if can_view_idea(user, idea)]


def _drafts_comment(payload) -> list[Draft]:
    comment = (
        Comment.objects.select_related("author", "idea__author", "idea__challenge", "parent__author")
        .filter(pk=payload["comment_id"])
        .first()
    )
    if comment is None:
        return []
    idea, url = comment.idea, comment_url(comment)
    names = {"name": comment.author.public_name, "title": idea.title}

    def draft(user, kind, title) -> Draft:
        with _in_language_of(user):
            return Draft(user, kind, str(title) % names, comment.body, url)

    drafts = []
    if comment.parent_id:
        drafts.append(
            draft(comment.parent.author, COMMENT_REPLY, gettext_lazy("%(name)s replied to your comment on “%(title)s”"))
        )
    authors = _authors(idea)
    drafts += [
        draft(author, COMMENT_ON_IDEA, gettext_lazy("%(name)s commented on your idea “%(title)s”"))
        for author in authors
    ]
    drafts = [d for d in drafts if can_view_idea(d.recipient, idea)]
    # Followers last: the authors or the replied-to keep their more personal notification.
    drafts += [
        draft(user, COMMENT_ON_FOLLOWED, gettext_lazy("%(name)s commented on “%(title)s”, which you follow"))
        for user in _followers(idea, exclude_ids={author.pk for author in authors})
    ]
    return drafts


def _drafts_kudos(payload) -> list[Draft]:
    comment = Comment.objects.select_related("author", "idea").filter(pk=payload["comment_id"]).first()
    if comment is None:
        return []
    with _in_language_of(comment.author):
        title = _("Your comment on “%(title)s” received kudos") % {"title": comment.idea.title}
    return [Draft(comment.author, KUDOS_RECEIVED, title, comment.body, comment_url(comment))]


def _drafts_coauthor_invited(payload) -> list[Draft]:
    from .services.coauthors import coauthor_invitation_token  # the services import this module

    coauthorship = (
        IdeaCoauthor.objects.select_related("idea__author", "idea__challenge", "user")
        .filter(pk=payload["coauthor_id"], status=IdeaCoauthor.State.INVITED)
        .first()
    )
    if coauthorship is None or coauthorship.user is None or not is_coauthor_invitee(coauthorship.user, coauthorship):
        return []
    idea = coauthorship.idea
    url = reverse("ideas:coauthor_invitation", kwargs={"token": coauthor_invitation_token(coauthorship)})
    names = {"name": idea.author.public_name, "title": idea.title, "challenge": idea.challenge.title}
    with _in_language_of(coauthorship.user):
        title = _("%(name)s invites you to co-author “%(title)s”") % names
        body = (
            _(
                "%(name)s would like you to co-author their idea “%(title)s” in the challenge “%(challenge)s”. "
                "As a co-author you can edit it, answer its mentor and share its points. "
                "Open the invitation to accept or decline it."
            )
            % names
        )
    return [Draft(coauthorship.user, COAUTHOR_INVITED, title, body, url)]


def _drafts_coauthor_answered(payload) -> list[Draft]:
    coauthorship = IdeaCoauthor.objects.select_related("idea__author", "user").filter(pk=payload["coauthor_id"]).first()
    if coauthorship is None or coauthorship.user is None:
        return []
    idea = coauthorship.idea
    names = {"name": coauthorship.user.public_name, "title": idea.title}
    with _in_language_of(idea.author):
        if coauthorship.status == IdeaCoauthor.State.ACCEPTED:
            title = _("%(name)s is now a co-author of “%(title)s”") % names
            body = _("%(name)s accepted your invitation.") % names
        elif coauthorship.status == IdeaCoauthor.State.DECLINED:
            title = _("%(name)s declined to co-author “%(title)s”") % names
            body = _("%(name)s declined your invitation.") % names
        else:
            return []
    return [Draft(idea.author, COAUTHOR_ANSWERED, title, body, reverse("ideas:coauthors", kwargs={"pk": idea.pk}))]


def register_kinds() -> None:
    """From ``IdeasConfig.ready()``. What answers a member personally comes at once, the rest daily."""
    register(
        NotificationKind(
            IDEA_RECEIVED,
            gettext_lazy("Idea received"),
            Delivery.IMMEDIATELY,
            order=10,
            recipients=_drafts_idea_received,
            tells_the_actor=True,  # the author's own acknowledgement
            group=YOUR_IDEAS,
        )
    )
    register(
        NotificationKind(
            STATUS_CHANGED,
            gettext_lazy("Status of an idea changed"),
            Delivery.IMMEDIATELY,
            order=20,
            recipients=_drafts_status_changed,
            group=FOLLOWED,
        )
    )
    # The author's decisions come with the status change's event; a kind of its own, so the author
    # can choose for their own ideas apart from the ones they follow.
    register(
        NotificationKind(
            MY_IDEA_STATUS, gettext_lazy("Decision on my idea"), Delivery.IMMEDIATELY, order=25, group=YOUR_IDEAS
        )
    )
    register(
        NotificationKind(
            COMMENT_ON_IDEA,
            gettext_lazy("Comment on my idea"),
            Delivery.DAILY,
            order=30,
            recipients=_drafts_comment,
            group=YOUR_IDEAS,
        )
    )
    register(
        NotificationKind(
            COMMENT_REPLY, gettext_lazy("Reply to my comment"), Delivery.IMMEDIATELY, order=40, group=YOUR_IDEAS
        )
    )
    register(
        NotificationKind(
            KUDOS_RECEIVED,
            gettext_lazy("Kudos received"),
            Delivery.DAILY,
            order=70,
            recipients=_drafts_kudos,
            group=YOUR_IDEAS,
        )
    )
    # Voters hear of status changes only if they ask: a vote is not a subscription.
    register(
        NotificationKind(
            VOTED_IDEA_STATUS,
            gettext_lazy("Tell me when ideas I voted on change status"),
            Delivery.OFF,
            order=100,
            group=FOLLOWED,
        )
    )
    register(
        NotificationKind(
            COMMENT_ON_FOLLOWED, gettext_lazy("Comment on an idea I follow"), Delivery.DAILY, order=110, group=FOLLOWED
        )
    )
    register(
        NotificationKind(
            COAUTHOR_INVITED,
            gettext_lazy("Invitation to co-author an idea"),
            Delivery.IMMEDIATELY,
            order=45,
            recipients=_drafts_coauthor_invited,
            group=YOUR_IDEAS,
        )
    )
    register(
        NotificationKind(
            COAUTHOR_ANSWERED,
            gettext_lazy("Answer to my invitation to co-author"),
            Delivery.IMMEDIATELY,
            order=46,
            recipients=_drafts_coauthor_answered,
            group=YOUR_IDEAS,
        )
    )
    register(
        NotificationKind(
            VOTE_THRESHOLD_REACHED,
            gettext_lazy("Idea reached a vote threshold (for webhooks)"),
            Delivery.OFF,
            order=200,
            recipients=_no_drafts,
            offered_to=_offered_to_nobody,
        )
    )


def _no_drafts(payload) -> list[Draft]:
    return []


def _offered_to_nobody(user) -> bool:
    return False
