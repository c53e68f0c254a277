"""Single sign-on configuration and policy (the browser journey is tests/test_sso_browser.py)."""

import datetime
import html

import pytest
from allauth.account.models import EmailAddress
from allauth.core.context import request_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from accounts import services, sso, sso_config
from accounts.models import MENTOR_GROUP, TRIAGE_GROUP, User
from accounts.rules import is_mentor, is_triage
from tests import factories

ACME_ENV = {
    "OIDC_PROVIDERS": "acme, okta-eu",
    "OIDC_ACME_NAME": "Acme",
    "OIDC_ACME_SERVER_URL": "https://login.acme.example/realms/staff",
    "OIDC_ACME_CLIENT_ID": "idea-portal",
    "OIDC_ACME_SECRET": "s3cret",
    "OIDC_ACME_STAFF_ONLY": "1",
    "OIDC_ACME_ALLOWED_DOMAINS": "acme.example, @Acme.co.uk",
    "OIDC_ACME_ROLES_CLAIM": "groups",
    "OIDC_ACME_TRIAGE_ROLES": "idea-triage",
    "OIDC_ACME_MENTOR_ROLES": "idea-mentors,coaches",
    "OIDC_OKTA_EU_SERVER_URL": "https://acme.okta.example",
    "OIDC_OKTA_EU_CLIENT_ID": "portal",
    "OIDC_OKTA_EU_SECRET": "other",
}


def test_providers_from_the_environment():
    acme, okta = sso_config.oidc_apps(ACME_ENV)
    assert acme["provider_id"] == "acme" and acme["name"] == "Acme"
    assert (acme["client_id"], acme["secret"]) == ("idea-portal", "s3cret")
    assert acme["settings"]["server_url"] == "https://login.acme.example/realms/staff"
    assert acme["settings"]["staff_only"] is True
    assert acme["settings"]["allowed_domains"] == ["acme.example", "acme.co.uk"]
    assert acme["settings"]["roles"] == {"triage": ["idea-triage"], "mentor": ["idea-mentors", "coaches"]}
    assert okta["provider_id"] == "okta-eu" and okta["name"] == "okta-eu"
    assert okta["settings"]["staff_only"] is False and okta["settings"]["roles_claim"] == ""
    assert sso_config.oidc_apps({}) == [] and sso_config.saml_apps({}) == []


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("OIDC_ACME_SECRET", "OIDC_ACME_SECRET"),
        ("OIDC_ACME_SERVER_URL", "issuer URL"),
        ("OIDC_ACME_CLIENT_ID", "client id"),
    ],
)
def test_a_provider_missing_a_setting_stops_start_up_naming_it(missing, message):
    env = {key: value for key, value in ACME_ENV.items() if key != missing}
    with pytest.raises(ImproperlyConfigured, match=message):
        sso_config.oidc_apps(env)


def test_bad_flags_and_ids_are_refused():
    with pytest.raises(ImproperlyConfigured, match="1 or 0"):
        sso_config.oidc_apps({**ACME_ENV, "OIDC_ACME_STAFF_ONLY": "maybe"})
    with pytest.raises(ImproperlyConfigured, match="not a valid id"):
        sso_config.oidc_apps({"OIDC_PROVIDERS": "ac me"})


def _self_signed_certificate() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.acme.example")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)


def test_saml_from_the_environment_serves_the_metadata_the_identity_provider_imports(client, settings, db):
    # python3-saml accepts only real host names in its URLs (not "testserver").
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    env = {
        "SAML_PROVIDERS": "acme",
        "SAML_ACME_NAME": "Acme (SAML)",
        "SAML_ACME_IDP_ENTITY_ID": "https://idp.acme.example/saml",
        "SAML_ACME_IDP_SSO_URL": "https://idp.acme.example/saml/sso",
        "SAML_ACME_IDP_X509CERT": _self_signed_certificate(),
        "SAML_ACME_ALLOWED_DOMAINS": "acme.example",
    }
    [app] = sso_config.saml_apps(env)
    assert app["client_id"] == "acme" and app["provider_id"] == "https://idp.acme.example/saml"
    assert app["settings"]["allowed_domains"] == ["acme.example"]
    settings.SOCIALACCOUNT_PROVIDERS = {**settings.SOCIALACCOUNT_PROVIDERS, "saml": {"APPS": [app]}}
    response = client.get("/accounts/saml/acme/metadata/", HTTP_HOST="portal.example.com")
    assert response.status_code == 200
    metadata = response.content.decode()
    assert "EntityDescriptor" in metadata
    assert "http://portal.example.com/accounts/saml/acme/acs/" in metadata
    assert client.get("/accounts/saml/nobody/metadata/", HTTP_HOST="portal.example.com").status_code == 404
    # Its button is on the sign-in page like an OpenID Connect provider's, and its form may lead there.
    login_page = client.get(reverse("account_login"), HTTP_HOST="portal.example.com")
    assert "Sign in with Acme (SAML)" in login_page.content.decode()
    assert "https://idp.acme.example" in login_page["Content-Security-Policy"]


@pytest.fixture
def acme_app(db):
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="acme",
        name="Acme",
        client_id="portal",
        secret="s",
        settings={
            "server_url": "https://login.acme.example/o",
            "allowed_domains": ["acme.example"],
            "roles_claim": "groups",
            "roles": {"triage": ["idea-triage"], "mentor": ["idea-mentors"]},
        },
    )


