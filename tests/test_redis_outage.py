"""Redis is a helper, never a dependency of the request: with it stopped, the portal serves.

Every test here runs a Redis server of its own (tests/redis_server.py) and stops it: the shared
Redis other tests use is never touched.
"""

import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ideas.models import Comment, Idea, Status, Vote
from ideas.services import idea_status_change
from notifications import tasks as notification_tasks
from notifications.models import Notification, OutboxEvent
from reputation import services as reputation_services
from reputation.models import Kind, ReputationTotal, Tier
from tests import factories
from tests.broker import broker_at
from tests.redis_server import fail_open_cache_settings, persistent_redis_server, redis_server  # noqa: F401 - fixtures


@pytest.fixture
def redis_cache(settings, redis_server):  # noqa: F811
    settings.CACHES = fail_open_cache_settings(redis_server.url)
    cache.clear()
    return redis_server


def test_the_cache_fails_open_and_comes_back(redis_cache):
    cache.set("k", 1)
    assert cache.get("k") == 1
    redis_cache.stop()
    started = time.perf_counter()
    assert cache.get("k") is None
    assert cache.get("k", "default") == "default"
    assert cache.add("flag", 1) is True  # as on an empty cache: the caller goes ahead
    cache.set("k", 2)
    cache.delete("k")
    assert cache.get_many(["k", "j"]) == {}
    assert cache.has_key("k") is False
    with pytest.raises(ValueError):
        cache.incr("k")
    for _ in range(100):  # the breaker: one failed connection, then no call at all
        cache.get("k")
    assert time.perf_counter() - started < 1.0
    with pytest.raises(Exception):  # noqa: B017 - the health check must see the outage
        cache.ping()

    redis_cache.start()  # empty again, as the compose file's cache after a restart
    deadline = time.monotonic() + 5
    while True:  # the breaker lets calls through again shortly: a value set is read back
        cache.set("k", 3)
        if cache.get("k") == 3:
            break
        assert time.monotonic() < deadline, "the cache did not come back"
        time.sleep(0.05)
    cache.ping()


@pytest.mark.django_db
def test_the_lead_threshold_is_read_from_the_database_with_the_cache_down(redis_cache):
    members = factories.UserFactory.create_batch(200)
    for number, member in enumerate(members):
        reputation_services.reputation_award(
            user=member, kind=Kind.SURVEY_COMPLETED, object_key="job:1", points=10 + number
        )
    reputation_services.reputation_rebuild()  # stores the threshold: the 2nd best's points
    redis_cache.stop()
    assert reputation_services.lead_threshold() == 10 + 198
    climber, below = factories.UserFactory(), factories.UserFactory()
    reputation_services.reputation_award(user=climber, kind=Kind.IDEA_SUBMITTED, object_key="idea:9", points=208)
    reputation_services.reputation_award(user=below, kind=Kind.IDEA_SUBMITTED, object_key="idea:9", points=207)
    tiers = dict(ReputationTotal.objects.filter(user__in=[climber, below]).values_list("user_id", "tier"))
    assert tiers == {climber.pk: Tier.LEAD_INNOVATOR, below.pk: Tier.CONTRIBUTOR}


def idea_form(challenge, title: str) -> dict:
    return {
        "title": title,
        "problem": "Nobody is home when the van comes, so the parcel goes back to the depot.",
        "solution": "The bakery on the corner keeps parcels until the evening, for a small fee.",
        "outcomes": [challenge.outcomes.first().pk],
        "action": "submit",
    }


