"""Bad input, refusals, throttling and the OpenAPI document: every refusal in the one error shape,
and nothing changed by a refused request."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from ideas.models import Comment, Idea, Vote
from tests.api_clients import anonymous_client, error_of, send, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(open_challenge):
    return {
        "challenge": open_challenge.slug,
        "title": "Evening delivery slots",
        "problem": "Most of us work until six and miss the van every time.",
        "solution": "Offer a slot from seven to ten in the evening, twice a week.",
        "outcomes": [open_challenge.outcomes.first().code],
    }


def _post_raw(client, url, raw: bytes, content_type="application/json"):
    return client.generic("POST", url, raw, content_type=content_type)


def test_bad_json_is_a_400_and_creates_nothing(other_customer, body):
    client = token_client(other_customer)
    for raw in [b"{not json", b'{"title": "x"', json.dumps(body).encode()[:-1], b"\xff\xfe{}"]:
        response = _post_raw(client, "/api/v1/ideas/", raw)
        assert response.status_code == 400, raw
        assert error_of(response)["code"] == "parse_error"
    assert not Idea.objects.filter(title=body["title"]).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": 12345}, "title"),
        ({"title": None}, "title"),
        ({"title": ["a list"]}, "title"),
        ({"problem": True}, "problem"),
        ({"outcomes": "OUT-1"}, "outcomes"),
        ({"outcomes": [1, 2]}, "outcomes"),
        ({"outcomes": ["NO-SUCH-CODE"]}, "outcomes"),
        ({"submit": "perhaps"}, "submit"),
        ({"title": "Null\x00byte idea"}, "title"),
        ({"title": "Lone \ud800 surrogate"}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"title": "tiny"}, "title"),
        ({"challenge": None}, "challenge"),
    ],
)
def test_wrong_types_and_bytes_no_form_expects_are_field_errors(other_customer, body, change, field):
    response = send(token_client(other_customer), "post", "/api/v1/ideas/", body | change)
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid" and field in error["fields"], error
    assert not Idea.objects.exists()


def test_a_body_too_large_or_nested_too_deeply_is_refused_not_a_500(settings, other_customer, idea):
    client = token_client(other_customer)
    url = f"/api/v1/ideas/{idea.pk}/comments/"
    deep = _post_raw(client, url, b"[" * 200_000 + b"]" * 200_000)
    assert deep.status_code == 400 and error_of(deep)["code"] == "parse_error"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    large = send(client, "post", url, {"body": "x" * 2000})
    assert large.status_code == 413 and error_of(large)["code"] == "too_large"
    settings.UPLOAD_MAX_BYTES = 500
    larger = send(client, "post", url, {"body": "x" * 2000})
    assert larger.status_code == 413 and error_of(larger)["code"] == "too_large"
    assert not Comment.objects.exists()


def test_a_body_that_is_not_an_object_is_refused(other_customer):
    for raw in [b"[]", b'"text"', b"42", b"null"]:
        response = _post_raw(token_client(other_customer), "/api/v1/ideas/", raw)
        assert response.status_code == 400, raw
        error_of(response)
    assert not Idea.objects.exists()


def test_a_form_body_is_not_json(other_customer, idea):
    client = token_client(other_customer)
    url = f"/api/v1/ideas/{idea.pk}/comments/"
    response = _post_raw(client, url, b"body=hello+there", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"
    # A multipart body was already parsed by the bad-bytes check: DRF then sees no JSON fields at all.
    response = client.post(url, {"body": "hello there"})
    assert response.status_code == 400 and "body" in error_of(response)["fields"]
    assert not Comment.objects.exists()


def test_bad_bytes_in_the_address_or_query_get_the_error_shape(other_customer):
    client = token_client(other_customer)
    for url in ["/api/v1/ideas/?q=%00", "/api/v1/ideas/?q=%ff%fe", "/api/v1/ideas/?challenge=%c0"]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert error_of(response)["code"] == "bad_bytes"


def test_unknown_filter_values_are_field_errors(customer):
    client = token_client(customer)
    for query, field in [("status=nonsense", "status"), ("sort=best", "sort"), ("challenge=no-such", "challenge")]:
        response = client.get(f"/api/v1/ideas/?{query}")
        assert response.status_code == 400
        assert field in error_of(response)["fields"]


def test_domain_refusals_are_400_with_the_services_message(customer, idea):
    response = send(token_client(customer), "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "up"})
    assert response.status_code == 400
    assert error_of(response) == {"code": "refused", "message": "You cannot vote on your own idea."}
    response = send(token_client(customer), "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "sideways"})
    assert response.status_code == 400 and "value" in error_of(response)["fields"]
    assert not Vote.objects.exists()


def test_unknown_addresses_and_methods(customer, idea):
    client = token_client(customer)
    missing = client.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    assert error_of(client.get("/api/v1/ideas/999999/"))["message"] == "No such idea."
    wrong = send(client, "delete", "/api/v1/ideas/")
    assert wrong.status_code == 405 and error_of(wrong)["code"] == "method_not_allowed"


# --- throttling ---


def test_requests_past_the_rate_are_429_per_token(settings, customer, other_customer, idea):
    settings.API_THROTTLE_RATES = {"anonymous": "2/min", "read": "3/min", "write": "2/min"}
    first, second = token_client(other_customer), token_client(other_customer)
    for _ in range(3):
        assert first.get("/api/v1/ideas/").status_code == 200
    refused = first.get("/api/v1/ideas/")
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "throttled" and 0 < int(refused["Retry-After"]) <= 60
    assert second.get("/api/v1/ideas/").status_code == 200  # another token has its own allowance
    for n in range(2):
        assert send(first, "post", f"/api/v1/ideas/{idea.pk}/comments/", {"body": f"Comment {n}"}).status_code == 201
    refused = send(first, "post", f"/api/v1/ideas/{idea.pk}/comments/", {"body": "One too many"})
    assert refused.status_code == 429
    assert Comment.objects.count() == 2
    visitor = anonymous_client()
    assert [visitor.get("/api/v1/challenges/").status_code for _ in range(3)] == [200, 200, 429]


# --- the OpenAPI document and its page ---


def test_the_schema_generates_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["openapi"].startswith("3.")
    assert "/api/v1/ideas/" in document["paths"] and "personalAccessToken" in document["components"]["securitySchemes"]


def test_the_schema_and_the_docs_page_are_served():
    client = Client()
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200 and response.json()["info"]["title"] == "Idea portal API"
    page = client.get("/api/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html and "/api/v1/schema/" in html and "<script>" not in html
