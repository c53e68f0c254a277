"""The heartbeat task: beat sends it every HEALTH_HEARTBEAT_SECONDS, a worker runs it."""

from celery import shared_task

from .models import Heartbeat
from .services import heartbeat_record

HEARTBEAT_TASK = "health.tasks.heartbeat"


@shared_task(name=HEARTBEAT_TASK, ignore_result=True)
def heartbeat() -> None:
    """A worker took a task from the broker and reached the database: record it."""
    heartbeat_record(name=Heartbeat.WORKER)
