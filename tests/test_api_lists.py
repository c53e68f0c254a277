"""Cursor pages (no row repeated or missed while new ideas arrive, in every sort) and query counts
that do not grow with the page (1 row or many)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ideas.models import Idea, Status
from notifications.models import Notification
from tests import factories
from tests.api_clients import anonymous_client, error_of, token_client

pytestmark = pytest.mark.django_db


def _walk(client, url: str, *, between=None) -> list[int]:
    """Every id of the list, following ``next``; ``between(page_number)`` runs after each page."""
    ids, number = [], 0
    while url:
        body = client.get(url).json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
        number += 1
        if between:
            between(number)
    return ids


@pytest.mark.parametrize("sort", ["newest", "top", "trending", "opportunity"])
def test_pages_neither_repeat_nor_miss_an_idea_while_new_ones_arrive(open_challenge, customer, sort):
    ideas = factories.IdeaFactory.create_batch(7, challenge=open_challenge)
    # Ties everywhere (the new ideas tie too): only the id can order them, and the cursor must hold it.
    Idea.objects.update(rank_top=0.5, rank_trending=3, rank_opportunity=7.25)
    Idea.objects.filter(pk=ideas[2].pk).update(rank_top=0.9, rank_trending=9, rank_opportunity=12.5)
    arrived = []

    def new_ideas_arrive(page_number):
        new = factories.IdeaFactory.create_batch(2, challenge=open_challenge)
        Idea.objects.filter(pk__in=[i.pk for i in new]).update(rank_top=0.5, rank_trending=3, rank_opportunity=7.25)
        arrived.extend(new)

    seen = _walk(token_client(customer), f"/api/v1/ideas/?sort={sort}&page_size=3", between=new_ideas_arrive)
    assert len(seen) == len(set(seen)), "an idea was repeated"
    assert {idea.pk for idea in ideas} <= set(seen), "an idea that was there from the start was missed"
    assert set(seen) <= {idea.pk for idea in ideas + arrived}


def test_the_order_is_the_list_pages(open_challenge, customer, client_for):
    factories.IdeaFactory.create_batch(5, challenge=open_challenge)
    for position, idea in enumerate(Idea.objects.order_by("pk")):
        Idea.objects.filter(pk=idea.pk).update(rank_top=position % 3 / 10)
    page = client_for(customer).get("/ideas/?sort=top")
    api = token_client(customer).get("/api/v1/ideas/?sort=top").json()["results"]
    assert [row["id"] for row in api] == [idea.pk for idea in page.context["page"].object_list]


def test_filters_and_search_are_the_pages(open_challenge, customer, client_for):
    other = factories.ChallengeFactory(slug="other")
    factories.IdeaFactory(challenge=open_challenge, title="Parcel lockers at stations")
    factories.IdeaFactory(challenge=open_challenge, title="Evening slots", status=Status.SHORTLISTED)
    factories.IdeaFactory(challenge=other, title="Lockers in offices")
    factories.IdeaFactory(challenge=open_challenge, author=customer, title="My own lockers idea")
    for query in [
        "q=lockers",
        "challenge=other",
        "status=shortlisted",
        "mine=true",
        "q=lockers&challenge=easier-deliveries",
    ]:
        page = client_for(customer).get(f"/ideas/?{query}")
        api = token_client(customer).get(f"/api/v1/ideas/?{query}").json()["results"]
        assert {row["id"] for row in api} == {idea.pk for idea in page.context["page"].object_list}, query
        assert api, query


def test_a_bad_cursor_or_page_size_is_a_400(customer):
    client = token_client(customer)
    for query in [
        "cursor=nonsense",
        "cursor=eyJvcmRlciI6InRvcCIsImFmdGVyIjpbMSwyXX0",
        "page_size=0",
        "page_size=1000",
        "page_size=x",
    ]:
        response = client.get(f"/api/v1/ideas/?{query}")
        assert response.status_code == 400, query
        assert error_of(response)["code"] == "invalid"


def test_a_cursor_of_another_sort_is_refused(open_challenge, customer):
    factories.IdeaFactory.create_batch(3, challenge=open_challenge)
    client = token_client(customer)
    next_url = client.get("/api/v1/ideas/?sort=top&page_size=1").json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    assert client.get(f"/api/v1/ideas/?sort=newest&cursor={cursor}").status_code == 400


# --- query counts ---


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def _constant(client, url, add_rows) -> tuple[int, int]:
    client.get(url)  # the token's "last used" is written on the first request only
    add_rows(1)
    one = _queries(client, url)
    add_rows(12)
    many = _queries(client, url)
    return one, many


@pytest.fixture
def fill(open_challenge, customer, triage):
    def ideas(n):
        for idea in factories.IdeaFactory.create_batch(n, challenge=open_challenge):
            factories.VoteFactory(idea=idea, user=customer)

    def challenges(n):
        factories.ChallengeFactory.create_batch(n)

    def comments(n):
        idea = Idea.objects.get(title="Commented")
        for comment in factories.CommentFactory.create_batch(n, idea=idea):
            factories.CommentFactory(idea=idea, parent=comment)

    def notifications(n):
        start = Notification.objects.count()
        Notification.objects.bulk_create(
            Notification(recipient=customer, kind="idea_received", event_key=f"e{start + i}", title="t", url="/")
            for i in range(n)
        )

    def scores(n):
        from django.utils import timezone

        from scoring.models import OutcomeScore

        for outcome in factories.OutcomeFactory.create_batch(n):
            OutcomeScore.objects.create(
                wave=factories.round_of(outcome),
                current=True,
                outcome=outcome,
                respondents=40,
                important_count=30,
                satisfied_count=10,
                importance=7.5,
                satisfaction=2.5,
                opportunity=12.5,
                importance_low=7,
                importance_high=8,
                satisfaction_low=2,
                satisfaction_high=3,
                classification="underserved",
                computed_at=timezone.now(),
            )

    return {
        "ideas": ideas,
        "challenges": challenges,
        "comments": comments,
        "notifications": notifications,
        "scores": scores,
    }


LISTS = [
    ("/api/v1/ideas/?page_size=20", "ideas", "customer"),
    ("/api/v1/ideas/?page_size=20&sort=top&q=lockers", "ideas", "customer"),
    ("/api/v1/ideas/mine/", "ideas", "author"),
    ("/api/v1/challenges/", "challenges", "customer"),
    ("/api/v1/ideas/{commented}/comments/", "comments", "customer"),
    ("/api/v1/notifications/", "notifications", "customer"),
    ("/api/v1/opportunity-scores/", "scores", "triage"),
]


@pytest.mark.parametrize(("url", "rows", "who"), LISTS)
def test_list_endpoints_ask_the_same_number_of_queries_for_one_row_or_many(
    fill, customer, triage, open_challenge, url, rows, who
):
    commented = factories.IdeaFactory(challenge=open_challenge, title="Commented")
    if who == "author":
        from ideas.models import Idea as IdeaModel

        IdeaModel.objects.update(author=customer)
        fill_rows = lambda n: (fill["ideas"](n), IdeaModel.objects.update(author=customer))  # noqa: E731
    else:
        fill_rows = fill[rows]
    client = token_client(triage, scopes=["staff"]) if who == "triage" else token_client(customer)
    one, many = _constant(client, url.format(commented=commented.pk).replace("q=lockers", "q=delivery"), fill_rows)
    assert one == many, (url, one, many)
    assert many <= 8, (url, many)
    print(f"{url}: {many} queries")


def test_anonymous_lists_are_constant_too(open_challenge):
    client = anonymous_client()
    one, many = _constant(
        client, "/api/v1/ideas/", lambda n: factories.IdeaFactory.create_batch(n, challenge=open_challenge)
    )
    assert one == many <= 4
