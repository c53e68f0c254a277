"""Demand against need in triage: the flags on a known data set, the queue's and the board's sort and
filter on them, their query counts, and one idea's votes by segment beside its outcomes' opportunity."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideas.models import Idea, Status
from reviews.selectors_demand import VoteThresholds, demand_thresholds, idea_demand_need, with_demand_need
from scoring import demand, formulas
from tests import factories
from tests.demand_data import member_in, scored_outcomes, votes

QUEUE_URL = reverse("admin:reviews_triageidea_changelist")
pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(db):
    return scored_outcomes()


@pytest.fixture
def voters(scored):
    """Twenty members in each segment, ten who answered the survey without a segment, ten who never did."""
    segments = scored["segments"]
    return {
        "Customers": [member_in(segments["Customers"]) for _ in range(20)],
        "Ex-customers": [member_in(segments["Ex-customers"]) for _ in range(20)],
        "unsegmented": [member_in(None) for _ in range(10)],
        "unsurveyed": [member_in(None, surveyed=False) for _ in range(10)],
    }


@pytest.fixture
def known(scored, voters):
    """Nine published ideas of one challenge (a quarter of them is 2.25), a draft and a duplicate.

    up votes: loved_overserved 8 (OVER), loved_needed 7 (NEED), four MID ideas 4, 4, 3, 3,
    quiet_needed 0 (NEED), quiet_overserved 0 (OVER), quiet_uncertain 0 (FEW: 17 from 5 respondents).
    """
    o = scored["outcomes"]
    challenge = factories.ChallengeFactory(title="Deliveries", outcomes=list(o.values()))
    everyone = voters["Customers"] + voters["Ex-customers"]

    def idea(title, outcomes, up, **fields):
        made = factories.IdeaFactory(challenge=challenge, title=title, outcomes=outcomes, **fields)
        votes(made, everyone[:up])
        return made

    ideas = {
        "loved_overserved": idea("Loved overserved", [o["OVER"]], 8),
        "loved_needed": idea("Loved needed", [o["NEED"]], 0),
        "mid4a": idea("Mid four a", [o["MID"]], 4),
        "mid4b": idea("Mid four b", [o["MID"]], 4),
        "mid3a": idea("Mid three a", [o["MID"]], 3),
        "mid3b": idea("Mid three b", [o["MID"]], 3),
        "quiet_needed": idea("Quiet needed", [o["NEED"], o["OVER"]], 0),
        "quiet_overserved": idea("Quiet overserved", [o["OVER"]], 0),
        "quiet_uncertain": idea("Quiet uncertain", [o["FEW"]], 0),
        "draft": idea("A draft", [o["NEED"]], 0, status=Status.DRAFT, submitted_at=None),
    }
    # loved_needed's 7 up votes and 1 down vote by segment: Customers 3 up 1 down, Ex-customers 2,
    # one member with no segment and one never surveyed.
    votes(ideas["loved_needed"], voters["Customers"][:3] + voters["Ex-customers"][:2])
    votes(ideas["loved_needed"], voters["unsegmented"][:1] + voters["unsurveyed"][:1])
    votes(ideas["loved_needed"], voters["Customers"][10:11], value=-1)
    ideas["duplicate"] = factories.IdeaFactory(
        challenge=challenge,
        title="A duplicate",
        outcomes=[o["NEED"]],
        status=Status.DUPLICATE,
        duplicate_of=ideas["mid3b"],
    )
    ideas["challenge"] = challenge
    return ideas


def flags_of(queryset) -> dict[str, str]:
    return dict(with_demand_need(queryset).values_list("title", "demand_flag"))


def test_the_thresholds_are_the_formulas_classes():
    assert formulas.classify(7.5, 0) == formulas.EXTREMELY_UNDERSERVED  # 15.0
    assert formulas.classify(7.5, 0.1) == formulas.UNDERSERVED  # 14.9
    assert formulas.opportunity(7.5, 0) == demand.EXTREMELY_UNDERSERVED_AT
    assert formulas.classify(5, 0) == formulas.UNDERSERVED and formulas.opportunity(5, 0) == demand.UNDERSERVED_AT
    assert formulas.classify(5, 0.1) != formulas.UNDERSERVED


def test_flags_on_a_known_data_set(known):
    flags = flags_of(Idea.objects.filter(challenge=known["challenge"]))
    assert flags == {
        # 8 up votes, nobody above (top quarter of 9), its one outcome scores 3: popular but overserved.
        "Loved overserved": demand.POPULAR_OVERSERVED,
        # popular, and its outcome is extremely underserved: demand meets need, no flag.
        "Loved needed": "",
        "Mid four a": "",  # 2 ideas above it (< 2.25) but only 4 up votes: not popular
        "Mid four b": "",
        "Mid three a": "",  # 3 up votes, 4 ideas above (< 6.75): noticed
        "Mid three b": "",
        # no votes, and one of its outcomes (NEED, 16) is extremely underserved: needed but unnoticed.
        "Quiet needed": demand.NEEDED_UNNOTICED,
        "Quiet overserved": "",  # unnoticed, but nothing needed
        "Quiet uncertain": "",  # FEW scores 17 from 5 respondents: too few to raise a flag
        "A draft": "",  # not in the distribution, never flagged
        "A duplicate": "",
    }
    # The draft and the duplicate are not counted among the challenge's ideas. Up votes 8 7 4 4 3 3 0 0 0:
    # place ⌈9/4⌉ = 3 has 4 (popular from max(4, 5) = 5), place ⌈27/4⌉ = 7 has 0 (unnoticed below max(0, 3)).
    challenge = known["challenge"]
    assert demand_thresholds([challenge.pk]) == {
        challenge.pk: VoteThresholds(ideas=9, popular_from=5, unnoticed_below=3)
    }
    assert demand_thresholds() == demand_thresholds([challenge.pk])
    row = with_demand_need(Idea.objects.filter(pk=known["quiet_needed"].pk)).get()
    assert (row.demand_popular_from, row.demand_unnoticed_below, row.need_best) == (5, 3, 16.0)


def test_the_bottom_quarter_is_unnoticed_even_with_votes(scored, voters):
    o = scored["outcomes"]
    challenge = factories.ChallengeFactory(outcomes=[o["NEED"], o["MID"]])
    crowd = voters["Customers"] + voters["Ex-customers"]
    for n in range(3):
        votes(factories.IdeaFactory(challenge=challenge, title=f"Crowded {n}", outcomes=[o["MID"]]), crowd[:12])
    votes(factories.IdeaFactory(challenge=challenge, title="Five votes", outcomes=[o["NEED"]]), crowd[:5])
    flags = flags_of(Idea.objects.filter(challenge=challenge))
    assert demand_thresholds([challenge.pk])[challenge.pk] == VoteThresholds(
        ideas=4, popular_from=12, unnoticed_below=12
    )
    # 5 up votes, but the 3 others of 4 ideas (>= 3/4 of them) have more: the bottom quarter.
    assert flags["Five votes"] == demand.NEEDED_UNNOTICED
    # 12 up votes, top of the challenge, yet MID (11) is underserved: no "overserved" flag.
    assert {flags[f"Crowded {n}"] for n in range(3)} == {""}


def test_a_score_change_changes_the_flag(known, scored):
    """The flags read the stored scores when asked: no stale copy to rebuild."""
    from scoring.models import OutcomeScore

    assert flags_of(Idea.objects.filter(pk=known["quiet_needed"].pk)) == {"Quiet needed": demand.NEEDED_UNNOTICED}
    OutcomeScore.objects.filter(outcome=scored["outcomes"]["NEED"]).update(opportunity=14.9)
    assert flags_of(Idea.objects.filter(pk=known["quiet_needed"].pk)) == {"Quiet needed": ""}


# --- The queue ---------------------------------------------------------------------------------


def titles(response) -> list[str]:
    return [idea.title for idea in response.context["cl"].result_list]


def column_index(name: str) -> int:
    from reviews.admin import TriageIdeaAdmin

    return TriageIdeaAdmin.list_display.index(name) + 1


def test_queue_filters_on_the_flags(client_for, triage, known):
    client = client_for(triage)
    assert titles(client.get(QUEUE_URL, {"demand": demand.NEEDED_UNNOTICED})) == ["Quiet needed"]
    assert titles(client.get(QUEUE_URL, {"demand": demand.POPULAR_OVERSERVED})) == ["Loved overserved"]
    assert sorted(titles(client.get(QUEUE_URL, {"demand": "any"}))) == ["Loved overserved", "Quiet needed"]
    # An unknown value is the admin's "invalid filter" redirect, never a 500, and filters nothing.
    response = client.get(QUEUE_URL, {"demand": "junk"})
    assert response.status_code in (200, 302)


def test_queue_sorts_flagged_first_and_shows_the_flag_with_a_legend(client_for, triage, known):
    response = client_for(triage).get(QUEUE_URL, {"o": str(column_index("demand_column"))})
    assert titles(response)[:2] == ["Quiet needed", "Loved overserved"]
    html = response.content.decode()
    assert html.count('class="demand-flag demand-needed_unnoticed" title="Needed but unnoticed"') == 1
    assert html.count('class="demand-flag demand-popular_overserved" title="Popular but overserved"') == 1
    legend = re.search(r'data-testid="queue-legend".*?</details>', html, re.DOTALL).group(0)
    assert "Needed but unnoticed" in legend and "Popular but overserved" in legend
    assert "opportunity 15 or more" in legend and "fewer than 3 up votes" in legend and "5 or more" in legend
    assert "30 or more respondents" in legend
    # Descending: the unflagged first.
    response = client_for(triage).get(QUEUE_URL, {"o": f"-{column_index('demand_column')}"})
    assert titles(response)[-2:] == ["Loved overserved", "Quiet needed"]


def test_queue_csv_carries_the_flag(client_for, triage, known):
    response = client_for(triage).get(reverse("admin:reviews_triageidea_export"), {"demand": "any"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header = rows[0]
    assert "need_best_opportunity" in header
    flag = header.index("demand_flag")
    assert sorted(row[flag] for row in rows[1:]) == [demand.NEEDED_UNNOTICED, demand.POPULAR_OVERSERVED]


def _queue_queries(client, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE_URL, params)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("params", [{}, {"demand": "any"}, {"o": "6"}])
def test_queue_query_count_is_constant_with_the_flags(client_for, triage, scored, params):
    client = client_for(triage)
    o = scored["outcomes"]
    challenge = factories.ChallengeFactory(outcomes=[o["NEED"], o["OVER"]])
    factories.IdeaFactory(challenge=challenge, outcomes=[o["NEED"]])
    one, rows = _queue_queries(client, params)
    assert rows == 1
    factories.IdeaFactory.create_batch(29, challenge=challenge, outcomes=[o["NEED"], o["OVER"]])
    more, rows = _queue_queries(client, params)
    assert rows == 25 and more == one


# --- The board ---------------------------------------------------------------------------------


def board_url(challenge) -> str:
    return reverse("admin:reviews_board", args=[challenge.pk])


def card_ids(response) -> dict[str, list[int]]:
    return {column["status"]: [idea.pk for idea in column["ideas"]] for column in response.context["columns"]}


def test_board_shows_filters_and_sorts_on_the_flags(client_for, triage, known):
    client = client_for(triage)
    response = client.get(board_url(known["challenge"]))
    html = response.content.decode()
    assert f'data-testid="demand-{known["quiet_needed"].pk}"' in html
    assert f'data-testid="demand-{known["loved_overserved"].pk}"' in html
    assert f'data-testid="demand-{known["mid4a"].pk}"' not in html
    assert 'data-testid="board-legend"' in html and "Popular but overserved" in html
    assert 'data-testid="gaps-link"' in html

    filtered = client.get(board_url(known["challenge"]), {"demand": demand.NEEDED_UNNOTICED})
    assert card_ids(filtered)["submitted"] == [known["quiet_needed"].pk]
    counts = {column["status"]: column["count"] for column in filtered.context["columns"]}
    assert counts["submitted"] == 1 and counts["duplicate"] == 0

    everything = card_ids(client.get(board_url(known["challenge"])))["submitted"]
    flagged_first = card_ids(client.get(board_url(known["challenge"]), {"sort": "demand"}))["submitted"]
    assert sorted(everything) == sorted(flagged_first)
    assert flagged_first[:2] == [known["quiet_needed"].pk, known["loved_overserved"].pk]

    refused = client.get(board_url(known["challenge"]), {"demand": "nonsense"}, follow=True)
    assert "There is no such flag" in refused.content.decode()
    assert sorted(card_ids(refused)["submitted"]) == sorted(everything)


@pytest.mark.parametrize("params", [{}, {"demand": "any", "sort": "demand"}])
def test_board_query_count_is_constant_with_the_flags(client_for, triage, scored, params):
    client = client_for(triage)
    o = scored["outcomes"]
    challenge = factories.ChallengeFactory(outcomes=[o["NEED"]])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(board_url(challenge), params).status_code == 200
        return len(captured)

    factories.IdeaFactory(challenge=challenge, outcomes=[o["NEED"]])
    one = queries()
    for status in ["submitted", "under_review", "shortlisted", "declined"]:
        factories.IdeaFactory.create_batch(6, challenge=challenge, status=status, outcomes=[o["NEED"]])
    assert queries() == one


# --- One idea's table ----------------------------------------------------------------------------


def test_an_ideas_votes_by_segment_beside_its_outcomes_opportunity(known):
    table = idea_demand_need(known["loved_needed"])
    assert [outcome.code for outcome in table.outcomes] == ["NEED"]
    rows = {row.name: (row.up, row.down, [s and s.opportunity for s in row.scores]) for row in table.rows}
    assert rows == {
        "Customers": (3, 1, [16.0]),
        "Ex-customers": (2, 0, [16.0]),
        "No segment": (2, 0, [None]),  # answered without a segment, or never surveyed: nobody asked
    }
    assert [row.name for row in table.rows] == ["Customers", "Ex-customers", "No segment"]
    assert (table.overall.up, table.overall.down, table.overall.scores[0].opportunity) == (7, 1, 16.0)
    assert table.flag == "" and table.peers == 9 and table.above == 1


def test_segments_with_scores_but_no_votes_are_rows_too(known, scored):
    table = idea_demand_need(known["quiet_needed"])
    assert [outcome.code for outcome in table.outcomes] == ["NEED", "OVER"]
    rows = {row.name: (row.up, row.down, [s.opportunity for s in row.scores]) for row in table.rows}
    assert rows == {"Customers": (0, 0, [16.0, 3.0]), "Ex-customers": (0, 0, [16.0, 3.0])}
    assert table.flag == demand.NEEDED_UNNOTICED and table.flag_label == "Needed but unnoticed"


def test_the_scorecard_shows_the_table_to_triage_staff_only(client_for, triage, customer, mentor, known):
    url = reverse("admin:reviews_triageidea_scorecard", args=[known["loved_needed"].pk])
    response = client_for(triage).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    section = re.search(r'<section class="demand-need".*?</section>', html, re.DOTALL).group(0)
    row = re.search(r'<tr data-segment="Customers">(.*?)</tr>', section, re.DOTALL).group(1)
    assert "▲ 3 ▼ 1" in row and ">16.0<" in row
    assert re.search(r'<tr data-segment="No segment">.*?▲ 2 ▼ 0', section, re.DOTALL)
    assert "All voters" in section
    for user in (customer, mentor):
        assert client_for(user).get(url).status_code == 302
    assert client_for(factories.UserFactory(is_staff=True)).get(url).status_code == 403


def test_scorecard_queries_do_not_grow_with_segments_and_voters(client_for, triage, scored, voters):
    client = client_for(triage)
    o = scored["outcomes"]
    idea = factories.IdeaFactory(outcomes=[o["NEED"]], challenge=factories.ChallengeFactory(outcomes=[o["NEED"]]))
    url = reverse("admin:reviews_triageidea_scorecard", args=[idea.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    votes(idea, voters["Customers"][:1])
    queries()  # the first opening writes the challenge's default criteria
    one = queries()
    idea.outcomes.add(o["MID"], o["OVER"])
    factories.SegmentFactory(name="Lapsed for years")
    votes(idea, voters["Customers"][1:5] + voters["Ex-customers"][:5] + voters["unsurveyed"][:3])
    assert queries() == one


def test_both_ways_of_reading_the_boundaries_agree(scored):
    """PostgreSQL's percentile_disc and the portable window give the same places, whatever the ties."""
    import random

    from reviews import selectors_demand

    rng = random.Random(20)
    for size in [1, 2, 3, 4, 5, 7, 9, 13]:
        challenge = factories.ChallengeFactory(outcomes=[scored["outcomes"]["NEED"]])
        for _ in range(size):
            factories.IdeaFactory(challenge=challenge, votes_up=rng.choice([0, 1, 3, 3, 5, 8, 8, 20]))
    ideas = Idea.objects.filter(status__in=selectors_demand.DEMAND_STATUSES)
    by_window = sorted(selectors_demand._order_statistics_by_window(ideas, 0.25, 0.75))
    assert len(by_window) == 8
    if connection.vendor == "postgresql":
        assert sorted(selectors_demand._order_statistics_by_percentile(ideas, 0.25, 0.75)) == by_window
    for challenge_id, count, top, bottom in by_window:
        votes = sorted(Idea.objects.filter(challenge_id=challenge_id).values_list("votes_up", flat=True), reverse=True)
        assert count == len(votes)
        assert top == votes[-(-count // 4) - 1] and bottom == votes[-(-3 * count // 4) - 1]
