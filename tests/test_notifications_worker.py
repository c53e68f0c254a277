"""Notification emails through REAL worker processes that are killed, cut off from the database, or
find their broker restarted empty: every recipient gets exactly one email.

The worker processes (``tests/worker_processes.py``) run ``celery worker`` against the test database
and a Redis broker, and deliver to a file that outlives them (``tests/slow_email_backend.py``).
The send path under test (``notifications.sending``): each email is claimed with a lease (a short,
committed UPDATE), sent with no transaction open, then marked; a worker that dies leaves its lease
to expire and the outbox drain (beat) queues the email again; a lost database connection is
retried on a new one, so an email the server accepted is still marked and not sent again.

Tasks are acknowledged late (``CELERY_TASK_ACKS_LATE``) and rejected back onto the queue when their
worker process is lost (``CELERY_TASK_REJECT_ON_WORKER_LOST``).
"""

import datetime
import os
import signal
import statistics
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.functions import Now
from django.utils import timezone

from accounts.models import TRIAGE_GROUP
from ideas import services as idea_services
from ideas.models import IdeaFollow, Status
from notifications.models import Delivery, Notification, OutboxEvent
from notifications.tasks import drain_outbox, send_notification_email
from tests import factories
from tests.celery_worker import REDIS_URL
from tests.notification_kinds import Kind
from tests.worker_processes import (
    lines,
    own_redis,
    purge_and_delete,
    records,
    restore_unacked,
    routed_to,
    start_worker_process,
    stop,
    terminate_other_backends,
    wait_until,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker"),
]

LEASE_SECONDS = 2  # the workers' NOTIFICATION_EMAIL_LEASE_SECONDS: longer than their slowest send (0.3 s)
FOLLOWERS = 300
REPETITIONS = int(os.environ.get("NOTIFICATION_FAULT_REPETITIONS", "20"))


def owed(**filters):
    return Notification.objects.filter(delivery=Delivery.IMMEDIATELY, emailed_at__isnull=True, **filters)


def let_the_beat_drain(queue: str, broker_url: str | None = None, **filters) -> None:
    """What the beat does a minute later: ``drain_outbox``. Its grace (young rows are still on their
    way) is a minute, so the test ages the rows by two minutes instead of waiting."""
    aged = timezone.now() - datetime.timedelta(minutes=2)
    Notification.objects.filter(**filters).update(created_at=aged)
    OutboxEvent.objects.filter(processed_at__isnull=True).update(created_at=aged)
    with routed_to(queue, broker_url):
        drain_outbox.delay()


def test_a_worker_killed_mid_send_loses_nothing_and_the_drain_sends_it_once(tmp_path):
    member = factories.UserFactory(email="follower@example.com")
    notification = Notification.objects.create(
        recipient=member,
        kind=Kind.STATUS_CHANGED,
        event_key=f"test-kill:{uuid.uuid4().hex}",
        title="“Lockers” is now shortlisted",
        body="It answers the delivery outcome well.",
        url="/ideas/1/",
        delivery=Delivery.IMMEDIATELY,
    )
    queue = f"ideaportal-tests-kill-{uuid.uuid4().hex[:12]}"
    email_file, log = tmp_path / "sent.jsonl", tmp_path / "worker.log"
    sending = Path(f"{email_file}.sending")
    env = {"NOTIFICATION_EMAIL_LEASE_SECONDS": str(LEASE_SECONDS), "SLOW_EMAIL_SECONDS": "1"}
    workers = []
    try:
        workers.append(start_worker_process(queue=queue, email_file=email_file, log=log, redis_url=REDIS_URL, env=env))
        with routed_to(queue):
            result = send_notification_email.delay(notification.pk)

        # The first worker is in the middle of the send (the backend sleeps 1 s): kill it there.
        wait_until(lambda: len(lines(sending)) == 1, "the first worker to start sending", log)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        assert lines(email_file) == [], "the killed worker delivered nothing"
        notification.refresh_from_db()
        assert notification.emailed_at is None and notification.email_claimed_until is not None  # its lease

        # Never acknowledged (acks late), so the message is still in Redis's unacked set: restore it as
        # Redis would after its visibility timeout. The next worker finds the email claimed and
        # leaves it; once the lease ran out, the drain queues it again.
        assert restore_unacked(result.id) == 1
        workers.append(start_worker_process(queue=queue, email_file=email_file, log=log, redis_url=REDIS_URL, env=env))
        wait_until(lambda: "succeeded" in log.read_text(), "the rerun to find the email claimed", log)
        wait_until(
            lambda: not owed(pk=notification.pk, email_claimed_until__gte=Now()).exists(), "the lease to run out"
        )
        let_the_beat_drain(queue, pk=notification.pk)
        wait_until(lambda: not owed(pk=notification.pk).exists(), "the drained email to be sent and marked", log)
    finally:
        for process in workers:
            stop(process)
        purge_and_delete(queue)

    delivered = records(email_file)
    assert len(delivered) == 1
    assert delivered[0]["to"] == ["follower@example.com"]
    assert delivered[0]["headers"]["X-Notification"] == str(notification.pk)
    assert delivered[0]["headers"]["Message-ID"].startswith(f"<notification-{notification.pk}@")
    assert len(lines(sending)) == 2  # the killed attempt and the one that delivered


