"""Proof of impact in a real browser: staff schedule a follow-up survey from an implemented idea's
page, a customer who answered the earlier wave follows the invitation and answers, staff close the
survey, and the idea's page says what was measured.
"""

from core.funnel import Status
from scoring.models import Rating, Respondent
from scoring.services.waves import wave_current_for_job
from tests import factories
from tests.browser import BROWSER_MARKS, TIMEOUT_MS, expect, screenshot_on_failure, sign_in

pytestmark = BROWSER_MARKS


def test_staff_schedule_a_follow_up_a_customer_answers_and_the_result_is_published(page, live_server, tmp_path):
    customer = factories.UserFactory(display_name="Cora Customer")
    triage = factories.TriageFactory(display_name="Tess Triage")
    segment = factories.SegmentFactory(name="Customers")
    job = factories.JobFactory(name="Receive a delivery")
    outcome = factories.OutcomeFactory(job=job, statement="Minimise the time spent waiting at home")
    challenge = factories.ChallengeFactory(outcomes=[outcome])
    idea = factories.IdeaFactory(
        challenge=challenge, title="Live van map", status=Status.IMPLEMENTED, outcomes=[outcome]
    )
    baseline = wave_current_for_job(job=job)
    answered = Respondent.objects.create(key=f"member-{customer.pk}", user=customer, segment=segment)
    Rating.objects.create(respondent=answered, outcome=outcome, wave=baseline, importance=5, satisfaction=1)

    staff_context = page.context.browser.new_context(base_url=live_server.url)
    staff_context.set_default_timeout(TIMEOUT_MS)
    staff = staff_context.new_page()
    try:
        with (
            screenshot_on_failure(page, tmp_path / "customer.png"),
            screenshot_on_failure(staff, tmp_path / "staff.png"),
        ):
            sign_in(staff, triage)
            staff.goto(idea.get_absolute_url())
            staff.get_by_role("link", name="Schedule a follow-up survey…").click()
            staff.get_by_label("Customers").check()
            staff.get_by_label("Opens after (days)").fill("0")
            staff.get_by_label("Minimum respondents per outcome").fill("1")
            staff.get_by_role("button", name="Schedule the follow-up survey").click()
            expect(staff.locator(".messages")).to_contain_text("The follow-up survey is open until")
            expect(staff.get_by_test_id("impact-summary")).to_contain_text("Not enough answers yet (0 of 1)")

            # The customer who answered before is invited, and answers from the notification.
            sign_in(page, customer)
            page.goto("/notifications/")
            page.get_by_role("link", name="Has “Receive a delivery” become easier?").first.click()
            expect(page.get_by_test_id("wave-note")).to_contain_text("Follow-up: Live van map")
            page.locator(f"label[for=id_importance_{outcome.pk}_4]").click()
            page.locator(f"label[for=id_satisfaction_{outcome.pk}_4]").click()
            page.get_by_role("button", name="Submit survey").click()
            expect(page.locator(".messages")).to_contain_text("Thank you")

            staff.reload()
            staff.get_by_role("button", name="Close the follow-up survey now and publish the result").click()
            expect(staff.locator(".messages")).to_contain_text("result published on this page")
            page.goto(idea.get_absolute_url())
            summary = page.get_by_test_id("impact-summary")
            expect(summary).to_contain_text("satisfied share from 0% to 100% (n=1 → 1)")
            expect(summary).to_contain_text("p = ")
    finally:
        staff_context.close()
