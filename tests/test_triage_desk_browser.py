"""One triage session in a real browser at 1280 px (issue 16's "Done when"): the queue with no
horizontal scroll, search, scorecards with save and next over three ideas, a move on the board with a
templated reason, a merge with its preview and then its undo (votes and followers back exactly), and
a winner chosen with every other idea answered.

With ``SCREENSHOTS_DIR`` set, the queue and the board are also saved there at 1280 and 390 px (the
ones in docs/screenshots/ come from this test)."""

import datetime
import os
from pathlib import Path

from django.utils import timezone

from challenges.models import Challenge
from ideas.models import OPEN_STATUSES, Idea, IdeaFollow, Status, Vote
from reviews.models import MentorAssignment, ReasonTemplate
from reviews.services import criteria_ensure_defaults, screening_save
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in

pytestmark = BROWSER_MARKS

TITLES = [
    "Parcel lockers at train stations that keep chilled groceries cold until the evening commute",
    "Evening delivery slots",
    "A text message twenty minutes before the van arrives, with a link to change the drop-off place",
]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def shoot(page, name: str, tmp_path: Path) -> None:
    """The page at 1280 px, and at 390 px when screenshots are asked for (then back to 1280)."""
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-1280.png"))
    if os.environ.get("SCREENSHOTS_DIR"):
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(folder / f"{name}-390.png"))
        page.set_viewport_size({"width": 1280, "height": 800})


