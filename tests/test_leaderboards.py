"""Leaderboards: points earned in a period (overall or in one challenge), ties, who is listed and linked,
challenges a viewer may not see, bad parameters, and a query count constant in the number of rows."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge
from reputation import selectors
from reputation.forms import CHALLENGE_UNKNOWN, PERIOD_UNKNOWN
from reputation.models import Kind, ReputationEvent
from reputation.services import reputation_award
from tests import factories

URL = reverse("reputation:leaderboard")


def event(user, points: int, *, days_ago: float = 0, challenge=None) -> ReputationEvent:
    """An award earned ``days_ago`` (created through the service, then moved back in time)."""
    key = f"test:{ReputationEvent.objects.count()}"
    reputation_award(
        user=user,
        kind=Kind.IDEA_SUBMITTED,
        object_key=key,
        points=points,
        challenge_id=challenge.pk if challenge else None,
    )
    row = ReputationEvent.objects.get(user=user, object_key=key)
    ReputationEvent.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return row


def names_in_order(content: str, members) -> list[str]:
    """The given members' names in the order the board lists them."""
    rows = re.findall(r'<tr data-testid="leaderboard-row">(.*?)</tr>', content, flags=re.S)
    order = []
    for row in rows:
        for member in members:
            if member.public_name in row:
                order.append(member.public_name)
    return order


@pytest.fixture
def board(db, open_challenge):
    """Ann earns recently, Ben 31 days ago, Cy 100 days ago, Dee in another challenge only."""
    other = factories.ChallengeFactory(title="Greener packaging", slug="greener-packaging")
    ann = factories.UserFactory(display_name="Ann Recent")
    ben = factories.UserFactory(display_name="Ben Month")
    cy = factories.UserFactory(display_name="Cy Season")
    dee = factories.UserFactory(display_name="Dee Elsewhere")
    event(ann, 10, days_ago=1, challenge=open_challenge)
    event(ben, 40, days_ago=31, challenge=open_challenge)
    event(cy, 80, days_ago=100, challenge=open_challenge)
    event(dee, 25, days_ago=2, challenge=other)
    return {"ann": ann, "ben": ben, "cy": cy, "dee": dee, "challenge": open_challenge, "other": other}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("30d", ["Dee Elsewhere", "Ann Recent"]),
        ("90d", ["Ben Month", "Dee Elsewhere", "Ann Recent"]),
        ("365d", ["Cy Season", "Ben Month", "Dee Elsewhere", "Ann Recent"]),
        ("all", ["Cy Season", "Ben Month", "Dee Elsewhere", "Ann Recent"]),
        (None, ["Ben Month", "Dee Elsewhere", "Ann Recent"]),  # the default: 90 days
    ],
)
def test_periods_count_the_points_earned_in_them(client, board, period, expected):
    response = client.get(URL, {"period": period} if period else {})
    assert response.status_code == 200
    content = response.content.decode()
    assert names_in_order(content, [board[name] for name in ("ann", "ben", "cy", "dee")]) == expected


@pytest.mark.django_db
def test_an_event_31_days_ago_is_in_90_days_but_not_30(board):
    ben = board["ben"]
    in_30 = selectors.leaderboard(since=selectors.period_start("30d"))
    in_90 = selectors.leaderboard(since=selectors.period_start("90d"))
    assert ben not in in_30
    assert ben in in_90
    assert next(row for row in in_90 if row == ben).period_points == 40


@pytest.mark.django_db
def test_a_challenges_board_counts_only_its_events_by_slug_or_id(client, board):
    members = [board["ann"], board["ben"], board["cy"], board["dee"]]
    for value in (board["challenge"].slug, str(board["challenge"].pk)):
        response = client.get(URL, {"challenge": value, "period": "all"})
        assert response.status_code == 200
        content = response.content.decode()
        assert names_in_order(content, members) == ["Cy Season", "Ben Month", "Ann Recent"]
        assert f'<option value="{board["challenge"].slug}" selected>' in content
    content = client.get(URL, {"challenge": board["other"].slug, "period": "30d"}).content.decode()
    assert names_in_order(content, members) == ["Dee Elsewhere"]


@pytest.mark.django_db
def test_points_add_up_in_the_period_and_a_tie_goes_to_who_reached_it_first(client, open_challenge):
    early = factories.UserFactory(display_name="Early Bird")
    late = factories.UserFactory(display_name="Late Comer")
    event(late, 5, days_ago=10)
    event(late, 5, days_ago=1)  # reached 10 one day ago
    event(early, 10, days_ago=5)  # reached 10 five days ago
    content = client.get(URL).content.decode()
    assert names_in_order(content, [early, late]) == ["Early Bird", "Late Comer"]
    assert re.search(r"Late Comer.*?<td class=\"number\">10</td>", content, flags=re.S)


