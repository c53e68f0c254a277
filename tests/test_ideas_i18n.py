"""Issue 19 (the ideas app's part): its refusals, messages, forms, admin pages and notifications
speak German and French, whole sentences per status or phase, numbers written the language's way,
and the catalogues hold a translation for every string of ideas/."""

import pytest
from django.urls import reverse
from django.utils import translation

from challenges.models import Challenge
from core.funnel import STATUS_SENTENCES, status_title, your_idea_status_title
from ideas import rules, services
from ideas.forms import IdeaForm
from ideas.models import IdeaFollow, Status, StatusChange
from ideas.services.errors import STALE_DECISION_MESSAGES, status_in_sentence
from notifications.models import Notification, OutboxEvent
from notifications.services import outbox_event_process
from tests.factories import PASSWORD, CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_unless_told():
    """A request in German or French leaves its language active in the thread: start each test in English."""
    with translation.override("en"):
        yield


def _process_outbox():
    for event in OutboxEvent.objects.filter(processed_at__isnull=True).order_by("pk"):
        outbox_event_process(event_id=event.pk)


# --- the catalogues ------------------------------------------------------------------------------


# (Every entry of the catalogues is translated and none is fuzzy: CI's step d4, .ci/i18n_check.py.)


# --- refusals: one whole sentence per status and phase -------------------------------------------


def test_every_status_has_its_sentences_and_the_english_is_unchanged():
    for status in Status:
        assert str(STALE_DECISION_MESSAGES[status]) == (
            f"This idea changed since you opened it: it is now {status.label.lower()}."
        )
        assert status_in_sentence(status) == status.label.lower()
        sentence = STATUS_SENTENCES[status]
        assert status_title(status, idea="Lockers") == f"“Lockers” {sentence}"
        assert your_idea_status_title(status, idea="Lockers") == f"Your idea “Lockers” {sentence}"
    for phase in Challenge.Phase:
        label = phase.label.lower()
        assert str(rules.VOTING_CLOSED_BY_PHASE[phase]) == f"Voting is closed: the challenge is {label}."
        assert str(rules.EDIT_CLOSED_BY_PHASE[phase]) == f"This idea can no longer be edited: the challenge is {label}."


def test_vote_refusals_in_german_and_french(idea, customer):
    closed = IdeaFactory(challenge__phase=Challenge.Phase.CLOSED)
    with translation.override("de"):
        assert rules.vote_refusal(customer, idea) == "Sie können nicht für Ihre eigene Idee abstimmen."
        assert rules.vote_refusal(customer, closed) == (
            "Die Abstimmung ist geschlossen: Die Challenge ist abgeschlossen."
        )
        assert services.stale_decision_message(Status.SHORTLISTED) == (
            "Diese Idee hat sich geändert, seit Sie sie geöffnet haben: Sie ist jetzt in die engere Wahl gekommen."
        )
    with translation.override("fr"):
        assert rules.vote_refusal(customer, idea) == "Vous ne pouvez pas voter pour votre propre idée."
        assert rules.vote_refusal(customer, closed) == "Le vote est fermé\u00a0: le défi est clos."
    assert rules.vote_refusal(customer, idea) == "You cannot vote on your own idea."


def test_submission_gaps_are_whole_sentences_in_each_language():
    with translation.override("de"):
        gaps = rules.submission_gaps(problem="", solution="short", outcomes_count=0)
        assert gaps["problem"] == "Beschreiben Sie das Problem: mindestens 20 Zeichen zum Einreichen."
        assert "(er hat 5)" in gaps["solution"]
        assert rules.submission_gaps_message(gaps).startswith(
            "Noch nicht eingereicht: Ergänzen Sie zuerst das Problem, den Lösungsvorschlag und ein Ergebnis, "
            "auf das sie zielt."
        )
    gaps = rules.submission_gaps(problem="", solution="short", outcomes_count=0)
    assert rules.submission_gaps_named(gaps) == "the problem, the proposed solution and an outcome it addresses"


def test_numbers_in_refusals_follow_the_language(idea, customer):
    with translation.override("de"), pytest.raises(services.CommentNotAllowed) as refused:
        services.comment_create(author=customer, idea=idea, body="x" * 5001)
    assert str(refused.value) == "Ein Kommentar darf höchstens 5.000 Zeichen lang sein."
    with translation.override("fr"), pytest.raises(services.CommentNotAllowed) as refused:
        services.comment_create(author=customer, idea=idea, body="x" * 5001)
    assert "5\u202f000" in str(refused.value) or "5\u00a0000" in str(refused.value) or "5 000" in str(refused.value)
    with pytest.raises(services.CommentNotAllowed) as refused:
        services.comment_create(author=customer, idea=idea, body="x" * 5001)
    assert str(refused.value) == "A comment can be at most 5,000 characters long."


# --- forms ---------------------------------------------------------------------------------------


