"""Accounts through django-allauth: sign up by email with a display name, verification, reset, sign in and out."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests import factories


@pytest.mark.django_db
def test_sign_up_with_a_display_name_sends_a_verification_email(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.customer@example.com",
            "password1": "a-long-new-password-7",
            "password2": "a-long-new-password-7",
            "display_name": "  Nina New ",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.customer@example.com")
    assert user.display_name == "Nina New"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1 and "new.customer@example.com" in mail.outbox[0].to
    assert "confirm" in mail.outbox[0].subject.lower()


@pytest.mark.django_db
def test_sign_up_with_a_taken_email_or_weak_password_is_refused(client, customer):
    response = client.post(
        reverse("account_signup"),
        {"email": customer.email.upper(), "password1": "a-long-new-password-7", "password2": "a-long-new-password-7"},
    )
    assert response.status_code == 200
    assert "already" in response.content.decode()
    response = client.post(
        reverse("account_signup"), {"email": "weak@example.com", "password1": "12345", "password2": "12345"}
    )
    assert "too short" in response.content.decode() or "too common" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_verification_is_mandatory_when_configured(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    client.post(
        reverse("account_signup"),
        {"email": "late@example.com", "password1": "a-long-new-password-7", "password2": "a-long-new-password-7"},
    )
    client.post(reverse("account_login"), {"login": "late@example.com", "password": "a-long-new-password-7"})
    response = client.get(reverse("profile"))
    assert response.status_code == 302  # not signed in until the address is confirmed


@pytest.mark.django_db
def test_sign_in_by_email_and_out(client, customer):
    response = client.post(reverse("account_login"), {"login": customer.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("profile")).status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, customer):
    response = client.post(reverse("account_login"), {"login": customer.email, "password": "not-it"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_sends_a_link(client, customer):
    response = client.post(reverse("account_reset_password"), {"email": customer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_role_groups_exist_with_triage_permissions():
    """The data migrations' groups. A transactional test that ran earlier in the process flushed every
    table, data-migration rows included, so the migrations' own functions are run again here, on
    their historical models (they are idempotent): the test holds in any order."""
    import importlib

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    apps = MigrationExecutor(connection).loader.project_state(("accounts", "0003_triage_imports_ratings")).apps
    importlib.import_module("accounts.migrations.0002_roles").create_roles(apps, None)
    importlib.import_module("accounts.migrations.0003_triage_imports_ratings").grant(apps, None)

    triage = Group.objects.get(name="Triage")
    assert triage.permissions.filter(codename="change_idea").exists()
    assert not triage.permissions.filter(codename="change_vote").exists()
    assert Group.objects.filter(name="Mentor").exists()
