"""Nothing lost or doubled when API requests arrive at once: real threads, each on its own
database connection, against PostgreSQL."""

import threading

import pytest
from django.db import connection

from ideas.models import Idea, Vote
from tests import factories
from tests.api_clients import send, token_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def _at_once(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released together; their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as error:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_votes_cast_at_once_are_each_counted_once(open_challenge):
    idea = factories.IdeaFactory(challenge=open_challenge)
    clients = [token_client(factories.UserFactory()) for _ in range(8)]
    url = f"/api/v1/ideas/{idea.pk}/vote/"
    statuses = _at_once(8, lambda i: send(clients[i], "put", url, {"value": "up"}).status_code)
    assert statuses == [200] * 8
    idea.refresh_from_db()
    assert idea.votes_up == Vote.objects.filter(idea=idea).count() == 8


def test_the_same_create_sent_at_once_with_one_idempotency_key_makes_one_idea(open_challenge):
    author = factories.UserFactory()
    clients = [token_client(author) for _ in range(4)]
    body = {
        "challenge": open_challenge.slug,
        "title": "Evening delivery slots",
        "problem": "Most of us work until six and miss the van every time.",
        "solution": "Offer a slot from seven to ten in the evening, twice a week.",
        "outcomes": [open_challenge.outcomes.first().code],
    }
    responses = _at_once(
        4, lambda i: send(clients[i], "post", "/api/v1/ideas/", body, headers={"Idempotency-Key": "crm-1"})
    )
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Idea.objects.filter(author=author).count() == 1
