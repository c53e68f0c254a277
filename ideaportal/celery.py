"""The Celery application: workers take their settings from Django's (the CELERY_ names)."""

import functools
import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")

logger = logging.getLogger(__name__)


class PortalTask(DjangoTask):
    """Every task of the portal: queueing after commit never raises into the response.

    With the broker down, ``delay_on_commit`` / ``apply_async_on_commit`` (and ``delay_quietly`` /
    ``apply_async_quietly``, which they call) log and return None: the write has committed, and what the task would do is caught up by its
    safety net (the outbox drain, a beat task). CONVENTIONS.md, "When a part fails".
    """

    def apply_async_quietly(self, args=None, kwargs=None, **options):
        """apply_async, but a broker that cannot be reached is logged, not raised (returns None then)."""
        if self.app.conf.task_always_eager:  # inline: no broker, and the task's own errors propagate
            return self.apply_async(args, kwargs, **options)
        try:
            return self.apply_async(args, kwargs, **options)
        except Exception:
            logger.warning(
                "Could not queue %s%s; its safety net catches up.", self.name, tuple(args or ()), exc_info=True
            )
            return None

    def delay_quietly(self, *args, **kwargs):
        """delay, but a broker that cannot be reached is logged, not raised (returns None then)."""
        return self.apply_async_quietly(args, kwargs)

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self.delay_quietly, *args, **kwargs))

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        transaction.on_commit(functools.partial(self.apply_async_quietly, args, kwargs, **options))


app = Celery("ideaportal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
