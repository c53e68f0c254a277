"""Issue 22's journey in one go, in Debian's Chromium: a customer writes an idea with a photo,
answers the challenge's own question, submits it, invites a co-author, who accepts from the
notification and edits the idea; the photo, the answer and both authors stay on the idea's page.

The parts are tested one by one in tests/test_attachments_browser.py and
tests/test_coauthors_browser.py; this walks them together, as a customer meets them.
"""

from attachments.models import Attachment
from challenges.models import ChallengeQuestion
from ideas.models import Idea, IdeaCoauthor, Status
from notifications.models import OutboxEvent
from notifications.services import outbox_event_process
from tests import attachment_files as files
from tests import factories
from tests.attachment_files import attachments_on_disk_fixture  # noqa: F401 - autouse: files in the test's own folder
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in

pytestmark = BROWSER_MARKS


def test_photo_question_and_coauthor_in_one_journey(page, tmp_path):
    with screenshot_on_failure(page, tmp_path / "failure.png"):
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
        outcome = challenge.outcomes.order_by("code").first()
        photo = tmp_path / "IMG_0042.jpg"
        photo.write_bytes(files.jpeg_with_exif(size=(1600, 1200)))

        # Write the idea with a photo and the challenge's question answered, and submit it.
        sign_in(page, customer)
        page.goto(f"/challenges/{challenge.slug}/submit/")
        page.get_by_label("Title", exact=True).fill("Lockers by the door")
        page.get_by_label("The problem").fill("Parcels wait on the doorstep in the rain for hours.")
        page.get_by_label("Your proposed solution").fill("A weatherproof locker by the door, like in this photo.")
        page.get_by_label(str(outcome)).check()
        page.get_by_label("Attach pictures or documents").set_input_files(str(photo))
        page.get_by_label("Describe the pictures").fill("A grey parcel locker beside a front door")
        page.get_by_label("Which team would run it?").select_option("Vans")
        page.get_by_role("button", name="Submit idea").click()
        similar = page.get_by_role("button", name="I checked: mine is different — submit it")
        if similar.count():
            similar.click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Lockers by the door")
        expect(page.get_by_test_id("idea-answers")).to_contain_text("Vans")
        picture = page.get_by_test_id("idea-attachments").get_by_role(
            "img", name="A grey parcel locker beside a front door"
        )
        expect(picture).to_be_visible()
        idea = Idea.objects.get(title="Lockers by the door")
        assert idea.status == Status.SUBMITTED
        assert Attachment.objects.filter(idea=idea, removed_at__isnull=True).count() == 1

        # Invite a co-author from the members, by the name they show.
        page.get_by_test_id("manage-coauthors").click()
        page.get_by_label("Find a member by name").fill("Felix")
        page.get_by_role("button", name="Find").click()
        page.get_by_role("button", name="Invite Felix Friend").click()
        expect(page.get_by_role("status")).to_contain_text("Felix Friend is invited")
        page.get_by_role("button", name="Sign out").click()

        # The worker's part: the invitation becomes Felix's notification.
        for event in OutboxEvent.objects.filter(processed_at__isnull=True):
            outbox_event_process(event_id=event.pk)

        # Felix accepts from the notification and edits the idea; the photo and the answer stay.
        sign_in(page, friend)
        page.goto("/notifications/")
        page.get_by_role("link", name="Cora Customer invites you to co-author “Lockers by the door”").click()
        page.get_by_role("button", name="Accept: co-author this idea").click()
        expect(page.get_by_test_id("idea-byline")).to_contain_text("Felix Friend")
        assert IdeaCoauthor.objects.get(idea=idea).status == IdeaCoauthor.State.ACCEPTED
        page.get_by_role("link", name="Edit", exact=True).click()
        page.get_by_label("Title", exact=True).fill("Lockers by the door, opened by the app")
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Lockers by the door, opened by the app")
        expect(page.get_by_test_id("idea-answers")).to_contain_text("Vans")
        expect(page.get_by_test_id("idea-attachments").get_by_role("img")).to_have_count(1)
        expect(page.get_by_test_id("idea-byline")).to_contain_text("Cora Customer")
        latest = idea.versions.order_by("-number").first()
        assert latest.saved_by == friend
        assert latest.attachments.count() == 1
