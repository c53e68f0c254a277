"""Customers at home (issue 17) in a real browser (Debian's Chromium driven by Playwright): vote from
a list card and take the vote back, save a one-line draft and find it in "My ideas", and save a
half-answered survey that keeps the complete answers and the segment. The fixtures are those of
tests/browser.py (a transactional test beside the live server's thread).
"""

import pytest
from django.urls import reverse

from ideas.models import Idea, Status, Vote
from scoring.models import Rating, Respondent
from tests import factories
from tests.browser import BROWSER_MARKS, screenshot_on_failure, sign_in
from tests.test_survey_browser import rate, weekly_shop_survey

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (requirements-dev.txt)")
expect = sync_api.expect

pytestmark = BROWSER_MARKS


def test_a_member_votes_from_a_list_card_and_takes_it_back(page, tmp_path):
    member = factories.UserFactory(display_name="Otto Other")
    challenge = factories.ChallengeFactory(title="Easier deliveries")
    idea = factories.IdeaFactory(
        challenge=challenge, title="Lockers at stations", problem="**Nobody** is home when the van comes, _ever_."
    )
    factories.IdeaFactory(challenge=challenge, title="Evening slots")
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        # A visitor sees the count and is offered to sign in, and comes back to the list.
        page.goto(reverse("ideas:list"))
        card = page.get_by_test_id("idea-card").filter(has_text="Lockers at stations")
        expect(card.get_by_test_id("support")).to_have_text("0")
        expect(card.get_by_test_id("idea-summary")).to_have_text("Nobody is home when the van comes, ever.")
        card.get_by_role("link", name="Sign in to vote").click()
        page.get_by_label("Email").fill(member.email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Ideas")

        card = page.get_by_test_id("idea-card").filter(has_text="Lockers at stations")
        card.get_by_role("button", name="▲ Up").click()
        expect(card.get_by_test_id("support")).to_have_text("1")
        expect(card.get_by_role("button", name="▲ Up")).to_have_attribute("aria-pressed", "true")
        assert Vote.objects.get(idea=idea, user=member).value == Vote.Value.UP
        # The other card did not change.
        other = page.get_by_test_id("idea-card").filter(has_text="Evening slots")
        expect(other.get_by_test_id("support")).to_have_text("0")

        card.get_by_role("button", name="Undo").click()
        expect(card.get_by_test_id("support")).to_have_text("0")
        expect(card.get_by_role("button", name="▲ Up")).to_have_attribute("aria-pressed", "false")
        assert not Vote.objects.filter(idea=idea).exists()

        # After a reload the list still knows: no vote.
        page.reload()
        expect(
            page.get_by_test_id("idea-card").filter(has_text="Lockers at stations").get_by_test_id("support")
        ).to_have_text("0")


def test_a_member_saves_a_one_line_draft_and_finds_it_in_my_ideas(page, tmp_path):
    member = factories.UserFactory(display_name="Cora Customer")
    challenge = factories.ChallengeFactory(title="Easier deliveries")
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        sign_in(page, member)
        page.goto(reverse("challenges:submit", args=[challenge.slug]))
        page.get_by_label("Title").fill("Lockers at every station")
        page.get_by_role("button", name="Save as draft").click()
        expect(page.get_by_role("status")).to_contain_text("Your draft is saved")
        expect(page.get_by_role("heading", level=1)).to_have_text("Lockers at every station")

        page.get_by_role("link", name="My ideas").first.click()
        row = page.get_by_role("row").filter(has_text="Lockers at every station")
        expect(row).to_contain_text("Draft")

        # Submitting it as it is says what is missing and keeps it a draft.
        row.get_by_role("link", name="Lockers at every station", exact=True).click()
        page.get_by_role("link", name="Edit or submit").click()
        page.get_by_role("button", name="Submit idea").click()
        expect(page.get_by_test_id("error-summary")).to_contain_text(
            "complete the problem, the proposed solution and an outcome it addresses first"
        )
    idea = Idea.objects.get()
    assert (idea.status, idea.problem, idea.solution) == (Status.DRAFT, "", "")


def test_a_half_answered_survey_saves_the_complete_answers_and_the_segment(page, tmp_path):
    member = factories.UserFactory(display_name="Cora Customer")
    non_customers, job, (first, second, third) = weekly_shop_survey()
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        sign_in(page, member)
        page.goto(reverse("surveys:take", args=[job.pk]))
        page.get_by_role("group", name="Which describes you best?").get_by_label("Non-customers").check()
        rate(page, first, "Extremely important", "Not at all satisfied")
        rate(page, second, "Very important", None)  # half answered
        rate(page, third, "Moderately important", "Very satisfied")
        page.get_by_role("button", name="Save and continue later").click()

        status = page.get_by_role("status")
        expect(status).to_contain_text("Your answers are saved: 2 of 3 outcomes answered")
        expect(status).to_contain_text("Non-customers")
        expect(status).to_contain_text(f"only one of their two questions is answered: “{second.statement}”")
        expect(page.get_by_test_id(f"incomplete-{second.pk}")).to_be_visible()
        # The half answer is still there to finish.
        second_group = page.get_by_role("group", name=second.statement, exact=True)
        expect(second_group.get_by_label("4 Very important")).to_be_checked()

        # Coming back later: the complete answers are kept, and the segment is not asked again.
        page.goto(reverse("surveys:take", args=[job.pk]))
        expect(page.get_by_test_id("progress")).to_have_text("You have answered 2 of 3 outcomes.")
        expect(page.get_by_role("group", name="Which describes you best?")).to_have_count(0)
        first_group = page.get_by_role("group", name=first.statement, exact=True)
        expect(first_group.get_by_label("5 Extremely important")).to_be_checked()
        expect(first_group.get_by_label("1 Not at all satisfied")).to_be_checked()
    saved = {rating.outcome_id: (rating.importance, rating.satisfaction) for rating in Rating.objects.all()}
    assert saved == {first.pk: (5, 1), third.pk: (3, 4)}
    assert Respondent.objects.get(user=member).segment == non_customers
