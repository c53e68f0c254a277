"""A customer's tier badge in a real browser: it changes once staff shortlist their idea in the admin.

Two browser contexts, one per person: the customer sees "contributor" beside their name on their
idea's page and in the ideas list; triage staff shortlist the idea through the admin's change-status
page; the customer reloads and sees "innovator" on both.
"""

from ideas import services as idea_services
from ideas.models import Status
from reputation.models import Tier
from tests import factories
from tests.browser import BROWSER_MARKS, TIMEOUT_MS, expect, screenshot_on_failure, sign_in

pytestmark = BROWSER_MARKS


def test_a_customers_badge_changes_after_staff_shortlist_their_idea(page, live_server, tmp_path):
    customer = factories.UserFactory(display_name="Cora Customer")
    triage = factories.TriageFactory(display_name="Tess Triage")
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    idea = idea_services.idea_create(
        author=customer,
        challenge=challenge,
        title="Evening delivery slots",
        problem="Most of us are at work when the van comes.",
        solution="Slots from 18:00 to 22:00.",
        outcomes=list(challenge.outcomes.all()[:1]),
        submit=True,
    )
    staff_context = page.context.browser.new_context(base_url=live_server.url)
    staff_context.set_default_timeout(TIMEOUT_MS)
    staff = staff_context.new_page()
    try:
        with (
            screenshot_on_failure(page, tmp_path / "customer.png"),
            screenshot_on_failure(staff, tmp_path / "staff.png"),
        ):
            sign_in(page, customer)
            page.goto(idea.get_absolute_url())
            badge = page.get_by_test_id("idea-byline").get_by_test_id("tier-badge")
            expect(badge).to_have_text(Tier.CONTRIBUTOR)

            # Staff shortlist it in the admin.
            sign_in(staff, triage)
            staff.goto(f"/admin/ideas/idea/{idea.pk}/change-status/")
            staff.get_by_label("New status").select_option(Status.SHORTLISTED.value)
            staff.get_by_role("button", name="Change status").click()
            expect(staff.locator(".messagelist")).to_contain_text("now shortlisted")

            page.reload()
            expect(page.get_by_test_id("idea-byline").get_by_test_id("tier-badge")).to_have_text(Tier.INNOVATOR)
            page.goto("/ideas/")
            card = page.locator("article.idea-card").filter(has=page.get_by_role("link", name="Evening delivery slots"))
            expect(card.get_by_test_id("tier-badge")).to_have_text(Tier.INNOVATOR)
    finally:
        staff_context.close()
