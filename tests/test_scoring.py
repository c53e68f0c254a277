"""Opportunity scores: the formulas on hand-computed examples, the stored recompute, the debounce."""

import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from scoring import formulas
from scoring.models import OutcomeScore, Rating, Respondent, ScoringRun
from scoring.services.scores import recompute_flag_clear, scores_recompute, scores_recompute_soon
from scoring.tasks import recompute_opportunity_scores
from tests import factories
from tests.celery_worker import REDIS_URL, published_tasks, wait_until


@pytest.mark.parametrize(
    "respondents,important,satisfied,expected",
    [
        # no ratings: nothing known, nothing underserved
        (0, 0, 0, (0.0, 0.0, 0.0, formulas.APPROPRIATELY_SERVED)),
        # everyone rated 5 and 5: importance 10 + max(10 − 10, 0) = 10, on the underserved line
        (40, 40, 40, (10.0, 10.0, 10.0, formulas.UNDERSERVED)),
        # satisfaction above importance: 3 + 0 = 3
        (10, 3, 8, (3.0, 8.0, 3.0, formulas.OVERSERVED)),
        # exactly 15: 7.5 + 7.5
        (20, 15, 0, (7.5, 0.0, 15.0, formulas.EXTREMELY_UNDERSERVED)),
        # just under 15: 7.4 + 7.3 = 14.7
        (100, 74, 1, (7.4, 0.1, 14.7, formulas.UNDERSERVED)),
        # exactly 10: 5 + 5
        (10, 5, 0, (5.0, 0.0, 10.0, formulas.UNDERSERVED)),
        # importance equals satisfaction: neither under- nor overserved
        (10, 5, 5, (5.0, 5.0, 5.0, formulas.APPROPRIATELY_SERVED)),
        # 8.2 + 6.8 is 15 exactly, not a float a hair below it
        (50, 41, 7, (8.2, 1.4, 15.0, formulas.EXTREMELY_UNDERSERVED)),
    ],
)
def test_score_on_hand_computed_examples(respondents, important, satisfied, expected):
    result = formulas.score(respondents=respondents, important=important, satisfied=satisfied)
    assert (result.importance, result.satisfaction, result.opportunity, result.classification) == expected


@pytest.mark.parametrize(
    "successes,trials,low,high",
    [
        (8, 10, 0.4902, 0.9433),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (50, 100, 0.4038, 0.5962),
        (1, 1000, 0.0002, 0.0057),
    ],
)
def test_wilson_interval_against_known_values(successes, trials, low, high):
    computed_low, computed_high = formulas.wilson_interval(successes, trials)
    assert computed_low == pytest.approx(low, abs=1e-4)
    assert computed_high == pytest.approx(high, abs=1e-4)


def test_wilson_interval_with_no_trials_is_the_whole_range():
    assert formulas.wilson_interval(0, 0) == (0.0, 1.0)


def rate(outcome, respondent, importance, satisfaction):
    return Rating(
        respondent=respondent,
        outcome=outcome,
        wave=factories.round_of(outcome),
        importance=importance,
        satisfaction=satisfaction,
    )


@pytest.fixture
def survey(db):
    """Outcome A: 3 customers (2 important, 1 satisfied), 2 ex-customers (2, 0), 1 without segment (1, 1)."""
    customers = factories.SegmentFactory(name="Customers")
    ex_customers = factories.SegmentFactory(name="Ex-customers")
    outcome_a, outcome_b = factories.OutcomeFactory(code="A"), factories.OutcomeFactory(code="B")
    people = [Respondent.objects.create(key=f"c{i}", segment=customers) for i in range(3)]
    people += [Respondent.objects.create(key=f"x{i}", segment=ex_customers) for i in range(2)]
    people += [Respondent.objects.create(key="anonymous")]
    answers_a = [(5, 4), (4, 2), (2, 1), (5, 1), (4, 3), (5, 5)]
    Rating.objects.bulk_create([rate(outcome_a, person, *pair) for person, pair in zip(people, answers_a, strict=True)])
    Rating.objects.bulk_create([rate(outcome_b, person, 1, 5) for person in people[:2]])
    return {"customers": customers, "ex_customers": ex_customers, "a": outcome_a, "b": outcome_b}


def scores_table() -> list[tuple]:
    rows = OutcomeScore.objects.values_list("outcome__code", "segment__name", "opportunity", "respondents")
    return sorted(rows, key=lambda row: (row[0], row[1] or ""))


def stored(outcome, segment=None):
    return OutcomeScore.objects.get(outcome=outcome, segment=segment)


def test_recompute_stores_scores_per_segment_and_overall(survey, settings):
    settings.SCORING_MIN_RESPONDENTS = 5
    run = scores_recompute()
    assert (run.ratings, run.scores) == (8, 2 + 2 + 1)  # overall for A and B, A in 2 segments, B in 1
    overall = stored(survey["a"])
    assert (overall.respondents, overall.important_count, overall.satisfied_count) == (6, 5, 2)
    assert overall.importance == pytest.approx(10 * 5 / 6)
    assert overall.opportunity == pytest.approx(10 * 5 / 6 + 10 * 3 / 6)
    assert overall.classification == "underserved"  # 8.3 + 5.0 = 13.3
    assert not overall.low_sample
    customers = stored(survey["a"], survey["customers"])
    assert (customers.respondents, customers.important_count, customers.satisfied_count) == (3, 2, 1)
    assert customers.low_sample
    ex_customers = stored(survey["a"], survey["ex_customers"])
    assert (ex_customers.importance, ex_customers.satisfaction, ex_customers.opportunity) == (10.0, 0.0, 20.0)
    b = stored(survey["b"])
    assert (b.importance, b.satisfaction, b.classification) == (0.0, 10.0, "overserved")
    assert ScoringRun.objects.get().computed_at == overall.computed_at


