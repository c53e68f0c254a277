"""Webhooks: a delivery per (endpoint, outbox event), sent signed by the worker, retried, logged.

1. ``deliveries_create_for_event`` is the outbox listener (``notifications.registry``): in the
   transaction that processes an outbox event, it builds the body once per active endpoint that
   subscribed to the event's type and inserts the deliveries (the unique (endpoint, event) constraint
   makes a second processing insert nothing); their first attempts are queued after commit.
2. ``delivery_attempt`` (worker) claims the delivery with a lease (committed), POSTs it with no
   transaction open, then records the attempt: delivered, or a retry after the next wait of
   ``WEBHOOK_RETRY_SCHEDULE_SECONDS`` (failed once they are used up). ``WEBHOOK_DISABLE_AFTER_FAILURES``
   failed attempts in a row turn the endpoint off and tell the staff who manage webhooks.
3. ``delivery_replay`` (admin) queues a new attempt of a delivery, whatever its state.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record

from . import http, notification_kinds, payloads, signing
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from notifications.models import OutboxEvent


# Waits up to this long are queued as a countdown; longer ones are left to the beat task (Redis would
# hand a task kept past its visibility timeout to a second worker).
MAX_COUNTDOWN_SECONDS = 600


# Payloads are for programs (and the channels they post to): always in English, whoever caused the event.
PAYLOAD_LANGUAGE = "en"


class WebhookError(Exception):
    """A staff action on webhooks that cannot be done; the message says why."""


def _queue_attempt(delivery_id: int, *, countdown: int | None = None, replay: bool = False) -> None:
    from .tasks import send_webhook_delivery

    options = {"countdown": countdown} if countdown else {}
    send_webhook_delivery.apply_async_on_commit(args=[delivery_id], kwargs={"replay": replay}, **options)


# --- 1. Deliveries, when an outbox event is processed -------------------------------------------------


def deliveries_create_for_event(event: OutboxEvent) -> int:
    """The outbox listener: one delivery per active endpoint subscribed to the event; returns how many are new."""
    event_type = payloads.EVENT_TYPE_OF_KIND.get(event.kind)
    if event_type is None:
        return 0
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if e.wants(event_type)]
    if not endpoints:
        return 0
    with translation.override(PAYLOAD_LANGUAGE):  # machine-readable: never the actor's language
        content = payloads.event_for(event.kind, event.payload)
        if content is None:
            return 0
        timestamp = event.created_at.isoformat()
        rows = []
        for endpoint in endpoints:
            if content.invite_only and not endpoint.include_invite_only:
                continue
            message_id = f"msg_{uuid.uuid4().hex}"
            body = payloads.body_for(content, format=endpoint.format, message_id=message_id, timestamp=timestamp)
            rows.append(
                WebhookDelivery(
                    endpoint=endpoint,
                    event_key=event.event_key,
                    event_type=event_type,
                    message_id=message_id,
                    body=body,
                )
            )
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    new_ids = list(
        WebhookDelivery.objects.filter(
            event_key=event.event_key, message_id__in=[row.message_id for row in rows]
        ).values_list("pk", flat=True)
    )
    for delivery_id in new_ids:
        _queue_attempt(delivery_id)
    return len(new_ids)


# --- 2. Attempts, in the worker ----------------------------------------------------------------------


def _claim(delivery_id: int, *, now) -> bool:
    """Take the delivery for one attempt (committed at once): pending, due, its endpoint on, nobody holding it."""
    lease = datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + datetime.timedelta(seconds=1))
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    with transaction.atomic():
        return bool(
            WebhookDelivery.objects.filter(due, free, pk=delivery_id, state=WebhookDelivery.State.PENDING)
            .filter(endpoint__active=True)
            .update(claimed_until=now + lease)
        )


def delivery_attempt(*, delivery_id: int, replay: bool = False) -> str:
    """Send one attempt of a delivery and record it; returns what happened ("delivered", "retry", "failed", "skipped").

    Call it with no transaction open: the claim commits before the HTTP call and the record after it.
    """
    started_at = timezone.now()
    if not _claim(delivery_id, now=started_at):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    timestamp = int(started_at.timestamp())
    headers = signing.signed_headers(
        secret=endpoint.secret, message_id=delivery.message_id, timestamp=timestamp, body=body
    )
    response = http.post(
        url=endpoint.url,
        body=body,
        headers=headers,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        max_body_chars=settings.WEBHOOK_RESPONSE_BODY_MAX_CHARS,
    )
    return _attempt_record(delivery_id, response=response, started_at=started_at, replay=replay)


@transaction.atomic
def _attempt_record(delivery_id: int, *, response: http.Response, started_at, replay: bool) -> str:
    """Log the attempt and move the delivery on, under the delivery's and the endpoint's row locks."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    now = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=started_at,
        duration_ms=response.duration_ms,
        status_code=response.status_code,
        response_body=response.body,
        error=response.error[:500],
        succeeded=response.succeeded,
        replay=replay,
    )
    delivery.claimed_until = None
    delivery.last_status_code = response.status_code
    delivery.last_error = response.error[:500]
    if response.succeeded:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = WebhookDelivery.State.DELIVERED, now, None
        delivery.save()
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return "delivered"
    schedule = settings.WEBHOOK_RETRY_SCHEDULE_SECONDS
    refused_for_good = response.status_code is None and response.error.startswith("Refused")
    delivery.attempts += 1
    if delivery.attempts <= len(schedule) and not refused_for_good:
        wait = schedule[delivery.attempts - 1]
        delivery.next_attempt_at = now + datetime.timedelta(seconds=wait)
        outcome = "retry"
        if wait <= MAX_COUNTDOWN_SECONDS:
            _queue_attempt(delivery.pk, countdown=wait)
    else:
        delivery.state, delivery.next_attempt_at, outcome = WebhookDelivery.State.FAILED, None, "failed"
    delivery.save()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db(fields=["consecutive_failures"])
    if endpoint.active and endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        _endpoint_disable_unlocked(endpoint, last=response)
    return outcome


