import copy
import os
import uuid

import pytest

from tests import factories
from tests.browser import allow_orm_beside_playwright, chromium, page  # noqa: F401 - browser fixtures
from tests.celery_worker import _worker_of_the_module, worker  # noqa: F401 - the real-worker fixtures (tests marked "worker")


def pytest_report_header(config):
    """Say which real services the run talks to (CI's log must show PostgreSQL)."""
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    where = f"{database['HOST']}:{database['PORT']}" if database.get("HOST") else "a local file"
    return [
        f"database: {connection.vendor} at {where} (tests use test_{database['NAME']})",
        f"redis: {settings.REDIS_URL or 'not set: tasks run inline and the worker tests skip'}",
    ]


def pytest_collection_modifyitems(config, items):
    """On SQLite (the embedded default), leave out the tests marked ``postgresql``, and on PostgreSQL
    those marked ``sqlite``: they are deselected, not skipped, so the CI skip guard holds on both
    databases. The browser
    and worker tests are the slowest: run them last."""
    from django.db import connection

    other = "postgresql" if connection.vendor != "postgresql" else "sqlite"
    kept = [item for item in items if not item.get_closest_marker(other)]
    left_out = [item for item in items if item.get_closest_marker(other)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
    items.sort(key=lambda item: bool(item.get_closest_marker("browser") or item.get_closest_marker("worker")))


# The CI skip guard. In CI no test may be skipped: a skip there means a missing service, tool or route,
# and a skipped test proves nothing. The skips are counted as their reports arrive (in the controlling
# process under xdist) and the exit status is set in pytest_sessionfinish, which runs before pytest
# returns it; tests/test_ci_guard.py runs pytest with a forced skip and checks the exit status.
_skipped_in_run: list[str] = []


def _is_xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped_in_run.append(report.nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    clean_exit = session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    if os.environ.get("CI") and _skipped_in_run and not _is_xdist_worker(session.config) and clean_exit:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if os.environ.get("CI") and _skipped_in_run and not _is_xdist_worker(config):
        terminalreporter.write_line(
            f"CI: {len(_skipped_in_run)} test(s) skipped; every test must run in CI, so this run fails:", red=True
        )
        for nodeid in _skipped_in_run[:50]:
            terminalreporter.write_line(f"  skipped: {nodeid}", red=True)


def _cache_of_this_test(settings) -> tuple[dict, str]:
    """The production cache configuration (Redis when REDIS_URL is set) under a key prefix of this
    test's own, so tests (and xdist workers) never see each other's sessions, rate limits, debounce
    flags or page-cache versions, while every cache call still goes to Redis as in production."""
    caches = copy.deepcopy(settings.CACHES)
    prefix = f"test-{uuid.uuid4().hex[:16]}"
    caches["default"]["KEY_PREFIX"] = prefix
    return caches, prefix


def _delete_keys_with_prefix(caches: dict, prefix: str) -> None:
    """Remove what this test left in Redis (never FLUSHDB: other workers and the broker share it)."""
    location = caches["default"].get("LOCATION")
    if "redis" not in caches["default"]["BACKEND"].lower() or not location:
        return
    import redis

    url = location[0] if isinstance(location, list | tuple) else location
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # a test that stopped Redis on purpose; its keys expire or die with that server
    finally:
        client.close()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's default language: a request in German or French leaves its
    language active in the thread (Django's LocaleMiddleware activates, never deactivates), and a
    later test's rule or service called outside a request would speak it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A fast hasher: the factories set a password for every member they create.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Redis as in production, under this test's own key prefix (see _cache_of_this_test).
    caches, prefix = _cache_of_this_test(settings)
    settings.CACHES = caches
    # Tests run inside a transaction that never commits, so the page cache would never see a change:
    # it is off except in tests/test_pagecache.py, which commits.
    settings.PAGE_CACHE_SECONDS = 0
    yield
    _delete_keys_with_prefix(caches, prefix)


@pytest.fixture(autouse=True)
def _celery_inline_unless_worker(request):
    """Tasks run inline in the test, except in the tests marked ``worker`` that run a real worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from ideaportal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def customer(db):
    return factories.UserFactory(display_name="Cora Customer")


@pytest.fixture
def other_customer(db):
    return factories.UserFactory(display_name="Otto Other")


@pytest.fixture
def triage(db):
    return factories.TriageFactory(display_name="Tess Triage")


@pytest.fixture
def mentor(db):
    return factories.MentorFactory(display_name="Mo Mentor")


@pytest.fixture
def open_challenge(db):
    return factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")


@pytest.fixture
def idea(open_challenge, customer):
    return factories.IdeaFactory(challenge=open_challenge, author=customer, title="Lockers at stations")


@pytest.fixture
def outside_client():
    """A client as another system is: a mail provider's one-click unsubscribe, later the API's and
    webhooks' callers. CSRF checks are enforced (the test client skips them by default), and it has
    no cookie unless the test gives it one. Every POST test of a view reached from outside the
    portal uses this, so a view that needs a CSRF token it cannot have fails here."""
    from django.test import Client

    return Client(enforce_csrf_checks=True)


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client signed in as that user (None: anonymous)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def as_role(client_for, customer, other_customer, triage, mentor):
    """A client signed in as one of the roles by name ("anonymous": signed out)."""
    users = {
        "anonymous": None,
        "customer": customer,
        "other_customer": other_customer,
        "triage": triage,
        "mentor": mentor,
    }
    return lambda role: client_for(users[role])