def test_one_triage_session(page, live_server, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 800})
    triage = factories.TriageFactory(display_name="Tess Triage")
    other_screener = factories.TriageFactory(display_name="Sam Screener")
    mentor = factories.MentorFactory(display_name="Mo Mentor")
    challenge = factories.ChallengeFactory(title="Fresher groceries, delivered", phase=Challenge.Phase.FINAL)
    criteria = criteria_ensure_defaults(challenge=challenge)
    authors = [factories.UserFactory(display_name=name) for name in ("Ivan", "Cora", "Ana")]
    # Three ideas awaiting screening (the longest titles a customer may write among them)...
    waiting = [
        factories.IdeaFactory(
            challenge=challenge,
            author=authors[n],
            title=title,
            votes_up=12 - n,
            votes_down=n,
            rank_top=0.55 - n / 10,
            rank_opportunity=14.5 - n * 2,
            submitted_at=timezone.now() - datetime.timedelta(days=12 - n * 4),
        )
        for n, title in enumerate(TITLES)
    ]
    # ...ideas further on, mentored and screened, and two finalists.
    shortlisted = factories.IdeaFactory(
        challenge=challenge,
        author=authors[1],
        title="Reusable crates collected on the next delivery",
        status="shortlisted",
    )
    MentorAssignment.objects.create(idea=shortlisted, mentor=mentor, assigned_by=triage)
    finalists = [
        factories.IdeaFactory(challenge=challenge, author=authors[n], title=title, status=Status.FINALIST)
        for n, title in enumerate(["Neighbour drop-off with a photo", "Lockers in supermarkets' car parks"])
    ]
    for idea in [shortlisted, *finalists]:
        screening_save(idea=idea, screener=other_screener, scores={c.pk: (4, "") for c in criteria})
    factories.IdeaFactory.create_batch(6, challenge=factories.ChallengeFactory(title="Greener packaging"))
    ReasonTemplate.objects.create(
        to_status=Status.DECLINED, title="Outside this challenge", text="It is outside what this challenge asks for."
    )
    # The idea to be merged has votes and a follower of its own (real rows: what a merge moves).
    texting = waiting[2]
    for voter, value in ((factories.UserFactory(), Vote.Value.UP), (factories.UserFactory(), Vote.Value.DOWN)):
        Vote.objects.create(idea=texting, user=voter, value=value)
    IdeaFollow.objects.create(idea=texting, user=factories.UserFactory())

    def texting_state():
        return (
            sorted(Vote.objects.filter(idea=texting).values_list("user_id", "value")),
            sorted(IdeaFollow.objects.filter(idea=texting).values_list("user_id", flat=True)),
            sorted(Vote.objects.filter(idea=waiting[0]).values_list("user_id", "value")),
        )

    before_merge = texting_state()

    with screenshot_on_failure(page, tmp_path / "triage.png"):
        sign_in(page, triage)
        # The top bar's "Triage" opens the queue, and every column fits.
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Triage", exact=True).click()
        expect(page.locator("#result_list")).to_be_visible()
        assert no_horizontal_scroll(page)
        box = page.locator("#result_list").bounding_box()
        assert box["x"] + box["width"] <= 1280
        expect(page.locator("#result_list thead")).to_contain_text("Author's track record")
        shoot(page, "triage-queue", tmp_path)
        page.get_by_text("What the figures mean").click()
        expect(page.get_by_test_id("queue-legend")).to_contain_text("Wilson interval")

        # Search.
        page.locator("#searchbar").fill("lockers train")
        page.locator("#searchbar").press("Enter")
        expect(page.locator("#result_list tbody tr")).to_have_count(1)
        assert no_horizontal_scroll(page)

        # The challenge's ideas awaiting screening, then a scorecard each: save and next, three times.
        page.goto(f"/admin/reviews/triageidea/?challenge__id__exact={challenge.pk}&status__exact=submitted")
        expect(page.locator("#result_list tbody tr")).to_have_count(3)
        page.locator("#result_list tbody tr").first.locator("a").first.click()
        for expected, score in zip(waiting, ["4", "3", "5"], strict=True):
            expect(page.locator("h1")).to_contain_text(expected.title[:40])
            expect(page.locator(".scale-row").first).to_contain_text("1 = A minor or well-served outcome")
            for criterion in criteria:
                page.locator(f"input[name='score_{criterion.pk}'][value='{score}']").check()
            expect(page.get_by_label("Tell the author it is under review")).to_be_checked()
            if expected == waiting[0]:
                page.screenshot(path=str(tmp_path / "scorecard.png"), full_page=True)
                print(f"The scorecard: {tmp_path / 'scorecard.png'}")
            page.get_by_role("button", name="Save and next").click()
        expect(page.locator(".messagelist")).to_contain_text("That was the last idea in the queue")
        assert set(Idea.objects.filter(pk__in=[i.pk for i in waiting]).values_list("status", flat=True)) == {
            Status.UNDER_REVIEW
        }

        # The board: a move with a templated reason, by keyboard-reachable buttons.
        page.get_by_role("link", name="Funnel board").click()
        page.get_by_label("Challenge").select_option(label=f"{challenge.title} (Final)")
        page.get_by_role("button", name="Open its board").click()
        expect(page.get_by_test_id("board")).to_be_visible()
        shoot(page, "triage-board", tmp_path)
        card = page.get_by_test_id(f"card-{waiting[1].pk}")
        card.get_by_label("Move").select_option(Status.DECLINED.value)
        card.get_by_role("button", name="Move to…").click()
        page.wait_for_load_state("load")  # the reason templates' script is deferred
        expect(page.get_by_label("New status")).to_have_value(Status.DECLINED.value)
        page.get_by_label("Reason template").select_option(label="Outside this challenge")
        expect(page.get_by_role("textbox", name="Reason")).to_have_value("It is outside what this challenge asks for.")
        page.get_by_role("button", name="Change status").click()
        expect(page.get_by_test_id("board")).to_be_visible()
        expect(page.locator("section[data-status='declined']")).to_contain_text("Evening delivery slots")

        # A merge from the board: the picker, a preview of what moves, then the undo from the idea's page.
        card = page.get_by_test_id(f"card-{texting.pk}")
        card.get_by_label("Move").select_option(Status.DUPLICATE.value)
        card.get_by_role("button", name="Move to…").click()
        page.wait_for_load_state("load")
        expect(page.get_by_label("New status")).to_have_value(Status.DUPLICATE.value)
        page.locator("#id_duplicate_of + .select2 .select2-selection").click()
        page.locator(".select2-search__field").fill("Parcel")
        option = page.locator(".select2-results__option", has_text=f"#{waiting[0].pk} Parcel lockers")
        expect(option).to_contain_text("Under review")  # id, challenge, status and votes in the picker
        option.click()
        page.get_by_role("textbox", name="Reason").fill("Same idea as the lockers at train stations.")
        page.get_by_role("button", name="Change status").click()
        expect(page.locator("h1")).to_contain_text("Merge into")
        expect(page.locator(".merge-preview-list")).to_contain_text("2 votes move")
        assert texting_state() == before_merge  # the preview changed nothing
        page.get_by_role("button", name="Merge 1 idea").click()
        expect(page.locator(".messagelist")).to_be_visible()
        assert Idea.objects.get(pk=texting.pk).status == Status.DUPLICATE
        assert not Vote.objects.filter(idea=texting).exists()
        page.goto(f"/admin/ideas/idea/{texting.pk}/change/")
        page.get_by_role("link", name="Undo merge…").click()
        expect(page.locator("#content")).to_contain_text("go back")
        page.get_by_role("button", name="Undo the merge").click()
        expect(page.locator(".messagelist")).to_contain_text("Merge undone")
        assert texting_state() == before_merge
        assert Idea.objects.get(pk=texting.pk).status == Status.UNDER_REVIEW

        # The winner, with every other idea still open answered at once (from the board again).
        page.goto(f"/admin/reviews/triageidea/board/{challenge.pk}/")
        page.get_by_role("link", name="compare its finalists").click()
        column = page.get_by_test_id("finalist-column").filter(has_text=finalists[0].title)
        column.get_by_text("Choose as winner…").click()
        column.get_by_label("Why it won").fill("Customers asked for it most, and we can run it next month.")
        column.get_by_label("Why the others were not selected").fill("Thank you: the jury chose another idea.")
        column.get_by_role("button", name="Choose").click()
        expect(page.get_by_test_id("winner-chosen")).to_contain_text(finalists[0].title)
    assert Idea.objects.get(pk=finalists[0].pk).status == Status.WINNER
    assert not Idea.objects.filter(challenge=challenge, status__in=OPEN_STATUSES).exists()
