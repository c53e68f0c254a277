"""Challenges, the innovator pool and reputation in German and French (issue 19): pages, emails,
notifications and the admin speak the reader's language; what members and staff wrote stays as
written; a challenge states its language, shown to readers in theirs and marked with ``lang``."""

import html as html_lib
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from challenges import notification_kinds
from challenges.models import Challenge, ChallengeFollow
from challenges.notifications import challenge_invitation_send
from challenges.phases import Phase
from challenges.services import challenge_invite_emails
from innovators.models import Questionnaire, QuestionnaireItem
from notifications import registry
from tests import factories

pytestmark = pytest.mark.django_db


def page(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def visible_text(html: str) -> str:
    """The page's text without tags, scripts or styles, for "no English left" checks."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


CHALLENGE_PAGE_ENGLISH = [
    "The challenge",
    "What you should know about us",
    "Most supported ideas",
    "Submit an idea",
    "How ideas are selected",
    "Timeline",
    "We answer every idea within",
    "All ideas for this challenge",
]


@pytest.mark.parametrize(
    "language, expected",
    [
        ("de", ["Die Challenge", "Was Sie über uns wissen sollten", "Zeitplan", "Wie Ideen ausgewählt werden"]),
        ("fr", ["Le défi", "Ce que vous devez savoir sur nous", "Calendrier", "Comment les idées sont sélectionnées"]),
    ],
)
def test_the_challenge_page_speaks_the_readers_language(client, customer, open_challenge, language, expected):
    factories.IdeaFactory(challenge=open_challenge, author=customer, title="Lockers at stations")
    open_challenge.criteria.create(name="Pain-point fit", weight=40)
    client.force_login(customer)
    html = page(client, open_challenge.get_absolute_url(), language)
    text = visible_text(html)
    for words in expected:
        assert words in text, words
    for english in CHALLENGE_PAGE_ENGLISH:
        assert english not in text, english
    # What members and staff wrote stays as written.
    assert open_challenge.title in text and "Lockers at stations" in text and "Pain-point fit" in text


@pytest.mark.parametrize(
    "language, expected, english",
    [
        ("de", ["Challenges", "Es gibt noch keine Challenges."], "There are no challenges yet."),
        ("fr", ["Défis", "Il n'y a pas encore de défis."], "There are no challenges yet."),
    ],
)
def test_the_empty_challenge_list_in_german_and_french(client, language, expected, english):
    text = visible_text(page(client, reverse("challenges:list"), language))
    for words in expected:
        assert words in text
    assert english not in text


def test_a_challenge_card_counts_ideas_in_the_readers_language(client, customer, open_challenge):
    factories.IdeaFactory(challenge=open_challenge, author=customer)
    text = visible_text(page(client, reverse("challenges:list"), "fr"))
    assert "1 idée" in text and "Prix" in text
    assert "1 idea" not in text and "ideas until" not in text


# --- A challenge states its language ------------------------------------------------------------


def test_a_challenge_without_a_language_says_nothing_and_marks_nothing(client, open_challenge):
    html = page(client, open_challenge.get_absolute_url(), "en")
    assert 'data-testid="challenge-language"' not in html
    # Nothing in the page's content says another language (the footer's switcher names each language
    # in itself, with its lang).
    assert "<h1>" in html and " lang=" not in html.split("<body", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize(
    "reader, badge",
    [
        ("en", "Ideas in this challenge are written in German"),
        ("de", "Die Ideen dieser Challenge werden auf Deutsch geschrieben"),
        ("fr", "Les idées de ce défi sont écrites en allemand"),
    ],
)
def test_a_challenge_states_its_language_in_the_readers_language(client, open_challenge, reader, badge):
    open_challenge.language = "de"
    open_challenge.save(update_fields=["language"])
    html = page(client, open_challenge.get_absolute_url(), reader)
    assert badge in visible_text(html)
    # The challenge's own text is marked with its language, the page's words are not.
    assert f'<h1 lang="de">{open_challenge.title}</h1>' in html
    assert '<div class="prose" lang="de">' in html


def test_the_challenge_list_marks_a_stated_language(client, open_challenge):
    open_challenge.language = "fr"
    open_challenge.save(update_fields=["language"])
    html = page(client, reverse("challenges:list"), "de")
    assert '<h3 lang="fr">' in html
    assert "Französisch" in visible_text(html)


def test_the_language_is_edited_in_the_challenge_admin(client, triage, open_challenge):
    client.force_login(triage)
    url = reverse("admin:challenges_challenge_change", args=[open_challenge.pk])
    html = page(client, url, "de")
    assert 'name="language"' in html
    assert "Sprache" in html and "Zeitplan" in html
    assert "Leave empty for the site's language." not in html


def test_a_language_outside_the_portals_is_refused(open_challenge):
    from django.core.exceptions import ValidationError

    open_challenge.language = "it"
    with pytest.raises(ValidationError):
        open_challenge.full_clean()


# --- Emails and notifications in the recipient's language ------------------------------------


def test_an_invitation_email_is_written_in_the_invited_members_language(triage, settings):
    settings.SITE_URL = "https://ideas.example.com"
    challenge = factories.ChallengeFactory(title="Schnellere Lieferung", visibility=Challenge.Visibility.INVITE_ONLY)
    factories.UserFactory(email="claire@example.com", language="fr")
    with translation.override("de"):  # the inviting staff member's language must not leak in
        result = challenge_invite_emails(challenge=challenge, emails=["claire@example.com"], invited_by=triage)
    # The send is queued on commit (never, in a test's transaction): send it as the task would.
    assert challenge_invitation_send(invitation_id=result.invited[0].pk)
    [message] = mail.outbox
    assert "Vous êtes invité au défi privé «\u00a0Schnellere Lieferung\u00a0»" in message.subject
    assert "Rejoignez-le ici" in message.body and "Join it here" not in message.body
    html = message.alternatives[0][0]
    assert '<html lang="fr">' in html and "Rejoindre le défi" in html and "Join the challenge" not in html


def test_an_invitation_to_an_address_without_account_follows_the_challenges_language(triage):
    challenge = factories.ChallengeFactory(title="Faster checkout", language="de")
    result = challenge_invite_emails(challenge=challenge, emails=["nobody@example.com"], invited_by=triage)
    assert challenge_invitation_send(invitation_id=result.invited[0].pk)
    [message] = mail.outbox
    assert "Sie sind zur Challenge „Faster checkout“ eingeladen" in message.subject


def test_a_phase_change_is_told_to_each_follower_in_their_language(open_challenge):
    german = factories.UserFactory(language="de")
    french = factories.UserFactory(language="fr")
    english = factories.UserFactory()
    for user in (german, french, english):
        ChallengeFollow.objects.create(challenge=open_challenge, user=user)
    payload = {"challenge_id": open_challenge.pk, "from_phase": Phase.DRAFT, "to_phase": Phase.REVIEW}
    titles = {d.recipient.pk: d.title for d in registry.get(notification_kinds.PHASE_CHANGED).recipients(payload)}
    title = open_challenge.title
    assert titles[german.pk] == f"„{title}“ nimmt keine neuen Ideen mehr an: Das Team prüft sie"
    assert titles[french.pk] == f"«\u00a0{title}\u00a0» n'accepte plus de nouvelles idées\u00a0: l'équipe les examine"
    assert titles[english.pk] == f"“{title}” is closed for new ideas: the team is reviewing them"


def test_refusals_and_messages_follow_the_language(client, customer, open_challenge):
    open_challenge.phase = Phase.REVIEW
    open_challenge.save(update_fields=["phase"])
    client.force_login(customer)
    text = visible_text(page(client, open_challenge.get_absolute_url(), "de"))
    assert "Diese Challenge nimmt keine Ideen an: Sie ist in Prüfung." in text
    assert "not taking ideas" not in text
    response = client.post(
        reverse("ideas:challenge_follow", args=[open_challenge.slug]),
        {"action": "follow", "next": open_challenge.get_absolute_url()},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    assert "Vous suivez ce défi." in response.content.decode()


# --- Reputation and the innovator pool ------------------------------------------------------


@pytest.mark.parametrize(
    "language, expected, english",
    [
        (
            "de",
            ["Reputationspunkte", "Neuling", "Mitwirkende(r)", "Lead-Innovator(in)", "Idee eingereicht"],
            "newcomer",
        ),
        ("fr", ["Points de réputation", "Nouveau venu", "Innovateur principal", "Idée soumise"], "Lead innovator"),
    ],
)
def test_the_points_page_names_tiers_and_awards_in_the_readers_language(client, language, expected, english):
    text = visible_text(page(client, reverse("reputation:points"), language))
    for words in expected:
        assert words in text, words
    assert english.lower() not in text.lower() and "What earns points" not in text


def test_the_leaderboard_and_its_tier_badges_in_german(client, customer, open_challenge):
    factories.IdeaFactory(challenge=open_challenge, author=customer)  # submission points
    text = visible_text(page(client, reverse("reputation:leaderboard"), "de"))
    assert "Bestenliste" in text and "Letzte 90 Tage" in text and "alle Challenges" in text
    main = text.split("Bestenliste", 1)[1]  # the page, after the menu (the site's frame is translated elsewhere)
    for english in ["Leaderboard:", "Last 90 days", "Rank", "Nobody has earned points", "Points count when"]:
        assert english not in main, english


def test_a_bad_leaderboard_period_is_refused_in_french(client):
    response = client.get(reverse("reputation:leaderboard"), {"period": "forever"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    text = visible_text(response.content.decode())
    assert "Choisissez l'une des périodes de la liste." in text
    assert "Choose one of the periods listed." not in text


def test_the_questionnaire_in_french_keeps_the_staffs_statements_and_its_numbers(client, customer):
    questionnaire = Questionnaire.objects.create(title="Comment vous trouvez des idées", is_open=True)
    QuestionnaireItem.objects.create(questionnaire=questionnaire, text="I often tinker.", weight=1.5, position=1)
    client.force_login(customer)
    html = page(client, reverse("innovators:questionnaire"), "fr")
    text = visible_text(html)
    assert "Envoyer mes réponses" in text and "pas du tout moi" in text and "I often tinker." in text
    assert "Send my answers" not in text and "not at all like me" not in text
    # The radios' values are numbers for the form, never localized.
    assert re.search(r'type="radio" name="item_\d+" value="7"', html)


def test_the_innovator_pool_admin_in_german(client, triage, customer):
    client.force_login(triage)
    text = visible_text(page(client, reverse("admin:innovators_innovator_changelist"), "de"))
    assert (
        "Stufe" in text and "Letzte Aktivität" in text and "Neuling" in text and "Nach Name oder E-Mail suchen." in text
    )
    assert "Last activity" not in text and "newcomer" not in text and "Search by name or email." not in text
