"""Point the Celery app at another broker for one test (a Redis server of the test's own)."""

from contextlib import contextmanager

from ideaportal.celery import app


def _reset_pools() -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Tasks are published to ``url`` (not run inline) inside the block; the app is restored after."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    _reset_pools()
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield app
    finally:
        _reset_pools()
        app.conf.update(saved)
