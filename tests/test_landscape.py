"""The opportunity landscape: the chart's geometry, the pages for each role, published scores on
challenges, the outcome factors in the admin, and starting a challenge from chosen outcomes."""

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Outcome
from scoring import formulas, landscape
from scoring.models import OutcomeScore, Rating, Respondent
from scoring.services.scores import scores_recompute
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"
ROLES = ["anonymous", "customer", "other_customer", "mentor", "triage"]


# --- Helpers --------------------------------------------------------------------------------


def rate(outcome: Outcome, *, importance: float, satisfaction: float, respondents: int, segment=None) -> None:
    """Ratings that give the outcome these top-two-box scores (0–10) from this many new respondents."""
    important = round(respondents * importance / 10)
    satisfied = round(respondents * satisfaction / 10)
    first = Respondent.objects.count()
    people = Respondent.objects.bulk_create(
        [Respondent(key=f"{outcome.code}-{first + n}", segment=segment) for n in range(respondents)]
    )
    wave = factories.round_of(outcome)
    Rating.objects.bulk_create(
        [
            Rating(
                respondent=person,
                outcome=outcome,
                wave=wave,
                importance=5 if n < important else 2,
                satisfaction=4 if n < satisfied else 1,
            )
            for n, person in enumerate(people)
        ]
    )


def svg_of(response) -> ET.Element:
    """The chart inlined in the page, parsed as XML."""
    content = response.content.decode()
    # The chart, not the header's icons (``<svg class="icon …">``).
    match = re.search(r"<svg\b(?![^>]*class=\"icon).*?</svg>", content, re.DOTALL)
    assert match, "the page has no inline SVG"
    return ET.fromstring(match.group(0))


