"""Issue 19 for the idea pages and attachments: requested in German or French, the idea list, an
idea's page (votes, following, comments, kudos, files), the idea form, the versions, withdrawal and
co-author pages, the attachments' refusals and the co-author invitation email speak the language;
numbers that machines read (ids, picture sizes, option values) are not localized."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from attachments import services as attachment_services
from attachments.content import FileRefused, human_size, inspect
from ideas import services as idea_services
from ideas.models import Kudos, Status
from tests import attachment_files as files
from tests import factories
from tests.attachment_files import attachments_on_disk_fixture  # noqa: F401 - autouse: files in the test's own folder

pytestmark = pytest.mark.django_db

# English texts of these templates that must not be left on a German or French page.
ENGLISH = [
    "Where it stands",
    "Post comment",
    "Follow this idea",
    "Pictures and documents",
    "Take my vote back",
    "Support and where it stands",
    "About this idea",
    "No comments yet",
    "Filter and sort ideas",
    "Show ideas",
    "Submit idea",
    "Save as draft",
    "Similar ideas",
    "Versions of this idea",
    "Back to the idea",
    "Withdraw your idea?",
    "Keep it",
    "Who writes it",
    "Send the invitation",
    "Reply",
    "Kudos",
    "follower",
    " support",
    "Attach pictures or documents",
    "Describe the pictures",
]

TEXTS = {
    "de": {
        "detail": [
            "Wo sie steht",
            "Das Problem",
            "Lösungsvorschlag",
            "Kommentar senden",
            "Bilder und Dokumente",
            "Anerkennung",
        ],
        "list": ["Ideen filtern und sortieren", "Ideen anzeigen", "0 Kommentare", "1 Idee"],
        "form": ["Eine Idee einreichen", "Als Entwurf speichern", "Bilder oder Dokumente anhängen", "Ähnliche Ideen"],
        "versions": ["Versionen dieser Idee", "Zurück zur Idee"],
        "withdraw": ["Ihre Idee zurückziehen?", "Behalten"],
        "coauthors": ["Wer sie schreibt", "Hauptautor(in)", "Per E-Mail einladen"],
        "mine": ["Meine Ideen", "Letzte Änderung"],
    },
    "fr": {
        "detail": [
            "Où elle en est",
            "Le problème",
            "Solution proposée",
            "Publier le commentaire",
            "Images et documents",
            "Bravo",
        ],
        "list": ["Filtrer et trier les idées", "Afficher les idées", "0 commentaire", "1 idée"],
        "form": [
            "Soumettre une idée",
            "Enregistrer comme brouillon",
            "Joindre des images ou des documents",
            "Idées similaires",
        ],
        "versions": ["Versions de cette idée", "Retour à l'idée"],
        "withdraw": ["Retirer votre idée\u00a0?", "La garder"],
        "coauthors": ["Qui l'écrit", "auteur principal", "Inviter par e-mail"],
        "mine": ["Mes idées", "Dernière modification"],
    },
}


def visible_text(html: str) -> str:
    """The page's text as a person reads it, with attribute values people read (labels, titles)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    said = " ".join(re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', html))
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"[ \t\r\n]+", " ", f"{text} {said}").replace("&#x27;", "'").replace("&nbsp;", "\u00a0")


@pytest.fixture
def story(client_for, customer, other_customer, open_challenge, django_capture_on_commit_callbacks):
    """An idea with a vote, a comment given kudos, a picture and a document, and two versions."""
    idea = factories.IdeaFactory(challenge=open_challenge, author=customer, title="Parcel lockers")
    comment = factories.CommentFactory(idea=idea, author=other_customer, body="I would use this.")
    Kudos.objects.create(comment=comment, user=customer)
    factories.VoteFactory(idea=idea, user=other_customer)
    idea_services.idea_version_record_unlocked(idea=idea, saved_by=customer, outcome_codes=[])
    with django_capture_on_commit_callbacks(execute=True):  # the thumbnail task, inline
        attachment_services.attachments_change(
            user=customer,
            idea=idea,
            add=[
                attachment_services.NewFile(
                    name="wall.png", inspected=inspect("wall.png", files.png()), alt_text="A wall"
                ),
                attachment_services.NewFile(name="plan.pdf", inspected=inspect("plan.pdf", files.pdf())),
            ],
            versions_seen=1,
        )
    return idea


