"""Clients for the API tests: as another system calls it (a token, CSRF enforced, no cookie)."""

import json

from django.test import Client

from api import services


def token_client(user, scopes=("read", "write"), **token_fields) -> Client:
    """A client that sends a fresh personal access token of ``user`` with these scopes."""
    _, raw = services.token_create(user=user, name="test", scopes=list(scopes), **token_fields)
    return bearer_client(raw)


def bearer_client(raw: str) -> Client:
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})


def anonymous_client() -> Client:
    return Client(enforce_csrf_checks=True)


def send(client: Client, method: str, url: str, data=None, **extra):
    """A JSON request (``data`` None: no body)."""
    body = {} if data is None else {"data": json.dumps(data), "content_type": "application/json"}
    return getattr(client, method.lower())(url, **body, **extra)


def error_of(response) -> dict:
    """The error object of a refusal, checking its shape on the way."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "fields"}, body
    assert body["error"]["message"], body
    return body["error"]
