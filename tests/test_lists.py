"""Idea lists and their ranking: filters, search and sorts on a known data set, per role; the ranking
values the sorts read, recomputed in SQL by Celery tasks after votes; query counts constant in page size."""

import datetime
import re
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges.models import Challenge
from ideas import services
from ideas.models import Idea, IdeaFollow, Status, Vote
from ideas.services import ranking
from ideas.tasks import refresh_all_idea_ranks, refresh_idea_ranks
from scoring import formulas
from scoring.models import OutcomeScore, Rating, Respondent
from scoring.tasks import recompute_opportunity_scores
from tests import factories
from tests.celery_worker import REDIS_URL, published_tasks, wait_until

# Stemming, phrases and web search syntax are PostgreSQL's full-text search; the embedded SQLite
# (no DATABASE_URL) matches substrings only.
FULL_TEXT = pytest.mark.postgresql  # full-text search (on SQLite the words are matched with LIKE)
CARD_TITLE = re.compile(r'<h3><a href="/ideas/\d+/">([^<]+)</a></h3>')


def titles(response) -> list[str]:
    """The titles of the idea cards, in the order the page shows them."""
    assert response.status_code == 200
    return CARD_TITLE.findall(response.content.decode())


def count_shown(response) -> int:
    match = re.search(r'data-testid="idea-count">(\d+) idea', response.content.decode())
    return int(match.group(1))


def set_ranks(idea: Idea, **ranks) -> None:
    Idea.objects.filter(pk=idea.pk).update(**ranks)


def overall_score(outcome, opportunity: float, segment=None) -> OutcomeScore:
    return OutcomeScore.objects.create(
        wave=factories.round_of(outcome),
        current=True,
        outcome=outcome,
        segment=segment,
        respondents=40,
        important_count=30,
        satisfied_count=10,
        importance=7.5,
        satisfaction=2.5,
        opportunity=opportunity,
        importance_low=6.0,
        importance_high=8.5,
        satisfaction_low=1.4,
        satisfaction_high=4.0,
        classification=OutcomeScore.Classification.UNDERSERVED,
        computed_at=timezone.now(),
    )


# --- the known data set ---


@pytest.fixture
def catalogue(customer, other_customer):
    """Two public challenges (open, in review), one invite-only (other_customer invited), four listed
    ideas with distinct ranks, and a draft. customer wrote "Lockers" and follows "Evening slots"."""
    deliveries = factories.ChallengeFactory(title="Easier deliveries", slug="deliveries")
    returns = factories.ChallengeFactory(title="Painless returns", slug="returns", phase=Challenge.Phase.REVIEW)
    private = factories.ChallengeFactory(
        title="Lead users only", slug="lead-users", visibility=Challenge.Visibility.INVITE_ONLY
    )
    private.invited_members.add(other_customer)
    o_home, o_slot = deliveries.outcomes.order_by("code")
    (o_label,) = returns.outcomes.all()[:1]
    o_secret = private.outcomes.first()
    now = timezone.now()

    def idea(title, challenge, author, outcome, problem, status=Status.SUBMITTED, days_ago=0, **ranks):
        made = factories.IdeaFactory(
            title=title,
            challenge=challenge,
            author=author,
            outcomes=[outcome],
            problem=problem,
            solution=f"What {title.lower()} would change.",
            status=status,
            submitted_at=now - datetime.timedelta(days=days_ago) if status != Status.DRAFT else None,
        )
        set_ranks(made, **ranks)
        return made

    ideas = {
        "lockers": idea(
            "Lockers at stations", deliveries, customer, o_home, "Nobody is home when the van comes.",
            days_ago=3, rank_top=0.40, rank_trending=1, rank_opportunity=12.5,
        ),
        "evening": idea(
            "Evening slots", deliveries, other_customer, o_slot, "Parcels wait at the depot overnight.",
            status=Status.SHORTLISTED, days_ago=1, rank_top=0.85, rank_trending=2, rank_opportunity=9.0,
        ),
        "labels": idea(
            "Returns labels by text", returns, other_customer, o_label,
            "Printing a returns label is a hassle without a printer at home.",
            days_ago=2, rank_top=0.10, rank_trending=7, rank_opportunity=16.2,
        ),
        # Top of every sort, and full of the words searched for: it must still never leak.
        "secret": idea(
            "Secret drone drop", private, other_customer, o_secret,
            "Nobody is home and the printer is broken: drones at the depot overnight.",
            days_ago=0, rank_top=0.99, rank_trending=50, rank_opportunity=19.9,
        ),
        "draft": idea(
            "My unfinished draft", deliveries, customer, o_home, "Nobody is home: a draft.", status=Status.DRAFT,
            rank_top=0.95, rank_trending=40, rank_opportunity=19.0,
        ),
    }  # fmt: skip
    IdeaFollow.objects.create(user=customer, idea=ideas["evening"])
    IdeaFollow.objects.create(user=other_customer, idea=ideas["secret"])
    # Followed while invited, then no longer invited: following must not let it through.
    IdeaFollow.objects.create(user=customer, idea=ideas["secret"])
    return {
        "challenges": {"deliveries": deliveries, "returns": returns, "private": private},
        "outcomes": {"home": o_home, "slot": o_slot, "label": o_label, "secret": o_secret},
        **ideas,
    }