def points_of(svg: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-code"): g for g in svg.iter(f"{SVG}g") if g.get("data-code")}


def centre_of(point: ET.Element) -> tuple[float, float]:
    circle = point.find(f"{SVG}circle")
    return float(circle.get("cx")), float(circle.get("cy"))


def guide_y_at(svg: ET.Element, name: str, x: float) -> float:
    """The SVG y of the named guide line at SVG x."""
    line = next(el for el in svg.iter(f"{SVG}line") if el.get("data-guide") == name)
    x1, y1, x2, y2 = (float(line.get(a)) for a in ("x1", "y1", "x2", "y2"))
    return y1 + (y2 - y1) * (x - x1) / (x2 - x1)


def data_table_rows(response) -> dict[str, dict[str, str]]:
    """{code: {importance, satisfaction, opportunity}} from the table beside the chart."""
    content = response.content.decode()
    table = re.search(r'<table class="table landscape-table">.*?</table>', content, re.DOTALL).group(0)
    rows = {}
    for code, row in re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', table, re.DOTALL):
        rows[code] = dict(re.findall(r'data-(importance|satisfaction|opportunity)="([^"]+)"', row))
    return rows


@pytest.fixture
def job(db):
    return factories.JobFactory(name="Plan a weekly shop")


@pytest.fixture
def scored(job):
    """Three outcomes in three zones, one of them from too few respondents; scores computed."""
    outcomes = {
        "SWEET": factories.OutcomeFactory(job=job, code="SWEET", statement="Minimise the time it takes to plan meals"),
        "OVER": factories.OutcomeFactory(job=job, code="OVER", statement="Minimise the effort to find the shop"),
        "FEW": factories.OutcomeFactory(job=job, code="FEW", statement="Minimise waste of fresh food"),
    }
    rate(outcomes["SWEET"], importance=9, satisfaction=2, respondents=40)
    rate(outcomes["OVER"], importance=3, satisfaction=8, respondents=40)
    rate(outcomes["FEW"], importance=6, satisfaction=5, respondents=10)
    scores_recompute()
    return outcomes


# --- Geometry, without the database -----------------------------------------------------------


def _inside(polygon: str, x: float, y: float) -> bool:
    corners = [tuple(map(float, pair.split(","))) for pair in polygon.split()]
    inside = False
    for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_scales_map_to_the_plot_and_back():
    assert (landscape.x_of(0), landscape.y_of(0)) == (landscape.PLOT_LEFT, landscape.PLOT_BOTTOM)
    assert (landscape.x_of(10), landscape.y_of(10)) == (landscape.PLOT_RIGHT, landscape.PLOT_TOP)
    assert landscape.importance_at(landscape.x_of(7.3)) == pytest.approx(7.3)
    assert landscape.satisfaction_at(landscape.y_of(2.6)) == pytest.approx(2.6)


def test_opportunity_lines_are_where_the_formula_says():
    assert landscape.opportunity_line(10) == ((5.0, 0.0), (10.0, 10.0))
    assert landscape.opportunity_line(15) == ((7.5, 0.0), (10.0, 5.0))
    for opportunity in (10, 15):
        for end in landscape.opportunity_line(opportunity):
            assert formulas.opportunity(*end) == opportunity


def test_the_zone_drawn_around_a_point_is_its_class():
    """On a fine grid of scores (off the boundaries), exactly one zone polygon holds each point: its class."""
    zones = landscape.zones()
    for importance in (n / 4 + 0.05 for n in range(40)):
        for satisfaction in (n / 4 + 0.13 for n in range(40)):
            x, y = landscape.x_of(importance), landscape.y_of(satisfaction)
            containing = [zone.classification for zone in zones if _inside(zone.points, x, y)]
            assert containing == [formulas.classify(importance, satisfaction)], (importance, satisfaction)


def _fake_score(code, importance, satisfaction, respondents=50):
    return SimpleNamespace(
        outcome=SimpleNamespace(code=code, statement=f"Statement of {code}"),
        importance=importance,
        satisfaction=satisfaction,
        opportunity=formulas.opportunity(importance, satisfaction),
        classification=formulas.classify(importance, satisfaction),
        respondents=respondents,
        importance_low=max(importance - 1, 0),
        importance_high=min(importance + 1, 10),
        satisfaction_low=max(satisfaction - 1, 0),
        satisfaction_high=min(satisfaction + 1, 10),
    )


def test_labels_of_crowded_points_do_not_sit_on_each_other():
    scores = [_fake_score(f"CODE-{n}", 7 + n * 0.05, 4) for n in range(6)] + [_fake_score("EDGE", 10, 10)]
    drawing = landscape.landscape_draw(scores, subject="a test", min_respondents=30)
    boxes = [landscape._label_box(p.label_x, p.label_y, p.label_anchor, p.code) for p in drawing.points]
    for n, box in enumerate(boxes):
        assert all(landscape._overlap(box, other) == 0 for other in boxes[n + 1 :])
        assert landscape._outside(box) == 0  # the label at (10, 10) turns inwards


@pytest.mark.parametrize(
    "opportunity, shown",
    [(16.0, "16.0"), (14.95, "14.9"), (9.999999, "9.9"), (10.0, "10.0"), (2.3, "2.3"), (0.0, "0.0"), (20.0, "20.0")],
)
def test_opportunity_is_shown_rounded_down_so_it_never_crosses_a_threshold(opportunity, shown):
    assert formulas.opportunity_shown(opportunity) == shown


def test_description_names_the_sweet_spot_and_the_uncertain():
    scores = [_fake_score("HIGH", 9, 2), _fake_score("LOW", 3, 3, respondents=5)]
    description = landscape.landscape_draw(scores, subject="the job X", min_respondents=30).description
    assert "Scatter chart of 2 outcomes of the job X" in description
    assert "Underserved, by opportunity: HIGH (16.0)." in description
    assert "fewer than 30 respondents: LOW" in description


# --- The landscape page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_known_outcome_lands_in_its_zone(client_for, triage, job, scored):
    response = client_for(triage).get(reverse("opportunities:job", args=[job.pk]))
    assert response.status_code == 200
    svg = svg_of(response)
    assert svg.get("role") == "img"
    labelled_by = svg.get("aria-labelledby").split()
    assert [svg.find(f"{SVG}title").get("id"), svg.find(f"{SVG}desc").get("id")] == labelled_by
    points = points_of(svg)
    assert set(points) == {"SWEET", "OVER", "FEW"}

    sweet = points["SWEET"]
    assert sweet.get("data-zone") == "extremely_underserved"
    assert float(sweet.get("data-importance")) == 9 and float(sweet.get("data-satisfaction")) == 2
    assert float(sweet.get("data-opportunity")) == 16
    x, y = centre_of(sweet)
    assert landscape.importance_at(x) == pytest.approx(9, abs=0.01)
    assert landscape.satisfaction_at(y) == pytest.approx(2, abs=0.01)
    assert y > guide_y_at(svg, "opportunity-15", x)  # below the line of opportunity 15 (SVG y grows down)
    assert sweet.find(f"{SVG}text").text == "SWEET"
    assert "Minimise the time it takes to plan meals" in sweet.find(f"{SVG}title").text

    over = points["OVER"]
    assert over.get("data-zone") == "overserved"
    x, y = centre_of(over)
    assert (landscape.importance_at(x), landscape.satisfaction_at(y)) == pytest.approx((3, 8), abs=0.01)
    assert y < guide_y_at(svg, "diagonal", x)  # above satisfaction = importance


@pytest.mark.django_db
def test_low_sample_points_are_drawn_differently_and_explained(client_for, triage, job, scored):
    svg = svg_of(client_for(triage).get(reverse("opportunities:job", args=[job.pk])))
    points = points_of(svg)
    assert "low-sample" in points["FEW"].get("class").split()
    assert points["FEW"].get("data-low-sample") == "true"
    for code in ("SWEET", "OVER"):
        assert "low-sample" not in points[code].get("class").split()
    legend = [el.text for el in svg.iter(f"{SVG}text") if el.text and "respondents" in el.text]
    assert "Fewer than 30 respondents" in legend
    assert "FEW" in svg.find(f"{SVG}desc").text
    with open("static/css/portal.css") as css:
        assert re.search(r"\.low-sample circle[^}]*stroke-dasharray", css.read())


@pytest.mark.django_db
def test_the_table_beside_the_chart_has_the_same_numbers(client_for, triage, job, scored):
    response = client_for(triage).get(reverse("opportunities:job", args=[job.pk]))
    chart = points_of(svg_of(response))
    table = data_table_rows(response)
    assert set(table) == set(chart)
    for code, point in chart.items():
        for field in ("importance", "satisfaction"):
            assert table[code][field] == f"{float(point.get(f'data-{field}')):.1f}"
        assert table[code]["opportunity"] == formulas.opportunity_shown(float(point.get("data-opportunity")))
    # The few-respondents flag, in both tables, on FEW's rows only.
    rows = re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', response.content.decode(), re.DOTALL)
    flagged = [code for code, row in rows if 'class="badge few-respondents"' in row]
    assert len(rows) == 6 and flagged == ["FEW", "FEW"]


@pytest.mark.django_db
def test_sweet_spot_lists_underserved_first_and_starts_a_challenge(client_for, triage, job, scored):
    content = client_for(triage).get(reverse("opportunities:job", args=[job.pk])).content.decode()
    section = content[content.index('id="sweet-spot-heading"') :]
    order = re.findall(r'<tr data-code="([^"]+)">', section)
    assert order == ["SWEET", "FEW", "OVER"]  # by opportunity: 16, 7, 3
    form = re.search(r'<form method="get" action="([^"]+)">', section).group(1)
    assert form == reverse("admin:challenges_challenge_add")
    boxes = re.findall(r'<input type="checkbox" name="outcomes" value="(\d+)"', section)
    assert sorted(map(int, boxes)) == sorted(o.pk for o in scored.values())
    assert "Start a challenge from the selected outcomes" in section


def _selected_outcomes(content: str) -> list[int]:
    select = re.search(r'<select name="outcomes".*?</select>', content, re.DOTALL).group(0)
    return sorted(int(pk) for pk in re.findall(r'<option value="(\d+)" selected>', select))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["triage", "superuser"])