def _endpoint_disable_unlocked(endpoint: WebhookEndpoint, *, last: http.Response) -> None:
    """Turn the endpoint off and tell the staff who manage webhooks; the caller holds the endpoint's row lock."""
    last_answer = f"HTTP {last.status_code}" if last.status_code else last.error
    endpoint.active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = (f"{endpoint.consecutive_failures} attempts in a row failed (the last: {last_answer}).")[
        :300
    ]
    endpoint.save(update_fields=["active", "disabled_at", "disabled_reason", "updated_at"])
    audit_record(
        actor=None,
        action="webhook.endpoint_disabled",
        target=endpoint,
        before={"active": True},
        after={"active": False, "reason": endpoint.disabled_reason},
    )
    notification_kinds.endpoint_disabled(endpoint)


def deliveries_due_ids(*, limit: int = 500) -> list[int]:
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, endpoint__active=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- 3. Staff actions (the admin) ---------------------------------------------------------------------


@transaction.atomic
def delivery_replay(*, delivery: WebhookDelivery, by: User, request: HttpRequest | None = None) -> WebhookDelivery:
    """Queue a new attempt of the delivery (same body, same webhook-id), with a fresh retry schedule."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if not delivery.endpoint.active:
        raise WebhookError(
            _("“%(endpoint)s” is turned off: turn it on before sending again.") % {"endpoint": delivery.endpoint}
        )
    before = {"state": delivery.state, "attempts": delivery.attempts}
    delivery.state, delivery.attempts = WebhookDelivery.State.PENDING, 0
    delivery.next_attempt_at, delivery.claimed_until = timezone.now(), None
    delivery.save(update_fields=["state", "attempts", "next_attempt_at", "claimed_until"])
    audit_record(
        actor=by,
        action="webhook.delivery_replayed",
        target=delivery,
        before=before,
        after={"state": delivery.state, "message_id": delivery.message_id},
        request=request,
    )
    _queue_attempt(delivery.pk, replay=True)
    return delivery


AUDITED_FIELDS = ["name", "url", "event_types", "format", "include_invite_only", "active"]


def endpoint_state(endpoint: WebhookEndpoint | None) -> dict:
    """What the audit log keeps of an endpoint: its settings, and whether the secret changed (never the secret)."""
    if endpoint is None:
        return {}
    return {field: getattr(endpoint, field) for field in AUDITED_FIELDS}


@transaction.atomic
def endpoint_save(
    *,
    endpoint: WebhookEndpoint,
    by: User,
    before: dict,
    secret_changed: bool = False,
    request: HttpRequest | None = None,
) -> WebhookEndpoint:
    """Save an endpoint from the admin and record the change. Turning it on again starts its failure
    count afresh and sends what waited for it."""
    created = endpoint.pk is None
    if endpoint.active and (created or before.get("active") is False):
        endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason = 0, None, ""
    endpoint.save()
    after = endpoint_state(endpoint) | ({"secret_changed": True} if secret_changed and not created else {})
    audit_record(
        actor=by,
        action="webhook.endpoint_created" if created else "webhook.endpoint_changed",
        target=endpoint,
        before=before,
        after=after,
        request=request,
    )
    if not created and endpoint.active and before.get("active") is False:
        waiting = WebhookDelivery.objects.filter(endpoint=endpoint, state=WebhookDelivery.State.PENDING)
        waiting_ids = list(waiting.values_list("pk", flat=True))
        waiting.update(next_attempt_at=timezone.now())
        for delivery_id in waiting_ids:
            _queue_attempt(delivery_id)
    return endpoint


@transaction.atomic
def _test_body(endpoint: WebhookEndpoint, message_id: str) -> str:
    with translation.override(PAYLOAD_LANGUAGE):
        return payloads.body_for(
            payloads.test_event(), format=endpoint.format, message_id=message_id, timestamp=timezone.now().isoformat()
        )


def endpoint_test_send(*, endpoint: WebhookEndpoint, by: User, request: HttpRequest | None = None) -> WebhookDelivery:
    """Queue a test message to the endpoint (signed and logged like any delivery, retried the same way)."""
    if not endpoint.active:
        raise WebhookError(
            _("“%(endpoint)s” is turned off: turn it on before sending a test message.") % {"endpoint": endpoint}
        )
    message_id = f"msg_{uuid.uuid4().hex}"
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_key=f"test:{message_id}",
        event_type=payloads.EventType.TEST,
        message_id=message_id,
        body=_test_body(endpoint, message_id),
    )
    audit_record(
        actor=by, action="webhook.test_sent", target=endpoint, after={"delivery": delivery.pk}, request=request
    )
    _queue_attempt(delivery.pk)
    return delivery


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, by: User, request: HttpRequest | None = None) -> None:
    audit_record(
        actor=by, action="webhook.endpoint_deleted", target=endpoint, before=endpoint_state(endpoint), request=request
    )
    endpoint.delete()


@transaction.atomic
def endpoint_secret_rotate(
    *, endpoint: WebhookEndpoint, by: User, request: HttpRequest | None = None
) -> WebhookEndpoint:
    """A new secret; from now on every request (retries of older deliveries too) is signed with it."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = signing.secret_generate()
    endpoint.save(update_fields=["secret", "updated_at"])
    audit_record(
        actor=by, action="webhook.secret_rotated", target=endpoint, after={"secret_changed": True}, request=request
    )
    return endpoint