@pytest.fixture
def as_role(client_for, customer, other_customer, triage):
    users = {"anonymous": None, "customer": customer, "other_customer": other_customer, "triage": triage}
    return lambda role: client_for(users[role])


LIST = "/ideas/"  # reverse("ideas:list")
PUBLIC_NEWEST = ["Evening slots", "Returns labels by text", "Lockers at stations"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", PUBLIC_NEWEST),
        ("customer", PUBLIC_NEWEST),
        ("other_customer", ["Secret drone drop", *PUBLIC_NEWEST]),
        ("triage", ["Secret drone drop", *PUBLIC_NEWEST]),
    ],
)
def test_the_list_shows_what_each_role_may_see_newest_first(as_role, role, expected, catalogue):
    response = as_role(role).get(LIST)
    assert titles(response) == expected
    assert count_shown(response) == len(expected)
    assert "My unfinished draft" not in response.content.decode()  # drafts live on "My ideas" only


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sort,expected",
    [
        ("top", ["Evening slots", "Lockers at stations", "Returns labels by text"]),
        ("trending", ["Returns labels by text", "Evening slots", "Lockers at stations"]),
        ("newest", ["Evening slots", "Returns labels by text", "Lockers at stations"]),
        ("opportunity", ["Returns labels by text", "Lockers at stations", "Evening slots"]),
    ],
)
def test_each_sort_orders_by_its_ranking_value(client_for, customer, catalogue, sort, expected):
    assert titles(client_for(customer).get(LIST, {"sort": sort})) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sort,column", [("top", "rank_top"), ("trending", "rank_trending"), ("opportunity", "rank_opportunity")]
)
def test_ties_fall_back_to_the_newest_id(client_for, customer, catalogue, sort, column):
    for name in ("lockers", "evening", "labels"):
        set_ranks(catalogue[name], **{column: 1})
    by_id = sorted([catalogue["lockers"], catalogue["evening"], catalogue["labels"]], key=lambda i: -i.pk)
    assert titles(client_for(customer).get(LIST, {"sort": sort})) == [idea.title for idea in by_id]


