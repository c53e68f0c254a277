"""The German account pages say "Sie", like the rest of the portal (docs/I18N.md).

django-allauth's German catalogue says "du"; ``accounts/allauth_wording.py`` marks the msgids of its
du-form entries so that our catalogue (``locale/``, which takes precedence) keeps their Sie form.
"""

import gettext
import html
import os
import re
from pathlib import Path

import allauth
import pytest
from django.urls import reverse

import accounts.allauth_wording

pytestmark = pytest.mark.django_db

# The informal address, as whole words: du, dein/deine/deinem/..., dich, dir.
DU = re.compile(r"\b(du|dein\w*|dich|dir)\b", re.IGNORECASE)
# The same in allauth's catalogue, where a capital "Du"/"Dein"/"Dir" is also the pronoun.
DU_IN_CATALOGUE = re.compile(r"\b(du|Du|dein\w*|Dein\w*|dich|dir|Dir)\b")
ALLAUTH_DE = Path(allauth.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.mo"


def main_text(response) -> str:
    """The page's <main>, tags removed, attribute values kept (placeholders, labels), unescaped."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    values = " ".join(re.findall(r'(?:placeholder|aria-label|title|value)="([^"]*)"', main))
    return html.unescape(re.sub(r"<[^>]+>", " ", main) + " " + values)


@pytest.mark.parametrize("url_name", ["account_login", "account_signup", "account_reset_password"])
def test_the_german_account_pages_say_sie(client, url_name):
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="de">' in response.content.decode()
    text = main_text(response)
    assert not DU.search(text), DU.search(text)


def test_the_password_reset_page_asks_in_the_sie_form(client):
    text = " ".join(main_text(client.get(reverse("account_reset_password"), HTTP_ACCEPT_LANGUAGE="de")).split())
    assert "Geben Sie unten Ihre E-Mail-Adresse ein" in text


def test_a_sign_up_form_error_reads_in_the_sie_form(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "neu@example.com", "password1": "a-long-new-password-7", "password2": "another-password-8"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    text = main_text(response)
    assert "Sie müssen zweimal dasselbe Passwort eingeben." in text
    assert not DU.search(text), DU.search(text)


def test_every_du_form_msgid_of_allauth_is_marked_in_allauth_wording():
    """A new allauth version adding a du-form entry is noticed here: mark its msgid and translate it."""
    # The compiled catalogue (the one Django reads): its keys are the msgids, a plural's are
    # (msgid, n), and a context's are "context\x04msgid".
    with ALLAUTH_DE.open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    du_form = {
        (key[0] if isinstance(key, tuple) else key).split("\x04")[-1]
        for key, text in catalogue.items()
        if key and DU_IN_CATALOGUE.search(text)
    }
    marked = set(accounts.allauth_wording.ALLAUTH_MSGIDS)
    assert du_form, "allauth's German catalogue not found or read"
    assert not du_form - marked, sorted(du_form - marked)


def test_allauth_wording_is_imported_by_nothing_at_runtime():
    """The module exists for makemessages; no application code imports it."""
    root = Path(accounts.allauth_wording.__file__).resolve().parent.parent
    skipped = {".venv", ".git", "tests", "node_modules", "staticfiles", "media", "__pycache__"}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name not in skipped]
        for name in files:
            if name.endswith(".py"):
                source = (Path(folder) / name).read_text(encoding="utf-8")
                assert "allauth_wording" not in source or name == "allauth_wording.py", Path(folder) / name
