"""The triage queue: who may open it, its order, filters, overdue marks and author track records on
a known data set, and a constant number of queries whatever the page size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ideas.models import Idea, Status, StatusChange
from reviews.admin_mentoring import MENTORING_ACTIONS
from reviews.models import TriageIdea
from reviews.services import criteria_ensure_defaults, screening_save
from tests import factories
from tests.decisions import expected_for

QUEUE_URL = reverse("admin:reviews_triageidea_changelist")


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def superuser(db):
    return factories.UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def plain_staff(db):
    return factories.UserFactory(is_staff=True)


@pytest.fixture
def data(open_challenge, customer, other_customer, triage):
    """A known queue. open_challenge promises an answer within 10 days; ``slow`` within 30."""
    slow = factories.ChallengeFactory(title="Greener packaging", answer_within_days=30)
    ideas = {
        # submitted 20 days ago on a 10-day promise: overdue
        "late": factories.IdeaFactory(
            challenge=open_challenge, author=customer, title="Late lockers", submitted_at=days_ago(20)
        ),
        # submitted 20 days ago on a 30-day promise: not overdue
        "slow": factories.IdeaFactory(
            challenge=slow, author=other_customer, title="Paper trays", submitted_at=days_ago(20)
        ),
        # submitted 2 days ago: awaiting, not overdue
        "fresh": factories.IdeaFactory(
            challenge=open_challenge, author=other_customer, title="Fresh slots", submitted_at=days_ago(2)
        ),
        # decided long ago: after every submitted idea, never overdue
        "shortlisted": factories.IdeaFactory(
            challenge=open_challenge,
            author=customer,
            title="Shortlisted drones",
            status=Status.SHORTLISTED,
            submitted_at=days_ago(40),
            decided_at=days_ago(30),
        ),
        # the author's draft: never in the queue
        "draft": factories.IdeaFactory(
            challenge=open_challenge, author=customer, title="Draft idea", status=Status.DRAFT, submitted_at=None
        ),
    }
    criteria = criteria_ensure_defaults(challenge=open_challenge)
    screening_save(idea=ideas["fresh"], screener=triage, scores={c.pk: (4, "") for c in criteria}, notes="")
    return ideas


def rows(response):
    return [idea.title for idea in response.context["cl"].result_list]


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 302), ("customer", 302), ("mentor", 302), ("plain_staff", 403), ("triage", 200), ("superuser", 200)],
)
def test_queue_per_role(request, client_for, data, who, expected):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(QUEUE_URL)
    assert response.status_code == expected
    if expected == 302:
        assert "/admin/login/" in response["Location"]


def test_queue_is_hidden_from_the_admin_index_for_non_triage_staff(client_for, plain_staff, triage):
    assert "Triage queue" not in client_for(plain_staff).get(reverse("admin:index")).content.decode()
    assert "Triage queue" in client_for(triage).get(reverse("admin:index")).content.decode()


def test_default_order_awaiting_first_then_oldest(client_for, triage, data):
    response = client_for(triage).get(QUEUE_URL)
    assert rows(response) == ["Late lockers", "Paper trays", "Fresh slots", "Shortlisted drones"]


def test_overdue_is_marked_and_filtered(client_for, triage, data):
    client = client_for(triage)
    response = client.get(QUEUE_URL)
    flags = {idea.title: idea.is_overdue for idea in response.context["cl"].result_list}
    assert flags == {"Late lockers": True, "Paper trays": False, "Fresh slots": False, "Shortlisted drones": False}
    assert response.content.decode().count('class="triage-overdue"') == 1
    assert rows(client.get(QUEUE_URL, {"overdue": "yes"})) == ["Late lockers"]
    assert rows(client.get(QUEUE_URL, {"overdue": "no"})) == ["Paper trays", "Fresh slots", "Shortlisted drones"]


def test_answered_idea_is_no_longer_overdue(client_for, triage, data):
    late = data["late"]
    from ideas.services import idea_status_change

    idea_status_change(idea=late, to_status=Status.DECLINED, changed_by=triage, reason="Out of scope.")
    assert rows(client_for(triage).get(QUEUE_URL, {"overdue": "yes"})) == []


def test_filters_and_search(client_for, triage, data, open_challenge, customer):
    client = client_for(triage)
    assert rows(client.get(QUEUE_URL, {"screened": "yes"})) == ["Fresh slots"]
    assert rows(client.get(QUEUE_URL, {"screened": "no"})) == ["Late lockers", "Paper trays", "Shortlisted drones"]
    assert rows(client.get(QUEUE_URL, {"status__exact": "shortlisted"})) == ["Shortlisted drones"]
    assert rows(client.get(QUEUE_URL, {"challenge__id__exact": open_challenge.pk})) == [
        "Late lockers",
        "Fresh slots",
        "Shortlisted drones",
    ]
    outcome = data["slow"].outcomes.get()
    assert rows(client.get(QUEUE_URL, {"outcomes__id__exact": outcome.pk})) == ["Paper trays"]
    assert rows(client.get(QUEUE_URL, {"q": "drones"})) == ["Shortlisted drones"]
    assert rows(client.get(QUEUE_URL, {"q": customer.email})) == ["Late lockers", "Shortlisted drones"]


def test_columns_show_votes_support_screening_and_track_record(client_for, triage, data):
    Idea.objects.filter(pk=data["late"].pk).update(votes_up=7, votes_down=2, rank_top=0.4213, rank_opportunity=13.25)
    html = client_for(triage).get(QUEUE_URL).content.decode()
    assert "▲ 7 ▼ 2" in html
    assert "42%" in html
    assert "13.2" in html
    # issue 16: the score reads "of 5", its screeners under it.
    assert "4.0 of 5" in html and "1 screener<" in html
    # Cora: Late lockers, Shortlisted drones (the draft does not count): 2 ideas, 1 shortlisted.
    assert "2 ideas · 1 shortlisted · 0 implemented" in html
    # Every row links to its scorecard.
    assert reverse("admin:reviews_triageidea_scorecard", args=[data["late"].pk]) in html


def _queue_queries(client, count_to, challenge, author):
    existing = Idea.objects.exclude(status=Status.DRAFT).count()
    for n in range(count_to - existing):
        factories.IdeaFactory(challenge=challenge, author=author, title=f"Idea {n}", submitted_at=days_ago(n % 30))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE_URL)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(count_to, 25)  # 25 rows a page (issue 16)
    return len(queries)


def test_query_count_is_constant_in_page_size(client_for, triage, open_challenge):
    client = client_for(triage)
    authors = [factories.UserFactory() for _ in range(3)]
    one = _queue_queries(client, 1, open_challenge, authors[0])
    # More rows (a full page of 25 out of 30), more authors, more challenges, mentors: the same number.
    for author in authors[1:]:
        factories.IdeaFactory(author=author, submitted_at=days_ago(3))
    thirty = _queue_queries(client, 30, open_challenge, authors[2])
    assert one == thirty


def test_actions_include_change_status_and_mentoring(triage, rf):
    from django.contrib import admin

    request = rf.get(QUEUE_URL)
    request.user = triage
    names = set(admin.site._registry[TriageIdea].get_actions(request))
    assert "change_status" in names
    for action in MENTORING_ACTIONS:
        assert (action if isinstance(action, str) else action.__name__) in names


def test_change_status_from_the_queue_goes_through_the_service(client_for, triage, data):
    late, fresh = data["late"], data["fresh"]
    response = client_for(triage).post(
        QUEUE_URL,
        {
            "action": "change_status",
            "_selected_action": [late.pk, fresh.pk],
            "apply": "Change status",
            "to_status": "declined",
            "reason": "Outside what we can deliver.",
            "expected_status": expected_for(late, fresh),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert set(StatusChange.objects.values_list("idea__title", "to_status")) == {
        ("Late lockers", "declined"),
        ("Fresh slots", "declined"),
    }


@pytest.mark.django_db
def test_the_queue_count_stops_at_the_cap_and_says_so(client_for, triage, open_challenge, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    factories.IdeaFactory.create_batch(5, challenge=open_challenge)
    with CaptureQueriesContext(connection) as queries:
        html = client_for(triage).get(reverse("admin:reviews_triageidea_changelist")).content.decode()
    assert "more than 3 triage queue" in html or "more than 3 ideas" in html, html[html.find("paginator") :][:300]
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert counts and all("LIMIT 4" in sql for sql in counts)
    # The count leaves out the rows' annotations: no author track record computed for 10,001 rows.
    assert all(sql.count("SELECT") <= 2 for sql in counts), counts


@pytest.mark.django_db
def test_search_finds_each_word_in_the_title_or_the_authors_email(client_for, triage, open_challenge):
    lockers = factories.IdeaFactory(challenge=open_challenge, title="Parcel lockers at stations")
    by_zoe = factories.IdeaFactory(
        challenge=open_challenge, title="Evening slots", author=factories.UserFactory(email="zoe.parcel@example.com")
    )
    factories.IdeaFactory(challenge=open_challenge, title="Recipe cards")

    def found(term):
        response = client_for(triage).get(QUEUE_URL, {"q": term})
        return {idea.pk for idea in response.context["cl"].result_list}

    assert found("parcel") == {lockers.pk, by_zoe.pk}  # a title, an email
    assert found("LOCKERS") == {lockers.pk}
    assert found("zoe.parcel@") == {by_zoe.pk}
    assert found("parcel stations") == {lockers.pk}  # every word
    assert found('"lockers at"') == {lockers.pk}  # a quoted phrase
    assert found("nothing-like-this") == set()


@pytest.mark.postgresql
@pytest.mark.django_db
def test_search_reads_the_trigram_indexes(triage):
    """The admin's icontains is UPPER(column::text) LIKE …: the indexes must be on that expression."""
    from django.contrib.auth import get_user_model

    def plan(queryset):
        sql, params = queryset.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            # A tiny table would be scanned, or walked along another index, anyway: leave the planner
            # bitmap scans only, which need an index that matches the condition.
            for scan in ("seqscan", "indexscan", "indexonlyscan"):
                cursor.execute(f"SET LOCAL enable_{scan} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    assert "idea_title_upper_trgm" in plan(Idea.objects.filter(title__icontains="lockers"))
    assert "user_email_upper_trgm" in plan(get_user_model().objects.filter(email__icontains="zoe"))
