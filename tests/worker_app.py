"""The Celery app of the worker processes the tests start (``celery -A tests.worker_app worker``).

The project's app, with every task routed to the test's own queue (``TEST_CELERY_QUEUE``): what
the worker queues itself (a fan-out's email batches, the drain's events) stays on that queue, so
no other test process's worker or a development stack ever takes it.
"""

import os

from ideaportal.celery import app

QUEUE = os.environ["TEST_CELERY_QUEUE"]
app.conf.update(task_routes={"*": {"queue": QUEUE}}, task_default_queue=QUEUE)

__all__ = ["app"]
