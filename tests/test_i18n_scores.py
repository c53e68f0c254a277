# ruff: noqa: F811 (the fixtures imported from the other test modules are used as arguments)
"""Surveys, the landscape, the metrics and the impact follow-ups in German and French: the texts are
translated, none of the English ones is left, and numbers that machines read (SVG geometry, data
attributes) are never localized while numbers people read are."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

from ideas.models import IdeaFollow
from impact import selectors as impact_selectors
from notifications.models import Notification
from scoring.services.waves import wave_close
from tests import factories
from tests.notification_kinds import Kind
from tests.test_impact import close_with_answers, schedule, world  # noqa: F401 (fixtures)
from tests.test_landscape import job, points_of, scored, svg_of  # noqa: F401 (fixtures)
from tests.test_metrics import data  # noqa: F401 (fixture)

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
GEOMETRY = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "dy", "refX", "refY"}


def text_of(response) -> str:
    """The page's own content (the <main> element), without the header and footer other apps draw."""
    html = response.content.decode()
    main = re.search(r"<main\b.*?</main>", html, re.DOTALL)
    return main.group(0) if main else html


def assert_geometry_not_localized(svg: ET.Element) -> int:
    """Every coordinate and size of the drawing is a plain number with a decimal point, if any."""
    checked = 0
    for element in svg.iter():
        for name, value in element.attrib.items():
            if name in GEOMETRY or name.startswith("data-") and name not in {"data-code", "data-zone", "data-guide"}:
                if name.startswith("data-") and not value[:1].isdigit():
                    continue
                assert "," not in value, f"{name}={value!r} is localized"
                if name in GEOMETRY:
                    assert NUMBER.match(value), f"{name}={value!r}"
                checked += 1
        for name in ("points", "viewBox", "transform"):
            if name in element.attrib:
                assert re.fullmatch(r"[-\d. ,()a-z]*", element.attrib[name]), element.attrib[name]
    return checked


# --- The survey ----------------------------------------------------------------------------------


@pytest.fixture
def survey_job(db):
    job = factories.JobFactory(name="Plan a weekly shop")
    outcomes = [
        factories.OutcomeFactory(job=job, code=f"O{n}", statement=f"Minimise the time it takes to do step {n}")
        for n in range(3)
    ]
    return job, outcomes


SURVEY_ENGLISH = [
    "Submit survey",
    "Save and continue later",
    "How important is this to you?",
    "How satisfied are you with the solutions you use today?",
    "Not at all important",
    "Extremely satisfied",
    "All surveys",
    "You have answered",
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["Umfrage abschicken", "Wie wichtig ist Ihnen das?", "Überhaupt nicht wichtig", "Sie haben 0 von 3"]),
        ("fr", ["Envoyer l'enquête", "Pas du tout important", "Extrêmement satisfait", "Toutes les enquêtes"]),
    ],
)
def test_the_survey_page_speaks_the_members_language(client_for, customer, survey_job, language, expected):
    job, _outcomes = survey_job
    client = client_for(customer)
    html = text_of(client.get(reverse("surveys:take", kwargs={"job_id": job.pk}), HTTP_ACCEPT_LANGUAGE=language))
    for text in expected:
        assert text in html, text
    for english in SURVEY_ENGLISH:
        assert english not in html, english
    listing = text_of(client.get(reverse("surveys:list"), HTTP_ACCEPT_LANGUAGE=language))
    assert "Not started" not in listing and "outcomes to rate" not in listing
    assert ("Nicht begonnen" if language == "de" else "Pas commencée") in listing


def test_the_members_own_language_comes_before_the_browsers(client_for, customer, survey_job):
    job, _outcomes = survey_job
    customer.language = "fr"
    customer.save(update_fields=["language"])
    html = text_of(
        client_for(customer).get(reverse("surveys:take", kwargs={"job_id": job.pk}), HTTP_ACCEPT_LANGUAGE="de")
    )
    assert "Pas du tout important" in html and "Überhaupt nicht wichtig" not in html


