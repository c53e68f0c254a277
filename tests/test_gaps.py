"""Gaps that invite the right people: a challenge's sweet-spot outcomes against its shortlisted ideas,
the follow-up challenge prefilled on a gap, and the invitation of exactly the pool's best members in
the segments where the outcome is most underserved (previewed, confirmed, audited, triage staff only)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from challenges.models import Challenge
from ideas.models import Status
from notifications.models import OutboxEvent
from reputation.models import ReputationTotal
from reviews.selectors_demand import challenge_gaps
from scoring import demand
from tests import factories
from tests.demand_data import member_in, scored_outcomes

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(db):
    return scored_outcomes()


@pytest.fixture
def grid_data(scored):
    """A challenge targeting NEED (16), MID (11), OVER (3) and NONE (unscored), with ideas:

    A shortlisted, NEED, screened 4.0 (strong); B in mentoring, NEED and MID, 2.0 (weak);
    C finalist, MID, not screened; D submitted and E not selected (no columns).
    """
    o = scored["outcomes"]
    challenge = factories.ChallengeFactory(
        title="Fresh food at home", outcomes=[o["NEED"], o["MID"], o["OVER"], o["NONE"]], phase="mentoring"
    )
    ideas = {
        "A": factories.IdeaFactory(
            challenge=challenge, title="A lockers", outcomes=[o["NEED"]], status=Status.SHORTLISTED, screening_score=4.0
        ),
        "B": factories.IdeaFactory(
            challenge=challenge,
            title="B cool boxes",
            outcomes=[o["NEED"], o["MID"]],
            status=Status.IN_MENTORING,
            screening_score=2.0,
        ),
        "C": factories.IdeaFactory(challenge=challenge, title="C drones", outcomes=[o["MID"]], status=Status.FINALIST),
        "D": factories.IdeaFactory(challenge=challenge, title="D waiting", outcomes=[o["MID"]]),
        "E": factories.IdeaFactory(
            challenge=challenge, title="E ended", outcomes=[o["MID"]], status=Status.NOT_SELECTED, screening_score=5.0
        ),
    }
    return {"challenge": challenge, "ideas": ideas, **scored}


def gaps_url(challenge) -> str:
    return reverse("admin:reviews_gaps", args=[challenge.pk])


def test_the_grid_on_a_known_data_set(grid_data):
    grid = challenge_gaps(grid_data["challenge"])
    ideas = grid_data["ideas"]
    # Columns: shortlisted or further, the furthest stage first (finalist, in mentoring, shortlisted).
    assert [idea.title for idea in grid.ideas] == ["C drones", "B cool boxes", "A lockers"]
    # Rows: the sweet spot, the most underserved first; the rest set apart.
    assert [(row.outcome.code, row.score.opportunity) for row in grid.rows] == [("NEED", 16.0), ("MID", 11.0)]
    assert [(outcome.code, score and score.opportunity) for outcome, score in grid.others] == [
        ("NONE", None),
        ("OVER", 3.0),
    ]
    cells = {row.outcome.code: [(c.addresses, c.strength, c.screening_score) for c in row.cells] for row in grid.rows}
    assert cells == {
        "NEED": [(False, "", None), (True, "weak", 2.0), (True, "strong", 4.0)],
        "MID": [(True, "unscreened", None), (True, "weak", 2.0), (False, "", None)],
    }
    need, mid = grid.rows
    assert (need.is_gap, need.strong_ideas, need.addressed_by) == (False, 1, 2)
    assert (mid.is_gap, mid.strong_ideas, mid.addressed_by) == (True, 0, 2)
    assert [row.outcome.code for row in grid.gaps] == ["MID"]
    # Where MID is most underserved: Customers (14); Ex-customers score 8, not underserved.
    assert [(s.segment.name, s.opportunity) for s in mid.segments] == [("Customers", 14.0)]
    assert ideas["E"].pk not in {idea.pk for idea in grid.ideas}
    # The strength threshold is the module's: 3.5 of 5.
    assert demand.strength_of(3.5) == "strong" and demand.strength_of(3.49) == "weak"


def test_the_grid_page_shows_cells_and_offers_the_two_ways_out_of_a_gap(client_for, triage, grid_data):
    response = client_for(triage).get(gaps_url(grid_data["challenge"]))
    assert response.status_code == 200
    html = response.content.decode()
    rows = dict(re.findall(r'<tr data-outcome="([A-Z]+)"[^>]*>(.*?)</tr>', html, re.DOTALL))
    assert list(rows) == ["NEED", "MID"]
    assert re.findall(r'data-cell="(\w+)"', rows["NEED"]) == ["no", "weak", "strong"]
    assert re.findall(r'data-cell="(\w+)"', rows["MID"]) == ["unscreened", "weak", "no"]
    assert "Gap: no strong idea" in rows["MID"] and "Gap" not in rows["NEED"]
    assert 'data-testid="follow-up-MID"' in rows["MID"] and 'data-testid="invite-MID"' in rows["MID"]
    assert "most underserved in: Customers (14.0)" in rows["MID"]
    assert "1 strong idea" in rows["NEED"]
    assert "Other outcomes it targets" in html and "no score yet" in html


def test_the_follow_up_opens_the_challenge_form_prefilled_on_the_outcome(client_for, triage, grid_data):
    client = client_for(triage)
    html = client.get(gaps_url(grid_data["challenge"])).content.decode()
    link = re.search(r'<a class="button" href="([^"]+)" data-testid="follow-up-MID"', html).group(1)
    link = link.replace("&amp;", "&")
    assert link.startswith(reverse("admin:challenges_challenge_add") + "?")
    form = client.get(link)
    assert form.status_code == 200
    page = form.content.decode()
    mid = grid_data["outcomes"]["MID"]
    selected = re.search(r'<select name="outcomes".*?</select>', page, re.DOTALL).group(0)
    assert re.findall(r'<option value="(\d+)" selected>', selected) == [str(mid.pk)]
    assert 'value="Follow-up: Minimise the chance that chilled goods warm up"' in page
    brief = re.search(r'<textarea name="brief"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1)
    assert "Get groceries home" in brief and "Fresh food at home" in brief and mid.statement in brief
    assert re.search(r'<option value="invite_only" selected>', page)
    assert not Challenge.objects.filter(title__startswith="Follow-up").exists()  # nothing saved yet


def test_the_challenge_admin_links_to_its_gaps(client_for, triage, grid_data):
    challenge = grid_data["challenge"]
    page = client_for(triage).get(reverse("admin:challenges_challenge_change", args=[challenge.pk]))
    assert gaps_url(challenge) in page.content.decode()


def test_grid_queries_are_constant(client_for, triage, grid_data):
    client = client_for(triage)
    challenge = grid_data["challenge"]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(gaps_url(challenge)).status_code == 200
        return len(captured)

    before = queries()
    extra = factories.OutcomeFactory(job=grid_data["job"], code="EXTRA")
    challenge.outcomes.add(extra)
    o = grid_data["outcomes"]
    for status in [Status.SHORTLISTED, Status.IN_MENTORING, Status.WINNER, Status.IMPLEMENTED]:
        factories.IdeaFactory.create_batch(3, challenge=challenge, status=status, outcomes=[o["MID"], o["NEED"], extra])
    assert queries() == before


def test_a_challenge_with_no_sweet_spot_says_so(client_for, triage, scored):
    challenge = factories.ChallengeFactory(outcomes=[scored["outcomes"]["OVER"]])
    html = client_for(triage).get(gaps_url(challenge)).content.decode()
    assert 'data-testid="no-sweet-spot"' in html and 'data-testid="gap-grid"' not in html


# --- Inviting the best innovators for a gap ---------------------------------------------------------


@pytest.fixture
def pool(grid_data):
    """Twelve members in Customers with points 120, 110, …, 10 (two tied at 50: the questionnaire
    score is not answered by either, so the older one comes first), and members who must never be
    chosen: an ex-customer with the most points, a member with no segment, a staff member in Customers."""
    customers = grid_data["segments"]["Customers"]
    chosen_points = [120, 110, 100, 90, 80, 70, 60, 50, 50, 40, 30, 20]
    members = []
    for n, points in enumerate(chosen_points):
        user = member_in(customers, display_name=f"Customer {n:02d}")
        ReputationTotal.objects.create(user=user, points=points)
        members.append(user)
    lapsed = member_in(grid_data["segments"]["Ex-customers"], display_name="Lapsed star")
    ReputationTotal.objects.create(user=lapsed, points=999)
    nobody = member_in(None, display_name="No segment star")
    ReputationTotal.objects.create(user=nobody, points=998)
    staff = member_in(customers, display_name="Staff in segment", is_staff=True)
    ReputationTotal.objects.create(user=staff, points=997)
    return {"customers": members, "outsiders": [lapsed, nobody, staff]}


@pytest.fixture
def follow_up(grid_data):
    """An open invite-only follow-up challenge on MID."""
    return factories.ChallengeFactory(
        title="Keeping food cold", visibility="invite_only", outcomes=[grid_data["outcomes"]["MID"]]
    )


def invite_url(grid_data) -> str:
    url = reverse("admin:innovators_innovator_invite_for_outcome", args=[grid_data["outcomes"]["MID"].pk])
    return f"{url}?from={grid_data['challenge'].pk}"


def test_the_preview_lists_exactly_the_best_ten_in_the_most_underserved_segments(
    client_for, triage, grid_data, pool, follow_up
):
    factories.ChallengeFactory(title="Another private one", visibility="invite_only")
    response = client_for(triage).get(invite_url(grid_data))
    assert response.status_code == 200
    expected = [user.pk for user in pool["customers"][: demand.INVITE_BEST_COUNT]]
    assert [member.pk for member in response.context["members"]] == expected
    html = response.content.decode()
    assert [int(pk) for pk in re.findall(r'<tr data-member="(\d+)">', html)] == expected
    assert "Lapsed star" not in html and "No segment star" not in html and "Staff in segment" not in html
    assert "Customers</strong> (opportunity 14.0, 30 respondents)" in html
    # The challenge targeting the outcome is offered first and chosen already.
    choices = response.context["form"].fields["challenge"].choices
    assert [label for value, label in choices if value][0] == "Keeping food cold (targets this outcome)"
    assert response.context["form"]["challenge"].value() == follow_up.pk
    assert response.context["form"]["members"].value() == ",".join(map(str, expected))
    assert not follow_up.invited_members.exists()


def test_confirming_invites_exactly_those_shown_notifies_and_audits(
    client_for, triage, grid_data, pool, follow_up, django_capture_on_commit_callbacks
):
    client = client_for(triage)
    form = client.get(invite_url(grid_data)).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(grid_data),
            {"challenge": follow_up.pk, "members": form["members"].value(), "apply": "Invite these members"},
        )
    assert response.status_code == 302 and response["Location"] == gaps_url(grid_data["challenge"])
    expected = sorted(user.pk for user in pool["customers"][: demand.INVITE_BEST_COUNT])
    assert sorted(follow_up.invited_members.values_list("pk", flat=True)) == expected
    [event] = OutboxEvent.objects.filter(kind="challenge_invitation")
    assert event.payload == {"challenge_id": follow_up.pk, "user_ids": expected}
    [entry] = AuditEntry.objects.filter(action="challenge.innovators_invited")
    assert entry.actor_id == triage.pk and entry.target_id == str(follow_up.pk)
    assert entry.after == {
        "member_ids_added": expected,
        "for_outcome_id": grid_data["outcomes"]["MID"].pk,
        "from_segment_ids": [grid_data["segments"]["Customers"].pk],
    }
    page = client.get(gaps_url(grid_data["challenge"]))
    assert "Invited 10 members to “Keeping food cold” for MID; 0 were already invited." in page.content.decode()


def test_a_list_that_changed_since_the_preview_invites_nobody(client_for, triage, grid_data, pool, follow_up):
    client = client_for(triage)
    shown = client.get(invite_url(grid_data)).context["form"]["members"].value()
    # Meanwhile a new member in Customers overtakes everyone.
    newcomer = member_in(grid_data["segments"]["Customers"], display_name="Rising star")
    ReputationTotal.objects.create(user=newcomer, points=500)
    response = client.post(invite_url(grid_data), {"challenge": follow_up.pk, "members": shown, "apply": "Invite"})
    assert response.status_code == 400
    assert "has changed since you opened this page" in response.content.decode()
    assert not follow_up.invited_members.exists() and not OutboxEvent.objects.exists()
    # The page now shows the new list, and confirming it invites exactly that.
    fresh = response.context["form"]["members"].value()
    assert fresh.split(",")[0] == str(newcomer.pk)
    response = client.post(invite_url(grid_data), {"challenge": follow_up.pk, "members": fresh, "apply": "Invite"})
    assert response.status_code == 302
    assert newcomer.pk in set(follow_up.invited_members.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("members", "challenge", "message"),
    [
        ("", "ok", "The list of members is missing"),
        ("1,abc", "ok", "The list of members is missing"),
        ("same", "", "This field is required"),
        ("same", "public", "Choose one of the invite-only challenges listed"),
    ],
)
def test_bad_input_invites_nobody(client_for, triage, grid_data, pool, follow_up, members, challenge, message):
    client = client_for(triage)
    shown = client.get(invite_url(grid_data)).context["form"]["members"].value()
    public = factories.ChallengeFactory(title="Open to all")
    data = {
        "members": shown if members == "same" else members,
        "challenge": {"ok": follow_up.pk, "public": public.pk, "": ""}[challenge],
        "apply": "Invite",
    }
    response = client.post(invite_url(grid_data), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not follow_up.invited_members.exists() and not public.invited_members.exists()


def test_no_underserved_segment_means_nobody_to_invite(client_for, triage, grid_data, pool):
    url = reverse("admin:innovators_innovator_invite_for_outcome", args=[grid_data["outcomes"]["OVER"].pk])
    response = client_for(triage).get(url)
    assert response.status_code == 200 and response.context["members"] == []
    assert 'data-testid="nobody"' in response.content.decode()
    assert client_for(triage).post(url, {"apply": "Invite"}).status_code == 400


def test_with_no_invite_only_challenge_the_page_offers_a_follow_up(client_for, triage, grid_data, pool):
    response = client_for(triage).get(invite_url(grid_data))
    html = response.content.decode()
    assert 'data-testid="no-challenge"' in html and 'name="apply"' not in html


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 302), ("customer", 302), ("mentor", 302), ("plain_staff", 403), ("triage", 200)]
)
def test_only_triage_staff_see_the_grid_and_invite(
    client_for, client, customer, mentor, triage, grid_data, pool, follow_up, who, expected
):
    users = {
        "customer": customer,
        "mentor": mentor,
        "triage": triage,
        "plain_staff": factories.UserFactory(is_staff=True),
    }
    browser = client if who == "anonymous" else client_for(users[who])
    assert browser.get(gaps_url(grid_data["challenge"])).status_code == expected
    assert browser.get(invite_url(grid_data)).status_code == expected
    shown = ",".join(str(user.pk) for user in pool["customers"][:10])
    response = browser.post(invite_url(grid_data), {"challenge": follow_up.pk, "members": shown, "apply": "Invite"})
    if who != "triage":
        assert response.status_code == expected
        assert not follow_up.invited_members.exists()
