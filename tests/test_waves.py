"""Survey waves: ratings per wave, scores per wave (against figures known by construction), the
current wave the selectors default to, the survey and the import writing into the right wave,
waves opening and closing once, and the data migration of existing ratings into a first wave."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from scoring import hooks, selectors
from scoring.models import OutcomeScore, Rating, Respondent, SurveyWave
from scoring.services import survey as survey_services
from scoring.services.imports import RatingsImportInvalid, ratings_import
from scoring.services.scores import scores_recompute
from scoring.services.waves import WaveError, wave_close, wave_current_for_job, wave_open, wave_schedule
from scoring.tasks import open_and_close_due_waves
from tests import factories

pytestmark = pytest.mark.django_db


def rate_many(*, wave, outcome, respondents, important, satisfied, segment=None, prefix="r"):
    """``respondents`` new respondents rating ``outcome`` in ``wave``: the first ``important`` rate
    importance 5 (else 2), the first ``satisfied`` satisfaction 4 (else 1)."""
    start = Respondent.objects.count()
    people = Respondent.objects.bulk_create(
        [Respondent(key=f"{prefix}-{start + n}", segment=segment) for n in range(respondents)]
    )
    Rating.objects.bulk_create(
        [
            Rating(
                respondent=person,
                outcome=outcome,
                wave=wave,
                importance=5 if n < important else 2,
                satisfaction=4 if n < satisfied else 1,
            )
            for n, person in enumerate(people)
        ]
    )
    return people


@pytest.fixture
def job_with_two_waves():
    job = factories.JobFactory(name="Get groceries delivered")
    outcome_a = factories.OutcomeFactory(job=job, code="GROC-01")
    outcome_b = factories.OutcomeFactory(job=job, code="GROC-02")
    first = wave_current_for_job(job=job)
    second = wave_schedule(job=job, name="Spring", opens_at=timezone.now() - datetime.timedelta(minutes=1))
    # Wave 1, outcome A: 40 respondents, 32 important (8.0), 10 satisfied (2.5) → opportunity 13.5.
    rate_many(wave=first, outcome=outcome_a, respondents=40, important=32, satisfied=10)
    # Wave 1, outcome B: 20 respondents, 10 important (5.0), 15 satisfied (7.5) → 5.0, overserved.
    rate_many(wave=first, outcome=outcome_b, respondents=20, important=10, satisfied=15)
    assert wave_open(wave_id=second.pk)
    second.refresh_from_db()
    # Wave 2, outcome A: 50 respondents, 40 important (8.0), 30 satisfied (6.0) → opportunity 10.0.
    rate_many(wave=second, outcome=outcome_a, respondents=50, important=40, satisfied=30)
    return {"job": job, "a": outcome_a, "b": outcome_b, "first": first, "second": second}


def test_scores_are_kept_per_wave_with_the_figures_known_by_construction(job_with_two_waves):
    data = job_with_two_waves
    scores_recompute()
    first_a = OutcomeScore.objects.get(wave=data["first"], outcome=data["a"], segment=None)
    assert (first_a.respondents, first_a.importance, first_a.satisfaction, first_a.opportunity) == (40, 8.0, 2.5, 13.5)
    assert first_a.classification == OutcomeScore.Classification.UNDERSERVED
    first_b = OutcomeScore.objects.get(wave=data["first"], outcome=data["b"], segment=None)
    assert (first_b.importance, first_b.satisfaction, first_b.opportunity) == (5.0, 7.5, 5.0)
    assert first_b.classification == OutcomeScore.Classification.OVERSERVED
    second_a = OutcomeScore.objects.get(wave=data["second"], outcome=data["a"], segment=None)
    assert (second_a.respondents, second_a.importance, second_a.satisfaction, second_a.opportunity) == (
        50,
        8.0,
        6.0,
        10.0,
    )
    # Nobody rated B in the second wave: it has no score there.
    assert not OutcomeScore.objects.filter(wave=data["second"], outcome=data["b"]).exists()


def test_the_selectors_default_to_the_latest_round_and_read_any_wave_asked(job_with_two_waves):
    data = job_with_two_waves
    scores_recompute()
    # Current: each (outcome, segment)'s row of the job's latest round with answers.
    current = {s.outcome.code: s.opportunity for s in selectors.scores_for_job(job=data["job"])}
    assert current == {"GROC-01": 10.0}
    assert {s.outcome.code: s.opportunity for s in selectors.scores_for_job(job=data["job"], wave=data["first"])} == {
        "GROC-01": 13.5,
        "GROC-02": 5.0,
    }
    overall = selectors.scores_overall_for_outcomes([data["a"].pk, data["b"].pk])
    assert {pk: s.opportunity for pk, s in overall.items()} == {data["a"].pk: 10.0}
    assert selectors.scores_overall_for_outcomes([data["a"].pk], wave=data["first"])[data["a"].pk].opportunity == 13.5
    assert selectors.wave_current_scored(data["job"]) == data["second"]
    summary = selectors.jobs_with_score_summary().get(pk=data["job"].pk)
    assert (summary.scored_total, summary.best_opportunity, summary.wave_total) == (1, 10.0, 2)


def test_a_follow_up_wave_is_never_the_current_one(job_with_two_waves):
    data = job_with_two_waves
    follow_up = wave_schedule(
        job=data["job"],
        name="Follow-up",
        kind=SurveyWave.Kind.FOLLOW_UP,
        opens_at=timezone.now() - datetime.timedelta(minutes=1),
        outcomes=[data["a"]],
    )
    wave_open(wave_id=follow_up.pk)
    rate_many(wave=follow_up, outcome=data["a"], respondents=5, important=5, satisfied=5, prefix="f")
    scores_recompute()
    assert OutcomeScore.objects.get(wave=follow_up, outcome=data["a"], segment=None).satisfaction == 10.0
    assert selectors.scores_overall_for_outcomes([data["a"].pk])[data["a"].pk].wave_id == data["second"].pk
    # Opening a follow-up does not close the job's round.
    data["second"].refresh_from_db()
    assert data["second"].status == SurveyWave.Status.OPEN


def test_the_recompute_stays_one_aggregation_with_two_waves(job_with_two_waves, django_assert_num_queries):
    scores_recompute()
    # savepoint, lock the run row, one GROUP BY over every wave, the waves found, delete, save, release;
    # the rows go in with one COPY on the driver's cursor, unseen by the capture (SQLite: one insert)
    with django_assert_num_queries(7 if connection.vendor == "postgresql" else 8):
        scores_recompute()
    assert OutcomeScore.objects.filter(current=True).count() == 1


def test_opening_a_round_closes_the_previous_one_and_the_survey_writes_into_the_open_round(customer):
    job = factories.JobFactory()
    outcome = factories.OutcomeFactory(job=job)
    survey_services.survey_answers_save(user=customer, job=job, answers={outcome.pk: (5, 2)})
    first = SurveyWave.objects.get(job=job)
    assert (first.name, first.status, first.kind) == ("Wave 1", SurveyWave.Status.OPEN, SurveyWave.Kind.ROUND)
    second = wave_schedule(job=job, name="Wave 2", opens_at=timezone.now())
    assert wave_open(wave_id=second.pk)
    first.refresh_from_db()
    assert first.status == SurveyWave.Status.CLOSED and first.closed_at is not None
    survey_services.survey_answers_save(user=customer, job=job, answers={outcome.pk: (5, 4)})
    # One answer per respondent, outcome and wave: the first wave's answer stays as it was.
    assert sorted(Rating.objects.values_list("wave__name", "satisfaction")) == [("Wave 1", 2), ("Wave 2", 4)]
    assert survey_services.SurveyError  # the type the views catch


def test_between_rounds_the_survey_says_it_is_closed_and_saves_nothing(customer):
    job = factories.JobFactory(name="Plan meals")
    outcome = factories.OutcomeFactory(job=job)
    wave = wave_current_for_job(job=job)
    assert wave_close(wave_id=wave.pk)
    with pytest.raises(survey_services.SurveyError, match="closed until its next round opens"):
        survey_services.survey_answers_save(user=customer, job=job, answers={outcome.pk: (5, 2)})
    assert not Rating.objects.exists()
    with pytest.raises(WaveError):
        wave_current_for_job(job=job)


def test_one_rating_per_respondent_outcome_and_wave_is_held_by_the_database(job_with_two_waves):
    data = job_with_two_waves
    person = Respondent.objects.create(key="twice")
    Rating.objects.create(respondent=person, outcome=data["a"], wave=data["first"], importance=5, satisfaction=1)
    Rating.objects.create(respondent=person, outcome=data["a"], wave=data["second"], importance=5, satisfaction=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(respondent=person, outcome=data["a"], wave=data["second"], importance=4, satisfaction=4)


def test_a_follow_up_wave_takes_only_its_outcomes_and_segments(customer):
    job = factories.JobFactory()
    asked, other = factories.OutcomeFactory(job=job), factories.OutcomeFactory(job=job)
    customers, others = factories.SegmentFactory(name="Customers"), factories.SegmentFactory(name="Others")
    wave_current_for_job(job=job)
    wave = wave_schedule(
        job=job,
        name="Follow-up",
        kind=SurveyWave.Kind.FOLLOW_UP,
        opens_at=timezone.now(),
        outcomes=[asked],
        segments=[customers],
    )
    with pytest.raises(survey_services.SurveyError, match="not open"):
        survey_services.survey_answers_save(
            user=customer, job=job, answers={asked.pk: (5, 4)}, segment=customers, wave=wave
        )
    wave_open(wave_id=wave.pk)
    wave.refresh_from_db()
    with pytest.raises(survey_services.SurveyError, match="does not ask about"):
        survey_services.survey_answers_save(
            user=customer, job=job, answers={other.pk: (5, 4)}, segment=customers, wave=wave
        )
    with pytest.raises(survey_services.SurveyError, match="asks other groups"):
        survey_services.survey_answers_save(
            user=customer, job=job, answers={asked.pk: (5, 4)}, segment=others, wave=wave
        )
    assert not Rating.objects.exists()
    survey_services.survey_answers_save(
        user=customer, job=job, answers={asked.pk: (5, 4)}, segment=customers, wave=wave, complete=True
    )
    assert list(Rating.objects.values_list("wave_id", "outcome_id")) == [(wave.pk, asked.pk)]


def test_the_wave_page_shows_only_its_outcomes_and_saves_into_it(client_for, customer, django_assert_max_num_queries):
    job = factories.JobFactory(name="Get groceries delivered")
    asked = factories.OutcomeFactory(job=job, statement="Minimise the time spent waiting at home")
    factories.OutcomeFactory(job=job, statement="Minimise the cost of delivery")
    wave_current_for_job(job=job)
    wave = wave_schedule(
        job=job, name="Follow-up: lockers", kind=SurveyWave.Kind.FOLLOW_UP, opens_at=timezone.now(), outcomes=[asked]
    )
    client = client_for(customer)
    # Not open yet: the invitation's link says so and leads to the open surveys.
    not_yet = client.get(reverse("surveys:wave", kwargs={"wave_id": wave.pk}), follow=True)
    assert not_yet.redirect_chain[-1][0] == reverse("surveys:list")
    assert "is not open yet" in not_yet.content.decode()
    wave_open(wave_id=wave.pk)
    listing = client.get(reverse("surveys:list")).content.decode()
    assert "Follow-up surveys" in listing and "Follow-up: lockers" in listing
    url = reverse("surveys:wave", kwargs={"wave_id": wave.pk})
    page = client.get(url).content.decode()
    assert "Minimise the time spent waiting at home" in page and "Minimise the cost of delivery" not in page
    response = client.post(url, {f"importance_{asked.pk}": "5", f"satisfaction_{asked.pk}": "4", "action": "submit"})
    assert response.status_code == 302
    assert list(Rating.objects.values_list("wave_id", "importance", "satisfaction")) == [(wave.pk, 5, 4)]


def test_waves_open_and_close_at_their_dates_once(job_with_two_waves, monkeypatch):
    job = job_with_two_waves["job"]
    opened, closed = [], []
    monkeypatch.setattr(hooks, "_WAVE_OPENED_HOOKS", [opened.append])
    monkeypatch.setattr(hooks, "_WAVE_CLOSED_HOOKS", [closed.append])
    now = timezone.now()
    later = wave_schedule(
        job=job,
        name="Follow-up",
        kind=SurveyWave.Kind.FOLLOW_UP,
        opens_at=now + datetime.timedelta(days=30),
        closes_at=now + datetime.timedelta(days=51),
    )
    assert open_and_close_due_waves() == 0
    SurveyWave.objects.filter(pk=later.pk).update(opens_at=now - datetime.timedelta(days=1))
    assert open_and_close_due_waves() == 1
    assert open_and_close_due_waves() == 0 and wave_open(wave_id=later.pk) is False
    assert [wave.pk for wave in opened] == [later.pk]
    SurveyWave.objects.filter(pk=later.pk).update(closes_at=now - datetime.timedelta(minutes=1))
    assert open_and_close_due_waves() == 1
    assert wave_close(wave_id=later.pk) is False
    assert [wave.pk for wave in closed] == [later.pk]


@pytest.mark.postgresql  # two connections at once
@pytest.mark.django_db(transaction=True)
def test_two_workers_opening_one_wave_open_it_once(monkeypatch):
    job = factories.JobFactory()
    wave = wave_schedule(job=job, name="Follow-up", kind=SurveyWave.Kind.FOLLOW_UP, opens_at=timezone.now())
    opened = []
    monkeypatch.setattr(hooks, "_WAVE_OPENED_HOOKS", [lambda w: opened.append(w.pk)])
    start, results = threading.Barrier(2), []

    def worker():
        try:
            start.wait()
            results.append(wave_open(wave_id=wave.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True] and opened == [wave.pk]


def test_the_import_puts_ratings_into_the_open_round_or_the_wave_chosen():
    job = factories.JobFactory()
    factories.OutcomeFactory(job=job, code="GROC-09")
    other = factories.OutcomeFactory(code="ELSE-01")
    factories.SegmentFactory(name="Customers")
    csv = "respondent_id,segment,outcome_code,importance,satisfaction\nr1,Customers,GROC-09,5,2\n"
    ratings_import(file=io.BytesIO(csv.encode()))
    current = SurveyWave.objects.get(job=job, status=SurveyWave.Status.OPEN)
    assert list(Rating.objects.values_list("wave_id", "satisfaction")) == [(current.pk, 2)]
    past = wave_schedule(job=job, name="2025 survey", opens_at=timezone.now() - datetime.timedelta(days=400))
    ratings_import(file=io.BytesIO(csv.replace(",2\n", ",3\n").encode()), wave=past)
    assert sorted(Rating.objects.values_list("wave__name", "satisfaction")) == [("2025 survey", 3), ("Wave 1", 2)]
    wrong = csv.replace("GROC-09", "ELSE-01")
    with pytest.raises(RatingsImportInvalid) as refused:
        ratings_import(file=io.BytesIO(wrong.encode()), wave=past)
    assert "ELSE-01" in str(refused.value.errors[0]) and other.ratings.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_existing_ratings_into_a_first_wave_and_back():
    executor = MigrationExecutor(connection)
    before = [("scoring", "0004_ratings_import_job")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Job, Outcome = old.get_model("challenges", "Job"), old.get_model("challenges", "Outcome")
    Respondent_, Rating_ = old.get_model("scoring", "Respondent"), old.get_model("scoring", "Rating")
    job = Job.objects.create(name="Old job")
    outcome = Outcome.objects.create(job=job, code="OLD-01", statement="Minimise waiting")
    Job.objects.create(name="Never surveyed")
    person = Respondent_.objects.create(key="old-1")
    Rating_.objects.create(respondent=person, outcome=outcome, importance=5, satisfaction=2)

    executor = MigrationExecutor(connection)
    executor.migrate([("scoring", "0007_wave_required")])
    new = executor.loader.project_state([("scoring", "0007_wave_required")]).apps
    Wave, Rating2 = new.get_model("scoring", "SurveyWave"), new.get_model("scoring", "Rating")
    wave = Wave.objects.get()
    assert (wave.job_id, wave.name, wave.status, wave.kind) == (job.pk, "Wave 1", "open", "round")
    assert list(Rating2.objects.values_list("wave_id", "importance")) == [(wave.pk, 5)]
    Rating2.objects.create(
        respondent_id=person.pk,
        outcome_id=outcome.pk,
        wave=Wave.objects.create(
            job_id=job.pk, name="Wave 2", kind="round", status="scheduled", opens_at=timezone.now()
        ),
        importance=4,
        satisfaction=4,
    )

    # Back: one rating per respondent and outcome again, the first wave's.
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    assert list(Rating_.objects.values_list("importance", "satisfaction")) == [(5, 2)]
    call_command("migrate", verbosity=0)  # leave the schema as the other tests expect


def test_the_landscape_shows_two_waves_with_each_outcomes_movement_as_an_arrow(job_with_two_waves, client_for, triage):
    data = job_with_two_waves
    scores_recompute()
    client = client_for(triage)
    url = reverse("opportunities:job", args=[data["job"].pk])
    latest = client.get(url).content.decode()
    assert "survey wave <strong>Spring</strong>" in latest and 'class="movement"' not in latest
    page = client.get(url, {"wave": data["second"].pk, "compare": data["first"].pk}).content.decode()
    # One arrow: GROC-01 moved from (8.0, 2.5) to (8.0, 6.0); GROC-02 has no score in the second wave.
    assert page.count('<g class="movement"') == 1 and 'data-code="GROC-01"><title>GROC-01 since' in page
    assert "opportunity 13.5 → 10.0" in page
    assert 'data-movement="13.5→10.0"' in page and "40 → 50" in page
    # The earlier wave alone, by its id; an unknown wave says so and shows the latest.
    first = client.get(url, {"wave": data["first"].pk}).content.decode()
    assert 'data-code="GROC-02"' in first
    response = client.get(url, {"wave": 999999}, follow=True)
    assert "There is no such survey wave of this job" in response.content.decode()
