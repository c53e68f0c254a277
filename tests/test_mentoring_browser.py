"""The revision round trip in a real browser: the mentor asks, the author revises, the mentor compares.

Two browser contexts (two people signed in at once). Uses the browser fixtures of tests/browser.py.
"""

from challenges.models import Challenge
from ideas.models import Status
from reviews.models import RevisionRequest
from reviews.services import mentoring as services
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in

pytestmark = BROWSER_MARKS


def test_mentor_requests_a_revision_the_author_answers_and_the_mentor_compares(page, live_server, tmp_path):
    author = factories.UserFactory(display_name="Cora Customer")
    mentor = factories.MentorFactory(display_name="Mo Mentor")
    triage = factories.TriageFactory()
    challenge = factories.ChallengeFactory(phase=Challenge.Phase.MENTORING)
    idea = factories.IdeaFactory(
        challenge=challenge, author=author, status=Status.SHORTLISTED, title="Lockers at stations"
    )
    services.mentor_assign(ideas=[idea], mentors=[mentor], capacity=5, assigned_by=triage)

    author_context = page.context.browser.new_context(base_url=live_server.url)
    author_page = author_context.new_page()
    try:
        with (
            screenshot_on_failure(page, tmp_path / "mentor.png"),
            screenshot_on_failure(author_page, tmp_path / "author.png"),
        ):
            # The mentor opens the idea from the mentor area and asks for a revision.
            sign_in(page, mentor)
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Mentoring").click()
            page.get_by_role("link", name="Lockers at stations").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Lockers at stations")
            page.get_by_label("What should the author revise?").fill("Who pays for the lockers?")
            page.get_by_role("button", name="Request a revision").click()
            expect(page.get_by_role("status")).to_contain_text("revision request is sent")
            expect(page.get_by_test_id("revision-request")).to_contain_text("Awaiting the author")

            # The author sees the request on their idea, edits and saves.
            sign_in(author_page, author)
            author_page.goto(idea.get_absolute_url())
            request_card = author_page.get_by_test_id("open-revision-request")
            expect(request_card).to_contain_text("Who pays for the lockers?")
            request_card.get_by_role("link", name="Edit your idea").click()
            author_page.get_by_label("Your proposed solution").fill(
                "Put lockers at train stations, paid for by the rail operator."
            )
            author_page.get_by_role("button", name="Save changes").click()
            expect(author_page.get_by_role("status")).to_contain_text("Your changes are saved")
            expect(author_page.get_by_test_id("open-revision-request")).to_have_count(0)

            # The mentor sees it answered and opens the comparison.
            page.reload()
            expect(page.get_by_test_id("revision-request")).to_contain_text("Answered")
            page.get_by_role("link", name="Compare version 1 with version 2").click()
            diff = page.get_by_test_id("diff")
            expect(diff).to_contain_text("What changed from version 1 to version 2")
            expect(diff.locator("ins")).to_contain_text(["rail operator"])
    finally:
        author_context.close()

    revision = RevisionRequest.objects.get()
    assert revision.answered_at is not None
    assert (revision.version_before.number, revision.answer_version.number) == (1, 2)
