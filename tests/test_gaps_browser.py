"""Demand against need and gaps in a real browser: the queue's flag column still fits 1280 px, the
board's filter, the scorecard's table, the gap grid, and inviting the pool's best for a gap.

With ``SCREENSHOTS_DIR`` set, each page is saved there at 1280 and 390 px."""

import os
from pathlib import Path

from django.urls import reverse

from ideas.models import Status
from reputation.models import ReputationTotal
from scoring import demand
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure, sign_in
from tests.demand_data import member_in, scored_outcomes, votes

pytestmark = BROWSER_MARKS


def shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder) / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(Path(folder) / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_flags_grid_and_invitation_in_the_browser(page, triage, tmp_path):
    scored = scored_outcomes()
    o, segments = scored["outcomes"], scored["segments"]
    challenge = factories.ChallengeFactory(title="Fresh food at home", outcomes=[o["NEED"], o["MID"], o["OVER"]])
    fans = [member_in(segments["Customers"]) for _ in range(4)] + [
        member_in(segments["Ex-customers"]) for _ in range(3)
    ]
    loved = factories.IdeaFactory(challenge=challenge, title="Delivery vans in every colour", outcomes=[o["OVER"]])
    quiet = factories.IdeaFactory(
        challenge=challenge, title="Chilled lockers at the station for the evening", outcomes=[o["NEED"]]
    )
    for n in range(3):
        factories.IdeaFactory(challenge=challenge, title=f"Other idea {n}", outcomes=[o["MID"]])
    strong = factories.IdeaFactory(
        challenge=challenge, title="Cool boxes", outcomes=[o["NEED"]], status=Status.SHORTLISTED, screening_score=4.2
    )
    factories.IdeaFactory(
        challenge=challenge, title="Drone drops", outcomes=[o["MID"]], status=Status.IN_MENTORING, screening_score=2.5
    )
    votes(loved, fans[:6] + [member_in(None, surveyed=False)])
    votes(strong, fans[:3])
    best = []
    for n in range(3):
        member = member_in(segments["Customers"], display_name=f"Keen customer {n}")
        ReputationTotal.objects.create(user=member, points=100 - n)
        best.append(member)
    follow_up = factories.ChallengeFactory(title="Keeping food cold", visibility="invite_only", outcomes=[o["MID"]])
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, triage)

    with screenshot_on_failure(page, tmp_path / "failure.png"):
        # The queue: the flag column, still no sideways scroll at 1280 px.
        page.goto(reverse("admin:reviews_triageidea_changelist") + "?demand=any")
        expect(page.locator("#result_list")).to_contain_text("needed")
        expect(page.locator("#result_list")).to_contain_text("overserved")
        assert no_horizontal_scroll(page)
        shoot(page, "demand-queue")

        # The board, filtered on the flag.
        page.goto(reverse("admin:reviews_board", args=[challenge.pk]))
        page.get_by_label("Demand against need").select_option(demand.NEEDED_UNNOTICED)
        page.get_by_role("button", name="Show").click()
        expect(page.locator(f'[data-testid="card-{quiet.pk}"]')).to_be_visible()
        expect(page.locator(f'[data-testid="card-{loved.pk}"]')).to_have_count(0)
        shoot(page, "demand-board")

        # The scorecard's table by segment.
        page.goto(reverse("admin:reviews_triageidea_scorecard", args=[loved.pk]))
        table = page.locator('[data-testid="demand-need"]')
        expect(table).to_contain_text("Popular but overserved")
        expect(table.locator('tr[data-segment="Customers"]')).to_contain_text("▲ 4 ▼ 0")
        expect(table.locator('tr[data-segment="No segment"]')).to_contain_text("▲ 1 ▼ 0")
        shoot(page, "demand-scorecard")

        # The gap grid, from the board.
        page.goto(reverse("admin:reviews_board", args=[challenge.pk]))
        page.get_by_test_id("gaps-link").click()
        expect(page.locator('tr[data-outcome="MID"]')).to_contain_text("Gap: no strong idea")
        expect(page.locator('tr[data-outcome="NEED"]')).to_contain_text("1 strong idea")
        shoot(page, "gap-grid")

        # Invite the best innovators for MID: the preview, then the confirmation.
        page.get_by_test_id("invite-MID").click()
        # Every pool member in Customers (three with points, the four voters with none), best first.
        rows = page.locator('[data-testid="invite-preview"] tbody tr')
        expect(rows).to_have_count(7)
        expect(rows.nth(0)).to_contain_text("Keen customer 0")
        expect(rows.nth(2)).to_contain_text("Keen customer 2")
        expect(page.get_by_label("Challenge")).to_have_value(str(follow_up.pk))
        shoot(page, "gap-invite")
        page.get_by_role("button", name="Invite these members").click()
        expect(page.locator(".messagelist")).to_contain_text("Invited 7 members to “Keeping food cold” for MID")
        invited = sorted(follow_up.invited_members.values_list("pk", flat=True))
        assert invited == sorted(m.pk for m in best + fans[:4])