def test_the_idea_form_speaks_german(open_challenge):
    with translation.override("de"):
        form = IdeaForm(data={"title": "ab"}, challenge=open_challenge, complete=True)
        assert not form.is_valid()
        assert form.fields["title"].label == "Titel"
        assert form.fields["problem"].label == "Das Problem"
        assert "mindestens 5 und höchstens 120 Zeichen" in str(form.fields["title"].help_text)
        assert form.errors["title"] == ["Schreiben Sie etwas mehr: Der Titel braucht mindestens 5 Zeichen."]
        assert form.errors["problem"] == ["Beschreiben Sie das Problem: mindestens 20 Zeichen zum Einreichen."]
        assert form.non_field_errors()[0].startswith("Noch nicht eingereicht: Ergänzen Sie zuerst")


# --- pages: the member's request in German and French --------------------------------------------


def test_a_refused_vote_is_told_in_the_browsers_language(client, idea, customer):
    client.login(username=customer.username, password=PASSWORD)
    url = reverse("ideas:vote", args=[idea.pk])
    page = client.post(url, {"value": "up"}, follow=True, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Vous ne pouvez pas voter pour votre propre idée." in page
    assert "You cannot vote on your own idea." not in page
    page = client.post(url, {"value": "up"}, follow=True, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Sie können nicht für Ihre eigene Idee abstimmen." in page


def test_a_member_chosen_language_wins_over_the_browser(client, idea):
    voter = UserFactory(language="de")
    client.login(username=voter.username, password=PASSWORD)
    page = client.post(
        reverse("ideas:vote", args=[idea.pk]), {"value": "up"}, follow=True, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Ihre Stimme ist gezählt." in page and "Your vote is counted." not in page


def test_comment_messages_in_german(client, idea):
    member = UserFactory()
    client.login(username=member.username, password=PASSWORD)
    page = client.post(
        reverse("ideas:comment", args=[idea.pk]), {"body": "Gute Idee."}, follow=True, HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "Ihr Kommentar ist veröffentlicht." in page and "Your comment is posted." not in page


# --- the admin's idea pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        ("de", ["Status ändern…", "Ideenportal — Team", "Idee zur Änderung auswählen"], ["Change status…"]),
        ("fr", ["Changer le statut…", "— équipe"], ["Change status…"]),
    ],
)
def test_the_idea_changelist_speaks_the_staff_members_language(client, triage, idea, language, expected, english):
    client.login(username=triage.username, password=PASSWORD)
    page = client.get(reverse("admin:ideas_idea_changelist"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in expected:
        assert text in page
    for text in english:
        assert text not in page


def test_an_admin_status_change_reports_in_german(client, triage, idea):
    client.login(username=triage.username, password=PASSWORD)
    url = reverse("admin:ideas_idea_change_status", args=[idea.pk])
    page = client.post(
        url,
        {"to_status": Status.DECLINED, "reason": "", "expected_status": f"{idea.pk}:{idea.status}"},
        HTTP_ACCEPT_LANGUAGE="de",
    ).content.decode()
    assert "Geben Sie dem Autor eine Begründung für „abgelehnt“." in page
    assert "Give the author a reason" not in page


# --- notifications: written in the recipient's language -----------------------------------------


def test_a_status_change_is_told_to_each_in_their_language(idea, customer, triage):
    customer.language = "de"
    customer.save(update_fields=["language"])
    follower = UserFactory(language="fr")
    IdeaFollow.objects.create(idea=idea, user=follower)
    with translation.override("en"):  # the staff member works in English
        services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Passt.")
    _process_outbox()
    mine = Notification.objects.get(recipient=customer, kind="my_idea_status")
    assert mine.title == "Ihre Idee „Lockers at stations“ ist in die engere Wahl gekommen"
    assert "(vorher: eingereicht)" in mine.body and "Begründung: Passt." in mine.body
    theirs = Notification.objects.get(recipient=follower, kind="status_changed")
    assert theirs.title == "L'idée «\u00a0Lockers at stations\u00a0» a été présélectionnée"


def test_a_comment_notification_in_the_authors_language(idea, customer):
    customer.language = "fr"
    customer.save(update_fields=["language"])
    commenter = UserFactory(display_name="Kim")
    services.comment_create(author=commenter, idea=idea, body="J’aime beaucoup.")
    _process_outbox()
    note = Notification.objects.get(recipient=customer, kind="comment_on_idea")
    assert note.title == "Kim a commenté votre idée «\u00a0Lockers at stations\u00a0»"


def test_kudos_notification_in_german(idea):
    author = UserFactory(language="de")
    comment = CommentFactory(idea=idea, author=author)
    services.kudos_give(user=UserFactory(), comment=comment)
    _process_outbox()
    note = Notification.objects.get(recipient=author, kind="kudos_received")
    assert note.title == "Ihr Kommentar zu „Lockers at stations“ hat Anerkennung erhalten"


def test_status_change_history_keeps_the_english_for_english_members(idea, triage):
    services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage)
    _process_outbox()
    note = Notification.objects.get(recipient=idea.author, kind="my_idea_status")
    assert note.title == "Your idea “Lockers at stations” was shortlisted"
    assert StatusChange.objects.filter(idea=idea).count() == 1
