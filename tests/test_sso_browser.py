"""Single sign-on in a real browser against a real OpenID Connect provider on the loopback.

The provider is django-oauth-toolkit with OIDC_ENABLED (tests/oidc_provider), started as a
subprocess on its own port with its own SQLite database and an RSA signing key made here. The
customer clicks "Sign in with Acme" on the portal, signs in at the provider, consents, and lands
back signed in: a first sign-in creates the member (display name from the ``name`` claim, the
``groups`` claim mapped to the Triage role); an existing member with the same confirmed address
is connected, not duplicated; an address outside the allowed domain is refused with a page that
says why.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.models import TRIAGE_GROUP, User
from accounts.rules import is_triage
from tests import factories
from tests.browser import BROWSER_MARKS, expect, screenshot_on_failure

pytestmark = BROWSER_MARKS

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "idea-portal"
CLIENT_SECRET = "a-client-secret-for-the-loopback-provider"
PEOPLE = [
    {
        "username": "alice",
        "password": "alice-directory-password",
        "email": "alice@acme.example",
        "first_name": "Alice",
        "last_name": "Anders",
        "groups": ["idea-triage", "everyone"],
    },
    {
        "username": "carol",
        "password": "carol-directory-password",
        "email": "carol@acme.example",
        "first_name": "Carol",
        "last_name": "Directory",
        "groups": ["everyone"],
    },
    {
        "username": "bob",
        "password": "bob-directory-password",
        "email": "bob@elsewhere.example",
        "first_name": "Bob",
        "last_name": "Outsider",
        "groups": ["idea-triage"],
    },
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rsa_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def oidc_provider(live_server, tmp_path):
    """The provider's base URL (its issuer is <url>/o), running until the test ends."""
    port = _free_port()
    env = {
        **os.environ,
        "OIDC_TEST_PORT": str(port),
        "OIDC_TEST_DB": str(tmp_path / "provider.sqlite3"),
        "OIDC_TEST_RSA_KEY": _rsa_private_key_pem(),
        "OIDC_TEST_SETUP": json.dumps(
            {
                "people": PEOPLE,
                "client": {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uri": f"{live_server.url}/accounts/oidc/acme/login/callback/",
                },
            }
        ),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    log = open(tmp_path / "provider.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/o/.well-known/openid-configuration", timeout=2) as answer:
                    assert json.load(answer)["issuer"] == f"{url}/o"
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"the OpenID Connect provider did not start: {(tmp_path / 'provider.log').read_text()}"
                    ) from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def acme(oidc_provider):
    """The company's provider as staff configure it in the admin: only acme.example addresses, the
    ``groups`` claim's "idea-triage" makes Triage staff."""
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="acme",
        name="Acme",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={
            "server_url": f"{oidc_provider}/o",
            "oauth_pkce_enabled": True,
            "allowed_domains": ["acme.example"],
            "roles_claim": "groups",
            "roles": {"triage": ["idea-triage"], "mentor": ["idea-mentors"]},
        },
    )


def sign_in_at_acme(page, person):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme").click()
    # At the provider: its own sign-in page, then its consent page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Company directory: sign in")
    assert page.url.startswith("http://127.0.0.1:")
    page.get_by_label("Username").fill(person["username"])
    page.get_by_label("Password").fill(person["password"])
    page.get_by_role("button", name="Sign in to the directory").click()
    page.get_by_role("button", name="Authorize").click()


def test_company_sign_in_creates_connects_maps_roles_and_refuses_other_domains(page, acme, tmp_path):
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        members_before = User.objects.count()

        # A first sign-in creates the member, named by the claim, Triage staff by the groups claim.
        alice = PEOPLE[0]
        sign_in_at_acme(page, alice)
        expect(page.get_by_role("navigation", name="Main")).to_contain_text("Alice Anders")
        assert page.url.startswith("http://localhost:")
        member = User.objects.get(email=alice["email"])
        assert member.display_name == "Alice Anders"
        assert member.groups.filter(name=TRIAGE_GROUP).exists() and member.is_staff and is_triage(member)
        assert not member.has_usable_password()
        assert EmailAddress.objects.filter(user=member, email=alice["email"], verified=True).exists()
        assert SocialAccount.objects.get(user=member).provider == "acme"
        assert User.objects.count() == members_before + 1
        page.context.clear_cookies()

        # A member who signed up with a password and confirmed the same address is connected.
        existing = factories.UserFactory(email="carol@acme.example", display_name="Carol Existing")
        sign_in_at_acme(page, PEOPLE[1])
        expect(page.get_by_role("navigation", name="Main")).to_contain_text("Carol Existing")
        assert User.objects.filter(email__iexact="carol@acme.example").count() == 1
        assert SocialAccount.objects.get(provider="acme", user=existing)
        assert not existing.groups.exists()
        page.context.clear_cookies()

        # Another domain is refused, with the reason; nothing is created.
        sign_in_at_acme(page, PEOPLE[2])
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot sign in with Acme")
        expect(page.get_by_role("alert")).to_contain_text("open to addresses at acme.example only")
        assert not User.objects.filter(email="bob@elsewhere.example").exists()
        assert User.objects.count() == members_before + 2