@pytest.mark.django_db
def test_the_board_keeps_the_top_members_only(board):
    assert [m.public_name for m in selectors.leaderboard(since=None, limit=2)] == ["Cy Season", "Ben Month"]


@pytest.mark.django_db
def test_inactive_members_are_not_listed(client, board):
    board["ben"].is_active = False
    board["ben"].save(update_fields=["is_active"])
    content = client.get(URL, {"period": "all"}).content.decode()
    assert "Ben Month" not in content
    assert "Cy Season" in content


@pytest.mark.django_db
def test_private_members_are_listed_without_a_link_except_for_staff(client_for, board, other_customer, triage):
    cy = board["cy"]
    cy.profile_public = False
    cy.save(update_fields=["profile_public"])
    cy_link = f'href="{reverse("reputation:profile", args=[cy.pk])}"'
    ben_link = f'href="{reverse("reputation:profile", args=[board["ben"].pk])}"'
    for viewer in (None, other_customer):
        content = client_for(viewer).get(URL, {"period": "all"}).content.decode()
        assert "Cy Season" in content and cy_link not in content
        assert ben_link in content
        assert "keep their profile private are listed by name, without a link" in content
        assert 'aria-label="Reputation tier: contributor"' in content
    assert cy_link in client_for(triage).get(URL, {"period": "all"}).content.decode()
    assert cy_link in client_for(cy).get(URL, {"period": "all"}).content.decode()  # their own


@pytest.fixture
def invite_only(db, customer):
    challenge = factories.ChallengeFactory(
        title="Lead users only", slug="lead-users", visibility=Challenge.Visibility.INVITE_ONLY
    )
    challenge.invited_members.add(customer)
    event(factories.UserFactory(display_name="Insider Ina"), 30, days_ago=1, challenge=challenge)
    return challenge


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["lead-users", "id", "no-such-challenge", "999999"])
def test_an_invite_only_challenge_is_not_selectable_by_outsiders(client_for, other_customer, invite_only, value):
    value = str(invite_only.pk) if value == "id" else value
    for viewer in (None, other_customer):
        client = client_for(viewer)
        assert "Lead users only" not in client.get(URL).content.decode()  # not among the options
        response = client.get(URL, {"challenge": value})
        assert response.status_code == 400
        content = response.content.decode()
        assert CHALLENGE_UNKNOWN in content  # the same words whether it exists or not
        assert "Lead users only" not in content
        assert "all challenges" in content  # the overall board instead
        assert '<option value="" selected>All challenges</option>' in content


@pytest.mark.django_db
def test_the_invited_and_staff_may_choose_an_invite_only_challenge(client_for, customer, triage, invite_only):
    for viewer in (customer, triage):
        response = client_for(viewer).get(URL, {"challenge": invite_only.slug})
        assert response.status_code == 200
        content = response.content.decode()
        assert "Lead users only" in content
        assert "Insider Ina" in content


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["7d", "forever", "x" * 300])
def test_an_unknown_period_gets_a_message_and_the_default_board(client, board, period):
    response = client.get(URL, {"period": period, "challenge": board["challenge"].slug})
    assert response.status_code == 400
    content = response.content.decode()
    assert PERIOD_UNKNOWN in content
    assert '<option value="90d" selected>' in content
    # The valid part stands: the challenge's board for the default 90 days.
    assert names_in_order(content, [board["ann"], board["ben"], board["cy"], board["dee"]]) == [
        "Ben Month",
        "Ann Recent",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 10])
def test_leaderboard_query_count_is_constant_in_the_number_of_rows(
    client_for, other_customer, open_challenge, rows, django_assert_num_queries
):
    for n in range(rows):
        member = factories.UserFactory(display_name=f"Member {n:02d}", profile_public=n % 2 == 0)
        event(member, 10 + n, days_ago=n, challenge=open_challenge)
    client = client_for(other_customer)
    # 6: the session (database sessions), viewer, the viewer's groups (challenge_visible_to asks whether they are triage), the
    # challenges for the select, the board (members with their totals for the tier badges, in one
    # GROUP BY), and the header's unread-notification count.
    with django_assert_num_queries(6):
        response = client.get(URL, {"challenge": open_challenge.slug})
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="leaderboard-row"') == rows


@pytest.mark.django_db
def test_the_points_page_and_the_footer_link_to_the_leaderboards(client):
    link = f'href="{URL}"'
    assert client.get(reverse("reputation:points")).content.decode().count(link) == 2  # the page and the footer
    assert link in client.get(reverse("home")).content.decode()
