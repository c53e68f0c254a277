"""Unsubscribe links (notifications.tokens and the unsubscribe view): opaque, expiring, and the
one-click POST of RFC 8058 works with no cookie and no CSRF token."""

import base64
import datetime
import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from ideas import notification_kinds as idea_kinds
from notifications import services, tokens
from notifications.models import Delivery, NotificationPreference
from tests.notification_kinds import Kind

pytestmark = pytest.mark.django_db


def _url(user, kind=Kind.COMMENT_REPLY) -> str:
    return reverse("notifications:unsubscribe", args=[services.unsubscribe_token(user_id=user.pk, kind=kind)])


def test_the_token_reveals_neither_the_member_nor_the_kind(customer):
    token = services.unsubscribe_token(user_id=customer.pk, kind=Kind.COMMENT_REPLY)
    sealed = token.split(":")[0]
    raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
    # (The member's id alone is a digit or two, which random bytes hold by chance: look for it as
    # the token's JSON would spell it.)
    for secret in (f'"u":{customer.pk}'.encode(), b"comment", customer.email.encode()):
        assert secret not in raw
    assert customer.email not in token and f'"u":{customer.pk}' not in token
    # Two links for one member and kind look unrelated (a fresh nonce each).
    assert services.unsubscribe_token(user_id=customer.pk, kind=Kind.COMMENT_REPLY).split(":")[0] != sealed
    assert services.unsubscribe_token_read(token) == (customer, Kind.COMMENT_REPLY)


def test_the_page_shows_no_email_and_the_post_turns_the_kind_off(client, customer):
    page = client.get(_url(customer))
    assert page.status_code == 200
    assert customer.email not in page.text and customer.public_name not in page.text
    assert not NotificationPreference.objects.exists()
    done = client.post(_url(customer))
    assert done.status_code == 200 and customer.email not in done.text
    assert services.delivery_for(customer.pk, Kind.COMMENT_REPLY) == Delivery.OFF


def test_the_one_click_post_needs_no_cookie_and_no_csrf_token(customer, outside_client):
    """What a mail provider sends (RFC 8058): a POST with the body "List-Unsubscribe=One-Click"."""
    provider = outside_client
    response = provider.post(
        _url(customer, Kind.IDEA_RECEIVED),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not provider.cookies  # nothing was needed, nothing was set
    assert services.delivery_for(customer.pk, Kind.IDEA_RECEIVED) == Delivery.OFF


def test_only_that_post_is_exempt_from_csrf(customer):
    """Elsewhere a POST without a token is still refused (the preferences page, signed in)."""
    member = Client(enforce_csrf_checks=True)
    member.force_login(customer)
    assert member.post(reverse("notifications:preferences"), {}).status_code == 403


def test_the_email_announces_one_click_and_its_link_works_by_post(
    django_capture_on_commit_callbacks, idea, customer, outside_client
):
    with django_capture_on_commit_callbacks(execute=True):
        idea_kinds.idea_received(idea)
    [email] = [m for m in mail.outbox if m.to == [customer.email]]
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(.+)>", email.extra_headers["List-Unsubscribe"]).group(1)
    path = url.removeprefix(services.settings.SITE_URL.rstrip("/"))
    response = outside_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert services.delivery_for(customer.pk, Kind.IDEA_RECEIVED) == Delivery.OFF


def test_a_link_expires(client, customer, settings, monkeypatch):
    settings.UNSUBSCRIBE_LINK_DAYS = 30
    url = _url(customer)
    later = time.time() + datetime.timedelta(days=31).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(url)
    assert response.status_code == 400
    assert "has expired" in response.text and customer.email not in response.text
    assert not NotificationPreference.objects.exists()


def test_a_token_in_the_old_readable_format_is_refused(client, customer):
    old = signing.dumps({"u": customer.pk, "k": Kind.COMMENT_REPLY}, salt="notifications.unsubscribe")
    assert client.post(reverse("notifications:unsubscribe", args=[old])).status_code == 400
    assert not NotificationPreference.objects.exists()


def test_a_token_signed_with_another_key_is_refused(client, customer, settings):
    settings.SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-other"
    forged = services.unsubscribe_token(user_id=customer.pk, kind=Kind.COMMENT_REPLY)
    settings.SECRET_KEY = "a-different-deployment-secret-" + "x" * 40
    assert client.post(reverse("notifications:unsubscribe", args=[forged])).status_code == 400


def test_the_helpers_keep_their_names_and_signatures(customer):
    """notifications.services still offers what its senders and tasks call."""
    assert services.unsubscribe_url is tokens.unsubscribe_url
    assert services.UnsubscribeTokenInvalid is tokens.UnsubscribeTokenInvalid
    url = services.unsubscribe_url(user_id=customer.pk, kind=Kind.OVERDUE_DIGEST)
    assert url.startswith(services.settings.SITE_URL.rstrip("/") + "/notifications/unsubscribe/")
