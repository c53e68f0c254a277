"""A real Celery worker against Redis for tests (not eager mode): the ``worker`` fixture.

The worker runs in a thread of this process (``celery.contrib.testing.worker.start_worker``),
so it shares Django's settings and the locmem email outbox, and opens its own database
connection: tests using it are transactional, so the worker sees what they commit, and
``delay_on_commit`` really waits for the commit.

While it runs, every task is routed to a queue named after the test database and the worker
consumes only that queue: messages of other test processes (pytest-xdist), of an aborted run
(purged first) or of a development stack sharing the Redis server never meet this worker, and
nothing of theirs is purged.
"""

import os
import threading
import time
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection

from ideaportal.celery import app

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
TIMEOUT = 20  # seconds: the bound on every wait for the worker


class TaskRuns:
    """What the worker ran: ``task_postrun`` fires in the thread that ran the task."""

    def __init__(self):
        self._finished = threading.Condition()
        self.runs: list[dict] = []

    def record(self, sender=None, task_id=None, args=None, retval=None, state=None, **kwargs):
        with self._finished:
            run = {"id": task_id, "task": sender.name, "args": list(args or ()), "state": state, "retval": retval}
            self.runs.append(run | {"thread": threading.current_thread()})
            self._finished.notify_all()

    def wait_for(self, task_id: str) -> tuple[str, object]:
        """Block until the worker ran this task; return its (state, return value)."""
        with self._finished:
            if not self._finished.wait_for(lambda: self._by_id(task_id), timeout=TIMEOUT):
                pytest.fail(f"The worker did not run task {task_id} within {TIMEOUT} s.")
            run = self._by_id(task_id)
            return run["state"], run["retval"]

    def _by_id(self, task_id: str) -> dict | None:
        return next((run for run in self.runs if run["id"] == task_id), None)


def _declare_and_purge(name: str, *, delete: bool = False) -> None:
    # Declared on this connection first, so that delete() also drops the queue's exchange binding.
    with app.connection_for_write() as broker:
        queue = app.amqp.queues[name].bind(broker.default_channel)
        queue.declare()
        queue.purge()
        if delete:
            queue.delete()


def _queued_messages(name: str) -> int:
    with app.connection_for_read() as broker:
        return app.amqp.queues[name].bind(broker.default_channel).queue_declare().message_count


@pytest.fixture
def worker(_worker_of_the_module, transactional_db):
    """A real worker on the test database's own queue; yields a TaskRuns. The worker lives for the
    module; after each test this waits until it is quiet (nothing queued for it, nothing it holds:
    running, reserved, or waiting for a countdown), so no task of this test runs into the next one
    or into the flush of the test database that follows (a task there deadlocked the TRUNCATE)."""
    from celery.worker import state

    runs, queue = _worker_of_the_module
    yield runs
    deadline = time.monotonic() + TIMEOUT
    while _queued_messages(queue) or state.requests:
        if time.monotonic() > deadline:
            pytest.fail(f"The worker was still busy {TIMEOUT} s after the test: {list(state.requests.values())}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def _worker_of_the_module(django_db_setup):
    """A real worker in a thread, on the test database's own queue; restores the app after."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"REDIS_URL is set but Redis does not answer at {REDIS_URL}: {error}")

    queue = f"ideaportal-tests-{connection.settings_dict['NAME']}"
    keys = ("task_always_eager", "task_routes", "worker_hijack_root_logger", "worker_enable_remote_control")
    saved_conf = {key: app.conf[key] for key in keys}
    saved_consume_from = list(app.amqp.queues.consume_from)
    # update(), not attribute assignment: it makes Celery rebuild its router for the new routes.
    app.conf.update(
        task_always_eager=False,
        task_routes={"*": {"queue": queue}},
        worker_hijack_root_logger=False,  # leave pytest's and Django's log handlers alone
        worker_enable_remote_control=False,  # no broadcast from elsewhere can reach this worker
    )
    runs = TaskRuns()
    task_postrun.connect(runs.record, weak=False)
    try:
        _declare_and_purge(queue)
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=[queue]):
            yield runs, queue
    finally:
        task_postrun.disconnect(runs.record)
        _declare_and_purge(queue, delete=True)
        app.conf.update(saved_conf)
        app.amqp.queues.select(saved_consume_from)


def wait_until(condition, what: str):
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {TIMEOUT} s for {what}.")
        time.sleep(0.05)


@contextmanager
def published_tasks():
    """The names of the tasks this process sends to the broker while the block runs, in order
    (Celery's before_task_publish signal): a count that does not depend on a worker's timing."""
    from celery.signals import before_task_publish

    names: list[str] = []

    def record(sender=None, **kwargs):
        names.append(sender)

    before_task_publish.connect(record, weak=False)
    try:
        yield names
    finally:
        before_task_publish.disconnect(record)
