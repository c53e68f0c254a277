"""Personal access tokens: the settings page, the service's refusals, scopes, revoked and expired
tokens, sessions with CSRF, and the staff's admin list."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from api import services
from api.models import ApiToken
from ideas.models import Comment, Vote
from tests import factories
from tests.api_clients import anonymous_client, bearer_client, error_of, send, token_client

pytestmark = pytest.mark.django_db

TOKENS_PAGE = "/accounts/api-tokens/"


# --- the service ---


def test_a_token_is_stored_as_a_hash_only_and_recognisable_by_its_prefix(customer):
    token, raw = services.token_create(user=customer, name="CRM sync", scopes=["write", "read"])
    assert raw.startswith(token.prefix + "_") and token.prefix.startswith("ipat_")
    assert token.scopes == ["read", "write"]
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert raw not in str(stored) and raw.split("_")[-1] not in str(stored)
    assert stored["token_hash"] == services.token_hash(raw)


@pytest.mark.parametrize(
    ("scopes", "name", "message"),
    [
        (["staff"], "x", "Only staff members can create a token with the staff scope."),
        ([], "x", "Choose at least one scope."),
        (["admin"], "x", "Unknown scope: admin."),
        (["read"], "   ", "Give the token a name"),
    ],
)
def test_token_create_refuses_with_a_reason_and_creates_nothing(customer, scopes, name, message):
    with pytest.raises(services.TokenError, match=message):
        services.token_create(user=customer, name=name, scopes=scopes)
    assert not ApiToken.objects.exists()


def test_an_expiry_in_the_past_is_refused(customer):
    with pytest.raises(services.TokenError, match="in the future"):
        services.token_create(user=customer, name="x", scopes=["read"], expires_at=timezone.now())


def test_staff_may_hold_the_staff_scope(triage):
    token, _ = services.token_create(user=triage, name="triage bot", scopes=["staff"])
    assert token.has_scope("staff") and token.has_scope("read") and not token.has_scope("write")


def test_only_the_owner_revokes_a_token_and_revoking_twice_keeps_the_first_time(customer, other_customer):
    token, _ = services.token_create(user=customer, name="x", scopes=["read"])
    with pytest.raises(services.TokenError, match="not yours"):
        services.token_revoke(user=other_customer, token=token)
    first = services.token_revoke(user=customer, token=token).revoked_at
    assert first is not None
    assert services.token_revoke(user=customer, token=token).revoked_at == first


# --- authentication ---


def test_unknown_malformed_revoked_and_expired_tokens_are_refused_with_401(customer, idea):
    token, raw = services.token_create(user=customer, name="x", scopes=["read"])
    expiring, expiring_raw = services.token_create(
        user=customer, name="y", scopes=["read"], expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert bearer_client(raw).get("/api/v1/ideas/").status_code == 200
    services.token_revoke(user=customer, token=token)
    ApiToken.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    for candidate, message in [
        (raw, "revoked"),
        (expiring_raw, "expired"),
        ("ipat_00000000_nothing", "not a token of this portal"),
    ]:
        response = bearer_client(candidate).get("/api/v1/ideas/")
        assert response.status_code == 401
        assert message in error_of(response)["message"]
        assert response["WWW-Authenticate"].startswith("Bearer")
    two_words = Client(headers={"Authorization": f"Bearer {raw} extra"}).get("/api/v1/ideas/")
    assert two_words.status_code == 401 and error_of(two_words)["code"] == "not_authenticated"


def test_an_inactive_members_token_stops_working(customer):
    client = token_client(customer, scopes=["read"])
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert client.get("/api/v1/ideas/").status_code == 401


def test_last_used_is_recorded(customer):
    token, raw = services.token_create(user=customer, name="x", scopes=["read"])
    assert token.last_used_at is None
    bearer_client(raw).get("/api/v1/challenges/")
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- scopes ---


def test_a_read_token_cannot_write(customer, other_customer, idea):
    client = token_client(other_customer, scopes=["read"])
    assert client.get(f"/api/v1/ideas/{idea.pk}/").status_code == 200
    response = send(client, "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "up"})
    assert response.status_code == 403 and "write" in error_of(response)["message"]
    response = send(client, "post", f"/api/v1/ideas/{idea.pk}/comments/", {"body": "Nice idea, really."})
    assert response.status_code == 403
    assert not Vote.objects.exists() and not Comment.objects.exists()


def test_a_write_token_cannot_do_staff_things_even_for_staff(triage, idea):
    client = token_client(triage, scopes=["read", "write"])
    response = send(
        client, "post", f"/api/v1/ideas/{idea.pk}/status/", {"to_status": "shortlisted", "expected_status": "submitted"}
    )
    assert response.status_code == 403 and "staff" in error_of(response)["message"]
    assert client.get("/api/v1/metrics/").status_code == 403
    idea.refresh_from_db()
    assert idea.status == "submitted"


def test_a_staff_token_cannot_act_as_the_member(triage, idea):
    client = token_client(triage, scopes=["staff"])
    assert client.get("/api/v1/metrics/").status_code == 200
    assert send(client, "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "up"}).status_code == 403
    assert not Vote.objects.exists()


def test_a_staff_token_of_a_member_who_left_the_triage_group_is_refused(triage, idea):
    client = token_client(triage, scopes=["staff"])
    triage.groups.clear()
    response = client.get("/api/v1/metrics/")
    assert response.status_code == 403 and "triage staff" in error_of(response)["message"]


# --- sessions ---


def test_the_browser_session_works_and_needs_the_csrf_token_for_unsafe_methods(other_customer, idea):
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_customer)
    assert client.get("/api/v1/notifications/").status_code == 200
    refused = send(client, "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "up"})
    assert refused.status_code == 403 and "CSRF" in error_of(refused)["message"]
    assert not Vote.objects.exists()
    client.get(TOKENS_PAGE)  # a page with a form: sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = send(client, "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "up"}, headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200 and Vote.objects.filter(user=other_customer).count() == 1


def test_visitors_read_but_do_not_write(idea):
    client = anonymous_client()
    assert client.get(f"/api/v1/ideas/{idea.pk}/").status_code == 200
    response = send(client, "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "up"})
    assert response.status_code == 401 and error_of(response)["code"] == "not_authenticated"
    assert client.get("/api/v1/notifications/").status_code == 401


# --- the settings page ---


def test_the_page_creates_a_token_shows_it_once_and_lists_it(client_for, customer):
    client = client_for(customer)
    page = client.get(TOKENS_PAGE)
    assert page.status_code == 200 and "no-cache" in page["Cache-Control"]
    assert b'value="staff"' not in page.content  # the staff scope is not offered to a member
    response = client.post(TOKENS_PAGE, {"name": "CRM sync", "scopes": ["read", "write"], "expires": "30"})
    assert response.status_code == 201
    token = ApiToken.objects.get(user=customer)
    secret = response.context["secret"]
    assert secret.startswith(token.prefix) and secret in response.content.decode()
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    again = client.get(TOKENS_PAGE)
    assert secret not in again.content.decode() and token.prefix in again.content.decode()
    assert bearer_client(secret).get("/api/v1/ideas/mine/").status_code == 200


def test_the_page_refuses_the_staff_scope_to_a_member(client_for, customer):
    response = client_for(customer).post(TOKENS_PAGE, {"name": "x", "scopes": ["staff"], "expires": "never"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_page_offers_the_staff_scope_to_staff(client_for, triage):
    assert b'value="staff"' in client_for(triage).get(TOKENS_PAGE).content
    response = client_for(triage).post(TOKENS_PAGE, {"name": "triage", "scopes": ["staff"], "expires": "never"})
    assert response.status_code == 201
    assert ApiToken.objects.get(user=triage).scopes == ["staff"]


def test_a_member_revokes_their_token_and_nobody_else_can(client_for, customer, other_customer):
    token, raw = services.token_create(user=customer, name="x", scopes=["read"])
    assert client_for(other_customer).post(f"{TOKENS_PAGE}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client_for(customer).post(f"{TOKENS_PAGE}{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer_client(raw).get("/api/v1/ideas/").status_code == 401


def test_visitors_are_sent_to_sign_in(client):
    assert client.get(TOKENS_PAGE).status_code == 302


def test_the_page_lists_only_the_members_own_tokens(client_for, customer, other_customer):
    services.token_create(user=other_customer, name="Otto's secret project", scopes=["read"])
    assert "Otto" not in client_for(customer).get(TOKENS_PAGE).content.decode()


# --- the admin ---


def test_staff_with_the_permission_list_and_revoke_tokens_in_the_admin(client, customer):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    token, _ = services.token_create(user=customer, name="CRM sync", scopes=["read"])
    client.force_login(admin)
    listing = client.get("/admin/api/apitoken/")
    assert listing.status_code == 200 and token.prefix in listing.content.decode()
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_members_cannot_open_the_token_admin(client_for, customer):
    assert client_for(customer).get("/admin/api/apitoken/").status_code == 302
