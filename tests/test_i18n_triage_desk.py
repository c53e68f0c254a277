"""The triage desk in German and French (issue 19): the queue, an idea's scorecard, the board, the gaps,
the status page with its reason, closing a challenge and the mentoring pages read in the staff member's
language, with none of the English texts marked for translation; numbers that are not read by people
(hidden inputs, ids in attributes) stay unlocalized; the overdue digest is written in the recipient's
language; messages and refusals are translated."""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from ideas.models import Status
from reviews import rules
from reviews.models import MentorAssignment, ReasonTemplate
from reviews.services import criteria_ensure_defaults, screening_save
from reviews.services.overdue import overdue_digest_send
from tests import factories
from tests.demand_data import member_in, scored_outcomes, votes

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:reviews_triageidea_changelist")


class _Text(HTMLParser):
    """What a person reads: the text outside script and style, and the attributes read aloud or shown."""

    READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        for name in self.READ_ATTRIBUTES & attrs.keys():
            self.parts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") == "submit":
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def assert_reads(text: str, *, present: list[str], absent: list[str]) -> None:
    for phrase in present:
        assert phrase in text, phrase
    for phrase in absent:
        assert phrase not in text, phrase


@pytest.fixture
def desk(triage, mentor):
    """A challenge in review with ideas at every step of the board, votes by segment, a scorecard, a mentor."""
    scored = scored_outcomes()
    outcomes = scored["outcomes"]
    challenge = factories.ChallengeFactory(
        title="Frische Lebensmittel", outcomes=[outcomes["NEED"], outcomes["MID"]], phase="review"
    )
    submitted = factories.IdeaFactory(challenge=challenge, title="Kühlboxen", outcomes=[outcomes["NEED"]])
    shortlisted = factories.IdeaFactory(
        challenge=challenge, title="Paketstationen", outcomes=[outcomes["MID"]], status=Status.SHORTLISTED
    )
    mentored = factories.IdeaFactory(
        challenge=challenge, title="Drohnen", outcomes=[outcomes["MID"]], status=Status.IN_MENTORING
    )
    MentorAssignment.objects.create(idea=mentored, mentor=mentor, assigned_by=triage)
    votes(submitted, [member_in(scored["segments"]["Customers"]) for _ in range(3)])
    criteria = criteria_ensure_defaults(challenge=challenge)
    screening_save(
        idea=shortlisted,
        screener=factories.TriageFactory(display_name="Sam Screener"),
        scores={c.pk: (4, "") for c in criteria},
        notes="",
    )
    ReasonTemplate.objects.create(to_status=Status.UNDER_REVIEW, title="Gelesen", text="Wir schauen sie uns an.")
    return {"challenge": challenge, "submitted": submitted, "shortlisted": shortlisted, "mentored": mentored}


# --- the queue ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "present"),
    [
        ("de", ["Sichtungsliste", "Was die Kennzahlen bedeuten", "Status · Antwort", "Stimmen · Zustimmung", "Tafel"]),
        ("fr", ["File de tri", "Ce que signifient les chiffres", "Statut · réponse", "Votes · soutien", "Tableau"]),
    ],
)
def test_queue_reads_in_the_staff_language(client_for, triage, desk, language, present):
    response = client_for(triage).get(QUEUE_URL, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert_reads(
        page_text(response),
        present=present,
        absent=[
            "Triage queue",
            "What the figures mean",
            "Funnel board",
            "author's track record",
            "extremely underserved (overall",
            "Search by title",
            "answer overdue",
            "demand against need",
            " support",
            " screener",
        ],
    )


def test_queue_filters_and_columns_in_german(client_for, triage, desk):
    response = client_for(triage).get(QUEUE_URL, {"submitted": "2026-01-01..2026-03-31"}, HTTP_ACCEPT_LANGUAGE="de")
    text = page_text(response)
    assert_reads(
        text,
        present=["Antwort überfällig", "Ja: zugesagte Antwortzeit überschritten", "01 Jan 2026 – 31 Mär 2026"],
        absent=["Yes: past the promised answer time", "Not yet", "Answered in time", "Either flag", " Mar 2026"],
    )


# --- an idea's scorecard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "present", "decimal"),
    [
        ("de", ["Ihr Bewertungsbogen", "Speichern und weiter", "Nachfrage gegenüber Bedarf", "Gesamtnotizen"], "4,0"),
        (
            "fr",
            ["Votre grille d'évaluation", "Enregistrer et suivante", "Demande face au besoin", "Notes générales"],
            "4,0",
        ),
    ],
)
def test_scorecard_reads_in_the_staff_language(client_for, triage, desk, language, present, decimal):
    idea = desk["shortlisted"]
    url = reverse("admin:reviews_triageidea_scorecard", args=[idea.pk])
    response = client_for(triage).get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    text = page_text(response)
    assert_reads(
        text,
        present=[*present, decimal],
        absent=[
            "Your scorecard",
            "Save and next",
            "Other screeners",
            "Screening score",
            "Overall notes",
            "Back to the queue",
            "Outcomes it addresses",
            "Demand against need",
            "of 5",
            "up votes",
        ],
    )


