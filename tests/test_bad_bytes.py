"""Bad bytes are refused at the door (core.security) and invisible-only text by every form
(core.visible_text).

Every route of the URL resolver, the admin's and allauth's included, gets NUL bytes and invalid
UTF-8 in its path, its query string and its form body (urlencoded and multipart), as a visitor, a
customer and triage staff: each answer is a 4xx, never a 5xx, and no row of the portal changes.
"""

import re

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from core.visible_text import INVISIBLE_MESSAGE, is_invisible_only
from ideas.models import Comment, Idea
from tests import factories

pytestmark = pytest.mark.django_db

BAD_PIECES = ["%00", "%FF", "%C3%28", "a%00b", "%E2%82"]  # NUL, invalid bytes, a cut-off sequence
SAMPLES = {"int": "1", "slug": "x", "str": "x", "path": "1", "uuid": "00000000-0000-0000-0000-000000000000"}
PORTAL_APPS = {
    "accounts",
    "challenges",
    "ideas",
    "scoring",
    "reviews",
    "notifications",
    "metrics",
    "reputation",
    "innovators",
}


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), isinstance(pattern.pattern, RoutePattern)


def _path(route: str, bad: str | None = None) -> str:
    """A path for the route: sample arguments, or ``bad`` in each argument that takes text."""

    def converter(match):
        kind = match.group(1) or "str"
        return bad if bad is not None and kind in ("str", "path", "slug") else SAMPLES[kind]

    def group(match):
        body = match.group(1)
        if re.fullmatch(r"[\w|]+", body):  # a choice of names: the first
            return body.split("|")[0]
        return bad if bad is not None else "1"

    path = re.sub(r"<(?:(\w+):)?\w+>", converter, route)
    path = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", group, path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    if bad is not None and bad not in path:
        path += bad
    return "/" + path


ALL_ROUTES = sorted(set(_routes()))


def _portal_row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PORTAL_APPS
    }


def _post_multipart(client, path: str, value: bytes):
    """A multipart form whose "title" field holds these raw bytes (the test client would encode them)."""
    boundary = "BoUnDaRy15b"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n'.encode()
        + value
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\nx\r\n--{boundary}--\r\n'.encode()
    )
    return client.post(path, body, content_type=f"multipart/form-data; boundary={boundary}")


def _assert_refused(response, what):
    assert 400 <= response.status_code < 500, f"{what}: {response.status_code}"


@pytest.mark.parametrize("role", ["anonymous", "customer", "triage"])
def test_every_route_answers_bad_bytes_with_4xx_and_stores_nothing(as_role, idea, role):
    client = as_role(role)
    assert len(ALL_ROUTES) > 200  # the admin's and allauth's routes are in
    before = _portal_row_counts()
    for route, _ in ALL_ROUTES:
        good = _path(route)
        for bad in BAD_PIECES:
            _assert_refused(client.get(_path(route, bad)), f"GET path {_path(route, bad)}")
            for query in (f"q={bad}", f"{bad}=1", f"term={bad}&app_label=ideas&model_name=idea&field_name=challenge"):
                _assert_refused(client.get(f"{good}?{query}"), f"GET {good}?{query}")
            _assert_refused(
                client.post(good, f"title={bad}&body=x", content_type="application/x-www-form-urlencoded"),
                f"POST urlencoded {good} {bad}",
            )
        for value in (b"a\x00b", b"caf\xe9", b"\xc3("):
            _assert_refused(_post_multipart(client, good, value), f"POST multipart {good} {value!r}")
    assert _portal_row_counts() == before


def test_the_door_answers_400_with_a_reason(client):
    response = client.get("/ideas/similar/?title=a%00b&challenge=x")
    assert response.status_code == 400
    assert b"NUL byte" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/ideas/similar/?title=%00&challenge=easier-deliveries",  # the six routes
        "/ideas/similar/?title=lockers&challenge=%00",
        "/challenges/invitations/%00/",
        "/admin/ideas/idea/?status=%00",
        "/admin/ideas/idea/?q=%00",
        "/admin/autocomplete/?term=%00&app_label=ideas&model_name=idea&field_name=challenge",
    ],
)
def test_the_routes_that_answered_500_answer_400(as_role, idea, url):
    assert as_role("triage").get(url).status_code == 400


def test_a_content_length_that_is_not_a_number_is_400(client):
    response = client.post(
        "/accounts/login/", "login=a", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH="ten"
    )
    assert response.status_code == 400


def test_good_unicode_passes_the_door(client, idea):
    assert client.get("/ideas/?q=caf%C3%A9+%E2%9C%93").status_code == 200
    assert client.get("/ideas/?q=%F0%9F%92%A1").status_code == 200  # 💡: four bytes, valid


@pytest.mark.parametrize(
    "text,invisible",
    [
        ("\u200b\u200b\u200b", True),
        ("\u200b \u2060\ufeff\u200d", True),
        ("\u3164\u115f", True),  # Hangul fillers: "letters" that draw nothing
        ("\u202e\u2800", True),
        ("a\u200b", False),
        ("💡", False),
        ("e\u0301", False),
        ("", False),
    ],
)
def test_invisible_only(text, invisible):
    assert is_invisible_only(text) is invisible


def test_an_idea_titled_with_zero_width_spaces_is_refused(as_role, open_challenge):
    client = as_role("customer")
    response = client.post(
        reverse("challenges:submit", args=[open_challenge.slug]),
        {"title": "\u200b\u200b\u200b\u200b\u200b\u200b", "problem": "\u200b\u2060", "solution": "Lockers at stations"},
    )
    assert response.status_code in (200, 400)
    assert str(INVISIBLE_MESSAGE) in response.content.decode()
    assert not Idea.objects.filter(challenge=open_challenge).exists()


def test_a_comment_of_invisible_characters_is_refused(as_role, idea):
    response = as_role("customer").post(reverse("ideas:comment", args=[idea.pk]), {"body": "\u200b \u200d\ufeff"})
    assert response.status_code < 500
    assert not Comment.objects.filter(idea=idea).exists()


def test_an_admin_form_refuses_invisible_only_text(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:challenges_job_add"), {"name": "\u200b\u200b", "kind": "functional"})
    assert response.status_code == 200
    assert str(INVISIBLE_MESSAGE) in response.content.decode()
