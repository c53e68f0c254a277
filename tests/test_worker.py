"""The author's status-change email through a real Celery worker against Redis (not eager mode).

It goes the way of every email: the change writes an outbox event in its transaction, the worker
turns it into notifications (the author's own kind, ``MY_IDEA_STATUS``) and sends the immediate
ones, each claimed, sent and marked once.

The worker runs in a thread of this process (``celery.contrib.testing.worker.start_worker``),
so it shares Django's settings and the locmem email outbox, and opens its own database
connection: the tests are transactional, so the worker sees what they commit, and
``on_commit`` really waits for the commit.

While it runs, every task is routed to a queue named after the test database and the worker
consumes only that queue: messages of other test processes (pytest-xdist), of an aborted run
(purged first) or of a development stack sharing the Redis server never meet this worker, and
nothing of theirs is purged.
"""

import threading

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db.models import Max

from accounts.models import TRIAGE_GROUP
from ideas import services
from ideas.models import Status, StatusChange
from notifications.models import Notification
from notifications.tasks import process_outbox_event, send_notification_email, send_notification_emails
from tests import factories
from tests.celery_worker import REDIS_URL, wait_until
from tests.notification_kinds import Kind

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker"),
]


def author_notification(change: StatusChange) -> Notification | None:
    return Notification.objects.filter(
        kind=Kind.MY_IDEA_STATUS, recipient=change.idea.author, event_key=f"status_changed:{change.pk}"
    ).first()


def emailed(change: StatusChange) -> bool:
    notification = author_notification(change)
    return notification is not None and notification.emailed_at is not None


def shortlist(idea, triage, reason="It answers the delivery outcome well.") -> StatusChange:
    return services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason=reason)


@pytest.fixture
def triage_user(db):
    # A transactional test ends by emptying every table, so after an earlier one the Triage group
    # of the data migration is gone; only its name matters to the rules.
    Group.objects.get_or_create(name=TRIAGE_GROUP)
    return factories.TriageFactory()


@pytest.fixture
def submitted_idea(db):
    return factories.IdeaFactory(title="Lockers at stations")


def test_status_change_emails_the_author_through_the_outbox_and_the_worker(worker, triage_user, submitted_idea):
    change = shortlist(submitted_idea, triage_user, reason="Shortlisted: the jury liked the station network.")

    wait_until(lambda: emailed(change), "the worker to email the author")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    notification = author_notification(change)
    assert email.to == [submitted_idea.author.email]
    assert "Your idea “Lockers at stations” was shortlisted" in email.subject
    assert "Lockers at stations" in email.body
    assert "Shortlisted: the jury liked the station network." in email.body
    assert submitted_idea.get_absolute_url() in email.body
    # Like every notification email: keyed on its row, with a stable Message-ID and an unsubscribe link.
    assert email.extra_headers["X-Notification"] == str(notification.pk)
    assert email.extra_headers["Message-ID"].startswith(f"<notification-{notification.pk}@")
    assert "List-Unsubscribe" in email.extra_headers and "unsubscribe" in email.body.lower()
    # The worker ran it, in its own thread, once: not eager mode inside the request. (task_postrun
    # fires after the send's transaction committed the mark that ended the wait above: wait for it too.)
    wait_until(
        lambda: any(run["task"] == send_notification_emails.name for run in worker.runs), "the run to be recorded"
    )
    runs = {run["task"]: run for run in worker.runs if run["state"] == "SUCCESS"}
    assert runs[process_outbox_event.name]["retval"] == 1
    assert runs[send_notification_emails.name]["args"] == [[notification.pk]]
    assert runs[send_notification_emails.name]["retval"] == 1
    assert all(run["thread"] is not threading.main_thread() for run in runs.values())


def test_running_the_send_twice_more_sends_no_second_email(worker, triage_user, submitted_idea):
    change = shortlist(submitted_idea, triage_user)
    wait_until(lambda: emailed(change), "the worker to email the author")
    notification = author_notification(change)
    first_emailed_at = notification.emailed_at

    reruns = [send_notification_email.delay(notification.pk) for _ in range(2)]

    assert [worker.wait_for(result.id) for result in reruns] == [("SUCCESS", False), ("SUCCESS", False)]
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at == first_emailed_at


def test_a_missing_notification_is_skipped_quietly_and_the_worker_goes_on(worker, triage_user, submitted_idea):
    missing_id = (Notification.objects.aggregate(last=Max("pk"))["last"] or 0) + 1_000_000

    result = send_notification_email.delay(missing_id)

    assert worker.wait_for(result.id) == ("SUCCESS", False)
    assert mail.outbox == []
    # The worker is still alive: the next status change is emailed.
    change = shortlist(submitted_idea, triage_user)
    wait_until(lambda: emailed(change), "the worker to email the author after the skipped task")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [submitted_idea.author.email]
