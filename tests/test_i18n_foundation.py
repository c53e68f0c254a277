"""The portal's frame in German and French (issue 19, the foundation): the language a person gets
(member's choice, then Accept-Language or the switcher's cookie, then SITE_LANGUAGE), the language
switcher, the cached visitor pages per language, and the foundation's own pages and messages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent

HOME_EN = ["Help us solve what matters most to you", "Open challenges", "Skip to content", "Sign in", "Join"]
HOME_DE = ["Helfen Sie uns zu lösen, was Ihnen am wichtigsten ist", "Offene Challenges", "Zum Inhalt springen"]
HOME_FR = ["Aidez-nous à résoudre ce qui compte le plus pour vous", "Défis ouverts", "Aller au contenu"]


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [("de", HOME_DE), ("fr", HOME_FR), ("en", HOME_EN)])
def test_the_home_page_speaks_the_browser_s_language(client, language, expected):
    page = text(client.get("/", HTTP_ACCEPT_LANGUAGE=language))
    assert f'<html lang="{language}">' in page
    for phrase in expected:
        assert phrase in page
    if language != "en":
        for phrase in HOME_EN:
            assert f">{phrase}<" not in page


@pytest.mark.django_db
def test_the_member_s_choice_beats_accept_language_which_beats_the_default(client, customer, settings):
    assert '<html lang="en">' in text(client.get("/"))  # nothing asked: the site default
    assert '<html lang="de">' in text(client.get("/", HTTP_ACCEPT_LANGUAGE="de"))
    customer.language = "fr"
    customer.save(update_fields=["language"])
    client.force_login(customer)
    page = text(client.get("/", HTTP_ACCEPT_LANGUAGE="de"))
    assert '<html lang="fr">' in page and "Mes idées" in page


@pytest.mark.django_db
def test_the_site_default_is_used_when_the_browser_asks_for_nothing_we_speak(client, settings):
    settings.LANGUAGE_CODE = "de"
    assert '<html lang="de">' in text(client.get("/", HTTP_ACCEPT_LANGUAGE="it"))


@pytest.mark.django_db
def test_the_visitor_switcher_sets_the_cookie_and_the_next_page_is_in_that_language(client):
    page = text(client.get("/"))
    # Each language named in itself, with lang and hreflang; links (no form, no token) for visitors.
    assert 'lang="de" hreflang="de"' in page and ">Deutsch</a>" in page and ">Français</a>" in page
    assert "csrfmiddlewaretoken" not in page
    response = client.get(reverse("language_choose", args=["de"]), {"next": "/challenges/"})
    assert response.status_code == 302 and response["Location"] == "/challenges/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = text(client.get("/"))
    assert '<html lang="de">' in page and "Offene Challenges" in page


@pytest.mark.django_db
@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_switcher_refuses_an_unsafe_next(client, unsafe):
    response = client.get(reverse("language_choose", args=["fr"]), {"next": unsafe})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_the_switcher_knows_only_the_portal_s_languages(client):
    assert client.get("/language/it/").status_code == 404


@pytest.mark.django_db
def test_a_member_s_choice_is_saved_on_their_account(client, customer):
    client.force_login(customer)
    page = text(client.get("/"))
    assert f'action="{reverse("language_choose", args=["fr"])}"' in page  # a POST form on members' pages
    response = client.post(reverse("language_choose", args=["fr"]), {"next": "/accounts/profile/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    customer.refresh_from_db()
    assert customer.language == "fr"
    # A GET (a link someone sent) changes no account.
    client.get(reverse("language_choose", args=["de"]))
    customer.refresh_from_db()
    assert customer.language == "fr"


@pytest.mark.django_db
def test_a_german_visitor_never_gets_the_english_kept_page_and_back(client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    first = client.get("/")
    assert "Open challenges" in text(first)
    german = client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    assert german["X-Page-Cache"] == "miss" and "Offene Challenges" in text(german)
    assert "Offene Challenges" in text(client.get("/", HTTP_ACCEPT_LANGUAGE="de"))
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["X-Page-Cache"] == "hit" and "Open challenges" in text(english)
    assert not english.cookies  # a kept page sets no cookie


@pytest.mark.django_db
def test_the_profile_form_offers_the_language_and_saving_it_switches_the_portal(client, customer):
    client.force_login(customer)
    page = text(client.get(reverse("profile")))
    assert 'name="language"' in page and "Follow my browser" in page and ">Deutsch</option>" in page
    response = client.post(
        reverse("profile"), {"display_name": "Cora", "language": "de", "profile_public": "on"}, follow=True
    )
    customer.refresh_from_db()
    assert customer.language == "de"
    page = text(response)
    assert "Ihr Profil ist gespeichert." in page and "Wie mein Browser" in page and '<html lang="de">' in page
    client.post(reverse("profile"), {"display_name": "Cora", "language": "", "profile_public": "on"})
    customer.refresh_from_db()
    assert customer.language == ""


@pytest.mark.django_db
def test_the_form_errors_and_the_summary_are_translated(client, customer):
    client.force_login(customer)
    response = client.post(reverse("privacy:delete"), {"password": ""}, HTTP_ACCEPT_LANGUAGE="fr")
    page = text(response)
    assert response.status_code == 400
    assert "Il y a 2 problèmes\u00a0: rien n'a été enregistré." in page.replace("&#x27;", "'")
    assert "Cochez cette case pour confirmer" in page
    assert "Tick this box" not in page and "Delete my account" not in page


@pytest.mark.django_db
def test_the_privacy_pages_in_german(client, customer):
    client.force_login(customer)
    page = text(client.get(reverse("privacy:data"), HTTP_ACCEPT_LANGUAGE="de"))
    assert "Meine Daten herunterladen" in page and "Ihr Profil, Ihre E-Mail-Adressen" in page
    assert "Download my data" not in page and "What the file holds" not in page


@pytest.mark.django_db
def test_an_erased_member_is_signed_in_the_reader_s_language(customer):
    from django.utils import translation

    customer.erased_at = customer.date_joined
    with translation.override("de"):
        assert customer.public_name == "Ehemaliges Mitglied"
    with translation.override("fr"):
        assert customer.public_name == "Ancien membre"


@pytest.mark.django_db
def test_the_password_reset_email_is_in_the_requester_s_language(client, customer):
    response = client.post(reverse("account_reset_password"), {"email": customer.email}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject.startswith("[Ideenportal] ")
    assert "Passwort" in message.subject + message.body


def test_an_unknown_site_language_refuses_to_start():
    env = {**os.environ, "DEBUG": "1", "SITE_LANGUAGE": "xx"}
    result = subprocess.run(
        [sys.executable, "-c", "import ideaportal.settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SITE_LANGUAGE must be one of en, de, fr" in result.stderr


def test_the_language_choices_are_named_in_themselves():
    assert dict(User._meta.get_field("language").choices) == {"en": "English", "de": "Deutsch", "fr": "Français"}


@pytest.mark.django_db
def test_the_switcher_names_each_language_in_itself_whatever_the_page_s_language(client):
    page = text(client.get("/", HTTP_ACCEPT_LANGUAGE="de"))
    assert '<span lang="de" aria-current="true">Deutsch</span>' in page
    assert ">English</a>" in page and ">Français</a>" in page and "Englisch" not in page


def test_a_too_large_upload_is_refused_in_the_browser_s_language(client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = client.post("/surveys/", data=b"x" * 2000, content_type="text/csv", HTTP_ACCEPT_LANGUAGE="fr")
    page = text(response)
    assert response.status_code == 413
    assert '<html lang="fr">' in page and "Le fichier est trop volumineux" in page and "too large" not in page
    response = client.post("/api/ideas/", data=b"x" * 2000, content_type="application/json", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 413
    assert response.json()["error"] == {"code": "too_large", "message": "Der Inhalt ist größer als 1.000 Bytes."}


def test_bad_bytes_are_refused_in_the_browser_s_language(client):
    response = client.get("/ideas/", {"q": "a\x00b"}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode() and "NUL-Byte" in response.content.decode()
