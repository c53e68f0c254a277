"""Every page a person can reach, for each role, passes axe-core and fits a 360 px phone.

The pages are not listed here: each role's crawl starts at the home page and follows the links that
role sees (header, footer, cards, tabs, the admin's index and menus), so a page another change adds
is checked as soon as something links to it. One page per URL pattern is enough (the template is
the same for the next idea), which keeps the run short; the Django admin is crawled through its
index and changelists plus the portal's own admin pages (triage queue, board, actions), not every
change form.

On each page, at 1280 px and again at 360 px: axe-core (tests/a11y.py) with its default rules — WCAG
2.0/2.1 A and AA plus best practices — must find nothing, of any impact; at 360 px the page must not
scroll sideways. All problems of a role are gathered and reported together.

The data is the demo data set (the product's own services wrote it: challenges open, in mentoring
and closed, ideas at every step of the funnel with reasons, votes, comments, a mentor with
assignments, the survey and its scores) plus a challenge in review and one in its final round, and
the notifications its events deliver.
"""

from __future__ import annotations

from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import MENTOR_GROUP
from challenges.models import Challenge
from demo import demo_data
from ideas.models import Status
from notifications.models import OutboxEvent
from notifications.services import outbox_event_process
from tests import factories
from tests.a11y import axe_violations, dangling_references, describe_violations, horizontal_overflow
from tests.browser import BROWSER_MARKS, TIMEOUT_MS

pytestmark = BROWSER_MARKS

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# A role's crawl stops here: far above the number of URL patterns a role reaches today.
MAX_PAGES = 150
# One page per URL pattern, except where one pattern shows different things: a challenge in each of
# its phases (the closed one links its results), ideas at different steps of the funnel.
PAGES_PER_ROUTE = {"challenges:detail": 6, "ideas:detail": 4}

# URL patterns never visited: downloads (a CSV or JSON file is not a page), the machine API, the
# health check, sign-out and the pages that only act (a GET there changes something or leaves).
SKIPPED_PREFIXES = ("/static/", "/media/", "/api/v1/", "/healthz", "/admin/logout/", "/accounts/logout/")
SKIPPED_NAME_PARTS = ("export", "download", "csv", "logout", "unsubscribe_one_click")
# The admin: its index, app indexes, changelists and the portal's own admin pages; not the change,
# add, delete and history forms of each row (one changelist per model shows the admin's markup).
ADMIN_SKIPPED_SUFFIXES = ("_change", "_add", "_delete", "_history", "autocomplete", "view_on_site", "jsi18n")

# On the Django admin's pages every rule runs; one element of the admin's own markup is left out, for
# a reason templates/admin and admin.css cannot change:
ADMIN_EXCLUDED = {
    # select2 (vendored by django.contrib.admin for autocomplete fields) shows the chosen value in a
    # <span role="textbox" aria-readonly="true"> that nothing names (aria-input-field-name). The
    # combobox around it is named (ideas.forms_admin.MergeTargetSelect gives it a placeholder), and the
    # span is select2's script's, rendered after the page loads: no template or stylesheet reaches it.
    ".select2-selection__rendered": "select2's unnamed read-only value span inside a named combobox",
}
# The API's interactive reference (/api/) is Swagger UI: its script renders the page from our OpenAPI
# document with React, so its markup is not a template of ours. Its colours are ours to set
# (static/css/api_docs.css darkens the ones below AA) and its container is a plain <div>; these stay:
API_DOCS_ALLOWED = {
    "nested-interactive": "each operation's summary is a <button> holding Swagger UI's copy-path button",
    "heading-order": "Swagger UI titles its tag groups h3 right under its h1 (no h2)",
    "region": "Swagger UI puts its information block outside the <main> it renders for the operations",
}
# Pages whose content a script renders after load: the crawl waits for it before running axe.
READY_SELECTORS = {"/api/": ".swagger-ui .information-container, .swagger-ui .errors-wrapper"}


# The data set as JSON, per test process: loading the demo through the product's services with tasks
# inline takes tens of seconds, reading it back a few.
_snapshot: dict[str, str] = {}


def _portal_data_load() -> None:
    # A transactional test flushes the tables, the roles' groups of the data migrations included.
    factories.triage_group()
    Group.objects.get_or_create(name=MENTOR_GROUP)
    demo_data.load()
    open_challenge = Challenge.objects.get(phase=Challenge.Phase.OPEN)
    for phase in (Challenge.Phase.REVIEW, Challenge.Phase.FINAL):
        challenge = factories.ChallengeFactory(
            title=f"A challenge in its {phase.label.lower()} phase",
            phase=phase,
            outcomes=list(open_challenge.outcomes.all()[:2]),
        )
        factories.IdeaFactory(challenge=challenge, status=Status.SHORTLISTED, title=f"An idea in {phase.label}")
    for event_id in OutboxEvent.objects.order_by("pk").values_list("pk", flat=True):
        outbox_event_process(event_id=event_id)