def _no_server_error(response, what: str):
    assert response.status_code < 500, f"{what}: {response.status_code}"
    return response


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_visitors_browse_members_sign_in_vote_comment_and_submit(
    settings,
    redis_server,  # noqa: F811
):
    """The issue's first "done when": Redis (cache and broker) stopped mid-test, no 5xx; once it is
    back, every queued notification is delivered exactly once by the outbox drain."""
    settings.CACHES = fail_open_cache_settings(redis_server.url)
    settings.PAGE_CACHE_SECONDS = 300  # the page cache is on: it must fail open too
    cache.clear()
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    author = factories.UserFactory(display_name="Ada Author")
    idea = factories.IdeaFactory(challenge=challenge, author=author, title="Lockers at stations")
    member = factories.UserFactory(email="member@example.com", display_name="Mia Member")
    triage = factories.TriageFactory(display_name="Tess Triage")
    pages = [
        reverse("home"),
        reverse("challenges:list"),
        challenge.get_absolute_url(),
        reverse("ideas:list"),
        idea.get_absolute_url(),
    ]
    visitor = Client()
    with broker_at(redis_server.url):
        for url in pages:  # warm the page cache while Redis is up
            _no_server_error(visitor.get(url), url)
        assert visitor.get(reverse("ideas:list"))["X-Page-Cache"] == "hit"

        redis_server.stop()
        started = time.perf_counter()
        for url in pages:
            response = _no_server_error(visitor.get(url), url)
            assert response.status_code == 200 and "X-Page-Cache" not in response

        # A member signs in through allauth's form (its rate limits live in the cache).
        browser = Client()
        login = browser.get(reverse("account_login"))
        assert login.status_code == 200
        response = _no_server_error(
            browser.post(reverse("account_login"), {"login": member.email, "password": factories.PASSWORD}),
            "sign-in",
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert browser.get(reverse("profile")).status_code == 200

        # Vote, comment, submit an idea: each commits, whatever its after-commit hooks meet.
        response = _no_server_error(browser.post(reverse("ideas:vote", args=[idea.pk]), {"value": "up"}), "vote")
        assert response.status_code == 302
        response = _no_server_error(
            browser.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Lockers near the exit, please."}),
            "comment",
        )
        assert response.status_code == 302
        response = _no_server_error(
            browser.post(
                reverse("challenges:submit", args=[challenge.slug]),
                idea_form(challenge, "Parcel drop at the bakery"),
            ),
            "submit",
        )
        assert response.status_code == 302
        for url in pages:
            _no_server_error(browser.get(url), url)
        # Staff shortlist the idea: the status change's transaction reads the lead threshold from
        # the database and queues its email after commit, which must not raise with the broker down.
        idea_status_change(idea=Idea.objects.get(pk=idea.pk), to_status=Status.SHORTLISTED, changed_by=triage)
        health = Client().get(reverse("healthz"))
        assert health.status_code == 200
        assert {"cache", "broker"} <= set(health.json()["degraded"])
        outage_seconds = time.perf_counter() - started

    assert Vote.objects.filter(user=member, idea=idea, value=Vote.Value.UP).count() == 1
    assert Idea.objects.get(pk=idea.pk).votes_up == 1
    assert Comment.objects.filter(author=member, idea=idea).count() == 1
    submitted = Idea.objects.get(title="Parcel drop at the bakery")
    assert submitted.status == "submitted" and submitted.author == member
    assert Idea.objects.get(pk=idea.pk).status == Status.SHORTLISTED
    assert reputation_services.lead_threshold() is None  # read from the database all along
    pending = set(OutboxEvent.objects.filter(processed_at__isnull=True).values_list("event_key", flat=True))
    assert len(pending) >= 2  # the comment's and the submission's, never queued: the broker was down
    assert outage_seconds < 30, f"the outage made the requests slow: {outage_seconds:.1f} s"

    # Redis returns (empty); the outbox drain delivers every queued notification, exactly once.
    redis_server.start()
    mail.outbox.clear()
    grace = notification_tasks.OUTBOX_GRACE
    notification_tasks.OUTBOX_GRACE = grace * 0  # every pending event is due now
    try:
        for _ in range(2):  # twice: a second drain delivers nothing more
            notification_tasks.drain_outbox()
    finally:
        notification_tasks.OUTBOX_GRACE = grace
    assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()
    sent = [(tuple(message.to), message.subject) for message in mail.outbox]
    assert len(sent) == len(set(sent)), f"an email went out twice: {sent}"
    # The acknowledgement of the submitted idea goes at once (the author's comment notice is daily).
    assert any(to == (member.email,) and "Parcel drop at the bakery" in subject for to, subject in sent), sent
    assert Notification.objects.filter(recipient=author, event_key__startswith="comment").exists()


@pytest.mark.django_db(transaction=True)
def test_a_page_changed_while_the_cache_was_unreachable_is_not_served_stale_when_it_returns(
    settings,
    persistent_redis_server,  # noqa: F811
):
    """The cache comes back with its old keys (it was cut off, not emptied): the version bump the
    write could not make is made before any kept page is served again."""
    settings.CACHES = fail_open_cache_settings(persistent_redis_server.url)
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    idea = factories.IdeaFactory(title="Lockers at stations")
    visitor = Client()
    url = idea.get_absolute_url()
    assert visitor.get(url)["X-Page-Cache"] == "miss"
    assert visitor.get(url)["X-Page-Cache"] == "hit"

    persistent_redis_server.stop()
    Idea.objects.filter(pk=idea.pk).update(title="Lockers at every station")  # commits; the bump fails
    persistent_redis_server.start()  # the old version and the old page are back

    deadline = time.monotonic() + 5
    while True:
        response = visitor.get(url)
        assert "Lockers at every station" in response.content.decode(), "a page from before the write"
        if response.get("X-Page-Cache") == "hit":
            break  # kept again, under the new version
        assert time.monotonic() < deadline, "the page cache did not come back"
        time.sleep(0.05)