@pytest.mark.django_db
def test_cards_say_what_the_sort_is_about(client_for, customer, catalogue):
    Idea.objects.filter(pk=catalogue["evening"].pk).update(votes_up=95, votes_down=5, rank_top=0.887)
    client = client_for(customer)
    top = client.get(LIST, {"sort": "top"}).content.decode()
    assert "top score 89 of 100 (95 of 100 votes up)" in top
    assert "top: no votes yet" in top
    trending = client.get(LIST, {"sort": "trending"}).content.decode()
    assert "trending: 7 votes this week" in trending and "trending: 1 vote this week" in trending
    opportunity = client.get(LIST, {"sort": "opportunity"}).content.decode()
    assert "opportunity 16.2" in opportunity and "opportunity 12.5" in opportunity
    assert 'data-testid="rank"' not in client.get(LIST, {"sort": "newest"}).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,expected",
    [
        ({"status": "shortlisted"}, ["Evening slots"]),
        ({"status": "declined"}, []),
        ({"phase": "review"}, ["Returns labels by text"]),
        ({"phase": "open"}, ["Evening slots", "Lockers at stations"]),
        ({"challenge": "deliveries"}, ["Evening slots", "Lockers at stations"]),
        ({"challenge": "deliveries", "sort": "top"}, ["Evening slots", "Lockers at stations"]),
        ({"challenge": "returns", "status": "shortlisted"}, []),
        ({"q": "printer"}, ["Returns labels by text"]),  # a word of the problem only
        pytest.param({"q": "Printers"}, ["Returns labels by text"], marks=FULL_TEXT),  # stemmed, any case
        ({"q": "depot overnight"}, ["Evening slots"]),
        pytest.param({"q": '"home when the van"'}, ["Lockers at stations"], marks=FULL_TEXT),  # a quoted phrase
        ({"q": "lockers"}, ["Lockers at stations"]),  # the title
        pytest.param({"q": "nobody -van"}, [], marks=FULL_TEXT),  # web search syntax: minus excludes
        ({"q": "   "}, PUBLIC_NEWEST),
    ],
)
def test_filters_and_search_on_the_known_data_set(client_for, customer, catalogue, params, expected):
    response = client_for(customer).get(LIST, params)
    assert titles(response) == expected
    assert count_shown(response) == len(expected)


@pytest.mark.django_db
def test_outcome_filter_and_its_choices(client_for, customer, catalogue):
    client = client_for(customer)
    assert titles(client.get(LIST, {"outcome": catalogue["outcomes"]["slot"].code})) == ["Evening slots"]
    page = client.get(LIST).content.decode()
    assert catalogue["outcomes"]["label"].code in page
    assert catalogue["outcomes"]["secret"].code not in page  # the invite-only challenge's outcome is no choice
    assert "Lead users only" not in page


@pytest.mark.django_db
def test_the_challenge_page_links_to_its_list_which_names_the_challenge(client_for, customer, catalogue):
    client = client_for(customer)
    challenge_page = client.get(catalogue["challenges"]["deliveries"].get_absolute_url()).content.decode()
    assert f'href="{LIST}?challenge=deliveries"' in challenge_page
    listed = client.get(LIST, {"challenge": "deliveries"}).content.decode()
    assert "<h1>Ideas for Easier deliveries</h1>" in listed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,mine,followed",
    [
        ("customer", ["Lockers at stations"], ["Evening slots"]),
        ("other_customer", ["Secret drone drop", "Evening slots", "Returns labels by text"], ["Secret drone drop"]),
        ("triage", [], []),
    ],
)
def test_mine_and_followed_per_role(as_role, role, mine, followed, catalogue):
    client = as_role(role)
    assert titles(client.get(LIST, {"mine": "on"})) == mine
    assert titles(client.get(LIST, {"followed": "on"})) == followed
    both = [title for title in mine if title in followed]
    assert titles(client.get(LIST, {"mine": "on", "followed": "on"})) == both
    page = client.get(LIST).content.decode()
    assert 'name="mine"' in page and 'name="followed"' in page


@pytest.mark.django_db
def test_visitors_have_no_mine_or_followed_and_the_params_change_nothing(client_for, catalogue):
    client = client_for(None)
    page = client.get(LIST).content.decode()
    assert 'name="mine"' not in page and 'name="followed"' not in page
    assert titles(client.get(LIST, {"mine": "on", "followed": "on"})) == PUBLIC_NEWEST


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "customer"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "top"},
        {"sort": "trending"},
        {"sort": "opportunity"},
        {"q": "drone"},
        {"q": "nobody home"},
        {"q": "overnight depot"},
        {"followed": "on"},
        {"phase": "open"},
        {"status": "submitted"},
        {"challenge": "lead-users"},
        {"outcome": "SECRET"},
    ],
)
def test_invite_only_ideas_never_leak_through_a_filter_search_or_count(as_role, role, params, catalogue):
    if params.get("outcome") == "SECRET":
        params = {"outcome": catalogue["outcomes"]["secret"].code}
    response = as_role(role).get(LIST, params)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Secret drone drop" not in content and f'href="{catalogue["secret"].get_absolute_url()}"' not in content
    assert count_shown(response) == len(titles(response))
    assert "Secret drone drop" not in titles(as_role(role).get(LIST, {**params, "page": "2"}))


