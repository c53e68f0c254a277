import os

import pytest

from tests import factories
from tests.browser import allow_orm_beside_playwright, own_cache, page  # noqa: F401 - browser fixtures
from tests.celery_worker import worker  # noqa: F401 - the real-worker fixture, for tests marked "worker"


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
    """The browser and worker tests are the slowest: run them last."""
    items.sort(key=lambda item: bool(item.get_closest_marker("browser") or item.get_closest_marker("worker")))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """In CI no test may be skipped: a skip there means a missing service or tool, so fail."""
    skipped = terminalreporter.stats.get("skipped", [])
    if os.environ.get("CI") and skipped:
        terminalreporter.write_line(f"CI: {len(skipped)} test(s) skipped; every test must run in CI.", red=True)
        config._ci_skipped = True


def pytest_sessionfinish(session, exitstatus):
    if getattr(session.config, "_ci_skipped", False) and exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A fast hasher: the factories set a password for every member they create.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A cache of each test's own: allauth keeps sign-in rate limits there, which must not carry over.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    # Tests run inside a transaction that never commits, so the page cache would never see a change:
    # it is off except in tests/test_pagecache.py, which commits.
    settings.PAGE_CACHE_SECONDS = 0
    from django.core.cache import cache

    cache.clear()  # local-memory caches of one LOCATION are shared by every test of the process


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
