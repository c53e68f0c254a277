"""What /healthz and ``manage.py healthcheck`` report: each part of the portal, checked quickly.

Every check returns a dict with ``ok`` and what it saw; none raises and none waits long (Redis is
asked with REDIS_TIMEOUT_SECONDS, the database is asked one small query each). The portal can serve
when the database answers: everything else (cache, broker, worker, beat, outbox) degrades it.
"""

import time

import redis
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from notifications.models import OutboxEvent

from .models import Heartbeat

# The parts whose failure means the portal cannot serve (the response is 503).
REQUIRED = ("database",)


def _timed(check):
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # a check reports; it never raises into /healthz
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    result["ms"] = round(1000 * (time.perf_counter() - started), 1)
    return result


def database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def cache_redis() -> dict:
    ping = getattr(cache, "ping", None)
    if ping is None:
        return {"ok": True, "backend": "local memory (development)"}
    ping()
    return {"ok": True}


def broker() -> dict:
    url = current_app.conf.broker_url or ""  # what the portal's Celery app really publishes to
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return {"ok": True, "backend": url.split(":", 1)[0] + " (tasks run inline)"}
    timeout = settings.REDIS_TIMEOUT_SECONDS
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


def _heartbeat(name: str, seen: dict, max_age: int) -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "backend": "tasks run inline (development)"}
    seen_at = seen.get(name)
    if seen_at is None:
        return {"ok": False, "error": "never seen"}
    age = (timezone.now() - seen_at).total_seconds()
    result = {"ok": age <= max_age, "age_seconds": round(age, 1), "max_age_seconds": max_age}
    if not result["ok"]:
        result["error"] = f"last seen {round(age)} s ago"
    return result


def outbox() -> dict:
    oldest = (
        OutboxEvent.objects.filter(processed_at__isnull=True)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    ).first()
    max_age = settings.HEALTH_OUTBOX_MAX_AGE_SECONDS
    if oldest is None:
        return {"ok": True, "oldest_unprocessed_seconds": None, "max_age_seconds": max_age}
    age = (timezone.now() - oldest).total_seconds()
    result = {"ok": age <= max_age, "oldest_unprocessed_seconds": round(age, 1), "max_age_seconds": max_age}
    if not result["ok"]:
        result["error"] = f"an event has waited {round(age)} s"
    return result


def report() -> dict:
    """Every part's check, the parts that are degraded, and whether the portal can serve."""
    checks = {"database": _timed(database)}
    if checks["database"]["ok"]:
        seen = dict(Heartbeat.objects.values_list("name", "seen_at"))
        max_age = settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS
        checks["worker"] = _timed(lambda: _heartbeat(Heartbeat.WORKER, seen, max_age))
        checks["beat"] = _timed(lambda: _heartbeat(Heartbeat.BEAT, seen, max_age))
        checks["outbox"] = _timed(outbox)
    else:
        unknown = {"ok": False, "error": "unknown: the database does not answer"}
        checks.update(worker=dict(unknown), beat=dict(unknown), outbox=dict(unknown))
    checks["cache"] = _timed(cache_redis)
    checks["broker"] = _timed(broker)
    failing = [name for name, check in checks.items() if not check["ok"]]
    serving = not any(name in REQUIRED for name in failing)
    return {
        "status": "ok" if not failing else ("degraded" if serving else "down"),
        "serving": serving,
        "degraded": failing,
        "checks": checks,
        "time": timezone.now().isoformat(),
    }