def _followers(count: int) -> list:
    User = get_user_model()
    tag = uuid.uuid4().hex[:8]
    return User.objects.bulk_create(
        [
            User(username=f"fan-{tag}-{i}", email=f"fan-{tag}-{i}@example.com", display_name=f"Fan {i}", password="!")
            for i in range(count)
        ]
    )


def test_a_fanout_survives_a_sigkilled_worker_and_terminated_connections_every_time(tmp_path):
    """300 followers (and the idea's author), emailed in batches by two worker processes; in each
    repetition the workers' database connections are terminated while a send is in flight, then the
    process sending another is SIGKILLed. After the drain every recipient has exactly one email of
    every repetition."""
    Group.objects.get_or_create(name=TRIAGE_GROUP)
    triage = factories.TriageFactory()
    challenge = factories.ChallengeFactory()
    followers = _followers(FOLLOWERS)
    queue = f"ideaportal-tests-fanout-{uuid.uuid4().hex[:12]}"
    email_file, log = tmp_path / "sent.jsonl", tmp_path / "worker.log"
    sending = Path(f"{email_file}.sending")
    env = {
        "NOTIFICATION_EMAIL_LEASE_SECONDS": str(LEASE_SECONDS),
        "SLOW_EMAIL_SLOW_EVERY": "100",  # three of each 301 take 0.3 s: the moments to strike
        "SLOW_EMAIL_SECONDS": "0.3",
        "SLOW_EMAIL_FAST_SECONDS": "0",
    }
    worker = start_worker_process(
        queue=queue, email_file=email_file, log=log, redis_url=REDIS_URL, concurrency=2, env=env
    )
    terminated, killed, started = [], [], time.monotonic()
    try:
        for repetition in range(REPETITIONS):
            idea = factories.IdeaFactory(challenge=challenge, title=f"Lockers {repetition}")
            IdeaFollow.objects.bulk_create([IdeaFollow(idea=idea, user=user) for user in followers])
            with routed_to(queue):
                change = idea_services.idea_status_change(
                    idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Good"
                )
            event_key = f"status_changed:{change.pk}"
            mine = Notification.objects.filter(event_key=event_key)
            wait_until(lambda: mine.count() == FOLLOWERS + 1, "the fan-out's notifications", log)  # noqa: B023
            ids = {str(pk) for pk in mine.values_list("pk", flat=True)}

            def slow_in_flight(exclude=(), ids=ids) -> dict | None:
                return next(
                    (s for s in records(sending) if s["slow"] and s["id"] in ids and s["id"] not in exclude), None
                )

            wait_until(lambda: slow_in_flight() is not None, "a slow send to be in flight", log)
            first = slow_in_flight()
            terminated.append(terminate_other_backends())
            wait_until(lambda: slow_in_flight(exclude={first["id"]}) is not None, "another slow send", log)  # noqa: B023
            victim = slow_in_flight(exclude={first["id"]})
            os.kill(victim["pid"], signal.SIGKILL)
            killed.append(victim["id"])

            # The dead process's lease runs out; then the beat's drain queues what is still owed.
            wait_until(
                lambda: not owed(event_key=event_key, email_claimed_until__gte=Now()).exists(),  # noqa: B023
                "the killed send's lease to run out",
                log,
            )
            let_the_beat_drain(queue, event_key=event_key)
            wait_until(lambda: not owed(event_key=event_key).exists(), "every email to be sent", log, timeout=60)  # noqa: B023
            assert not mine.filter(email_failed_at__isnull=False).exists()
    finally:
        stop(worker)
        purge_and_delete(queue)
    elapsed = time.monotonic() - started

    delivered = records(email_file)
    per_notification = Counter(line["headers"]["X-Notification"] for line in delivered)
    expected = Notification.objects.filter(delivery=Delivery.IMMEDIATELY)  # the followers' and each idea's author's
    duplicates = {pk: n for pk, n in per_notification.items() if n > 1}
    # The window left: from the server's acceptance to the committed mark (a crash there sends twice).
    accepted = {line["headers"]["X-Notification"]: line["at"] for line in delivered}
    windows = sorted(
        (emailed_at.timestamp() - accepted[str(pk)]) * 1000
        for pk, emailed_at in expected.values_list("pk", "emailed_at")
        if str(pk) in accepted
    )
    print(
        f"\nfan-out under faults: {REPETITIONS} repetitions × {FOLLOWERS} recipients in {elapsed:.0f} s; "
        f"{len(delivered)} emails delivered, {len(duplicates)} duplicates; "
        f"{sum(terminated)} connections terminated, {len(killed)} worker processes SIGKILLed mid-send; "
        f"acceptance → mark: median {statistics.median(windows):.1f} ms, "
        f"p99 {windows[int(len(windows) * 0.99) - 1]:.1f} ms, max {windows[-1]:.1f} ms"
    )
    assert duplicates == {}
    assert len(delivered) == expected.count() == REPETITIONS * (FOLLOWERS + 1)
    assert set(per_notification) == {str(pk) for pk in expected.values_list("pk", flat=True)}
    assert all(count >= 1 for count in terminated)  # the workers really lost their connections


