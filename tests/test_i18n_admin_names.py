"""The admin's model and app names in German and French: every model of the portal's apps names itself
with a translatable (lazy) verbose_name and verbose_name_plural, every app with a translatable
verbose_name, and the admin index in German shows none of the English names. (That every marked
name has its German and French translation is checked by .ci/i18n_check.py.)"""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import override

from tests.test_i18n_triage_desk import page_text

PORTAL_APPS = (
    "accounts",
    "challenges",
    "ideas",
    "attachments",
    "scoring",
    "reviews",
    "notifications",
    "reputation",
    "innovators",
    "impact",
    "health",
    "audit",
    "webhooks",
    "api",
)
# Apps without models that still carry a name staff may read.
NAMED_APPS = (*PORTAL_APPS, "core", "pages", "privacy", "metrics")


def portal_models():
    return [model for label in PORTAL_APPS for model in apps.get_app_config(label).get_models()]


@pytest.mark.parametrize("model", portal_models(), ids=lambda model: model._meta.label)
def test_every_model_names_itself_lazily(model):
    options = model._meta.original_attrs
    assert isinstance(options.get("verbose_name"), Promise), f"{model._meta.label}: verbose_name = _('…')"
    assert isinstance(options.get("verbose_name_plural"), Promise), f"{model._meta.label}: verbose_name_plural"
    with override("en"):
        first_word = str(model._meta.verbose_name).split()[0]
    assert first_word.islower() or first_word.isupper(), "lower case, as Django capitalises it where needed"


@pytest.mark.parametrize("label", NAMED_APPS)
def test_every_app_names_itself_lazily(label):
    assert isinstance(apps.get_app_config(label).verbose_name, Promise), f"{label}: verbose_name = _('…')"


def _english_and_german(name) -> tuple[str, str]:
    with override("en"):
        english = capfirst(str(name))
    with override("de"):
        german = capfirst(str(name))
    return english, german


def test_the_admin_index_in_german_shows_no_english_model_or_app_name(client, django_user_model):
    superuser = django_user_model.objects.create_superuser(
        username="root", email="root@example.com", password="pw-root-123"
    )
    client.force_login(superuser)

    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    text = page_text(response) + " " + response.content.decode()
    english = set()
    for model in admin.site._registry:
        if model._meta.app_label not in PORTAL_APPS:
            continue
        english_plural, german_plural = _english_and_german(model._meta.verbose_name_plural)
        assert german_plural in text, f"{model._meta.label}: {german_plural!r} missing from the index"
        if english_plural != german_plural:
            english.add(english_plural)
        english_app, german_app = _english_and_german(apps.get_app_config(model._meta.app_label).verbose_name)
        if english_app != german_app:
            english.add(english_app)
    found = sorted(name for name in english if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text))
    assert not found, f"English names on the German admin index: {found}"
    assert "Modelle der Ideas-Anwendung" not in text
    assert "Modelle der Ideen-Anwendung" in text
