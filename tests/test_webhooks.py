"""Webhooks: deliveries from the outbox to a real HTTP receiver on the loopback, signed per Standard
Webhooks, retried after a failure, an endpoint turned off after repeated failures (staff told),
replay from the admin; through a real Celery worker where the path goes through the broker."""

import json
import time

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEntry
from ideas import services as idea_services
from ideas.models import Status
from notifications.models import Notification, OutboxEvent
from notifications.services import outbox_event_process
from tests import factories
from tests.celery_worker import REDIS_URL, wait_until
from tests.notification_kinds import Kind
from tests.webhook_receiver import verify_standard_webhook, webhook_receiver
from webhooks import services, signing
from webhooks.events import EventType
from webhooks.models import Format, WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoint_for(url, *event_types, **fields):
    fields.setdefault("name", "Innovation team's receiver")
    return WebhookEndpoint.objects.create(url=url, event_types=[str(t) for t in event_types], **fields)


def shortlist(idea, triage, reason="Strong support from the warehouse team."):
    return idea_services.idea_status_change(
        idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason=reason, expected_status=Status.SUBMITTED
    )


@pytest.fixture
def fast_retries(settings):
    settings.WEBHOOK_RETRY_SCHEDULE_SECONDS = [1, 1, 1, 1]
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    return settings


# --- through the real worker ------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker")
def test_a_status_change_arrives_signed_with_its_reason(worker):
    triage, idea = factories.TriageFactory(), factories.IdeaFactory(title="Lockers at stations")
    with webhook_receiver() as receiver:
        endpoint = endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED)
        shortlist(idea, triage)
        [request] = receiver.wait_for(1)
        wait_until(lambda: WebhookDelivery.objects.filter(state="delivered").exists(), "the delivery to be recorded")

    assert request.path == "/hooks/portal"
    assert verify_standard_webhook(secret=endpoint.secret, headers=request.headers, body=request.body)
    assert not verify_standard_webhook(secret=signing.secret_generate(), headers=request.headers, body=request.body)
    assert not verify_standard_webhook(secret=endpoint.secret, headers=request.headers, body=request.body + b" ")
    body = json.loads(request.body)
    assert body["type"] == "idea.status_changed"
    assert body["data"]["from_status"] == Status.SUBMITTED and body["data"]["to_status"] == Status.SHORTLISTED
    assert body["data"]["reason"] == "Strong support from the warehouse team."
    assert body["data"]["idea"]["title"] == "Lockers at stations"
    assert body["data"]["idea"]["url"].endswith(idea.get_absolute_url())
    # No member's name or address travels with it.
    assert idea.author.email not in request.body.decode() and idea.author.display_name not in request.body.decode()
    delivery = WebhookDelivery.objects.get()
    assert request.headers["webhook-id"] == delivery.message_id == body["id"]
    [attempt] = delivery.log.all()
    assert attempt.status_code == 200 and attempt.succeeded and attempt.response_body == "ok"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker")