@pytest.mark.django_db
def test_an_unknown_choice_is_left_out_and_says_why(client_for, customer, catalogue):
    """Issue 17: a value no filter takes falls back to the default with a note, not "no ideas"
    (tests/test_list_bad_values.py has every filter)."""
    everything = titles(client_for(customer).get(LIST))
    response = client_for(customer).get(LIST, {"challenge": "no-such-challenge"})
    assert titles(response) == everything and count_shown(response) == len(everything)
    assert "We could not find that challenge" in response.content.decode()
    assert "Select a valid choice" not in response.content.decode()
    assert titles(client_for(customer).get(LIST, {"sort": "loudest"})) == everything


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"sort": "top"},
        {"sort": "trending", "followed": "on"},
        {"sort": "opportunity", "mine": "on", "phase": "open"},
        {"sort": "newest", "q": "lockers", "status": "submitted"},
    ],
)
def test_list_query_count_is_constant_in_page_size(client_for, customer, other_customer, settings, params):
    """5 ideas on a page or 25: the same queries, every idea with votes, follows, comments and outcomes."""
    challenge = factories.ChallengeFactory()
    counts = {}
    for page_size in (5, 25):
        settings.IDEAS_PER_PAGE = page_size
        while Idea.objects.count() < page_size:
            idea = factories.IdeaFactory(
                challenge=challenge, author=customer, title=f"Parcel lockers {Idea.objects.count()}"
            )
            idea.outcomes.set(challenge.outcomes.all())
            factories.VoteFactory(idea=idea, user=other_customer)
            factories.CommentFactory(idea=idea)
            IdeaFollow.objects.create(user=other_customer, idea=idea)
        client = client_for(other_customer if "mine" not in params else customer)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, params)
        shown = titles(response)
        assert len(shown) == page_size
        counts[page_size] = len(queries)
    assert counts[5] == counts[25] <= 12  # the page's ids, then its rows (core.pagination), co-authors


# --- the ranking values ---


@pytest.mark.django_db
def test_top_is_the_wilson_lower_bound_so_a_few_votes_count_for_less(open_challenge):
    counters = {"3 of 3": (3, 0), "95 of 100": (95, 5), "none": (0, 0), "1 of 1": (1, 0), "0 of 5": (0, 5)}
    ideas = {
        name: factories.IdeaFactory(challenge=open_challenge, votes_up=up, votes_down=down)
        for name, (up, down) in counters.items()
    }
    assert ranking.idea_ranks_refresh(idea_ids=[idea.pk for idea in ideas.values()]) == 5
    top = {name: Idea.objects.get(pk=idea.pk).rank_top for name, idea in ideas.items()}
    for name, (up, down) in counters.items():
        expected = formulas.wilson_interval(up, up + down)[0] if up + down else 0.0
        assert top[name] == pytest.approx(expected, abs=1e-9)
    assert top["3 of 3"] < top["95 of 100"]
    assert top["none"] < top["1 of 1"]
    assert top["none"] == top["0 of 5"] == 0.0
    assert top["95 of 100"] == pytest.approx(0.8883, abs=1e-4)
    assert top["3 of 3"] == pytest.approx(0.4385, abs=1e-4)


@pytest.mark.django_db
def test_trending_counts_only_the_votes_of_the_last_7_days(open_challenge):
    idea = factories.IdeaFactory(challenge=open_challenge)
    votes = factories.VoteFactory.create_batch(5, idea=idea)
    long_ago = timezone.now() - datetime.timedelta(days=8)
    Vote.objects.filter(pk__in=[votes[0].pk, votes[1].pk]).update(created_at=long_ago, updated_at=long_ago)
    # Cast long ago, changed yesterday: activity of this week.
    Vote.objects.filter(pk=votes[2].pk).update(
        created_at=long_ago, updated_at=timezone.now() - datetime.timedelta(days=1)
    )
    just_inside = timezone.now() - datetime.timedelta(days=6, hours=23)
    Vote.objects.filter(pk=votes[3].pk).update(created_at=just_inside, updated_at=just_inside)
    ranking.idea_ranks_refresh(idea_ids=[idea.pk])
    idea.refresh_from_db()
    assert idea.rank_trending == 3
    assert idea.ranked_at is not None


