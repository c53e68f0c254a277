"""Issue 17 in a real browser: sign in through the styled sign-in page, open the bell's menu (htmx,
loaded on demand), open a notification from it and see the unread count fall; "Mark all read" from
the menu returns to the page it was opened on. Uses the fixtures of tests/browser.py."""

import re

from notifications.models import Notification
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure
from tests.notification_kinds import Kind

pytestmark = BROWSER_MARKS


def sign_in(page, member):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    button = page.get_by_role("button", name="Sign in", exact=True)
    # The portal's button style, not the browser's default grey one.
    assert "button" in button.get_attribute("class")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 92, 173)"
    button.click()
    expect(page.get_by_text(f"Successfully signed in as {member.public_name}.")).to_be_visible()


def test_open_a_notification_from_the_header_menu_and_the_count_falls(page, tmp_path):
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        member = factories.UserFactory(display_name="Cora Customer")
        idea = factories.IdeaFactory(title="Lockers at stations")
        for number, title in enumerate(["Your comment received kudos", "“Lockers at stations” was shortlisted"]):
            Notification.objects.create(
                recipient=member,
                kind=Kind.KUDOS_RECEIVED,
                event_key=f"browser-{number}",
                title=title,
                url=idea.get_absolute_url(),
            )
        sign_in(page, member)
        bell = page.get_by_test_id("notif-bell")
        expect(bell).to_contain_text("2 unread notifications")

        bell.click()  # htmx loads the menu now
        items = page.get_by_test_id("notif-menu-item")
        expect(items).to_have_count(2)
        expect(items.first).to_contain_text("“Lockers at stations” was shortlisted")
        items.first.click()

        expect(page).to_have_url(re.compile(re.escape(idea.get_absolute_url()) + "$"))
        expect(page.get_by_role("heading", name="Lockers at stations")).to_be_visible()
        expect(page.get_by_test_id("notif-bell")).to_contain_text("1 unread notification")
        assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == 1

        # Escape closes the menu, and gives the focus back to the bell.
        page.get_by_test_id("notif-bell").click()
        expect(page.get_by_role("button", name="Mark all read")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.get_by_role("button", name="Mark all read")).to_be_hidden()

        # "Mark all read" from the menu: back on the same page, nothing unread.
        page.get_by_test_id("notif-bell").click()
        page.get_by_role("button", name="Mark all read").click()
        expect(page.get_by_text("Marked 1 notification read.")).to_be_visible()
        expect(page.get_by_role("heading", name="Lockers at stations")).to_be_visible()
        expect(page.get_by_test_id("notif-bell")).to_contain_text("no unread notifications")
        assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_without_the_menu_the_bell_still_leads_to_the_notifications(page):
    """Before htmx answers (or without JavaScript) the panel holds a plain link to the page."""
    member = factories.UserFactory(display_name="Nora Nojs")
    sign_in(page, member)
    page.route("**/notifications/menu/**", lambda route: route.abort())
    page.get_by_test_id("notif-bell").click()
    page.get_by_role("link", name="All notifications").click()
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
