"""Values no filter of the idea list takes (a status that does not exist, a challenge that is gone,
a sort we do not have, a page that is not a number, characters nobody typed on purpose): the list
leaves them out, says so politely, and shows what the rest of the query asks for; never "No ideas
match" for a typo, never a 500. The API stays strict: a program is told which field is wrong."""

import pytest
from django.urls import reverse

from ideas.models import Status
from tests import factories

pytestmark = pytest.mark.django_db

NOTE = 'data-testid="filters-left-out"'


@pytest.fixture
def three(open_challenge):
    return [
        factories.IdeaFactory(challenge=open_challenge, title=f"Parcel lockers, plan {number}") for number in range(3)
    ]


def shown(response) -> list[int]:
    return [idea.pk for idea in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"status": "nonsense"}, "so ideas of any status are shown"),
        ({"status": "draft"}, "so ideas of any status are shown"),  # a status, but never on a list
        ({"challenge": "no-such-challenge"}, "We could not find that challenge"),
        ({"challenge": "12"}, "We could not find that challenge"),
        ({"outcome": "NOPE-99"}, "We could not find that outcome"),
        ({"phase": "draft"}, "That is not a challenge phase"),
        ({"sort": "cheapest"}, "so the newest ideas come first"),
        ({"status": "💡"}, "so ideas of any status are shown"),
        ({"challenge": "<script>alert(1)</script>"}, "We could not find that challenge"),
        ({"page": "abc"}, "That is not a page number, so the first page is shown."),
        ({"page": "0"}, "That is not a page number, so the first page is shown."),
        ({"page": "-1"}, "That is not a page number, so the first page is shown."),
        ({"page": "²"}, "That is not a page number, so the first page is shown."),
        ({"page": "99999999999999999999"}, "That is not a page number, so the first page is shown."),
        ({"page": "7"}, "The list has fewer pages than that, so its last page is shown."),
    ],
)
def test_a_bad_value_falls_back_with_a_polite_note(client_for, customer, three, query, says):
    response = client_for(customer).get(reverse("ideas:list"), query)
    assert response.status_code == 200
    text = response.content.decode()
    assert NOTE in text and says in text
    assert "No ideas match" not in text
    assert sorted(shown(response)) == sorted(idea.pk for idea in three)
    assert "<script>alert(1)</script>" not in text


def test_good_values_say_nothing(client, three):
    for query in (
        {},
        {"status": "submitted"},
        {"sort": "top"},
        {"page": "1"},
        {"page": ""},
        {"sort": ""},
        {"q": "lockers"},
    ):
        response = client.get(reverse("ideas:list"), query)
        assert NOTE not in response.content.decode(), query


def test_the_rest_of_the_query_still_applies(client, three, open_challenge):
    declined = factories.IdeaFactory(challenge=open_challenge, title="Parcel lockers, declined", status=Status.DECLINED)
    factories.IdeaFactory(challenge=open_challenge, title="Cargo bikes")
    response = client.get(
        reverse("ideas:list"),
        {"status": "declined", "sort": "cheapest", "challenge": "gone", "q": "parcel lockers", "page": "x"},
    )
    text = response.content.decode()
    assert shown(response) == [declined.pk]  # the status and the search still filter
    assert text.count("<p>") >= 3 and "the newest ideas come first" in text and "find that challenge" in text
    assert "That is not a page number" in text


def test_a_page_past_the_end_shows_the_last_page_and_links_leave_bad_values_out(client, settings, three):
    settings.IDEAS_PER_PAGE = 2
    response = client.get(reverse("ideas:list"), {"page": "9", "sort": "bogus", "q": "lockers"})
    assert response.context["page"].number == 2
    text = response.content.decode()
    assert "its last page is shown" in text
    assert "page=1" in text and "bogus" not in text.split(NOTE)[1].split("</div>")[1]  # the links: no bogus sort


def test_a_nul_byte_is_refused_at_the_door_with_a_reason(client, three):
    response = client.get("/ideas/?status=%00")
    assert response.status_code == 400 and b"NUL" in response.content


@pytest.mark.parametrize("sort", ["newest", "cheapest"])
def test_a_bad_value_costs_no_query_per_idea(
    client_for, other_customer, open_challenge, settings, sort, django_assert_num_queries
):
    """The list page's 12 queries (tests/test_views.py) with or without a value left out."""
    settings.IDEAS_PER_PAGE = 5
    factories.IdeaFactory.create_batch(8, challenge=open_challenge)
    client = client_for(other_customer)
    with django_assert_num_queries(12):
        assert client.get(reverse("ideas:list"), {"sort": sort, "status": "nonsense"}).status_code == 200


def test_the_api_stays_strict(client, three):
    response = client.get("/api/v1/ideas/", {"status": "nonsense"})
    assert response.status_code == 400
    assert "status" in response.json().get("errors", response.json()) or "status" in response.content.decode()
