"""The Content-Security-Policy in a real browser: the main pages, as each role sees them, run under
the policy with no violation (no inline script or style refused, htmx working), in Debian's
Chromium driven by Playwright.

Violations are caught twice: the ``securitypolicyviolation`` events the page fires (listened to by
a script Playwright adds before the page's own, which the policy does not govern) and Chromium's
console messages ("Refused to ... because it violates the following Content Security Policy").
"""

from django.urls import reverse

from challenges.models import Challenge
from ideas.models import Status
from reviews.services import mentoring
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in

pytestmark = BROWSER_MARKS

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Violations:
    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.found.append(f"console: {message.text}")

    def visit(self, url: str, *, expect_heading: bool = True) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status < 400, f"{url}: {response and response.status}"
        assert "content-security-policy" in response.headers, url  # Playwright lower-cases names
        if expect_heading:
            expect(self.page.locator("h1").first).to_be_visible()
        self.collect(url)

    def collect(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.found.append(f"{where}: {violation}")


def test_the_main_pages_run_under_the_csp_without_a_violation(page, live_server, tmp_path):
    customer = factories.UserFactory(display_name="Cora Customer")
    mentor = factories.MentorFactory(display_name="Mo Mentor")
    triage = factories.TriageFactory(display_name="Tess Triage")
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    idea = factories.IdeaFactory(challenge=challenge, title="Lockers at stations")
    mentoring_challenge = factories.ChallengeFactory(phase=Challenge.Phase.MENTORING, slug="mentored")
    mentored = factories.IdeaFactory(challenge=mentoring_challenge, status=Status.SHORTLISTED, title="Night buses")
    mentoring.mentor_assign(ideas=[mentored], mentors=[mentor], capacity=5, assigned_by=triage)
    job = factories.JobFactory(name="Plan the weekly shop")
    factories.OutcomeFactory(job=job, code="PLAN-01", statement="Minimise the time it takes to write the list")
    factories.SegmentFactory(name="Customers")

    violations = Violations(page)
    with screenshot_on_failure(page, tmp_path / "csp.png"):
        # A visitor.
        for url in ("/", reverse("challenges:list"), challenge.get_absolute_url(), "/ideas/", idea.get_absolute_url()):
            violations.visit(url)

        # A customer: the submit form, a survey, notifications, and an htmx vote.
        sign_in(page, customer)
        for url in (
            reverse("challenges:submit", args=[challenge.slug]),
            reverse("surveys:list"),
            reverse("surveys:take", args=[job.pk]),
            reverse("notifications:list"),
            reverse("notifications:preferences"),
            reverse("innovators:questionnaire"),
        ):
            violations.visit(url)
        violations.visit(idea.get_absolute_url())
        support = page.get_by_test_id("support")
        expect(support).to_have_text("0")
        page.get_by_role("button", name="▲ Up").click()
        expect(support).to_have_text("1")  # htmx swapped the widget: it runs under the policy
        violations.collect("the htmx vote")

        # A mentor's area.
        page.context.clear_cookies()
        sign_in(page, mentor)
        violations.visit(reverse("reviews:mentor_ideas"))
        violations.visit(reverse("reviews:mentor_idea", args=[mentored.pk]))

        # Triage staff: the admin's triage queue, an idea's status page (its script is a static file).
        page.context.clear_cookies()
        sign_in(page, triage)
        violations.visit(reverse("admin:reviews_triageidea_changelist"), expect_heading=False)
        violations.visit(reverse("admin:ideas_idea_change_status", args=[idea.pk]), expect_heading=False)
        page.get_by_label("New status").select_option(index=1)
        violations.collect("the status page's script")
        violations.visit(reverse("admin:index"), expect_heading=False)
        violations.visit(reverse("metrics:index"))

    assert violations.found == []

    # The listener hears a violation, and the policy is enforced: an injected inline script is
    # refused (what an XSS payload that slipped past the sanitiser would be).
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.appendChild(s); }"
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_function("window.__cspViolations.length > 0")
    violations.collect("probe")
    assert any("script-src" in found for found in violations.found), violations.found
    assert page.evaluate("window.__ran === undefined")