def test_the_authors_status_email_arrives_once_with_the_worker_down_and_the_broker_restarted_empty(tmp_path):
    Group.objects.get_or_create(name=TRIAGE_GROUP)
    triage = factories.TriageFactory()
    author = factories.UserFactory(email="author@example.com")
    follower = factories.UserFactory(email="follower@example.com")
    idea = factories.IdeaFactory(author=author, title="Lockers at stations")
    IdeaFollow.objects.create(idea=idea, user=follower)
    queue = f"ideaportal-tests-broker-{uuid.uuid4().hex[:12]}"
    email_file, log = tmp_path / "sent.jsonl", tmp_path / "worker.log"
    env = {"SLOW_EMAIL_SECONDS": "0"}

    with own_redis(tmp_path) as broker:
        # No worker runs: the change commits, and its outbox event's task waits in the broker.
        with routed_to(queue, broker.url):
            change = idea_services.idea_status_change(
                idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="The jury liked the network."
            )
        assert redis.Redis.from_url(broker.url).llen(queue) == 1
        # The broker restarts without persistence: the queued task is gone.
        broker.stop()
        broker.start()
        assert redis.Redis.from_url(broker.url).llen(queue) == 0

        worker = start_worker_process(queue=queue, email_file=email_file, log=log, redis_url=broker.url, env=env)
        try:
            assert not Notification.objects.exists()  # nothing else will queue it: the beat's drain must
            let_the_beat_drain(queue, broker.url)
            author_owed = Notification.objects.filter(
                recipient=author, kind=Kind.MY_IDEA_STATUS, event_key=f"status_changed:{change.pk}"
            )
            wait_until(lambda: author_owed.filter(emailed_at__isnull=False).exists(), "the author's email", log)
            wait_until(lambda: not owed().exists(), "the follower's email", log)
            # Another drain (the next minute's) finds nothing owed and sends nothing.
            let_the_beat_drain(queue, broker.url)
            wait_until(lambda: log.read_text().count("drain_outbox") >= 4, "the second drain to run", log)
        finally:
            stop(worker)

    delivered = records(email_file)
    assert sorted(line["to"][0] for line in delivered) == ["author@example.com", "follower@example.com"]
    [to_author] = [line for line in delivered if line["to"] == ["author@example.com"]]
    assert "Your idea “Lockers at stations” was shortlisted" in to_author["subject"]
    assert to_author["headers"]["X-Notification"] == str(author_owed.get().pk)
    assert "List-Unsubscribe" in to_author["headers"]
