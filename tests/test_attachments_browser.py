"""A customer attaches a photo while writing an idea, in Debian's Chromium (Playwright): the photo
shows on the idea's page as a thumbnail with its description as alt text, opens full size, and is
served without the location and camera data the phone wrote into it."""

import io
import os
from pathlib import Path

from PIL import Image

from attachments.models import Attachment
from ideas.models import Idea
from tests import attachment_files as files
from tests import factories
from tests.attachment_files import attachments_on_disk_fixture  # noqa: F401 - autouse: files in the test's own folder
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in

pytestmark = BROWSER_MARKS

# Set to a folder to keep screenshots of the form and the page at a desktop and a phone width.
SHOTS = os.environ.get("ATTACHMENT_SHOTS_DIR")


def _shot(page, name: str) -> None:
    if SHOTS:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_customer_attaches_a_photo_while_writing_an_idea(page, tmp_path):
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        attach_a_photo_journey(page, tmp_path)


def attach_a_photo_journey(page, tmp_path):
    customer = factories.UserFactory(display_name="Cora Customer")
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    outcome = challenge.outcomes.order_by("code").first()
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(files.jpeg_with_exif(size=(1600, 1200)))

    sign_in(page, customer)
    page.goto(f"/challenges/{challenge.slug}/submit/")
    page.get_by_label("Title", exact=True).fill("Lockers with a photo")
    page.get_by_label("The problem").fill("Parcels wait on the doorstep in the rain for hours.")
    page.get_by_label("Your proposed solution").fill("A weatherproof locker by the door, like in this photo.")
    page.get_by_label(str(outcome)).check()
    page.get_by_label("Attach pictures or documents").set_input_files(str(photo))
    page.get_by_label("Describe the pictures").fill("A grey parcel locker beside a front door")
    _shot(page, "idea-form")
    page.get_by_role("button", name="Submit idea").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lockers with a photo")
    gallery = page.get_by_test_id("idea-attachments")
    picture = gallery.get_by_role("img", name="A grey parcel locker beside a front door")
    expect(picture).to_be_visible()
    # The thumbnail was made after the commit (tasks run inline here, as in the demo) and loaded.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    assert page.evaluate("img => img.naturalWidth", picture.element_handle()) <= 480
    _shot(page, "idea-page")

    # Opened full size in a new tab, without the phone's EXIF.
    with page.context.expect_page() as opened:
        picture.click()
    full = opened.value
    full.wait_for_load_state()
    idea = Idea.objects.get(title="Lockers with a photo")
    attachment = Attachment.objects.get(idea=idea)
    assert full.url.endswith(attachment.get_absolute_url())
    response = page.request.get(attachment.get_absolute_url())
    assert response.headers["content-disposition"].startswith("inline")
    kept = Image.open(io.BytesIO(response.body()))
    assert kept.size == (1600, 1200) and dict(kept.getexif()) == {}
    full.close()

    # A refused file is named with the reason, and nothing of the edit is saved.
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_text("Attached now")).to_be_visible()
    fake = tmp_path / "cat.png"
    fake.write_bytes(files.HTML)
    page.get_by_label("Attach pictures or documents").set_input_files(str(fake))
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert").filter(has_text="is a web page or an SVG drawing")).to_be_visible()
    _shot(page, "idea-edit-refused")
    assert Attachment.objects.filter(idea=idea).count() == 1

    # Removing the photo: gone from the page, kept for the version that had it.
    page.get_by_label("Remove IMG_0042.jpg").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Your changes are saved")
    expect(page.get_by_test_id("idea-attachments")).to_have_count(0)
    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert list(idea.versions.get(number=1).attachments.all()) == [attachment]
    assert not idea.versions.get(number=2).attachments.exists()