def test_scorecard_of_a_submitted_idea_in_french_keeps_its_hidden_position_unlocalized(client_for, triage, desk):
    idea = desk["submitted"]
    url = reverse("admin:reviews_triageidea_scorecard", args=[idea.pk])
    response = client_for(triage).get(url, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert re.search(r'name="queue_position" value="\d+"', html)
    assert_reads(
        page_text(response),
        present=["Dire à l'auteur que l'idée est en cours d'examen", "Votes par segment des votants"],
        absent=["Tell the author it is under review", "No segment", "(overall scores)", "Votes by the voters"],
    )


def test_saving_a_scorecard_answers_in_german(client_for, triage, desk):
    idea = desk["submitted"]
    criteria = criteria_ensure_defaults(challenge=idea.challenge)
    url = reverse("admin:reviews_triageidea_scorecard", args=[idea.pk])
    client = client_for(triage)
    incomplete = client.post(url, {"save": "1"}, HTTP_ACCEPT_LANGUAGE="de")
    assert f"Bewerten Sie „{criteria[0].name}“ von 1 bis 5." in incomplete.content.decode()
    data = {f"score_{c.pk}": "3" for c in criteria} | {"save": "1", "acknowledge": "on"}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="de", follow=True)
    assert (
        f"Ihr Bewertungsbogen zu „{idea.title}“ wurde gespeichert; die Autorin bzw. der Autor erfährt, "
        "dass die Idee in Prüfung ist." in page_text(response)
    )


# --- the board, the gaps, the status page ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "present"),
    [
        ("de", ["Tafel: Frische Lebensmittel", "Verschieben nach …", "Markierte Ideen zuerst", "Was die Markierungen"]),
        ("fr", ["Tableau : Frische Lebensmittel", "Déplacer vers…", "Idées signalées d'abord", "Ce que signifient"]),
    ],
)
def test_board_reads_in_the_staff_language(client_for, triage, desk, language, present):
    challenge = desk["challenge"]
    response = client_for(triage).get(
        reverse("admin:reviews_board", args=[challenge.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    text = page_text(response)
    assert_reads(
        text,
        present=present,
        absent=[
            "Move to…",
            "Open its board",
            "its ideas in the queue",
            "What the flags mean",
            "Flagged ideas first",
            "Every idea",
            "Up and down votes",
            "Screening score, staff only",
            "in all: see them",
            "of 5",
            "not screened",
        ],
    )
    # Numbers that are not read stay as code writes them: the option values and the cards' ids.
    html = response.content.decode()
    assert f'value="{challenge.pk}"' in html
    assert f'data-testid="card-{desk["submitted"].pk}"' in html


def test_gaps_read_in_german(client_for, triage, desk):
    challenge = desk["challenge"]
    response = client_for(triage).get(reverse("admin:reviews_gaps", args=[challenge.pk]), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert_reads(
        page_text(response),
        present=["Lücken: Frische Lebensmittel", "Lücke: keine starke Idee", "Nachfolge-Challenge starten"],
        absent=["Gap: no strong idea", "Start a follow-up challenge", "What next", "Rows are the outcomes"],
    )


def test_status_page_and_its_reason_read_in_french(client_for, triage, desk):
    idea = desk["submitted"]
    url = reverse("admin:ideas_idea_change_status", args=[idea.pk])
    response = client_for(triage).get(url, {"to": Status.UNDER_REVIEW}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert_reads(
        page_text(response),
        present=["Changer le statut", "Le statut de cette idée avance d'une étape", "Non, revenir en arrière"],
        absent=["The status of this idea", "Status now", "No, take me back", "The author is emailed your reason"],
    )


def test_close_challenge_page_reads_in_german(client_for, triage, desk):
    challenge = desk["challenge"]
    url = reverse("admin:reviews_challenge_close", args=[challenge.pk])
    response = client_for(triage).get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert_reads(
        page_text(response),
        present=["„Frische Lebensmittel“ abschließen", "Alle beantworten und die Challenge abschließen", "Begründung"],
        absent=["Answer them all and close the challenge", "Before it closes", "Reason template", "Status now"],
    )


# --- mentoring, refusals, the digest --------------------------------------------------------------


def test_mentor_pages_read_in_french(client_for, mentor, desk):
    client = client_for(mentor)
    ideas = client.get(reverse("reviews:mentor_ideas"), HTTP_ACCEPT_LANGUAGE="fr")
    assert_reads(
        page_text(ideas),
        present=["Idées que vous accompagnez", "Dernière activité"],
        absent=["Ideas you mentor", "Last activity", "Your review"],
    )
    idea = client.get(reverse("reviews:mentor_idea", args=[desk["mentored"].pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert_reads(
        page_text(idea),
        present=["Votre avis", "Demander une révision", "Désirabilité", "Que doit réviser l'auteur ?"],
        absent=["Your review", "Request a revision", "Desirability", "What should the author revise?"],
    )


def test_refusals_are_translated(desk, customer):
    with translation.override("de"):
        assert rules.screening_refusal(customer, desk["submitted"]) == "Nur das Sichtungsteam kann Ideen bewerten."
    with translation.override("fr"):
        assert rules.thread_post_refusal(customer, desk["mentored"]) == (
            "Seuls les auteurs de l'idée, le mentor et l'équipe peuvent écrire dans cette discussion privée."
        )


def test_overdue_digest_is_written_in_the_recipients_language(desk, settings):
    challenge = desk["challenge"]
    challenge.answer_within_days = 2
    challenge.save(update_fields=["answer_within_days"])
    desk["submitted"].submitted_at = timezone.now() - timezone.timedelta(days=5)
    desk["submitted"].save(update_fields=["submitted_at"])
    reader = factories.TriageFactory(display_name="Théo Tri", language="fr")
    with translation.override("de"):  # the request or task around it does not choose the language
        assert overdue_digest_send(user_id=reader.pk)
    message = mail.outbox[-1]
    assert message.subject.endswith("1 idée en retard pour une première réponse")
    assert "Bonjour Théo Tri," in message.body
    assert "réponse sous 2 jours" in message.body
    assert "jours de retard" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="fr">' in html
    assert "Y répondre dans la file de tri" in html
    assert "overdue" not in message.body.replace("overdue=yes", "")
