"""Notifications in a real browser: a customer sees the unread count appear when staff decide their
idea, opens the list, marks all read, and the count is gone. Uses the fixtures of tests/browser.py."""

from ideas import services as idea_services
from ideas.models import Status
from notifications import tasks
from notifications.models import Notification, OutboxEvent
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure

pytestmark = BROWSER_MARKS


def test_customer_sees_the_status_change_then_marks_all_read(page, tmp_path):
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        unread_count_journey(page)


def unread_count_journey(browser_page):
    customer = factories.UserFactory(display_name="Cora Customer")
    triage = factories.TriageFactory(display_name="Tess Triage")
    idea = factories.IdeaFactory(author=customer, title="Lockers at stations")

    browser_page.goto("/accounts/login/")
    browser_page.get_by_label("Email").fill(customer.email)
    browser_page.get_by_label("Password").fill(factories.PASSWORD)
    browser_page.get_by_role("button", name="Sign in").click()
    nav = browser_page.get_by_role("navigation", name="Main")
    expect(nav).to_contain_text("Cora Customer")
    bell = nav.get_by_test_id("notif-bell")
    expect(bell).to_have_text("Notifications: no unread notifications")

    # Staff decide the idea; the worker turns the outbox event into the author's notification.
    idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Good fit")
    for event in OutboxEvent.objects.filter(processed_at__isnull=True):
        tasks.process_outbox_event(event.pk)
    assert Notification.objects.filter(recipient=customer, read_at__isnull=True).count() == 1

    browser_page.reload()
    expect(bell).to_contain_text("1 unread notification")

    browser_page.goto("/notifications/")
    expect(browser_page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(browser_page.locator(".notification.unread")).to_contain_text("“Lockers at stations” was shortlisted")
    browser_page.get_by_role("button", name="Mark all read").click()
    expect(browser_page.get_by_text("Marked 1 notification read.")).to_be_visible()
    expect(bell).to_have_text("Notifications: no unread notifications")
    expect(browser_page.locator(".notification.unread")).to_have_count(0)
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