def test_a_500_is_retried_with_the_same_id_and_then_succeeds(worker, fast_retries):
    triage, idea = factories.TriageFactory(), factories.IdeaFactory()
    with webhook_receiver(answers=[(500, "database is down", 0), (200, "thanks", 0)]) as receiver:
        endpoint = endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED)
        shortlist(idea, triage)
        first, second = receiver.wait_for(2)
        wait_until(lambda: WebhookDelivery.objects.filter(state="delivered").exists(), "the retry to be recorded")

    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    assert verify_standard_webhook(secret=endpoint.secret, headers=second.headers, body=second.body)
    attempts = list(WebhookAttempt.objects.order_by("started_at"))
    assert [(a.status_code, a.succeeded, a.response_body) for a in attempts] == [
        (500, False, "database is down"),
        (200, True, "thanks"),
    ]
    assert (attempts[1].started_at - attempts[0].started_at).total_seconds() >= 0.9  # the schedule's wait
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.active


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker")
def test_repeated_failures_turn_the_endpoint_off_and_tell_the_staff_who_manage_webhooks(worker, fast_retries):
    from django.contrib.auth.models import Group, Permission

    fast_retries.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    triage, idea = factories.TriageFactory(), factories.IdeaFactory()
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    integrations = Group.objects.create(name="Integrations")
    integrations.permissions.add(Permission.objects.get(codename="change_webhookendpoint"))
    manager = factories.UserFactory(is_staff=True)
    manager.groups.add(integrations)
    factories.UserFactory(is_staff=False).groups.add(integrations)  # not staff: not told
    with webhook_receiver(answers=[(503, "unavailable", 0)]) as receiver:
        endpoint = endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED)
        shortlist(idea, triage)
        receiver.wait_for(3)
        wait_until(lambda: Notification.objects.filter(kind=Kind.WEBHOOK_DISABLED).exists(), "the staff to be told")
        time.sleep(1.5)  # the next retry would be due now: nothing more is sent to a turned-off endpoint
        assert len(receiver.received) == 3

    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.consecutive_failures == 3
    assert "HTTP 503" in endpoint.disabled_reason
    notices = Notification.objects.filter(kind=Kind.WEBHOOK_DISABLED).order_by("recipient_id")
    assert [notice.recipient for notice in notices] == [superuser, manager]  # triage staff cannot change endpoints
    assert all(endpoint.name in notice.title for notice in notices)
    assert notices[0].url == reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    wait_until(  # by immediate email too (the kind's default)
        lambda: {m.to[0] for m in mail.outbox} >= {superuser.email, manager.email}, "the staff's emails"
    )
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.PENDING  # kept for when it is on again
    entry = AuditEntry.objects.get(action="webhook.endpoint_disabled")
    assert entry.actor is None and entry.after["active"] is False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker")
def test_staff_replay_a_delivery_from_the_admin(worker, client):
    admin_user = factories.UserFactory(is_staff=True, is_superuser=True)
    triage, idea = factories.TriageFactory(), factories.IdeaFactory()
    with webhook_receiver() as receiver:
        endpoint = endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED)
        shortlist(idea, triage)
        receiver.wait_for(1)
        wait_until(lambda: WebhookDelivery.objects.filter(state="delivered").exists(), "the first delivery")
        delivery = WebhookDelivery.objects.get()
        client.force_login(admin_user)
        response = client.post(
            reverse("admin:webhooks_webhookdelivery_changelist"),
            {"action": "send_again", "_selected_action": [delivery.pk]},
            follow=True,
        )
        assert "1 delivery queued to be sent again." in response.content.decode()
        first, again = receiver.wait_for(2)
        wait_until(lambda: WebhookAttempt.objects.filter(replay=True).exists(), "the replay to be recorded")

    assert again.body == first.body and again.headers["webhook-id"] == first.headers["webhook-id"]
    assert verify_standard_webhook(secret=endpoint.secret, headers=again.headers, body=again.body)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.log.count() == 2
    entry = AuditEntry.objects.get(action="webhook.delivery_replayed")
    assert entry.actor == admin_user and entry.target_id == str(delivery.pk)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker")
def test_events_the_endpoint_did_not_choose_are_not_sent(worker):
    triage, idea = factories.TriageFactory(), factories.IdeaFactory()
    with webhook_receiver() as receiver:
        endpoint_for(receiver.url, EventType.COMMENT_POSTED)
        endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED, active=False)
        shortlist(idea, triage)
        wait_until(lambda: not OutboxEvent.objects.filter(processed_at__isnull=True).exists(), "the outbox")
        time.sleep(0.5)
        assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


# --- the listener, attempts and formats (tasks inline) ------------------------------------------------


def _processed_status_event(idea, triage):
    change = shortlist(idea, triage)
    return OutboxEvent.objects.get(event_key=f"status_changed:{change.pk}")


@pytest.mark.django_db(transaction=True)
def test_processing_an_event_twice_makes_one_delivery_per_endpoint():
    triage, idea = factories.TriageFactory(), factories.IdeaFactory()
    with webhook_receiver() as receiver:
        endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED)
        event = _processed_status_event(idea, triage)  # processed inline, sent inline
        receiver.wait_for(1)
        assert services.deliveries_create_for_event(event) == 0
        OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
        outbox_event_process(event_id=event.pk)
        time.sleep(0.3)
        assert len(receiver.received) == 1
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("included", [False, True])
def test_invite_only_challenges_go_only_to_endpoints_that_include_them(included):
    triage = factories.TriageFactory()
    private = factories.ChallengeFactory(visibility="invite_only")
    idea = factories.IdeaFactory(challenge=private, title="Secret locker network")
    with webhook_receiver() as receiver:
        endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED, include_invite_only=included)
        shortlist(idea, triage)
        if included:
            [request] = receiver.wait_for(1)
            assert json.loads(request.body)["data"]["idea"]["challenge"]["invite_only"] is True
        else:
            time.sleep(0.3)
            assert receiver.received == []
    assert WebhookDelivery.objects.count() == int(included)


