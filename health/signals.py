"""Beat's heartbeat: when a process publishes the heartbeat task (only beat does), record "beat".

A failure to record is logged and never stops the publish: the heartbeat task still goes out.
"""

import logging

from celery.signals import before_task_publish

from .models import Heartbeat

logger = logging.getLogger(__name__)


def _beat_sent(sender=None, **kwargs):
    from .services import heartbeat_record
    from .tasks import HEARTBEAT_TASK

    if sender != HEARTBEAT_TASK:
        return
    try:
        heartbeat_record(name=Heartbeat.BEAT)
    except Exception:
        logger.warning("Could not record beat's heartbeat.", exc_info=True)


def connect() -> None:
    before_task_publish.connect(_beat_sent, dispatch_uid="health.beat_sent", weak=False)
