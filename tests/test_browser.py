"""A customer's journey in a real browser: Debian's Chromium driven by Playwright.

Sign in through allauth's page, submit an idea to a challenge, support another customer's idea
with the htmx vote button (swapped in place, no page load), and find both in the ideas list.
The live server runs in a thread of this process, so the test is transactional: the server's
own database connection sees what the test commits, and the test sees what the server wrote.
"""

from ideas.models import Idea, Status, Vote
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure

pytestmark = BROWSER_MARKS


def test_customer_submits_an_idea_and_supports_another(page, tmp_path):
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        customer_journey(page)


def customer_journey(page):
    customer = factories.UserFactory(display_name="Cora Customer")
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    other_idea = factories.IdeaFactory(challenge=challenge, title="Lockers at stations")
    first_outcome = challenge.outcomes.order_by("code").first()

    # Sign in through allauth's own page.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(customer.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Cora Customer")

    # From the challenge list to the challenge, and on to its idea form.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Challenges").click()
    page.get_by_role("link", name="Easier deliveries").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Easier deliveries")
    page.get_by_role("link", name="Submit an idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an idea")

    page.get_by_label("Title", exact=True).fill("Evening delivery slots")
    page.get_by_label("The problem").fill("Most of us are at work when the van comes during the day.")
    page.get_by_label("Your proposed solution").fill("Offer delivery slots from 18:00 to 22:00 on weekdays.")
    page.get_by_label(str(first_outcome)).check()
    page.get_by_role("button", name="Submit idea").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Evening delivery slots")
    expect(page.get_by_role("status")).to_contain_text("your idea was received")
    new_idea = Idea.objects.get(title="Evening delivery slots")
    assert page.url.endswith(new_idea.get_absolute_url())

    # Support the other customer's idea: htmx swaps the widget in place, the page stays.
    page.goto(other_idea.get_absolute_url())
    support = page.get_by_test_id("support")
    expect(support).to_have_text("0")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="▲ Up").click()
    expect(support).to_have_text("1")
    expect(page.get_by_role("button", name="▲ Up")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.notReloaded === true"), "the vote reloaded the page instead of swapping the widget"

    page.reload()
    expect(page.get_by_test_id("support")).to_have_text("1")
    expect(page.get_by_role("button", name="▲ Up")).to_have_attribute("aria-pressed", "true")

    # Both ideas in the list; the one supported says so.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ideas", exact=True).click()
    cards = page.locator("article.idea-card")
    own_card = cards.filter(has=page.get_by_role("link", name="Evening delivery slots"))
    voted_card = cards.filter(has=page.get_by_role("link", name="Lockers at stations"))
    expect(own_card).to_have_count(1)
    expect(voted_card).to_have_count(1)
    expect(voted_card.get_by_role("button", name="▲ Up")).to_have_attribute("aria-pressed", "true")
    expect(own_card).to_contain_text("You cannot vote on your own idea.")

    vote = Vote.objects.get()
    assert (vote.user, vote.idea, vote.value) == (customer, other_idea, Vote.Value.UP)
    new_idea.refresh_from_db()
    assert (new_idea.author, new_idea.challenge, new_idea.status) == (customer, challenge, Status.SUBMITTED)
    assert list(new_idea.outcomes.all()) == [first_outcome]
    other_idea.refresh_from_db()
    assert (other_idea.votes_up, other_idea.votes_down) == (1, 0)