def test_recompute_twice_gives_the_same_scores_and_drops_stale_ones(survey):
    scores_recompute()
    first = scores_table()
    scores_recompute()
    assert scores_table() == first
    Rating.objects.filter(outcome=survey["b"]).delete()
    scores_recompute()
    assert not OutcomeScore.objects.filter(outcome=survey["b"]).exists()


@pytest.mark.parametrize("outcomes", [2, 12])
def test_recompute_is_one_aggregation_whatever_the_number_of_outcomes(db, outcomes, django_assert_num_queries):
    people = [Respondent.objects.create(key=f"r{i}") for i in range(4)]
    for _ in range(outcomes):
        outcome = factories.OutcomeFactory()
        Rating.objects.bulk_create([rate(outcome, person, 5, 1) for person in people])
    scores_recompute()  # the first run creates the run row
    # savepoint, lock the run row, the GROUP BY (every wave at once), the waves it found (which is
    # each job's latest round), delete, save the run, release; the rows go in with one COPY on the
    # driver's own cursor, which Django's query capture does not see (on SQLite: one bulk insert)
    with django_assert_num_queries(7 if connection.vendor == "postgresql" else 8):
        scores_recompute()
    assert OutcomeScore.objects.count() == outcomes


def test_the_full_recompute_runs_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["recompute-opportunity-scores"]
    assert entry["task"] == recompute_opportunity_scores.name
    assert entry["schedule"] > 0


def test_ratings_queue_one_recompute_after_commit(survey, django_capture_on_commit_callbacks, monkeypatch):
    """Three saves in a quiet period queue one recompute; after the task has cleared the flag, the
    next save queues the next one. The flag lives in the real cache (Redis, like production); the
    queueing is counted at the task's apply_async, so the count does not depend on timing."""
    queued = []

    def record(args=None, kwargs=None, **options):
        queued.append(options)
        return "queued"  # what apply_async returns: not None, so the flag stays

    monkeypatch.setattr(recompute_opportunity_scores, "apply_async", record)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        scores_recompute_soon()
        scores_recompute_soon()
    with django_capture_on_commit_callbacks(execute=True):
        scores_recompute_soon()
    assert len(callbacks) == 2  # each save asks after its commit...
    assert queued == [{"countdown": settings.SCORING_DEBOUNCE_SECONDS}]  # ...and only the first one queues
    recompute_flag_clear()  # what the task does first
    with django_capture_on_commit_callbacks(execute=True):
        scores_recompute_soon()
    assert len(queued) == 2


def test_the_recompute_task_runs_the_recompute(survey):
    """Inline here: the queued task recomputes the scores (the real worker runs it further down)."""
    recompute_opportunity_scores.apply()
    assert OutcomeScore.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the debounce needs Redis")
def test_a_burst_of_100_ratings_causes_one_recompute_by_a_real_worker(worker, settings):
    """Each rating in its own transaction asks for a recompute; the debounce queues one per quiet period.

    A new recompute can be queued only once the previous one has started (it clears the flag), at
    least SCORING_DEBOUNCE_SECONDS after it was queued: so a burst queues at most one task per that
    many seconds it lasts, one when it is quick, and the last run sees every rating. Counted as the
    tasks go to the broker, so the assertions hold on a slow machine too (no timing accident)."""
    settings.SCORING_DEBOUNCE_SECONDS = 2
    outcome = factories.OutcomeFactory()
    before = len(worker.runs)
    started = time.monotonic()
    with published_tasks() as published:
        for index in range(100):
            with transaction.atomic():
                person = Respondent.objects.create(key=f"burst-{index}")
                Rating.objects.create(
                    respondent=person,
                    outcome=outcome,
                    wave=factories.round_of(outcome),
                    importance=5,
                    satisfaction=1 + index % 5,
                )
                scores_recompute_soon()
    lasted = time.monotonic() - started
    queued = published.count(recompute_opportunity_scores.name)
    assert 1 <= queued <= 1 + int(lasted // settings.SCORING_DEBOUNCE_SECONDS), (queued, lasted)

    def recompute_runs():
        return [run for run in worker.runs[before:] if run["task"] == recompute_opportunity_scores.name]

    wait_until(lambda: len(recompute_runs()) >= queued, "the debounced recompute")
    assert len(recompute_runs()) == queued  # one run for each task queued, none of its own
    score = OutcomeScore.objects.get(outcome=outcome, segment=None)
    assert (score.respondents, score.important_count, score.satisfied_count) == (100, 100, 40)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_recompute_task_run_twice_by_a_real_worker_gives_the_same_scores(worker, survey):
    first = recompute_opportunity_scores.delay()
    worker.wait_for(first.id)
    scores_first = scores_table()
    second = recompute_opportunity_scores.delay()
    state, rows = worker.wait_for(second.id)
    assert state == "SUCCESS" and rows == 5
    scores_second = scores_table()
    assert scores_first == scores_second


@pytest.mark.parametrize(("minimum", "low"), [(5, False), (6, False), (7, True)])
def test_low_sample_means_fewer_than_the_minimum_not_as_many(survey, settings, minimum, low):
    """Outcome A has exactly 6 respondents overall: 6 is enough when the minimum is 6, not when it is 7."""
    settings.SCORING_MIN_RESPONDENTS = minimum
    scores_recompute()
    assert stored(survey["a"]).respondents == 6
    assert stored(survey["a"]).low_sample is low
