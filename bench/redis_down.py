"""Benchmark: what Redis costs a request, up and down.

Starts a Redis server of its own on a free port (never the shared one), then times, per call:

- a session read with database sessions and with ``cached_db`` (the query it saves);
- a cache ``get`` through the portal's fail-open cache: Redis up, Redis just stopped (one failed
  connection, then the breaker), and Django's plain RedisCache for comparison;
- queueing a task with the broker stopped (``PortalTask.apply_async_quietly``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ideaportal_bench .venv/bin/python bench/redis_down.py

The database must exist and be migrated (``manage.py migrate``). Prints a Markdown table.
"""

import os
import statistics
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ideaportal_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")


def per_call_us(call, n: int, repeat: int = 5) -> float:
    """The median over ``repeat`` runs of the mean time of one call, in microseconds."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(n):
            call()
        runs.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(runs)


def main() -> None:
    import django

    from tests.redis_server import RedisServer

    server = RedisServer()
    server.start()
    os.environ["REDIS_URL"] = server.url
    django.setup()
    from django.conf import settings
    from django.core.cache.backends.redis import RedisCache

    from core.cache import FailOpenRedisCache
    from ideaportal.celery import app
    from scoring.tasks import recompute_opportunity_scores

    rows = []
    try:
        for engine in ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"):
            store = import_module(engine).SessionStore
            session = store()
            session["_auth_user_id"] = "1"
            session.create()
            key = session.session_key
            rows.append(
                (
                    f"session read, {engine.rsplit('.', 1)[1]}",
                    per_call_us(lambda store=store, key=key: store(session_key=key).load(), 2000),
                )
            )

        options = settings.CACHES["default"]["OPTIONS"]
        fail_open = FailOpenRedisCache(server.url, {"OPTIONS": dict(options)})
        plain = RedisCache(server.url, {})
        fail_open.set("k", "v")
        rows.append(("cache get, Redis up (fail-open cache)", per_call_us(lambda: fail_open.get("k"), 5000)))
        rows.append(("cache get, Redis up (Django's RedisCache)", per_call_us(lambda: plain.get("k"), 5000)))
        server.stop()
        started = time.perf_counter()
        fail_open.get("k")
        rows.append(
            ("cache get, Redis down: the first call (connection refused)", (time.perf_counter() - started) * 1e6)
        )
        rows.append(
            ("cache get, Redis down: the next calls (breaker open)", per_call_us(lambda: fail_open.get("k"), 5000))
        )

        app.conf.update(broker_url=server.url, task_always_eager=False)
        rows.append(
            (
                "queue a task, broker down (logged, not raised)",
                per_call_us(lambda: recompute_opportunity_scores.apply_async_quietly(countdown=60), 20, repeat=3),
            )
        )
    finally:
        server.stop()

    print("| call | time |\n| --- | --- |")
    for name, micros in rows:
        print(f"| {name} | {micros / 1000:.3f} ms |" if micros >= 1000 else f"| {name} | {micros:.0f} µs |")


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)  # the broker's and the cache's outage warnings, once per call
    main()