@pytest.mark.django_db
def test_opportunity_is_the_best_overall_score_of_the_outcomes_the_idea_addresses(open_challenge):
    first, second = open_challenge.outcomes.order_by("code")
    elsewhere = factories.OutcomeFactory()
    overall_score(first, 12.5)
    overall_score(second, 15.2)
    overall_score(first, 19.5, segment=factories.SegmentFactory(name="Ex-customers"))  # a segment: not overall
    overall_score(elsewhere, 18.0)  # an outcome the idea does not address
    both = factories.IdeaFactory(challenge=open_challenge, outcomes=[first, second])
    one = factories.IdeaFactory(challenge=open_challenge, outcomes=[first])
    unscored = factories.IdeaFactory(challenge=open_challenge, outcomes=[factories.OutcomeFactory()])
    none = factories.IdeaFactory(challenge=open_challenge, outcomes=[])
    ranking.idea_ranks_refresh(idea_ids=[both.pk, one.pk, unscored.pk, none.pk])
    ranks = dict(
        Idea.objects.filter(pk__in=[both.pk, one.pk, unscored.pk, none.pk]).values_list("pk", "rank_opportunity")
    )
    assert ranks == {both.pk: 15.2, one.pk: 12.5, unscored.pk: 0.0, none.pk: 0.0}


@pytest.mark.django_db
def test_a_vote_asks_for_a_refresh_that_runs_after_the_commit(idea, other_customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP)
        idea.refresh_from_db()
        assert (idea.rank_top, idea.rank_trending, idea.ranked_at) == (0.0, 0, None)  # not in the request
    assert len(callbacks) == 1
    idea.refresh_from_db()  # the task ran (inline in these tests) once the vote committed
    assert idea.rank_trending == 1 and idea.rank_top == pytest.approx(formulas.wilson_interval(1, 1)[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_withdraw(user=other_customer, idea=idea)
    idea.refresh_from_db()
    assert (idea.rank_top, idea.rank_trending) == (0.0, 0)


@pytest.mark.django_db
def test_votes_queue_one_refresh_per_idea_in_a_quiet_period(
    open_challenge, django_capture_on_commit_callbacks, monkeypatch
):
    """The debounce flag is per idea, in the real cache: a burst of votes on one idea queues one
    refresh, another idea gets its own, and once the task cleared the flag the next vote queues again."""
    queued = []

    def record(args=None, kwargs=None, **options):
        queued.append(options.get("args", args))
        return "queued"  # what apply_async returns: not None, so the flag stays

    monkeypatch.setattr(refresh_idea_ranks, "apply_async", record)
    first, second = factories.IdeaFactory.create_batch(2, challenge=open_challenge)
    voters = factories.UserFactory.create_batch(4)
    for voter in voters:
        with django_capture_on_commit_callbacks(execute=True):
            services.vote_cast(user=voter, idea=first, value=Vote.Value.UP)
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_cast(user=voters[0], idea=second, value=Vote.Value.DOWN)
    assert queued == [[[first.pk]], [[second.pk]]]
    ranking.ranks_pending_clear([first.pk])  # what the task does first
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_withdraw(user=voters[1], idea=first)
    assert queued[-1] == [[first.pk]] and len(queued) == 3


@pytest.mark.django_db
def test_a_vote_that_changes_nothing_asks_for_no_refresh(idea, other_customer, django_capture_on_commit_callbacks):
    services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP)
    with django_capture_on_commit_callbacks() as callbacks:
        services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP)
        services.vote_withdraw(user=factories.UserFactory(), idea=idea)
    assert callbacks == []


@pytest.mark.django_db
def test_the_refresh_task_is_safe_to_run_twice_and_skips_deleted_ideas(open_challenge):
    idea = factories.IdeaFactory(challenge=open_challenge, votes_up=4, votes_down=1)
    factories.VoteFactory.create_batch(2, idea=idea)
    gone = factories.IdeaFactory(challenge=open_challenge)
    gone_id = gone.pk
    gone.delete()
    assert refresh_idea_ranks([idea.pk, gone_id]) == 1
    first = Idea.objects.values("rank_top", "rank_trending", "rank_opportunity").get(pk=idea.pk)
    assert refresh_idea_ranks([idea.pk, gone_id]) == 1
    assert Idea.objects.values("rank_top", "rank_trending", "rank_opportunity").get(pk=idea.pk) == first
    assert first["rank_trending"] == 2
    assert refresh_idea_ranks([gone_id]) == 0


