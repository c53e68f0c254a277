"""Real worker PROCESSES and a Redis server of the test's own, for the tests that kill things.

Unlike ``tests/celery_worker.py`` (a worker thread in the test process), these start
``celery worker`` as separate processes against the test database, so that one can be SIGKILLed
mid-send and its database connections terminated with ``pg_terminate_backend``. Their emails go
to a file (``tests/slow_email_backend.py``) that outlives them.

``own_redis()`` starts a ``redis-server`` on a free port with no persistence, which a test may
stop and start again empty (a broker restarted without its queue); ``routed_to()`` points this
process's Celery app at a queue (and optionally a broker) for the length of a ``with`` block.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection

from ideaportal.celery import app

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30  # seconds: the bound on every wait for a worker process


def database_url() -> str:
    """The test database as a URL, for the worker processes."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def start_worker_process(
    *,
    queue: str,
    email_file: Path,
    log: Path,
    redis_url: str,
    concurrency: int = 1,
    env: dict | None = None,
) -> subprocess.Popen:
    """A ``celery worker`` process on ``queue`` (prefork when ``concurrency`` > 1, else solo)."""
    environment = os.environ | {
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "ideaportal.settings",
        "EMAIL_BACKEND": "tests.slow_email_backend.EmailBackend",
        "SLOW_EMAIL_FILE": str(email_file),
        "SLOW_EMAIL_SECONDS": "3",
        "TEST_CELERY_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
    }
    environment |= env or {}
    pool = ("--pool", "prefork", "--concurrency", str(concurrency)) if concurrency > 1 else ("--pool", "solo")
    command = [
        str(Path(sys.executable).with_name("celery")),
        *("-A", "tests.worker_app", "worker", *pool, "-Q", queue, "-n", f"{queue}@%h"),
        *("--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "info"),
    ]
    with open(log, "ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def wait_until(condition, what: str, log: Path | None = None, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = f" Worker log:\n{log.read_text()[-3000:]}" if log and log.exists() else ""
            pytest.fail(f"Waited {timeout} s for {what}.{tail}")
        time.sleep(0.02)


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def records(path: Path) -> list[dict]:
    """The JSON lines of a file (a line half-written at this instant is left for the next read)."""
    found = []
    for line in lines(path):
        with contextlib.suppress(json.JSONDecodeError):
            found.append(json.loads(line))
    return found


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


def terminate_other_backends() -> int:
    """``pg_terminate_backend`` every other connection to the test database (the workers'); how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def routed_to(queue: str, broker_url: str | None = None):
    """Send this process's tasks to ``queue`` (on ``broker_url`` if given) inside the block; restore after."""
    keys = ("task_always_eager", "task_routes", "broker_url")
    saved = {key: app.conf[key] for key in keys}

    def reset_pools():
        app._pool = None
        with contextlib.suppress(AttributeError, KeyError):
            app.__dict__["amqp"]._producer_pool = None

    app.conf.update(
        task_always_eager=False,
        task_routes={"*": {"queue": queue}},
        broker_url=broker_url or saved["broker_url"],
    )
    reset_pools()
    try:
        yield
    finally:
        app.conf.update(saved)
        reset_pools()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A ``redis-server`` of the test's own on a free port: no persistence, so a restart comes back empty."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: these tests start a Redis of their own.")
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, f"the test's own Redis on port {self.port} to answer", timeout=10)

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """Stop it at once (SIGKILL: no chance to save, as the server runs without persistence anyway)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@contextlib.contextmanager
def own_redis(workdir: Path):
    server = OwnRedis(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
