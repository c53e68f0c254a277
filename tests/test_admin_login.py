"""/admin/login/ signs nobody in (core.admin_login): staff sign in on the portal's page, whose
throttle (allauth's ``login_failed`` rate limit) locks an address after 5 wrong passwords."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def staff(triage):
    return triage


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_twelve_wrong_staff_passwords_at_admin_login_are_throttled(client, staff):
    for _ in range(12):
        response = client.post(ADMIN_LOGIN, {"username": staff.email, "password": "wrong-guess"})
        assert response.status_code == 303
        assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"
    # The right password posted to the admin's form checks nothing either: nobody signs in there.
    response = client.post(ADMIN_LOGIN, {"username": staff.email, "password": factories.PASSWORD})
    assert response.status_code == 303 and not _signed_in(client)
    # Where it sends them, the portal's sign-in, wrong passwords lock the address after five...
    login = response["Location"]
    answers = [client.post(login, {"login": staff.email, "password": "wrong-guess"}) for _ in range(12)]
    assert all(answer.status_code in (200, 429) for answer in answers)
    assert TOO_MANY in answers[5].text and TOO_MANY in answers[11].text
    # ... and while it is locked, the right one does not sign in either.
    locked = client.post(login, {"login": staff.email, "password": factories.PASSWORD})
    assert TOO_MANY in locked.text and not _signed_in(client)


def test_staff_sign_in_on_the_portals_page_and_land_in_the_admin(client, staff):
    cache.clear()
    response = client.get(f"{ADMIN_LOGIN}?next=/admin/ideas/idea/")
    assert response.status_code == 303
    login = response["Location"]
    assert login == f"{reverse('account_login')}?next=%2Fadmin%2Fideas%2Fidea%2F"
    signed_in = client.post(login, {"login": staff.email, "password": factories.PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/ideas/idea/"
    assert _signed_in(client)
    # Signed in, the admin's login page sends staff on.
    assert client.get(f"{ADMIN_LOGIN}?next=/admin/ideas/idea/")["Location"] == "/admin/ideas/idea/"


def test_the_admin_redirects_visitors_through_its_login_to_the_portals(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[0][0].startswith(ADMIN_LOGIN)
    assert response.redirect_chain[-1][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_a_member_without_triage_rights_is_told_not_looped(client, customer):
    client.force_login(customer)
    response = client.get(f"{ADMIN_LOGIN}?next=/admin/")
    assert response.status_code == 403
    assert "cannot use the triage pages" in response.text


@pytest.mark.parametrize("wanted", ["https://evil.example/", "//evil.example/admin/", "javascript:alert(1)"])
def test_next_stays_on_the_portal(client, wanted):
    response = client.get(ADMIN_LOGIN, {"next": wanted})
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"
