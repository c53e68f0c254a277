"""/healthz tells the truth: 503 when the database does not answer, the degraded parts named otherwise."""

import datetime
import socket

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from health.models import Heartbeat


@pytest.fixture
def database_unreachable(django_db_blocker):
    """The default connection pointed at a port where nothing listens (a real refused connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free_port = sock.getsockname()[1]
    with django_db_blocker.unblock():
        connection.close()
        saved = connection.settings_dict["PORT"], connection.settings_dict["HOST"]
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", free_port
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["PORT"], connection.settings_dict["HOST"] = saved


@pytest.mark.postgresql  # a database server to be unreachable
def test_healthz_is_503_and_down_when_the_database_does_not_answer(database_unreachable):
    response = Client().get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "down" and report["serving"] is False
    assert report["checks"]["database"]["ok"] is False and "database" in report["degraded"]
    assert report["checks"]["outbox"]["error"] == "unknown: the database does not answer"


@pytest.mark.django_db
def test_healthz_names_the_parts_that_are_degraded_and_stays_200(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: a worker and beat are expected
    report = client.get("/healthz")
    assert report.status_code == 200 and report["Cache-Control"].startswith("max-age=0")
    body = report.json()
    assert body["serving"] is True and body["checks"]["database"]["ok"]
    assert {"worker", "beat"} <= set(body["degraded"]) and body["status"] == "degraded"
    assert body["checks"]["worker"]["error"] == "never seen"
    Heartbeat.objects.create(name=Heartbeat.WORKER, seen_at=timezone.now() - datetime.timedelta(minutes=5))
    Heartbeat.objects.create(name=Heartbeat.BEAT, seen_at=timezone.now())
    body = client.get("/healthz").json()
    assert body["checks"]["beat"]["ok"] and not body["checks"]["worker"]["ok"]
    assert body["checks"]["worker"]["error"].startswith("last seen 30")  # 300 s, or a second more
    assert "worker" in body["degraded"] and "beat" not in body["degraded"]