@pytest.mark.django_db(transaction=True)
def test_a_redirect_is_not_followed_and_counts_as_a_failure(settings):
    settings.WEBHOOK_RETRY_SCHEDULE_SECONDS = [3600]
    triage, idea = factories.TriageFactory(), factories.IdeaFactory()
    with webhook_receiver(answers=[(302, "", 0)]) as receiver:
        endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED)
        shortlist(idea, triage)
        receiver.wait_for(1)
        time.sleep(0.3)
        assert len(receiver.received) == 1
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 302 and not attempt.succeeded
    assert "http://elsewhere.example.com/hook not followed" in attempt.error
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1 and delivery.next_attempt_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_slow_endpoint_times_out_and_the_retries_run_out(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    settings.WEBHOOK_RETRY_SCHEDULE_SECONDS = []  # no retry: the first failure is final
    triage, idea = factories.TriageFactory(), factories.IdeaFactory()
    with webhook_receiver(answers=[(200, "late", 2)]) as receiver:
        endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED)
        started = time.monotonic()
        shortlist(idea, triage)
        assert time.monotonic() - started < 1.9
        receiver.wait_for(1)
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error == "No answer within 1 s."
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.FAILED


@pytest.mark.django_db(transaction=True)
def test_an_address_that_is_not_http_is_never_called():
    triage, idea = factories.TriageFactory(), factories.IdeaFactory()
    endpoint = endpoint_for("file:///etc/passwd", EventType.IDEA_STATUS_CHANGED)  # bypassing the form's check
    shortlist(idea, triage)
    attempt = WebhookAttempt.objects.get()
    assert attempt.error == "Refused: only http and https addresses are called." and attempt.duration_ms == 0
    assert WebhookDelivery.objects.get(endpoint=endpoint).state == WebhookDelivery.State.FAILED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", [Format.SLACK, Format.TEAMS])
def test_slack_and_teams_presets(fmt):
    triage, idea = factories.TriageFactory(), factories.IdeaFactory(title="Lockers <at> stations")
    with webhook_receiver() as receiver:
        endpoint = endpoint_for(receiver.url, EventType.IDEA_STATUS_CHANGED, format=fmt)
        shortlist(idea, triage, reason="Cheap & quick")
        [request] = receiver.wait_for(1)
    body = json.loads(request.body)
    if fmt == Format.SLACK:
        assert body["text"].startswith(
            "“Lockers &lt;at&gt; stations” moved from submitted to shortlisted. Why: Cheap &amp; quick"
        )
        assert f"{idea.get_absolute_url()}|Open in the portal>" in body["text"]
    else:
        card = body["attachments"][0]["content"]
        assert body["type"] == "message" and card["type"] == "AdaptiveCard"
        assert (
            card["body"][0]["text"] == "“Lockers <at> stations” moved from submitted to shortlisted. Why: Cheap & quick"
        )
        assert card["actions"][0]["url"].endswith(idea.get_absolute_url())
    assert verify_standard_webhook(secret=endpoint.secret, headers=request.headers, body=request.body)


@pytest.mark.django_db(transaction=True)
def test_other_event_types_carry_their_data(settings):
    settings.IDEA_VOTE_THRESHOLDS = [2]
    factories.TriageFactory()
    challenge = factories.ChallengeFactory()
    idea = factories.IdeaFactory(challenge=challenge, title="Lockers")
    with webhook_receiver() as receiver:
        endpoint_for(
            receiver.url,
            EventType.COMMENT_POSTED,
            EventType.VOTE_THRESHOLD_REACHED,
            EventType.IDEA_SUBMITTED,
        )
        idea_services.comment_create(author=factories.UserFactory(), idea=idea, body="Great for commuters")
        for _ in range(3):  # the third vote passes no threshold
            idea_services.vote_cast(user=factories.UserFactory(), idea=idea, value=1)
        draft = factories.IdeaFactory(challenge=challenge, status=Status.DRAFT, submitted_at=None)
        idea_services.idea_submit(idea=draft, user=draft.author)
        received = receiver.wait_for(3)
        time.sleep(0.3)
        assert len(receiver.received) == 3
    by_type = {json.loads(r.body)["type"]: json.loads(r.body)["data"] for r in received}
    assert by_type["comment.posted"]["comment"]["body"] == "Great for commuters"
    assert by_type["idea.vote_threshold_reached"]["threshold"] == 2
    assert by_type["idea.submitted"]["idea"]["id"] == draft.pk


