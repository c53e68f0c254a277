"""Issue 17: every account page a member can reach (django-allauth's) is in the portal's design.

Each page renders inside base.html (the portal's header), with its labels above the fields, the
portal's button classes, sentence case ("Sign in", never "Sign In"), and names members by their
display name. The templates are allauth's own, through the portal's elements and layouts
(templates/allauth/) and its English wording (locale/en).
"""

import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

# Title case allauth writes and the portal does not.
TITLE_CASE = re.compile(
    r"Sign In|Sign Up|Sign Out|Remember Me|Forgot Password|Change Password|Set Password|Email Address|"
    r"Make Primary|Re-send Verification|Add Email|Password Reset|Reset My Password|Account Inactive|"
    r"Confirm Access|Verify Your Email|Account Connections|Current Password|New Password|Bad Token"
)


def assert_in_the_portals_design(response, status: int = 200) -> str:
    """The page's <main>, whitespace between tags and text collapsed, after checking its design."""
    assert response.status_code == status, response.status_code
    html = re.sub(r"\s*\n\s*", " ", response.content.decode())
    html = re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))
    assert 'class="site-header"' in html and 'class="site-footer"' in html  # base.html
    assert re.search(r"<h1>[^<]+</h1>", html)
    main = html[html.index("<main") : html.index("</main>")]
    assert not TITLE_CASE.search(main), TITLE_CASE.search(main)
    for button in re.findall(r"<button[^>]*>", main):
        assert 'class="' in button, button
    for _label, control in re.findall(r'<label for="(id_[\w-]+)">[^<]*</label>\s*<(input|select|textarea)', main):
        assert control  # a label above its field
    return main


def reset_key_url(user) -> str:
    key = default_token_generator.make_token(user)
    return reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})


def test_sign_in_page(client):
    main = assert_in_the_portals_design(client.get(reverse("account_login")))
    assert "<h1>Sign in</h1>" in main
    assert '<label for="id_login">Email</label>' in main and '<label for="id_password">Password</label>' in main
    assert '<button class="button" type="submit">' in main and "Keep me signed in" in main


def test_sign_up_page(client):
    main = assert_in_the_portals_design(client.get(reverse("account_signup")))
    assert "<h1>Sign up</h1>" in main and '<label for="id_display_name">Display name</label>' in main


def test_signed_in_pages(client, customer):
    client.force_login(customer)
    for name in ("account_logout", "account_email", "account_change_password", "socialaccount_connections"):
        main = assert_in_the_portals_design(client.get(reverse(name)))
        assert main.count("<h1>") == 1
    main = assert_in_the_portals_design(client.get(reverse("account_email")))
    assert "Email addresses" in main and 'class="button danger"' in main and 'class="button secondary"' in main
    # The account settings' menu, on every "manage" page.
    assert 'aria-label="Account settings"' in client.get(reverse("account_change_password")).content.decode()


def test_password_set_for_a_member_without_one(client):
    member = factories.UserFactory()
    member.set_unusable_password()
    member.save()
    client.force_login(member)
    main = assert_in_the_portals_design(client.get(reverse("account_set_password")))
    assert "<h1>Set password</h1>" in main


def test_password_reset_pages(client, customer):
    assert_in_the_portals_design(client.get(reverse("account_reset_password")))
    assert_in_the_portals_design(client.get(reverse("account_reset_password_done")))
    response = client.get(reset_key_url(customer), follow=True)
    main = assert_in_the_portals_design(response)
    assert "Change password" in main
    assert_in_the_portals_design(client.get(reverse("account_reset_password_from_key_done")))
    bad = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "set-password"})
    assert "Bad token" in assert_in_the_portals_design(client.get(bad, follow=True))


def test_email_confirmation_and_verification_sent_pages(client):
    member = factories.UserFactory()
    address = EmailAddress.objects.get(user=member)
    address.verified = False
    address.save()
    key = EmailConfirmationHMAC(address).key
    main = assert_in_the_portals_design(client.get(reverse("account_confirm_email", args=[key])))
    assert "Confirm email address" in main
    assert_in_the_portals_design(client.get(reverse("account_email_verification_sent")))


def test_inactive_reauthenticate_and_sso_pages(client, customer):
    assert_in_the_portals_design(client.get(reverse("account_inactive")))
    assert_in_the_portals_design(client.get(reverse("socialaccount_login_cancelled")))
    assert_in_the_portals_design(client.get(reverse("socialaccount_login_error")), status=401)
    client.force_login(customer)
    assert "Confirm access" in assert_in_the_portals_design(client.get(reverse("account_reauthenticate")))


def test_signing_in_greets_the_member_by_display_name(client):
    member = factories.UserFactory(display_name="Cora Customer", email="cora.c@example.com")
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": factories.PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert "Successfully signed in as Cora Customer." in html
    assert "cora.c@example.com." not in html and "signed in as cora.c" not in html


def test_signing_out_names_no_email_address(client, customer):
    client.force_login(customer)
    html = client.post(reverse("account_logout"), follow=True).content.decode()
    assert "You have signed out." in html and customer.email not in html


def test_no_button_in_any_template_is_left_unstyled():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    bare = [
        f"{path.relative_to(root)}: {button}"
        for path in root.rglob("*.html")
        for button in re.findall(r"<button\b[^>]*>", path.read_text())
        if "class=" not in button
    ]
    assert bare == []