def _login(email, claims, *, user=None):
    """The social login allauth builds after the provider's callback, as the adapter receives it."""
    app = SocialApp.objects.get(provider_id="acme")
    account = SocialAccount(provider="acme", uid=email, extra_data={"email": email, **claims})
    user = user or User(email=email)
    return SocialLogin(
        account=account,
        user=user,
        email_addresses=[EmailAddress(email=email, verified=True)],
        provider=app.get_provider(RequestFactory().get("/")),
    )


def _pre_social_login(login):
    request = RequestFactory().get("/accounts/oidc/acme/login/callback/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    with request_context(request):
        sso.PortalSocialAccountAdapter(request).pre_social_login(request, login)


def test_sign_in_page_offers_the_company_button_and_lets_its_form_reach_the_provider(client, acme_app):
    response = client.get(reverse("account_login"))
    page = response.content.decode()
    assert "Sign in with Acme" in page and 'action="/accounts/oidc/acme/login/?process=login"' in page
    policy = response["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part)
    assert "'self'" in form_action and "https://login.acme.example" in form_action
    # Other pages keep form-action 'self' alone.
    assert "login.acme.example" not in client.get("/").headers["Content-Security-Policy"]


def test_roles_follow_the_claim_on_every_sign_in(acme_app):
    member = factories.UserFactory(email="dana@acme.example")
    _pre_social_login(_login(member.email, {"groups": ["idea-triage", "idea-mentors"]}, user=member))
    member = User.objects.get(pk=member.pk)
    assert is_triage(member) and is_mentor(member) and member.is_staff
    # The directory took the triage role away: the next sign-in takes it away here.
    _pre_social_login(_login(member.email, {"groups": "idea-mentors"}, user=member))
    member = User.objects.get(pk=member.pk)
    assert not is_triage(member) and is_mentor(member)
    assert set(member.groups.values_list("name", flat=True)) == {MENTOR_GROUP}


def test_a_provider_without_a_roles_claim_leaves_roles_alone(acme_app):
    acme_app.settings = {"server_url": "https://login.acme.example/o"}
    acme_app.save()
    member = factories.TriageFactory(email="tess@acme.example")
    _pre_social_login(_login(member.email, {"groups": []}, user=member))
    assert is_triage(User.objects.get(pk=member.pk))


def test_another_domain_is_refused_with_a_page_that_says_why(acme_app):
    with pytest.raises(ImmediateHttpResponse) as refused:
        _pre_social_login(_login("eve@evil.example", {"groups": ["idea-triage"]}))
    response = refused.value.response
    assert response.status_code == 403
    assert "open to addresses at acme.example only" in response.content.decode()
    assert not User.objects.filter(email="eve@evil.example").exists()


@pytest.mark.parametrize(
    ("who", "claims", "refused"),
    [
        ("new", {"groups": []}, True),
        ("new", {"groups": ["idea-triage"]}, False),
        ("existing_customer", {"groups": []}, True),
        ("existing_staff", {"groups": []}, False),
    ],
)
def test_a_staff_only_provider(acme_app, who, claims, refused):
    acme_app.settings = {**acme_app.settings, "staff_only": True, "roles_claim": "groups"}
    acme_app.save()
    user = None
    if who == "existing_customer":
        user = factories.UserFactory(email="cust@acme.example")
    elif who == "existing_staff":
        user = factories.UserFactory(email="staff@acme.example", is_staff=True)
    email = user.email if user else "new@acme.example"
    if refused:
        with pytest.raises(ImmediateHttpResponse) as refusal:
            _pre_social_login(_login(email, claims, user=user))
        assert "for the portal's staff only" in html.unescape(refusal.value.response.content.decode())
    else:
        _pre_social_login(_login(email, claims, user=user))


def test_an_existing_member_is_connected_only_through_a_confirmed_address(acme_app):
    confirmed = factories.UserFactory(email="carol@acme.example")
    unconfirmed = factories.UserFactory(email="mallory@acme.example")
    EmailAddress.objects.filter(user=unconfirmed).update(verified=False)
    request = RequestFactory().get("/")
    with request_context(request):
        adapter = sso.PortalSocialAccountAdapter(request)
        assert adapter.authenticate_by_email(_login("carol@acme.example", {}))[0] == confirmed
        assert adapter.authenticate_by_email(_login("mallory@acme.example", {})) is None


def test_member_roles_sync_refuses_unknown_roles(customer):
    with pytest.raises(ValueError, match="Unknown roles"):
        services.member_roles_sync(user=customer, roles={"admin"})
    assert services.member_roles_sync(user=customer, roles={"mentor"}) == {"mentor"}
    assert services.member_roles_sync(user=customer, roles={"mentor"}) == set()
    assert Group.objects.get(name=MENTOR_GROUP).user_set.filter(pk=customer.pk).exists()
    assert not Group.objects.filter(name=TRIAGE_GROUP, user=customer).exists()


def test_the_sign_in_page_costs_two_queries_for_the_providers(client, acme_app, django_assert_num_queries):
    # allauth's list of the admin's Social applications: once for the buttons, once for the CSP.
    with django_assert_num_queries(2):
        assert client.get(reverse("account_login")).status_code == 200
