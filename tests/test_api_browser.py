"""The API's pages in a real browser: the interactive OpenAPI page runs under the CSP with no
violation (Swagger UI from our static files, started by a file of ours), "Try it out" works with
the session, and the API tokens page creates and revokes a token, at desktop and phone widths."""

import os
from pathlib import Path

from api.models import ApiToken
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in
from tests.test_csp_browser import Violations

pytestmark = BROWSER_MARKS

WIDTHS = {"desktop": 1280, "phone": 390}


def _shots(tmp_path) -> Path:
    """Where the screenshots go: API_SCREENSHOTS_DIR if set (to look at them), else the test's tmp dir."""
    return Path(os.environ.get("API_SCREENSHOTS_DIR") or tmp_path)


def test_the_interactive_api_page_works_under_the_csp(page, live_server, tmp_path):
    customer = factories.UserFactory(display_name="Cora Customer")
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    factories.IdeaFactory(challenge=challenge, title="Lockers at stations")
    violations = Violations(page)
    with screenshot_on_failure(page, tmp_path / "api-docs-failure.png"):
        sign_in(page, customer)
        violations.visit("/api/", expect_heading=False)
        expect(page.locator(".swagger-ui .title").first).to_contain_text("Idea portal API")
        operation = page.locator("#operations-ideas-ideas_list")
        expect(operation).to_be_visible()
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(_shots(tmp_path) / f"api-docs-{name}.png"), full_page=False)
        page.set_viewport_size({"width": 1280, "height": 900})
        operation.locator(".opblock-summary").click()
        page.get_by_role("button", name="Try it out").click()
        page.locator(".execute").click()
        expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
        expect(operation.locator(".live-responses-table")).to_contain_text("Lockers at stations")
        violations.collect("/api/ after Try it out")
    assert violations.found == []


def test_a_member_creates_and_revokes_a_token_on_the_settings_page(page, live_server, tmp_path):
    customer = factories.UserFactory(display_name="Cora Customer")
    violations = Violations(page)
    with screenshot_on_failure(page, tmp_path / "api-tokens-failure.png"):
        sign_in(page, customer)
        page.goto("/accounts/profile/")
        page.get_by_role("link", name="API tokens").click()
        expect(page.locator("h1")).to_have_text("API tokens")
        page.get_by_label("Name").fill("CRM sync")
        page.get_by_label("Write").check()
        page.get_by_role("button", name="Create token").click()
        secret = page.get_by_label("Token").input_value()
        token = ApiToken.objects.get(user=customer)
        assert secret.startswith(token.prefix + "_")
        expect(page.get_by_role("row", name="CRM sync")).to_contain_text(token.prefix)
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(_shots(tmp_path) / f"api-tokens-{name}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("button", name="Revoke “CRM sync”").click()
        expect(page.get_by_role("status")).to_contain_text("is revoked")
        expect(page.get_by_role("row", name="CRM sync")).to_contain_text("Revoked")
        violations.collect("/accounts/api-tokens/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert violations.found == []
