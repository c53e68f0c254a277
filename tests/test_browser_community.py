"""The community journey in a real browser (Debian's Chromium through Playwright).

A customer starts writing an idea, sees a similar idea appear while typing the title, supports it
from the suggestions instead of writing a duplicate, then comments on it and gives kudos to
another member's helpful comment. Uses the browser fixtures of tests/browser.py.
"""

from ideas.models import Comment, Idea, Kudos, Vote
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure

pytestmark = BROWSER_MARKS


def test_customer_supports_a_similar_idea_instead_then_comments_and_gives_kudos(page, tmp_path):
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        community_journey(page)


def community_journey(browser_page):
    customer = factories.UserFactory(display_name="Cora Customer")
    helper = factories.UserFactory(display_name="Hal Helpful")
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    existing = factories.IdeaFactory(challenge=challenge, title="Delivery lockers at the train station")
    factories.IdeaFactory(challenge=challenge, title="Weekend cooking classes")
    helpful = factories.CommentFactory(idea=existing, author=helper, body="Chilled lockers already exist in Lyon.")

    browser_page.goto("/accounts/login/")
    browser_page.get_by_label("Email").fill(customer.email)
    browser_page.get_by_label("Password").fill(factories.PASSWORD)
    browser_page.get_by_role("button", name="Sign in").click()
    expect(browser_page.get_by_role("navigation", name="Main")).to_contain_text("Cora Customer")

    # Typing a title: the similar idea appears (htmx, debounced), the unrelated one does not.
    browser_page.goto(f"/challenges/{challenge.slug}/submit/")
    browser_page.get_by_label("Title", exact=True).press_sequentially("Lockers at train stations", delay=20)
    suggestions = browser_page.get_by_test_id("similar-ideas")
    expect(suggestions).to_contain_text("Delivery lockers at the train station")
    expect(suggestions).not_to_contain_text("Weekend cooking classes")

    # Support it from the suggestion instead of submitting a duplicate.
    widget = browser_page.locator(f"#vote-{existing.pk}")
    widget.get_by_role("button", name="▲ Up").click()
    expect(widget.get_by_test_id("support")).to_have_text("1")
    assert Vote.objects.filter(idea=existing, user=customer, value=1).exists()
    assert not Idea.objects.filter(author=customer).exists()

    # On the idea: a comment, then kudos for the helpful one.
    browser_page.goto(existing.get_absolute_url())
    expect(browser_page.get_by_test_id("support")).to_have_text("1")
    browser_page.get_by_label("Your comment").fill("I'd use one at my station every week.")
    browser_page.get_by_role("button", name="Post comment").click()
    expect(browser_page.locator("#comments")).to_contain_text("I'd use one at my station every week.")

    kudos = browser_page.locator(f"#kudos-{helpful.pk}")
    kudos.get_by_role("button", name="Kudos").click()
    expect(kudos.get_by_test_id("kudos-count")).to_have_text("1")
    expect(kudos.get_by_role("button", name="Kudos")).to_have_attribute("aria-pressed", "true")

    assert Comment.objects.filter(idea=existing, author=customer).count() == 1
    assert Kudos.objects.filter(comment=helpful, user=customer).exists()
    helpful.refresh_from_db()
    assert helpful.kudos_count == 1
