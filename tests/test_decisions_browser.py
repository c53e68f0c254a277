"""The change-status page in a real browser: reason templates follow the chosen status, and a page opened
before another staff member decided is refused with what the idea is now (issue 15, items 1 and 7)."""

from ideas import services as idea_services
from ideas.models import Idea, Status, StatusChange
from reviews.models import ReasonTemplate
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in

pytestmark = BROWSER_MARKS


def test_templates_follow_the_status_and_a_stale_page_is_refused(page, live_server, tmp_path):
    triage = factories.TriageFactory(display_name="Tess Triage")
    idea = factories.IdeaFactory(title="Evening delivery slots")
    ReasonTemplate.objects.update(is_active=False)
    ReasonTemplate.objects.create(
        to_status=Status.NOT_SELECTED, also_for=[Status.DECLINED], title="Ended", text="The challenge ended."
    )
    ReasonTemplate.objects.create(to_status=Status.DUPLICATE, title="Exists", text="This exists already.")
    with screenshot_on_failure(page, tmp_path / "staff.png"):
        sign_in(page, triage)
        page.goto(f"/admin/ideas/idea/{idea.pk}/change-status/")
        status, template = page.get_by_label("New status"), page.get_by_label("Reason template")
        status.select_option(Status.DECLINED.value)
        expect(template.locator("option", has_text="Ended")).to_be_enabled()
        expect(template.locator("option", has_text="Exists")).to_be_disabled()
        status.select_option(Status.SHORTLISTED.value)
        expect(template.locator("option", has_text="Ended")).to_be_disabled()
        status.select_option(Status.DECLINED.value)
        template.select_option(label="Ended")
        expect(page.get_by_role("textbox", name="Reason")).to_have_value("The challenge ended.")

        # Another staff member shortlists it before this page is sent.
        idea_services.idea_status_change(
            idea=idea, to_status=Status.SHORTLISTED, changed_by=factories.TriageFactory(), reason=""
        )
        page.get_by_role("button", name="Change status").click()
        expect(page.locator(".messagelist")).to_contain_text(
            "was not changed: This idea changed since you opened it: it is now shortlisted."
        )
    assert Idea.objects.get(pk=idea.pk).status == Status.SHORTLISTED
    assert StatusChange.objects.filter(idea=idea).count() == 1