def _pages(idea, open_challenge):
    return {
        "detail": idea.get_absolute_url(),
        "list": reverse("ideas:list"),
        "form": reverse("challenges:submit", args=[open_challenge.slug]),
        "versions": reverse("ideas:versions", args=[idea.pk]),
        "withdraw": reverse("ideas:withdraw", args=[idea.pk]),
        "coauthors": reverse("ideas:coauthors", args=[idea.pk]),
        "mine": reverse("ideas:mine"),
    }


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_idea_pages_speak_the_browsers_language(language, client_for, customer, story, open_challenge):
    client = client_for(customer)
    for name, url in _pages(story, open_challenge).items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        text = visible_text(html)
        for expected in TEXTS[language][name]:
            assert expected in text, (name, expected)
        left = [english for english in ENGLISH if english in text]
        assert not left, (name, left)
        # Ids and values machines read stay plain digits, whatever the language.
        assert not re.search(r'(?:value|width|height|id|href)="[^"]*\d[.,\u00a0]\d{3}\b', html), name


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_idea_page_for_a_visitor_and_its_card_numbers(language, client, story):
    html = client.get(story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    text = visible_text(html)
    expected = {
        "de": ["Zum Abstimmen anmelden", "Melden Sie sich an", "0 Personen folgen", "Kommentare (0)"],
        "fr": ["Connectez-vous pour voter", "Connectez-vous", "0 abonné", "Commentaires (0)"],
    }[language]
    for phrase in expected:
        assert phrase in text, phrase
    assert "Sign in to vote" not in text and "to comment" not in text
    picture = story.attachments.get(kind="image")
    assert f'width="{picture.width}" height="{picture.height}"' in html


def test_the_english_page_is_unchanged(client, story):
    text = visible_text(client.get(story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    for phrase in ["Where it stands", "Proposed solution", "Comments (0)", "Sign in to vote", "0 followers"]:
        assert phrase in text, phrase


@pytest.mark.parametrize(
    ("language", "refusal", "size"),
    [
        ("de", "ist eine Webseite oder eine SVG-Grafik", "2,5 MB"),
        ("fr", "est une page web ou un dessin SVG", "2,5\u00a0Mo"),
        ("en", "is a web page or an SVG drawing", "2.5 MB"),
    ],
)
def test_attachment_refusals_and_sizes_in_the_language(language, refusal, size):
    with translation.override(language):
        with pytest.raises(FileRefused) as refused:
            inspect("page.png", b"<html><script>alert(1)</script></html>")
        assert refusal in str(refused.value)
        assert human_size(5 * 1024 * 1024 // 2) == size


@pytest.mark.parametrize("language", ["de", "fr"])
def test_a_refused_upload_on_the_idea_form_says_why_in_the_language(language, client_for, customer, open_challenge):
    from django.core.files.uploadedfile import SimpleUploadedFile

    outcome = open_challenge.outcomes.order_by("code").first()
    data = {
        "title": "Parcel lockers at the station",
        "problem": "Nobody is home when the van comes.",
        "solution": "Lockers at every station.",
        "outcomes": [outcome.pk],
        "action": "draft",
        "attachments-files": [SimpleUploadedFile("photo.png", files.png(), content_type="image/png")],
    }
    response = client_for(customer).post(
        reverse("challenges:submit", args=[open_challenge.slug]), data, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    text = visible_text(response.content.decode())
    expected = {
        "de": ["Beschreiben Sie, was die Bilder zeigen", "Es wurde nichts gespeichert"],
        "fr": ["Décrivez ce que montrent les images", "Rien n'a été enregistré"],
    }[language]
    for phrase in expected:
        assert phrase in text, phrase
    assert "Nothing was saved" not in text and "Describe what the pictures show" not in text


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("de", ["Guten Tag,", "lädt Sie ein", "Einladung beantworten", "der Link gilt 14 Tage"]),
        ("fr", ["Bonjour,", "vous invite à co-écrire", "Répondre à l'invitation", "le lien est valable 14 jours"]),
    ],
)
def test_the_coauthor_invitation_email_in_the_recipients_language(language, phrases):
    idea = factories.IdeaFactory(title="Parcel lockers", status=Status.SUBMITTED)
    context = {"idea": idea, "inviter": "Ada", "invitation_url": "https://portal.example/i/x", "days": 14}
    with translation.override(language):
        html = render_to_string("ideas/email/coauthor_invitation.html", context)
        text = render_to_string("ideas/email/coauthor_invitation.txt", context)
    for phrase in phrases:
        if phrase != "Einladung beantworten" and phrase != "Répondre à l'invitation":
            assert phrase in text, phrase
        assert phrase in visible_text(html), phrase
    assert f'<html lang="{language}">' in html
    assert "invites you" not in html + text and "If you did not expect" not in html + text
