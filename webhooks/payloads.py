"""What a webhook says about an event: the data (Standard Webhooks JSON) and the Slack / Teams messages.

Read in the worker, when the outbox event is processed, from the rows as they are then. A payload
names no member: no author's or commenter's name or address (an idea's or a comment's text is what
its author published). Webhooks are configured by staff, so they carry what staff may see, with one
guard: an event of an invite-only challenge goes only to endpoints marked "include invite-only
challenges" (``Event.invite_only``).
"""

import dataclasses
import json

from django.conf import settings

from challenges import notification_kinds as challenge_kinds
from challenges.models import Challenge
from ideas import notification_kinds as idea_kinds
from ideas.models import Comment, Idea, Status, StatusChange
from reviews import notification_kinds as review_kinds

from .events import EventType
from .models import Format

# outbox kind -> event type; kinds not listed (kudos, mentor messages, …) are never sent out.
EVENT_TYPE_OF_KIND = {
    idea_kinds.IDEA_RECEIVED: EventType.IDEA_SUBMITTED,
    idea_kinds.STATUS_CHANGED: EventType.IDEA_STATUS_CHANGED,
    idea_kinds.COMMENT_ON_IDEA: EventType.COMMENT_POSTED,
    idea_kinds.VOTE_THRESHOLD_REACHED: EventType.VOTE_THRESHOLD_REACHED,
    challenge_kinds.PHASE_CHANGED: EventType.CHALLENGE_PHASE_CHANGED,
    challenge_kinds.RESULTS_ANNOUNCED: EventType.CHALLENGE_PHASE_CHANGED,
    review_kinds.WINNER_CHOSEN: EventType.WINNER_CHOSEN,
}


@dataclasses.dataclass
class Event:
    type: str
    data: dict
    text: str  # one line for chat: Slack mrkdwn-free plain text with the link after it
    title: str
    url: str
    invite_only: bool


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _challenge_data(challenge: Challenge) -> dict:
    return {
        "id": challenge.pk,
        "title": challenge.title,
        "phase": challenge.phase,
        "invite_only": challenge.is_invite_only,
        "url": _absolute(challenge.get_absolute_url()),
    }


def _idea_data(idea: Idea) -> dict:
    return {
        "id": idea.pk,
        "title": idea.title,
        "status": idea.status,
        "votes_up": idea.votes_up,
        "url": _absolute(idea.get_absolute_url()),
        "challenge": _challenge_data(idea.challenge),
    }


def _idea_event(event_type, idea: Idea, data: dict, text: str) -> Event:
    return Event(
        type=event_type,
        data={"idea": _idea_data(idea)} | data,
        text=text,
        title=idea.title,
        url=_absolute(idea.get_absolute_url()),
        invite_only=idea.challenge.is_invite_only,
    )


def event_for(kind: str, payload: dict) -> Event | None:
    """The event an outbox event of this kind reports, or None (not a webhook event, or its rows are gone)."""
    event_type = EVENT_TYPE_OF_KIND.get(kind)
    if event_type is None:
        return None
    ideas = Idea.objects.select_related("challenge")
    if event_type == EventType.IDEA_SUBMITTED:
        idea = ideas.filter(pk=payload["idea_id"]).first()
        if idea is None:
            return None
        return _idea_event(event_type, idea, {}, f"New idea in “{idea.challenge.title}”: “{idea.title}”")
    if event_type in (EventType.IDEA_STATUS_CHANGED, EventType.WINNER_CHOSEN):
        change = (
            StatusChange.objects.select_related("idea__challenge", "idea__duplicate_of")
            .filter(pk=payload["status_change_id"])
            .first()
        )
        if change is None:
            return None
        idea = change.idea
        data = {"from_status": change.from_status, "to_status": change.to_status, "reason": change.reason}
        if event_type == EventType.WINNER_CHOSEN:
            text = f"Winner of “{idea.challenge.title}”: “{idea.title}”"
            return _idea_event(
                event_type, idea, {"reason": change.reason, "challenge": _challenge_data(idea.challenge)}, text
            )
        if idea.duplicate_of_id and change.to_status == Status.DUPLICATE:
            data["merged_into"] = {"id": idea.duplicate_of_id, "url": _absolute(idea.duplicate_of.get_absolute_url())}
        text = (
            f"“{idea.title}” moved from {change.get_from_status_display().lower()} "
            f"to {change.get_to_status_display().lower()}"
        )
        if change.reason:
            text += f". Why: {change.reason}"
        return _idea_event(event_type, idea, data, text)
    if event_type == EventType.COMMENT_POSTED:
        comment = Comment.objects.select_related("idea__challenge").filter(pk=payload["comment_id"]).first()
        if comment is None or comment.hidden_at or comment.removed_at:
            return None
        idea = comment.idea
        data = {"comment": {"id": comment.pk, "body": comment.body, "reply_to": comment.parent_id}}
        return _idea_event(event_type, idea, data, f"New comment on “{idea.title}”: {_excerpt(comment.body)}")
    if event_type == EventType.VOTE_THRESHOLD_REACHED:
        idea = ideas.filter(pk=payload["idea_id"]).first()
        if idea is None:
            return None
        threshold = payload["threshold"]
        return _idea_event(event_type, idea, {"threshold": threshold}, f"“{idea.title}” reached {threshold} up-votes")
    if event_type == EventType.CHALLENGE_PHASE_CHANGED:
        challenge = Challenge.objects.filter(pk=payload["challenge_id"]).first()
        if challenge is None:
            return None
        to_phase = Challenge.Phase(payload["to_phase"])
        return Event(
            type=event_type,
            data={
                "challenge": _challenge_data(challenge),
                "from_phase": payload["from_phase"],
                "to_phase": payload["to_phase"],
            },
            text=f"“{challenge.title}” moved to {to_phase.label.lower()}",
            title=challenge.title,
            url=_absolute(challenge.get_absolute_url()),
            invite_only=challenge.is_invite_only,
        )
    return None


def test_event() -> Event:
    return Event(
        type=EventType.TEST,
        data={"message": "A test message from the idea portal: this endpoint receives its webhooks."},
        text="A test message from the idea portal: this endpoint receives its webhooks.",
        title="Test message",
        url=_absolute("/"),
        invite_only=False,
    )


def _excerpt(text: str, length: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def body_for(event: Event, *, format: str, message_id: str, timestamp: str) -> str:
    """The request body for an endpoint of this format (JSON text)."""
    if format == Format.SLACK:
        # Slack's incoming webhooks: "text" with its own link syntax (<url|label>); &, < and > escaped.
        escaped = event.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        message = {"text": f"{escaped} <{event.url}|Open in the portal>"}
    elif format == Format.TEAMS:
        # Teams' workflow webhooks ("When a Teams webhook request is received"): a message with an Adaptive Card.
        message = {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [{"type": "TextBlock", "text": event.text, "wrap": True}],
                        "actions": [{"type": "Action.OpenUrl", "title": "Open in the portal", "url": event.url}],
                    },
                }
            ],
        }
    else:
        message = {"type": event.type, "timestamp": timestamp, "id": message_id, "data": event.data}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
