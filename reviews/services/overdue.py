"""The triage staff's daily digest of ideas overdue for a first answer (the triage side of the promise
that every idea gets an answer). Delivered by the notifications app as a one-off email on a dated
row (``notifications.services.notification_email_once``); its kind, ``overdue_digest``, is
registered in ``reviews/notification_kinds.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext, override

from accounts.language import language_for
from accounts.rules import TRIAGE_STAFF_Q, is_triage
from ideas.models import Idea
from ideas.selectors import answer_due_expression, answer_overdue_q
from notifications.models import Delivery
from notifications.services import delivery_for, notification_email_once

from ..notification_kinds import OVERDUE_DIGEST

if TYPE_CHECKING:
    import datetime

    from django.db.models import QuerySet


def overdue_ideas(*, now: datetime.datetime) -> QuerySet[Idea]:
    """Submitted ideas with no decision whose promised answer time passed strictly before ``now``.

    The same deadline as the triage queue (``answer_due_expression``): exactly at it is not overdue.
    """
    return (
        Idea.objects.annotate(answer_due_at=answer_due_expression())
        .filter(answer_overdue_q(now))
        .select_related("challenge")
        .order_by("challenge__title", "challenge_id", "answer_due_at", "pk")
    )


def overdue_digest_recipient_ids() -> list[int]:
    """Active triage staff (the Triage group with staff status, or superusers) who have an email."""
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(TRIAGE_STAFF_Q)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _triage_queue_overdue_path() -> str:
    return reverse("admin:reviews_triageidea_changelist") + "?overdue=yes"


def overdue_digest_send(*, user_id: int, now: datetime.datetime | None = None) -> bool:
    """Email one triage staff member today's overdue ideas, grouped by challenge; returns whether it sent.

    At most once per member per day: keyed on a dated notification row (``overdue-digest-<date>``),
    claimed, sent and marked by ``notification_email_once``, so a retry or a second beat run does
    not send again. Nothing is written or sent when nothing is overdue.
    """
    now = now or timezone.now()
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.email or not is_triage(user):
        return False
    if delivery_for(user.pk, OVERDUE_DIGEST) == Delivery.OFF:
        return False
    ideas = list(overdue_ideas(now=now))
    if not ideas:
        return False
    groups: dict[int, dict] = {}
    for idea in ideas:
        idea.days_overdue = (now - idea.answer_due_at).days  # type: ignore[attr-defined]  # annotated rows
        groups.setdefault(idea.challenge_id, {"challenge": idea.challenge, "ideas": []})["ideas"].append(idea)
    queue_path = _triage_queue_overdue_path()
    # Written in the recipient's language: the subject, the notification's title and the body.
    with override(language_for(user)):
        title = ngettext(
            "%(count)s idea overdue for a first answer", "%(count)s ideas overdue for a first answer", len(ideas)
        ) % {"count": len(ideas)}
        return notification_email_once(
            user=user,
            kind=OVERDUE_DIGEST,
            event_key=f"overdue-digest-{timezone.localdate(now).isoformat()}",
            title=title,
            url=queue_path,
            template="reviews/email/overdue_digest",
            context={"groups": list(groups.values()), "count": len(ideas), "queue_path": queue_path},
            headers={"X-Overdue-Digest": str(user.pk)},
        )