def test_the_admin_add_page_preselects_the_chosen_outcomes(client_for, triage, admin_user, job, scored, who):
    client = client_for(triage if who == "triage" else admin_user)
    url = reverse("admin:challenges_challenge_add")
    chosen = sorted([scored["SWEET"].pk, scored["FEW"].pk])
    # What the landscape's form of checkboxes sends, and Django's own comma-separated form.
    response = client.get(url, {"outcomes": chosen})
    assert response.status_code == 200
    assert _selected_outcomes(response.content.decode()) == chosen
    response = client.get(f"{url}?outcomes={chosen[0]},{chosen[1]}")
    assert _selected_outcomes(response.content.decode()) == chosen
    # Junk is dropped, not a server error.
    response = client.get(f"{url}?outcomes=abc,{chosen[0]},")
    assert response.status_code == 200
    assert _selected_outcomes(response.content.decode()) == chosen[:1]
    assert 'name="publish_scores"' in response.content.decode()


@pytest.mark.django_db
def test_segment_selector_switches_to_that_segments_scores(client_for, triage, job):
    outcome = factories.OutcomeFactory(job=job, code="SPLIT")
    customers = factories.SegmentFactory(name="Customers")
    lapsed = factories.SegmentFactory(name="Ex-customers")
    rate(outcome, importance=8, satisfaction=2, respondents=30, segment=customers)
    rate(outcome, importance=4, satisfaction=6, respondents=30, segment=lapsed)
    scores_recompute()
    client = client_for(triage)
    url = reverse("opportunities:job", args=[job.pk])

    overall = client.get(url)
    assert float(points_of(svg_of(overall))["SPLIT"].get("data-importance")) == 6
    assert '<option value="" selected>' in overall.content.decode()

    response = client.get(url, {"segment": customers.pk})
    point = points_of(svg_of(response))["SPLIT"]
    assert (float(point.get("data-importance")), float(point.get("data-satisfaction"))) == (8, 2)
    assert point.get("data-zone") == "underserved"
    content = response.content.decode()
    assert f'<option value="{customers.pk}" selected>' in content
    assert data_table_rows(response)["SPLIT"]["importance"] == "8.0"

    point = points_of(svg_of(client.get(url, {"segment": lapsed.pk})))["SPLIT"]
    assert point.get("data-zone") == "overserved"

    unknown = client.get(url, {"segment": "999999"})
    assert unknown.status_code == 200
    assert "There is no such segment" in unknown.content.decode()
    assert float(points_of(svg_of(unknown))["SPLIT"].get("data-importance")) == 6


