"""A notification email through REAL worker processes, one of them killed mid-send.

Unlike ``tests/test_worker.py`` (a worker thread in this process), these tests start
``celery worker`` as separate processes against the test database and Redis, so that one can
be SIGKILLed while it sends. The task is acknowledged late (``CELERY_TASK_ACKS_LATE``): the
killed worker never acknowledged it, so the message stays in Redis's unacked set and is
delivered again; ``notification_email_send`` is keyed on ``emailed_at`` under the row lock, so the
second worker sends it once, and the killed worker's transaction (lock held, nothing marked) is
rolled back by PostgreSQL when its connection drops.

Redelivery of an unacked message on Redis happens once its visibility timeout has passed. The
settings fix it at one hour (``CELERY_BROKER_TRANSPORT_OPTIONS``), so this test restores exactly
its own message from the unacked set with kombu's ``restore_by_tag`` (what a worker's
``restore_visible`` does after the timeout), instead of waiting an hour.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from django.db import connection

from ideaportal.celery import app
from notifications.models import Delivery, Kind, Notification
from notifications.tasks import send_notification_email
from tests import factories
from tests.celery_worker import REDIS_URL

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker"),
]

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 20  # seconds: the bound on every wait for a worker process


def database_url() -> str:
    """The test database as a URL, for the worker processes."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def start_worker_process(queue: str, email_file: Path, log: Path) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "ideaportal.settings",
        "EMAIL_BACKEND": "tests.slow_email_backend.EmailBackend",
        "SLOW_EMAIL_FILE": str(email_file),
        "SLOW_EMAIL_SECONDS": "3",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        *("-A", "ideaportal", "worker", "--pool", "solo", "--concurrency", "1", "-Q", queue),
        *("--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "info"),
    ]
    with open(log, "ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def wait_until(condition, what: str, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {TIMEOUT} s for {what}. Worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def restore_unacked(task_id: str) -> int:
    """Put this task's unacked message back on its queue, as Redis would after the visibility timeout."""
    restored = 0
    with app.connection_for_write() as broker:
        channel = broker.default_channel
        for tag, payload in channel.client.hgetall(channel.qos.unacked_key).items():
            message, _exchange, _routing_key = json.loads(payload)
            if message.get("headers", {}).get("id") == task_id:
                channel.qos.restore_by_tag(tag)
                restored += 1
    return restored


def purge_and_delete(queue: str) -> None:
    with app.connection_for_write() as broker:
        bound = app.amqp.queues[queue].bind(broker.default_channel)
        bound.declare()
        bound.purge()
        bound.delete()


def test_a_worker_killed_mid_send_loses_nothing_and_the_next_sends_once(tmp_path):
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
    workers = []
    try:
        workers.append(start_worker_process(queue, email_file, log))
        result = send_notification_email.apply_async(args=[notification.pk], queue=queue)

        # The first worker is in the middle of the send (the backend sleeps 3 s): kill it there.
        wait_until(lambda: len(lines(sending)) == 1, "the first worker to start sending", log)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        assert lines(email_file) == [], "the killed worker delivered nothing"
        notification.refresh_from_db()
        assert notification.emailed_at is None

        # Never acknowledged (acks late), so the message is still in Redis's unacked set.
        assert restore_unacked(result.id) == 1

        workers.append(start_worker_process(queue, email_file, log))
        wait_until(lambda: len(lines(email_file)) >= 1, "the second worker to deliver the email", log)
        wait_until(
            lambda: Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists(),
            "emailed_at to be set",
            log,
        )
        time.sleep(0.5)  # a second delivery, were there one, would have shown by now
    finally:
        for process in workers:
            stop(process)
        purge_and_delete(queue)

    delivered = [json.loads(line) for line in lines(email_file)]
    assert len(delivered) == 1
    assert delivered[0]["to"] == ["follower@example.com"]
    assert delivered[0]["headers"]["X-Notification"] == str(notification.pk)
    assert len(lines(sending)) == 2  # the killed attempt and the one that delivered