def test_saving_part_of_the_survey_says_so_in_german(client_for, customer, survey_job):
    job, outcomes = survey_job
    url = reverse("surveys:take", kwargs={"job_id": job.pk})
    answers = {f"importance_{outcomes[0].pk}": "4", f"satisfaction_{outcomes[0].pk}": "2", "action": "save"}
    response = client_for(customer).post(url, answers, HTTP_ACCEPT_LANGUAGE="de", follow=True)
    html = text_of(response)
    assert "Ihre Antworten sind gespeichert: 1 von 3 Ergebnissen beantwortet." in html
    assert "Your answers are saved" not in html


def test_a_half_answered_submission_is_refused_in_french(client_for, customer, survey_job):
    job, outcomes = survey_job
    url = reverse("surveys:take", kwargs={"job_id": job.pk})
    response = client_for(customer).post(
        url, {f"importance_{outcomes[0].pk}": "4", "action": "submit"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    html = text_of(response)
    assert "Rien n&#x27;a été enregistré\u00a0: veuillez vérifier 3 résultats attendus ci-dessous." in html
    assert "Nothing was saved" not in html and "Also rate how satisfied" not in html


# --- The landscape -------------------------------------------------------------------------------

LANDSCAPE_ENGLISH = [
    "Opportunity landscape",
    "The sweet spot",
    "Whose answers",
    "All respondents (overall)",
    "Underserved",
    "Start a challenge from the selected outcomes",
    "Each dot is an outcome",
    " respondents",
    ">Importance<",
    ">Satisfaction<",
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["Chancenlandkarte", "Der Sweet Spot", ">Wichtigkeit<", ">Zufriedenheit<", "Extrem unterversorgt"]),
        ("fr", ["Carte des opportunités", "La zone idéale", ">Importance<", ">Satisfaction<", "Très mal servi"]),
    ],
)
def test_the_landscape_in_german_and_french(client_for, triage, job, scored, language, expected):  # noqa: F811
    response = client_for(triage).get(reverse("opportunities:job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE=language)
    html = text_of(response)
    for text in expected:
        assert text in html, text
    english = [text for text in LANDSCAPE_ENGLISH if text not in expected]
    for text in english:
        assert text not in html, text


def test_the_landscape_keeps_its_geometry_and_data_unlocalized_in_german(client_for, triage, job, scored):  # noqa: F811
    response = client_for(triage).get(reverse("opportunities:job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="de")
    svg = svg_of(response)
    assert assert_geometry_not_localized(svg) > 50
    sweet = points_of(svg)["SWEET"]
    assert sweet.get("data-importance") == "9.0" and sweet.get("data-opportunity") == "16.0"
    # The tooltip is for people: German words and decimal commas.
    tooltip = sweet.find("{http://www.w3.org/2000/svg}title").text
    assert tooltip.startswith("SWEET: Minimise the time it takes to plan meals. Wichtigkeit 9,0")
    assert "Chance 16,0: extrem unterversorgt. 40 Befragte." in tooltip
    html = text_of(response)
    # The table beside the chart: data attributes with a point, the numbers shown with a comma.
    assert 'data-importance="9.0">9,0<br>' in html
    assert 'data-opportunity="16.0"><strong>16,0</strong>' in html


def test_the_landscape_index_in_french(client_for, triage, job, scored):  # noqa: F811
    html = text_of(client_for(triage).get(reverse("opportunities:index"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Carte des opportunités" in html and "Meilleure opportunité" in html
    assert "16,0" in html
    for english in ["Best opportunity", "Scores computed", "Jobs and their scored outcomes"]:
        assert english not in html


# --- The metrics ---------------------------------------------------------------------------------

METRICS_ENGLISH = [
    "Program metrics",
    "Closing the loop",
    "Implementation rate",
    "How these are counted",
    "Time to first answer",
    "Download (CSV)",
    "Members who",
    "Only read (none of these)",
    "Idea funnel",
    "Week of submission",
    " days",
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["Programmkennzahlen", "Den Kreis schließen", "Umsetzungsquote", "Wie gezählt wird", "Nur gelesen"]),
        ("fr", ["Indicateurs du programme", "Boucler la boucle", "Taux de réalisation", "Ont seulement lu"]),
    ],
)
def test_the_metrics_page_in_german_and_french(data, client_for, language, expected):  # noqa: F811
    response = client_for(data["staff"]).get(
        reverse("metrics:index"), {"challenge": "a"}, HTTP_ACCEPT_LANGUAGE=language
    )
    html = text_of(response)
    for text in expected:
        assert text in html, text
    for text in METRICS_ENGLISH:
        assert text not in html, text
    # 1 of 6 submitted ideas implemented: a percentage with a decimal comma and a non-breaking space.
    assert re.search(r'data-metric="implementation-rate">16,7\u00a0%<', html)
    charts = re.findall(r"<svg\b(?![^>]*class=\"icon).*?</svg>", html, re.DOTALL)
    assert len(charts) == 2
    for chart in charts:
        assert_geometry_not_localized(ET.fromstring(chart))


def test_the_participation_csv_stays_in_english(data, client_for):  # noqa: F811
    response = client_for(data["staff"]).get(
        reverse("metrics:export", args=["participation"]), {"challenge": "a"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    body = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert "Only read (none of these)" in body and "Nur gelesen" not in body


def test_the_implemented_ideas_page_in_french(data, client_for):  # noqa: F811
    html = text_of(client_for(data["staff"]).get(reverse("metrics:implemented"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Idées réalisées" in html and "Idée proposée par <strong>" in html
    assert "Implemented ideas" not in html and "Idea by" not in html


# --- Impact --------------------------------------------------------------------------------------


def test_the_result_is_told_in_each_recipients_language(world, django_capture_on_commit_callbacks):  # noqa: F811
    world["author"].language = "de"
    world["author"].save(update_fields=["language"])
    follower = factories.UserFactory(language="fr")
    IdeaFollow.objects.create(idea=world["idea"], user=follower)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
    close_with_answers(
        world,
        follow_up,
        satisfied=30,
        respondents=58,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    told = Notification.objects.filter(kind=Kind.FOLLOW_UP_RESULT)
    german = told.get(recipient=world["author"])
    assert german.title == "Ihre umgesetzte Idee „Lockers at stations“ wurde gemessen: eine Verbesserung"
    assert "Anteil Zufriedener von 31\u00a0% auf 52\u00a0% (n=64 → 58), p = 0,02 — eine Verbesserung" in german.body
    french = told.get(recipient=follower)
    assert french.title == "«\u00a0Lockers at stations\u00a0» a été mesurée\u00a0: une amélioration"
    assert "part de satisfaits de 31\u00a0% à 52\u00a0%" in french.body
    # The page, in French: the verdict and its explanation.
    with translation.override("fr"):
        summary = impact_selectors.follow_up_summaries_for([world["idea"].pk])[world["idea"].pk]
        assert str(summary.verdict_label) == "une amélioration"
        assert summary.lines[0].claim == "p = 0,02 — une amélioration"


def test_the_idea_page_panel_in_german(world, client_for, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
    close_with_answers(
        world,
        follow_up,
        satisfied=30,
        respondents=58,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    html = text_of(client_for(world["author"]).get(world["idea"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de"))
    assert "Ist die Aufgabe dadurch leichter geworden?" in html and "Nach der Umsetzung gemessen" in html
    assert "Did it make the job easier?" not in html and "Measured after implementation" not in html
    assert "satisfied share" not in html


def test_the_follow_up_closed_message_in_french(world, client_for, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = schedule(world)
        wave_close(wave_id=follow_up.wave_id)
    response = client_for(world["author"]).get(
        reverse("surveys:wave", kwargs={"wave_id": follow_up.wave_id}), HTTP_ACCEPT_LANGUAGE="fr", follow=True
    )
    html = text_of(response)
    assert "est close\u00a0: merci" in html and "has closed" not in html