@pytest.mark.django_db
def test_the_periodic_refresh_fans_out_one_task_per_batch(open_challenge, monkeypatch):
    monkeypatch.setattr(ranking, "BATCH_SIZE", 2)
    ideas = factories.IdeaFactory.create_batch(5, challenge=open_challenge)
    for idea in ideas:
        factories.VoteFactory(idea=idea)
    assert refresh_all_idea_ranks() == 3  # 2 + 2 + 1
    assert not Idea.objects.filter(ranked_at__isnull=True).exists()
    assert set(Idea.objects.values_list("rank_trending", flat=True)) == {1}


@pytest.mark.django_db
def test_a_scores_recompute_refreshes_the_opportunity_ranks(open_challenge):
    outcome = open_challenge.outcomes.order_by("code").first()
    idea = factories.IdeaFactory(challenge=open_challenge, outcomes=[outcome])
    for index in range(4):
        respondent = Respondent.objects.create(key=f"r-{index}")
        Rating.objects.create(
            respondent=respondent,
            outcome=outcome,
            wave=factories.round_of(outcome),
            importance=5,
            satisfaction=1 + index,
        )
    recompute_opportunity_scores()
    idea.refresh_from_db()
    stored = OutcomeScore.objects.get(outcome=outcome, segment=None).opportunity
    assert stored > 0 and idea.rank_opportunity == stored


@pytest.mark.django_db
def test_the_beat_schedule_refreshes_the_ranks_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-idea-ranks"]
    assert entry["task"] == refresh_all_idea_ranks.name and entry["schedule"] <= 3600


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the debounce needs Redis")
def test_a_burst_of_30_votes_causes_one_refresh_by_a_real_worker(worker, settings):
    """Each vote in its own transaction asks for a refresh of the idea; the worker runs exactly one."""
    settings.RANKING_DEBOUNCE_SECONDS = 2
    from django.core.cache import cache

    idea = factories.IdeaFactory(challenge=factories.ChallengeFactory())
    cache.delete(ranking.RANKS_PENDING_KEY.format(idea.pk))  # a flag left by an earlier run's test database
    voters = factories.UserFactory.create_batch(30)
    before = len(worker.runs)
    started = time.monotonic()
    with published_tasks() as published:
        for index, voter in enumerate(voters):
            with transaction.atomic():
                services.vote_cast(user=voter, idea=idea, value=Vote.Value.DOWN if index % 5 == 0 else Vote.Value.UP)
    # Counted as they go to the broker: a new refresh is queued only after the previous one started,
    # at least RANKING_DEBOUNCE_SECONDS after it was queued, so one for a quick burst, and never one a vote.
    lasted = time.monotonic() - started
    queued = published.count(refresh_idea_ranks.name)
    assert 1 <= queued <= 1 + int(lasted // settings.RANKING_DEBOUNCE_SECONDS), (queued, lasted)

    def refreshes():
        return [run for run in worker.runs[before:] if run["task"] == refresh_idea_ranks.name]

    wait_until(lambda: len(refreshes()) >= queued, "the debounced ranking refresh")
    assert len(refreshes()) == queued
    assert all(run["args"] == [[idea.pk]] and run["state"] == "SUCCESS" for run in refreshes())
    idea.refresh_from_db()
    assert (idea.votes_up, idea.votes_down, idea.rank_trending) == (24, 6, 30)
    assert idea.rank_top == pytest.approx(formulas.wilson_interval(24, 30)[0])
    # Run twice by the worker: the same values.
    state, updated = worker.wait_for(refresh_idea_ranks.delay([idea.pk]).id)
    assert (state, updated) == ("SUCCESS", 1)
    again = Idea.objects.get(pk=idea.pk)
    assert (again.rank_top, again.rank_trending, again.rank_opportunity) == (
        idea.rank_top,
        idea.rank_trending,
        idea.rank_opportunity,
    )