@pytest.mark.django_db
def test_the_admin_lists_read_in_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    def add_endpoint_with_deliveries(n):
        endpoint = endpoint_for(f"https://hooks.example.com/{n}", EventType.IDEA_SUBMITTED)
        for k in range(3):
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                event_key=f"e{n}-{k}",
                event_type="idea.submitted",
                message_id=f"msg_{n}_{k}",
                body="{}",
            )
            WebhookAttempt.objects.create(
                delivery=delivery, started_at=delivery.created_at, duration_ms=3, status_code=500
            )

    pages = [reverse("admin:webhooks_webhookendpoint_changelist"), reverse("admin:webhooks_webhookdelivery_changelist")]
    add_endpoint_with_deliveries(0)
    counts = {}
    for url in pages:
        admin_client.get(url)
        with django_assert_max_num_queries(15) as few:
            assert admin_client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    for n in range(1, 8):
        add_endpoint_with_deliveries(n)
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            admin_client.get(url)
    delivery = WebhookDelivery.objects.first()
    page = admin_client.get(reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "webhook-body" in page and "500" in page


@pytest.mark.django_db(transaction=True)
def test_the_winner_and_the_challenge_phases_are_sent():
    from challenges.models import Challenge
    from challenges.services import challenge_phase_set
    from reviews.services import winner_choose

    triage = factories.TriageFactory()
    challenge = factories.ChallengeFactory(title="Fresher groceries", phase=Challenge.Phase.FINAL)
    idea = factories.IdeaFactory(challenge=challenge, title="Lockers at stations", status=Status.FINALIST)
    with webhook_receiver() as receiver:
        endpoint_for(receiver.url, EventType.WINNER_CHOSEN, EventType.CHALLENGE_PHASE_CHANGED)
        winner_choose(idea=idea, chosen_by=triage, reason="Cheapest to pilot.")
        challenge_phase_set(challenge=challenge, phase=Challenge.Phase.CLOSED, changed_by=triage)
        received = receiver.wait_for(2)
        time.sleep(0.3)
        assert len(receiver.received) == 2  # the winner's status change is not sent: not chosen
    winner, closed = (json.loads(r.body) for r in received)
    assert winner["type"] == "challenge.winner_chosen"
    assert winner["data"]["idea"]["id"] == idea.pk and winner["data"]["reason"] == "Cheapest to pilot."
    assert winner["data"]["challenge"]["title"] == "Fresher groceries"
    assert closed["type"] == "challenge.phase_changed"
    assert (closed["data"]["from_phase"], closed["data"]["to_phase"]) == ("final", "closed")


@pytest.mark.django_db(transaction=True)
def test_staff_send_a_test_message_from_the_admin(admin_client, admin_user):
    with webhook_receiver() as receiver:
        endpoint = endpoint_for(receiver.url, EventType.IDEA_SUBMITTED)
        off = endpoint_for(receiver.url, EventType.IDEA_SUBMITTED, active=False, name="Old receiver")
        response = admin_client.post(
            reverse("admin:webhooks_webhookendpoint_changelist"),
            {"action": "send_test", "_selected_action": [endpoint.pk, off.pk]},
            follow=True,
        )
        page = response.content.decode()
        assert "Test message queued for 1 endpoint(s)" in page
        assert "turn it on before sending a test message" in page
        [request] = receiver.wait_for(1)
    assert verify_standard_webhook(secret=endpoint.secret, headers=request.headers, body=request.body)
    assert json.loads(request.body)["type"] == "webhook.test"
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.DELIVERED
    assert AuditEntry.objects.get(action="webhook.test_sent").actor == admin_user
    form = admin_client.get(reverse("admin:webhooks_webhookendpoint_add")).content.decode()
    assert 'value="webhook.test"' not in form  # not an event to subscribe to
