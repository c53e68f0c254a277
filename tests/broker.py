"""Point the Celery app at another broker for one test (a Redis server of the test's own)."""

from contextlib import contextmanager

from ideaportal.celery import app


def _forget_pools() -> None:
    # Kombu keeps one connection pool per broker in a registry of its own: the app's usual pool
    # is left open there (and found again on the way back); only the app's references go.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str):
    """Tasks are published to ``url`` (not run inline) inside the block; the app is restored after."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    _forget_pools()
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield app
    finally:
        test_pool = app._pool
        _forget_pools()
        app.conf.update(saved)
        if test_pool is not None:
            test_pool.force_close_all()  # the test's broker only
