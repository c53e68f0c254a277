"""Issue 22, part B in a real browser: a customer answers the challenge's own question, invites a
co-author from the members, and the co-author accepts from their notification and edits the idea.

``coauthor_journey`` is a function of its own so that the lead can join it with part A's photo
upload into one journey.
"""

from challenges.models import ChallengeQuestion
from ideas.models import Idea, IdeaCoauthor, Status
from notifications.models import OutboxEvent
from notifications.services import outbox_event_process
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in

pytestmark = BROWSER_MARKS


def test_customer_answers_the_question_and_a_coauthor_accepts_and_edits(page, tmp_path):
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        coauthor_journey(page)


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def coauthor_journey(page):
    customer = factories.UserFactory(display_name="Cora Customer")
    friend = factories.UserFactory(display_name="Felix Friend")
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    ChallengeQuestion.objects.create(
        challenge=challenge,
        label="Which team would run it?",
        kind=ChallengeQuestion.Kind.CHOICE,
        choices="Stores\nVans\nApp",
        required=True,
    )
    first_outcome = challenge.outcomes.order_by("code").first()

    sign_in(page, customer)
    page.goto(f"/challenges/{challenge.slug}/submit/")
    page.get_by_label("Title", exact=True).fill("Evening delivery slots")
    page.get_by_label("The problem").fill("Most of us are at work when the van comes during the day.")
    page.get_by_label("Your proposed solution").fill("Offer delivery slots from 18:00 to 22:00 on weekdays.")
    page.get_by_label(str(first_outcome)).check()
    # Submitting without the required answer is refused next to the question; nothing is saved.
    page.get_by_role("button", name="Submit idea").click()
    expect(page.get_by_test_id("challenge-questions")).to_contain_text("Answer this question to submit your idea")
    assert not Idea.objects.filter(title="Evening delivery slots").exists()
    page.get_by_label("Which team would run it?").select_option("Vans")
    page.get_by_role("button", name="Submit idea").click()
    similar = page.get_by_role("button", name="I checked: mine is different — submit it")
    if similar.count():
        similar.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evening delivery slots")
    expect(page.get_by_test_id("idea-answers")).to_contain_text("Vans")
    idea = Idea.objects.get(title="Evening delivery slots")
    assert idea.status == Status.SUBMITTED

    # Invite a co-author from the members, found by the name they show.
    page.get_by_test_id("manage-coauthors").click()
    page.get_by_label("Find a member by name").fill("Felix")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Invite Felix Friend").click()
    expect(page.get_by_role("status")).to_contain_text("Felix Friend is invited")
    expect(page.get_by_test_id("coauthor-list")).to_contain_text("invited")
    _sign_out(page)

    # The worker's part: the invitation becomes Felix's notification.
    for event in OutboxEvent.objects.filter(processed_at__isnull=True):
        outbox_event_process(event_id=event.pk)

    sign_in(page, friend)
    page.goto("/notifications/")
    page.get_by_role("link", name="Cora Customer invites you to co-author “Evening delivery slots”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation to co-author an idea")
    page.get_by_role("button", name="Accept: co-author this idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evening delivery slots")
    expect(page.get_by_test_id("idea-byline")).to_contain_text("Felix Friend")
    assert IdeaCoauthor.objects.get(idea=idea).status == IdeaCoauthor.State.ACCEPTED

    # As a co-author, Felix edits the idea.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Title", exact=True).fill("Evening and weekend delivery slots")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evening and weekend delivery slots")
    idea.refresh_from_db()
    assert idea.title == "Evening and weekend delivery slots"
    assert idea.versions.order_by("-number").first().saved_by == friend
