"""Notifications, their emails and digests, the API's errors and the webhooks in German and French.

Emails are written in the recipient's language (``accounts.language.language_for``), never in the
language of the member whose act caused them; the API's messages follow the request's language while
its codes stay; webhook payloads stay in English whoever caused the event.
"""

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ideas.models import Status
from ideas.services import idea_status_change
from notifications.models import Delivery, Notification, OutboxEvent
from notifications.services import digest_send, outbox_event_process, preference_set, unsubscribe_url
from notifications.views import PER_PAGE
from tests import factories
from tests.api_clients import send
from tests.notification_kinds import Kind
from webhooks import services as webhook_services
from webhooks.events import EventType
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

# The English words of the notifications' chrome: none may be left in a German or French page or email.
ENGLISH = ["Hello", "Unsubscribe from these emails", "Stop these emails", "Your idea", "was shortlisted", "Open it"]


def status_change_in_a_request(idea, actor, language, captured):
    """The actor shortlists the idea through the API, in a request in ``language``."""
    client = Client()
    client.force_login(actor)
    with captured(execute=True):
        response = send(
            client,
            "post",
            f"/api/v1/ideas/{idea.pk}/status/",
            {"to_status": "shortlisted", "expected_status": "submitted", "reason": "Fits the brief."},
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert response.status_code == 201, response.content
    translation.activate("en")  # the test's own language again (a request leaves its language active)


@pytest.mark.parametrize(
    ("author_language", "actor_language", "expected", "not_expected"),
    [
        (
            "de",
            "fr",
            ["Ihre Idee „Lockers at stations“ ist in die engere Wahl gekommen", "Hallo Cora Customer,", "abbestellen"],
            ["Votre idée", "Bonjour", *ENGLISH],
        ),
        (
            "fr",
            "de",
            [
                "Votre idée «\u00a0Lockers at stations\u00a0» a été présélectionnée",
                "Bonjour Cora Customer,",
                "ces e-mails",
            ],
            ["Ihre Idee", "Hallo", *ENGLISH],
        ),
        (
            "en",
            "fr",
            [
                "Your idea “Lockers at stations” was shortlisted",
                "Hello Cora Customer,",
            ],
            ["Votre idée", "Bonjour", "Ihre Idee", "Hallo"],
        ),
    ],
)
def test_the_email_is_in_the_recipients_language_not_the_actors(
    django_capture_on_commit_callbacks, idea, author_language, actor_language, expected, not_expected
):
    idea.author.language = author_language
    idea.author.save(update_fields=["language"])
    actor = factories.TriageFactory(display_name="Tess Triage", language=actor_language)

    status_change_in_a_request(idea, actor, actor_language, django_capture_on_commit_callbacks)

    [email] = [m for m in mail.outbox if idea.author.email in m.to]
    html = email.alternatives[0][0]

    def plain(text):  # the email's plain text turns French non-breaking spaces into spaces
        return text.replace("\u00a0", " ")

    expected = [plain(phrase) for phrase in expected]
    assert plain(email.subject).endswith(expected[0])
    for text in (plain(email.body), plain(html)):
        for phrase in expected:
            assert phrase in text, (phrase, text)
        for phrase in not_expected:
            assert phrase not in text, (phrase, text)
    assert f'<html lang="{author_language}">' in html
    # The in-app notification is in the recipient's language too (the recipient reads it).
    assert plain(Notification.objects.get(recipient=idea.author).title) == expected[0]


def test_each_recipient_of_one_event_reads_it_in_their_own_language(django_capture_on_commit_callbacks, idea):
    """The author (German) and a follower (French) of one idea, the actor English."""
    from ideas.models import IdeaFollow

    idea.author.language = "de"
    idea.author.save(update_fields=["language"])
    follower = factories.UserFactory(display_name="Fran Follower", language="fr")
    IdeaFollow.objects.create(idea=idea, user=follower)
    preference_set(user=follower, kind=Kind.STATUS_CHANGED, delivery=Delivery.IMMEDIATELY)
    status_change_in_a_request(idea, factories.TriageFactory(), "en", django_capture_on_commit_callbacks)

    by_recipient = {n.recipient_id: n.title for n in Notification.objects.all()}
    assert by_recipient[idea.author.pk] == "Ihre Idee „Lockers at stations“ ist in die engere Wahl gekommen"
    assert by_recipient[follower.pk] == "L'idée «\u00a0Lockers at stations\u00a0» a été présélectionnée"
    [to_follower] = [m for m in mail.outbox if follower.email in m.to]
    assert "Bonjour Fran Follower," in to_follower.body and "Hello" not in to_follower.body


def test_the_digest_is_in_the_recipients_language(idea, triage):
    member = factories.UserFactory(display_name="Dora Digest", language="de")
    preference_set(user=member, kind=Kind.MY_IDEA_STATUS, delivery=Delivery.DAILY)
    for n in range(2):
        Notification.objects.create(
            recipient=member,
            kind=Kind.MY_IDEA_STATUS,
            event_key=f"e{n}",
            title=f"Titel {n}",
            url="/ideas/",
            delivery=Delivery.DAILY,
        )
    with translation.override("fr"):  # whatever language the worker happens to run in
        assert digest_send(user_id=member.pk) == 2
    [email] = mail.outbox
    assert email.subject.endswith("Ihre tägliche Zusammenfassung: 2 Benachrichtigungen")
    assert "Hallo Dora Digest," in email.body and "Das ist seit Ihrer letzten Zusammenfassung passiert:" in email.body
    html = email.alternatives[0][0]
    assert "Alle Ihre Benachrichtigungen" in html
    for text in (email.body, html):
        assert "Hello" not in text and "What happened" not in text and "Stop emails of a kind" not in text


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        ("de", ["Abbestellen", "Keine E-Mails zu"], ["Unsubscribe", "Stop emails about"]),
        ("fr", ["Se désinscrire", "Ne plus envoyer d'e-mails sur"], ["Unsubscribe", "Stop emails about"]),
    ],
)
def test_the_unsubscribe_page_in_german_and_french(client, customer, language, expected, english):
    url = unsubscribe_url(user_id=customer.pk, kind=Kind.COMMENT_ON_IDEA)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    for phrase in expected:
        assert phrase in main
    for phrase in english:
        assert phrase not in main
    done = client.post(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert ("Erledigt" if language == "de" else "C'est fait") in done
    bad_url = reverse("notifications:unsubscribe", args=["not-a-token"])
    invalid = client.get(bad_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert ("Dieser Abmeldelink ist ungültig" if language == "de" else "Ce lien de désinscription") in invalid


def test_the_notifications_and_preferences_pages_in_german(client, customer):
    for n in range(PER_PAGE + 1):
        Notification.objects.create(recipient=customer, kind=Kind.MY_IDEA_STATUS, event_key=f"n{n}", title="Titel")
    client.force_login(customer)
    page = client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    for phrase in ["Benachrichtigungen", "Alle als gelesen markieren", "Ungelesen", "Seite 1 von 2", "Ältere"]:
        assert phrase in main, phrase
    for phrase in ["Mark all read", "Unread", "Page 1 of", "Older"]:
        assert phrase not in main, phrase
    bell = page.split('data-testid="notif-menu"', 1)[1].split("</details>", 1)[0]
    assert "21 ungelesene Benachrichtigungen" in bell and "unread notifications" not in bell
    prefs = client.get(reverse("notifications:preferences"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    main = prefs.split("<main", 1)[-1].split("</main>", 1)[0]
    for phrase in ["Préférences d'e-mail", "Immédiatement", "Résumé quotidien", "Enregistrer les préférences"]:
        assert phrase in main, phrase
    for phrase in ["Email preferences", "At once", "Daily digest", "Save preferences"]:
        assert phrase not in main, phrase
    response = client.post(reverse("notifications:read_all"), HTTP_ACCEPT_LANGUAGE="de", follow=True)
    assert "21 Benachrichtigungen als gelesen markiert." in response.content.decode()


def test_the_api_tokens_page_in_french(client, customer):
    client.force_login(customer)
    client.post(reverse("api_tokens:list"), {"name": "CRM", "scopes": ["read"], "expires": "30"})
    page = client.get(reverse("api_tokens:list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    for phrase in ["Jetons d'API", "Vos jetons", "Créer un jeton", "Portées", "Dans 30 jours", "Révoquer"]:
        assert phrase in main, phrase
    for phrase in ["Your tokens", "Create a token", "Starts with", "In 30 days", "Never"]:
        assert phrase not in main, phrase


@pytest.mark.parametrize(
    ("language", "message"),
    [("de", "Diese Idee gibt es nicht."), ("fr", "Cette idée n'existe pas."), ("en", "No such idea.")],
)
def test_the_apis_messages_follow_the_request_but_its_codes_stay(client, language, message):
    response = client.get("/api/v1/ideas/987654/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": message}}


def test_an_api_refusal_in_german_keeps_its_code(client):
    response = send(client, "post", "/api/v1/ideas/", {"title": "x"}, HTTP_ACCEPT_LANGUAGE="de")
    body = response.json()
    assert response.status_code == 401 and body["error"]["code"] == "not_authenticated"
    assert body["error"]["message"].startswith("Melden Sie sich an")


def test_webhook_payloads_stay_in_english_whoever_caused_the_event(django_capture_on_commit_callbacks, idea, triage):
    endpoint = WebhookEndpoint.objects.create(
        name="Receiver", url="https://hooks.example.com/x", event_types=[str(EventType.IDEA_STATUS_CHANGED)]
    )
    with django_capture_on_commit_callbacks(execute=False):
        change = idea_status_change(
            idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Gut.", expected_status=Status.SUBMITTED
        )
    event = OutboxEvent.objects.get(event_key=f"status_changed:{change.pk}")
    with translation.override("de"), django_capture_on_commit_callbacks(execute=False):
        assert webhook_services.deliveries_create_for_event(event) == 1
    body = json.loads(WebhookDelivery.objects.get(endpoint=endpoint).body)
    text = json.dumps(body, ensure_ascii=False)
    assert "shortlisted" in text and "engere Wahl" not in text and "Auswahlliste" not in text


def test_outbox_processing_in_a_french_worker_writes_english_for_an_english_member(
    django_capture_on_commit_callbacks, idea, triage
):
    with django_capture_on_commit_callbacks(execute=False):
        change = idea_status_change(
            idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Ok.", expected_status=Status.SUBMITTED
        )
    event = OutboxEvent.objects.get(event_key=f"status_changed:{change.pk}")
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=False):
        outbox_event_process(event_id=event.pk)
    assert Notification.objects.get(recipient=idea.author).title == "Your idea “Lockers at stations” was shortlisted"