@pytest.mark.django_db
def test_outcomes_without_ratings_are_named_not_drawn(client_for, triage, job, scored):
    factories.OutcomeFactory(job=job, code="NEW", statement="Minimise the queue at the till")
    response = client_for(triage).get(reverse("opportunities:job", args=[job.pk]))
    assert "NEW" not in points_of(svg_of(response))
    assert re.search(r'data-testid="unscored">.*NEW', response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_landscape_is_for_triage_staff_only(as_role, role, job, scored):
    client = as_role(role)
    expected = 200 if role == "triage" else 404
    assert client.get(reverse("opportunities:index")).status_code == expected
    assert client.get(reverse("opportunities:job", args=[job.pk])).status_code == expected


@pytest.mark.django_db
def test_staff_outside_triage_do_not_see_the_landscape(client_for, job, scored):
    plain_staff = factories.UserFactory(is_staff=True)
    assert client_for(plain_staff).get(reverse("opportunities:index")).status_code == 404


@pytest.mark.django_db
def test_index_lists_jobs_and_when_scores_were_computed(client_for, triage, job, scored):
    factories.JobFactory(name="Cook dinner")
    content = client_for(triage).get(reverse("opportunities:index")).content.decode()
    assert reverse("opportunities:job", args=[job.pk]) in content
    assert "Plan a weekly shop" in content and "Cook dinner" in content
    assert "Scores computed" in content and "from 90 ratings" in content
    assert "16.0" in content  # the job's best opportunity


@pytest.mark.django_db
def test_index_says_when_there_are_no_scores_yet(client_for, triage, job):
    content = client_for(triage).get(reverse("opportunities:index")).content.decode()
    assert "No scores yet" in content
    page = client_for(triage).get(reverse("opportunities:job", args=[job.pk]))
    assert page.status_code == 200
    assert "has been scored yet" in svg_of(page).find(f"{SVG}desc").text


@pytest.mark.django_db
def test_unknown_job_is_404(client_for, triage):
    assert client_for(triage).get(reverse("opportunities:job", args=[999999])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("outcomes", [3, 12])
def test_landscape_queries_are_constant_and_read_only_scores(client_for, triage, job, outcomes):
    factories.SegmentFactory(name="Customers")
    for n in range(outcomes):
        rate(factories.OutcomeFactory(job=job), importance=n % 10, satisfaction=(n * 3) % 10, respondents=12)
    scores_recompute()
    client = client_for(triage)
    # Session, user and groups, then the job, segments, its survey waves, scores, the job's outcomes
    # and the last run; the index: the jobs with their summary and the last run.
    for url, queries in ((reverse("opportunities:job", args=[job.pk]), 10), (reverse("opportunities:index"), 6)):
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert len(captured) == queries, [q["sql"] for q in captured]
        assert not any("scoring_rating" in q["sql"] for q in captured)  # pages never aggregate ratings
    assert len(points_of(svg_of(client.get(reverse("opportunities:job", args=[job.pk]))))) == outcomes


@pytest.mark.django_db
def test_landscape_query_count_does_not_grow_with_outcomes(client_for, triage, job):
    client = client_for(triage)
    url = reverse("opportunities:job", args=[job.pk])

    def count():
        scores_recompute()
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _ in range(3):
        rate(factories.OutcomeFactory(job=job), importance=7, satisfaction=3, respondents=12)
    few = count()
    for _ in range(9):
        rate(factories.OutcomeFactory(job=job), importance=5, satisfaction=6, respondents=40)
    assert count() == few


# --- Scores on the challenge page -------------------------------------------------------------


@pytest.fixture
def scored_challenge(job, scored):
    return factories.ChallengeFactory(
        title="Faster planning", slug="faster-planning", outcomes=[scored["SWEET"], scored["FEW"]]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_challenge_shows_scores_only_when_published(as_role, role, scored_challenge, scored):
    scored["SWEET"].ease_of_adoption = 4
    scored["SWEET"].save()
    url = scored_challenge.get_absolute_url()

    content = as_role(role).get(url).content.decode()
    if role == "triage":
        assert "Opportunity <strong>16.0</strong>" in content
        assert "Scores are not published on this challenge" in content
    else:
        for leak in ("16.0", "Opportunity <strong>", "Extremely underserved", "few respondents", "ease of adoption"):
            assert leak not in content
    assert "Minimise the time it takes to plan meals" in content  # the outcome itself is always listed

    scored_challenge.publish_scores = True
    scored_challenge.save()
    content = as_role(role).get(url).content.decode()
    assert "Opportunity <strong>16.0</strong> of 20" in content
    assert "Extremely underserved" in content
    assert "40 respondents" in content
    assert "ease of adoption 4/5" in content
    assert content.count("few respondents</span>") == 1  # FEW has 10 respondents
    assert "Scores are not published" not in content


@pytest.mark.django_db
def test_published_scores_cost_one_query_whatever_the_outcomes(
    client_for, customer, job, django_assert_num_queries, scored_challenge
):
    scored_challenge.publish_scores = True
    scored_challenge.save()
    client = client_for(customer)

    def count():
        client.get(scored_challenge.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(scored_challenge.get_absolute_url()).status_code == 200
        return len(captured)

    few = count()
    extra = [factories.OutcomeFactory(job=job) for _ in range(6)]
    for outcome in extra:
        rate(outcome, importance=6, satisfaction=6, respondents=5)
    scores_recompute()
    scored_challenge.outcomes.add(*extra)
    assert count() == few


# --- The admin --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_outcome_changelist_shows_score_beside_factors_without_a_query_per_row(admin_client, job, scored):
    url = reverse("admin:challenges_outcome_changelist")

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    few, content = count()
    assert "16.0 · Extremely underserved · 40 respondents<" in content
    assert "7.0 · Appropriately served · 10 respondents (few respondents)" in content
    assert 'name="form-0-ease_of_adoption"' in content  # editable in the list
    for _ in range(9):
        rate(factories.OutcomeFactory(job=job), importance=5, satisfaction=5, respondents=3)
    scores_recompute()
    many, _ = count()
    assert many == few


@pytest.mark.django_db
def test_outcome_factors_are_edited_in_the_admin_and_checked(admin_client, job, scored):
    outcome = scored["SWEET"]
    url = reverse("admin:challenges_outcome_change", args=[outcome.pk])
    page = admin_client.get(url).content.decode()
    assert "Opportunity <strong>16.0</strong> (Extremely underserved)" in page
    assert reverse("opportunities:job", args=[job.pk]) in page
    form = {"job": job.pk, "code": outcome.code, "statement": outcome.statement}
    response = admin_client.post(url, {**form, "ease_of_adoption": "7", "availability": "2"})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 5." in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.ease_of_adoption is None
    response = admin_client.post(url, {**form, "ease_of_adoption": "4", "availability": "2"})
    assert response.status_code == 302
    outcome.refresh_from_db()
    assert (outcome.ease_of_adoption, outcome.availability) == (4, 2)
    # The factors sit beside the score; they never change it.
    scores_recompute()
    assert OutcomeScore.objects.get(outcome=outcome, segment=None).opportunity == 16


@pytest.mark.django_db
@pytest.mark.parametrize(("minimum", "low"), [(10, False), (11, True)])
def test_a_point_with_exactly_the_minimum_of_respondents_is_not_low_sample(
    client_for, triage, job, scored, settings, minimum, low
):
    """FEW has exactly 10 respondents: drawn solid when 10 are enough, hollow when 11 are needed."""
    settings.SCORING_MIN_RESPONDENTS = minimum
    points = points_of(svg_of(client_for(triage).get(reverse("opportunities:job", args=[job.pk]))))
    assert ("low-sample" in points["FEW"].get("class").split()) is low
    assert points["FEW"].get("data-low-sample") == ("true" if low else "false")
