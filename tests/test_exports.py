"""CSV exports of the ideas, the triage queue and the scorecards: exactly the rows of the list under
its current filters and search, every page; no screening data in the ideas export, which may leave
triage; no cell a spreadsheet would run as a formula."""

import csv
import io

import pytest
from django.urls import reverse

from audit.cells import csv_cell
from ideas.models import Status
from reviews.services import screening as screening_services
from tests import factories

IDEAS_EXPORT = reverse("admin:ideas_idea_export")
QUEUE_EXPORT = reverse("admin:reviews_triageidea_export")
SCORECARDS_EXPORT = reverse("admin:reviews_screening_export")


def rows_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text))), text


def screen(idea, screener, score, notes):
    from reviews.services.screening import criteria_ensure_defaults

    criteria = criteria_ensure_defaults(challenge=idea.challenge)
    return screening_services.screening_save(
        idea=idea, screener=screener, scores={c.pk: (score, "") for c in criteria}, notes=notes
    )


@pytest.fixture
def desk(open_challenge, triage):
    other = factories.ChallengeFactory(title="Fresher food", slug="fresher-food")
    lockers = factories.IdeaFactory(challenge=open_challenge, title="Lockers at stations")
    vans = factories.IdeaFactory(challenge=open_challenge, title="Vans with a live map", status=Status.SHORTLISTED)
    formula = factories.IdeaFactory(challenge=open_challenge, title='=HYPERLINK("http://x.example","win")')
    fresh = factories.IdeaFactory(challenge=other, title="Lockers that stay cold")
    factories.IdeaFactory(challenge=open_challenge, title="Not yet sent", status=Status.DRAFT)
    second = factories.TriageFactory(display_name="Sam Screener")
    screen(lockers, triage, 4, "SECRET-NOTE: the depot cannot do this")
    screen(lockers, second, 2, "@SUM(A1:A2) second opinion")
    screen(fresh, triage, 5, "Fine")
    return {"lockers": lockers, "vans": vans, "formula": formula, "fresh": fresh, "other": other}


@pytest.mark.django_db
def test_the_ideas_export_has_exactly_the_filtered_rows_and_no_screening_data(client, triage, desk, open_challenge):
    client.force_login(triage)
    everything, _ = rows_of(client.get(IDEAS_EXPORT))
    assert {int(r["id"]) for r in everything} == {i.pk for k, i in desk.items() if k != "other"} | {
        i.pk for i in type(desk["lockers"]).objects.filter(status=Status.DRAFT)
    }
    by_challenge, _ = rows_of(
        client.get(IDEAS_EXPORT, {"challenge__id__exact": open_challenge.pk, "status__exact": "submitted"})
    )
    assert sorted(int(r["id"]) for r in by_challenge) == sorted([desk["lockers"].pk, desk["formula"].pk])
    searched, text = rows_of(client.get(IDEAS_EXPORT, {"q": "lockers"}))
    assert sorted(int(r["id"]) for r in searched) == sorted([desk["lockers"].pk, desk["fresh"].pk])

    # What the list shows is what the export holds: the changelist's own count under the same filters.
    page = client.get(reverse("admin:ideas_idea_changelist"), {"q": "lockers"})
    assert page.context["cl"].result_count == len(searched)
    assert 'href="/admin/ideas/idea/export.csv?q=lockers"' in page.content.decode()

    _, full = rows_of(client.get(IDEAS_EXPORT))
    desk["lockers"].refresh_from_db()
    assert desk["lockers"].screening_score == 3.0
    header = full.splitlines()[0].lower()
    assert "screen" not in header and "score" not in header and "note" not in header and "email" not in header
    assert "SECRET-NOTE" not in full and "second opinion" not in full and "3.00" not in full
    assert desk["lockers"].author.email not in full


@pytest.mark.django_db
def test_the_queue_export_follows_its_filters_and_carries_screening_for_staff(client, triage, desk, open_challenge):
    client.force_login(triage)
    rows, _ = rows_of(client.get(QUEUE_EXPORT, {"challenge__id__exact": open_challenge.pk, "screened": "yes"}))
    assert [int(r["id"]) for r in rows] == [desk["lockers"].pk]
    assert rows[0]["screening_score"] == "3.00" and rows[0]["screeners"] == "2"
    rows, _ = rows_of(client.get(QUEUE_EXPORT, {"challenge__id__exact": open_challenge.pk}))
    assert {int(r["id"]) for r in rows} == {desk["lockers"].pk, desk["vans"].pk, desk["formula"].pk}


@pytest.mark.django_db
def test_the_scorecards_export_follows_its_filters_and_guards_formulas(client, triage, desk, open_challenge):
    client.force_login(triage)
    rows, text = rows_of(client.get(SCORECARDS_EXPORT, {"idea__challenge__id__exact": open_challenge.pk}))
    assert sorted(r["screener"] for r in rows) == ["Sam Screener", "Tess Triage"]
    assert {r["idea_id"] for r in rows} == {str(desk["lockers"].pk)}
    mine = next(r for r in rows if r["screener"] == "Tess Triage")
    assert mine["weighted_mean"] == "4.00" and "=4" in mine["scores"]
    second = next(r for r in rows if r["screener"] == "Sam Screener")
    assert second["notes"] == "'@SUM(A1:A2) second opinion"
    rows, _ = rows_of(client.get(IDEAS_EXPORT, {"q": "HYPERLINK"}))
    assert rows[0]["title"] == "'" + desk["formula"].title


def test_formula_cells_are_prefixed_and_numbers_left_alone():
    assert [csv_cell(v) for v in ["=1+1", "+1", "-1", "@x", "\tx", "plain", -3, 2.5, None]] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "plain",
        -3,
        2.5,
        "",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [IDEAS_EXPORT, QUEUE_EXPORT, SCORECARDS_EXPORT])
def test_members_and_mentors_get_no_export(client, customer, mentor, url, desk):
    for user in (customer, mentor):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert b"Lockers" not in b"".join(getattr(response, "streaming_content", [response.content]))


@pytest.mark.django_db
@pytest.mark.parametrize("url", [IDEAS_EXPORT, QUEUE_EXPORT, SCORECARDS_EXPORT])
def test_an_export_costs_the_same_queries_for_3_rows_and_for_30(
    client, triage, open_challenge, url, django_assert_num_queries
):
    client.force_login(triage)

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            rows_of(client.get(url))
        return len(queries)

    def add(n):
        for _ in range(n):
            idea = factories.IdeaFactory(challenge=open_challenge)
            screen(idea, triage, 3, "ok")

    add(3)
    few = count_queries()
    add(27)
    assert count_queries() == few
    # 12 for the page and the rows, and the audit log's row of the export (its INSERT in a transaction: 2),
    # and the co-authors and answers columns (a prefetch each, per chunk of rows).
    assert few <= 17