@pytest.fixture
def portal_data(transactional_db):
    """The demo data set, a challenge in review and one in its final round, delivered notifications."""
    if "json" not in _snapshot:
        _portal_data_load()
        _snapshot["json"] = connection.creation.serialize_db_to_string()
    else:
        # The flush before this test left the content types and permissions that post_migrate
        # recreates, under other ids than the snapshot's rows (which groups and the admin's log name).
        Permission.objects.all().delete()
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()
        connection.creation.deserialize_db_from_string(_snapshot["json"])
    yield
    ContentType.objects.clear_cache()
    connections.close_all()


def _people() -> dict[str, object | None]:
    users = get_user_model().objects
    return {
        "visitor": None,
        "customer": users.get(email=demo_data.email_of("alice")),
        "mentor": users.get(email=demo_data.email_of("mentor")),
        "staff": users.get(email=demo_data.email_of("triage")),
    }


def signed_in_context(browser, base_url: str, user, *, javascript: bool = True):
    """A browser context for the user (none: a visitor), signed in with a real session cookie."""
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return context


def route_of(path: str) -> str | None:
    """The URL pattern a path belongs to (one page per pattern is visited), or None to skip it."""
    if path.startswith(SKIPPED_PREFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.url_name or ""
    if any(part in name for part in SKIPPED_NAME_PARTS):
        return None
    if match.namespace == "admin" and name.endswith(ADMIN_SKIPPED_SUFFIXES):
        return None
    return f"{match.namespace}:{name}" if match.namespace else (name or match.route)


def links_on(page, origin: str) -> list[str]:
    """The paths (with their query) of the portal's own links on the page, in document order."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def check_page(page, path: str) -> list[str]:
    """axe at 1280 px and at 360 px, and no sideways scroll at 360 px: the problems found."""
    problems = []
    allowed = API_DOCS_ALLOWED if path == "/api/" else None
    excluded = ADMIN_EXCLUDED if path.startswith("/admin/") else None
    page.set_viewport_size(DESKTOP)
    response = page.goto(path)
    if response is None or response.status >= 400:
        return [f"{path}: HTTP {response.status if response else 'no response'}"]
    if path in READY_SELECTORS:
        page.wait_for_selector(READY_SELECTORS[path])
    violations = axe_violations(page, allowed=allowed, excluded=excluded)
    if violations:
        problems.append(f"{path} at 1280 px:\n{describe_violations(violations)}")
    page.set_viewport_size(PHONE)
    violations = axe_violations(page, allowed=allowed, excluded=excluded)
    if violations:
        problems.append(f"{path} at 360 px:\n{describe_violations(violations)}")
    missing = dangling_references(page)
    if missing:
        problems.append(f"{path}: ARIA references to ids not on the page: {', '.join(missing)}")
    overflow = horizontal_overflow(page)
    if overflow > 0:
        problems.append(f"{path} at 360 px scrolls sideways by {overflow} px")
    return problems


def crawl(page, origin: str) -> tuple[list[str], list[str]]:
    """Visit one page per URL pattern reachable by links from the home page: (visited, problems)."""
    queue = deque(["/"])
    queued = {"/"}
    per_route = Counter([route_of("/")])
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        visited.append(path)
        problems += check_page(page, path)
        for link in links_on(page, origin):
            route = route_of(urlsplit(link).path)
            if route is None or link in queued or per_route[route] >= PAGES_PER_ROUTE.get(route, 1):
                continue
            per_route[route] += 1
            queued.add(link)
            queue.append(link)
    return visited, problems


@pytest.mark.parametrize("role", ["visitor", "customer", "mentor", "staff"])
def test_every_page_a_role_reaches_passes_axe_and_fits_a_phone(role, chromium, portal_data, live_server):
    user = _people()[role]
    context = signed_in_context(chromium, live_server.url, user)
    try:
        visited, problems = crawl(context.new_page(), live_server.url)
    finally:
        context.close()
    print(f"{role}: {len(visited)} pages\n  " + "\n  ".join(visited))
    # The crawl reached the role's pages (a broken header would leave it at the home page).
    expected = {
        "visitor": ["/challenges/", "/ideas/", "/accounts/login/"],
        "customer": ["/ideas/mine/", "/notifications/", "/accounts/profile/"],
        "mentor": ["/mentor/"],
        "staff": ["/admin/", "/metrics/", "/opportunities/"],
    }[role]
    for path in expected:
        assert any(page.startswith(path) for page in visited), f"the {role}'s crawl never reached {path}"
    assert not problems, f"{len(problems)} problem(s) for the {role}:\n" + "\n".join(problems)


# --- Phone layouts -------------------------------------------------------------------------------

PHONE_390 = {"width": 390, "height": 844}


def _top(locator) -> float:
    return locator.bounding_box()["y"]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_header_links_fold_into_a_menu_on_a_phone(javascript, chromium, portal_data, live_server):
    context = signed_in_context(chromium, live_server.url, _people()["customer"], javascript=javascript)
    try:
        page = context.new_page()
        page.set_viewport_size(PHONE_390)
        page.goto("/ideas/")
        nav = page.get_by_role("navigation", name="Main")
        menu = nav.locator("summary", has_text="Menu")
        challenges = nav.get_by_role("link", name="Challenges", exact=True)
        assert menu.is_visible()
        assert not challenges.is_visible()
        menu.click()
        assert challenges.is_visible()
        # One link a line, under the header, over the page, and the page still does not scroll sideways.
        ideas = nav.get_by_role("link", name="Ideas", exact=True)
        assert _top(ideas) > _top(challenges)
        assert _top(challenges) > _top(menu)
        assert horizontal_overflow(page) == 0
        menu.click()
        assert not challenges.is_visible()

        page.set_viewport_size(DESKTOP)
        assert not menu.is_visible()
        assert challenges.is_visible() and ideas.is_visible()
        assert _top(ideas) == _top(challenges)  # one row
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_idea_lists_filters_are_closed_on_a_phone_and_open_on_a_desktop(
    javascript, chromium, portal_data, live_server
):
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE_390, java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto("/ideas/")
        toggle = page.locator("summary", has_text="Filter")
        status = page.get_by_label("Status", exact=True)
        assert toggle.is_visible()
        assert not status.is_visible()
        # The list comes right after the closed panel.
        first_idea = page.get_by_role("heading", level=3).first
        assert _top(first_idea) < PHONE_390["height"]
        toggle.click()
        assert status.is_visible()
        status.select_option(label="Declined")
        page.get_by_role("button", name="Show ideas").click()
        page.wait_for_url("**/ideas/?*status=declined*")

        page.set_viewport_size(DESKTOP)
        page.goto("/ideas/")
        assert not toggle.is_visible()
        assert status.is_visible()
    finally:
        context.close()


def test_on_a_phone_the_idea_page_shows_its_support_and_standing_before_its_text(chromium, portal_data, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE_390)
    try:
        page = context.new_page()
        page.goto("/ideas/")
        page.get_by_role("heading", level=3).first.get_by_role("link").click()
        support = page.get_by_test_id("support")
        standing = page.get_by_role("heading", name="Where it stands")
        problem = page.get_by_role("heading", name="The problem")
        comments = page.get_by_role("heading", name="Comments")
        assert _top(support) < _top(standing) < _top(problem) < _top(comments)
        assert horizontal_overflow(page) == 0

        # On a desktop the text is the left column and the standing heads the right one.
        page.set_viewport_size(DESKTOP)
        assert support.bounding_box()["x"] > problem.bounding_box()["x"] + 400
        assert _top(support) < _top(problem) + 100
        assert standing.bounding_box()["x"] > problem.bounding_box()["x"] + 400
    finally:
        context.close()


def test_my_ideas_are_cards_on_a_phone_and_a_table_on_a_desktop(chromium, portal_data, live_server):
    customer = _people()["customer"]
    context = signed_in_context(chromium, live_server.url, customer)
    try:
        page = context.new_page()
        page.set_viewport_size(PHONE_390)
        page.goto("/ideas/mine/")
        table = page.get_by_role("table")
        titles = table.get_by_role("link").filter(has_not_text="versions")
        assert titles.count() >= 2
        # A card a row: the rows stack and each is as wide as the page, its columns under its title.
        first, second = table.locator("tbody tr").nth(0), table.locator("tbody tr").nth(1)
        assert _top(second) > _top(first) + first.bounding_box()["height"] - 1
        assert first.bounding_box()["width"] <= PHONE_390["width"]
        status_cell = first.locator("td").nth(2)
        assert _top(status_cell) > _top(titles.first)
        assert abs(status_cell.bounding_box()["x"] - titles.first.bounding_box()["x"]) < 20
        # The header row is still there for screen readers, in a 1 px clipped box.
        assert table.locator("thead").bounding_box()["height"] <= 1
        assert horizontal_overflow(page) == 0

        page.set_viewport_size(DESKTOP)
        assert page.get_by_role("columnheader", name="Challenge").is_visible()
        assert _top(first.locator("td").nth(2)) == pytest.approx(_top(first.locator("td").nth(1)), abs=2)
    finally:
        context.close()
