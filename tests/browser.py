"""Playwright in Debian's Chromium for the browser tests: the ``page`` fixture and helpers.

Registered in conftest.py; a test module marks itself ``browser``, transactional (the live server
runs in a thread with its own connection) and skipped without Chromium (``BROWSER_MARKS``).
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


@pytest.fixture
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API keeps an event loop running in this thread, and Django refuses ORM
    calls from a thread with a running loop; this test's ORM calls are plain synchronous ones."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(allow_orm_beside_playwright, live_server):
    # The cache is Redis under this test's own key prefix (conftest): allauth's sign-in rate limits
    # (per IP and per email address) kept there by other tests' sign-ins from 127.0.0.1 never count here.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            # While Playwright's loop runs, Django keeps this thread's database connections apart
            # (asgiref's Local acts as a context variable): the ORM calls of the test opened a
            # connection of their own. Close it now, or it outlives the test and the test
            # database cannot be dropped at the end of the run.
            connections.close_all()


@pytest.fixture(scope="module")
def chromium():
    """One browser for a module (the axe crawl, the German and French walk); each of its tests opens
    fresh contexts (their own cookies)."""
    # Playwright's sync API keeps an event loop running in this thread; the tests' ORM calls are
    # plain synchronous ones (tests/browser.py's allow_orm_beside_playwright, for the module).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextmanager
def screenshot_on_failure(page, path: Path):
    """On a failure, save what the browser showed (the path is printed with the test's output)."""
    try:
        yield
    except BaseException:
        page.screenshot(path=str(path), full_page=True)
        print(f"Screenshot of the page at the failure: {path}")
        raise


def sign_in(page, user):
    """Sign in through allauth's own page, as a member would; waits until the header names them."""
    from tests import factories

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(user.public_name)


BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]
