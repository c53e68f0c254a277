"""Staff register a webhook endpoint in the admin in a real browser, read its secret, and find the
change in the audit log; the delivery log shows what was sent. With ``ADMIN_SCREENSHOTS_DIR`` set,
the pages are saved there at 1280 and 390 px wide (for a person to look at; nothing is committed)."""

import os
from pathlib import Path

import pytest

from audit.models import AuditEntry
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = BROWSER_MARKS

SCREENSHOTS = os.environ.get("ADMIN_SCREENSHOTS_DIR")


def shoot(page, name: str) -> None:
    if not SCREENSHOTS:
        return
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_staff_register_an_endpoint_and_the_audit_log_shows_it(page, tmp_path):
    admin_user = factories.UserFactory(is_staff=True, is_superuser=True, display_name="Ada Admin")
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        sign_in(page, admin_user)
        page.goto("/admin/webhooks/webhookendpoint/add/")
        page.get_by_label("Name").fill("Slack #ideas")
        page.get_by_label("URL").fill("ftp://hooks.example.com/services/T000")
        page.get_by_label("Idea submitted").check()
        page.get_by_label("Idea status changed (with its reason)").check()
        page.get_by_label("Format").select_option("slack")
        shoot(page, "webhook-add")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".errorlist")).to_contain_text("Enter a valid URL.")
        assert not WebhookEndpoint.objects.exists()

        page.get_by_label("URL").fill("https://hooks.example.com/services/T000")
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".messagelist")).to_contain_text("was added successfully")
        endpoint = WebhookEndpoint.objects.get()
        expect(page.locator(".field-secret_shown code")).to_have_text(endpoint.secret)
        assert endpoint.event_types == ["idea.submitted", "idea.status_changed"] and endpoint.format == "slack"
        shoot(page, "webhook-change")

        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_key="idea_received:1",
            event_type="idea.submitted",
            message_id="msg_example",
            body='{"text":"New idea in “Easier deliveries”: “Lockers at stations” <https://portal.example.com/ideas/1/|Open in the portal>"}',
            state="pending",
            attempts=2,
            last_status_code=500,
        )
        page.goto("/admin/webhooks/webhookdelivery/")
        expect(page.locator("#result_list")).to_contain_text("Slack #ideas")
        shoot(page, "webhook-deliveries")

        page.goto("/admin/audit/auditentry/")
        expect(page.locator("#result_list")).to_contain_text("webhook.endpoint_created")
        expect(page.get_by_role("link", name="Export CSV (these filters)")).to_be_visible()
        shoot(page, "audit-list")
        entry = AuditEntry.objects.get(action="webhook.endpoint_created")
        page.goto(f"/admin/audit/auditentry/{entry.pk}/change/")
        expect(page.locator("body")).to_contain_text("https://hooks.example.com/services/T000")
        expect(page.locator("input[name=_save]")).to_have_count(0)
        shoot(page, "audit-entry")
    assert entry.actor == admin_user


@pytest.fixture(autouse=True)
def _screenshots_dir():
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
