"""The status-change email through a real Celery worker against Redis (not eager mode).

The worker runs in a thread of this process (``celery.contrib.testing.worker.start_worker``),
so it shares Django's settings and the locmem email outbox, and opens its own database
connection: the tests are transactional, so the worker sees what they commit, and
``delay_on_commit`` really waits for the commit.

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
from ideas.tasks import notify_author_of_status_change
from tests import factories
from tests.celery_worker import REDIS_URL, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker"),
]


def notified(change: StatusChange) -> bool:
    change.refresh_from_db(fields=["author_notified_at"])
    return change.author_notified_at is not None


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


def test_status_change_emails_the_author_through_the_worker(worker, triage_user, submitted_idea):
    change = shortlist(submitted_idea, triage_user, reason="Shortlisted: the jury liked the station network.")

    wait_until(lambda: notified(change), "the worker to notify the author")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [submitted_idea.author.email]
    assert "Lockers at stations" in email.subject
    assert "Lockers at stations" in email.body
    assert "Shortlisted: the jury liked the station network." in email.body
    assert email.extra_headers["X-Idea-Status-Change"] == str(change.pk)
    # The worker ran it, in its own thread, once: not eager mode inside the request. (task_postrun
    # fires after the task's transaction committed the flag that ended the wait above: wait for it too.)
    wait_until(lambda: [run for run in worker.runs if run["args"] == [change.pk]], "the worker to record the run")
    [run] = [run for run in worker.runs if run["args"] == [change.pk]]
    assert (run["task"], run["args"], run["state"], run["retval"]) == (
        notify_author_of_status_change.name,
        [change.pk],
        "SUCCESS",
        True,
    )
    assert run["thread"] is not threading.main_thread()


def test_running_the_task_twice_more_sends_no_second_email(worker, triage_user, submitted_idea):
    change = shortlist(submitted_idea, triage_user)
    wait_until(lambda: notified(change), "the worker to notify the author")
    first_notified_at = change.author_notified_at

    reruns = [notify_author_of_status_change.delay(change.pk) for _ in range(2)]

    assert [worker.wait_for(result.id) for result in reruns] == [("SUCCESS", False), ("SUCCESS", False)]
    assert len(mail.outbox) == 1
    change.refresh_from_db()
    assert change.author_notified_at == first_notified_at


def test_a_missing_status_change_is_skipped_quietly_and_the_worker_goes_on(worker, triage_user, submitted_idea):
    missing_id = (StatusChange.objects.aggregate(last=Max("pk"))["last"] or 0) + 1_000_000

    result = notify_author_of_status_change.delay(missing_id)

    assert worker.wait_for(result.id) == ("SUCCESS", False)
    assert mail.outbox == []
    # The worker is still alive: the next status change is emailed.
    change = shortlist(submitted_idea, triage_user)
    wait_until(lambda: notified(change), "the worker to notify the author after the skipped task")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [submitted_idea.author.email]
