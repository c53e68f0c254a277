"""Large survey imports run in a real worker; uploads above the limit are refused unread; heartbeats.

The worker (tests/celery_worker.py) runs in a thread of this process against the shared Redis on
the test database's own queue; tests are transactional so it sees what they commit.
"""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from health.models import Heartbeat
from health.tasks import heartbeat
from scoring.models import OutcomeScore, Rating, RatingsImportJob
from scoring.tasks import requeue_import_jobs
from tests import factories
from tests.broker import broker_at
from tests.celery_worker import REDIS_URL, wait_until
from tests.redis_server import redis_server  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker"),
]

IMPORT_URL = "/admin/scoring/rating/import/"
OUTCOMES = 20
RESPONDENTS = 25_000  # × 20 outcomes = 500,000 rows
# An ignored column pads each row, so the file is 50 MB with half a million rows: the size the issue
# names, at a runtime the suite can afford.
PADDING = "x" * 76


def survey_csv(codes: list[str]) -> bytes:
    lines = ["respondent_id,segment,outcome_code,importance,satisfaction,comment\n"]
    for respondent in range(RESPONDENTS):
        segment = "Customers" if respondent % 2 else ""
        for index, code in enumerate(codes):
            lines.append(
                f"R-{respondent:06d},{segment},{code},{1 + (respondent + index) % 5},{1 + respondent % 5},{PADDING}\n"
            )
    return "".join(lines).encode()


@pytest.fixture
def staff_client(db):
    user = get_user_model().objects.create_superuser(email="boss@example.com", password="pw-boss-123", username="boss")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_a_50_mb_upload_returns_at_once_imports_in_the_worker_with_progress_and_the_scores_follow(
    worker, staff_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.RATINGS_IMPORT_BACKGROUND_BYTES = 1024 * 1024
    settings.SCORING_DEBOUNCE_SECONDS = 0
    factories.SegmentFactory(name="Customers")
    codes = [factories.OutcomeFactory(code=f"PLAN-{n:02d}").code for n in range(OUTCOMES)]
    data = survey_csv(codes)
    assert len(data) >= 50 * 1000 * 1000

    started = time.perf_counter()
    response = staff_client.post(IMPORT_URL, {"file": SimpleUploadedFile("big-survey.csv", data, "text/csv")})
    answered_in = time.perf_counter() - started
    del data
    job = RatingsImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:scoring_rating_import_job", args=[job.pk])
    assert answered_in < 15, f"the upload took {answered_in:.1f} s to answer"
    assert job.file_size >= 50 * 1000 * 1000 and job.file_name == "big-survey.csv"

    # Staff watch it: the page reloads itself while the worker reports the rows it has checked.
    seen_progress = set()
    deadline = time.monotonic() + 300
    while True:
        page = staff_client.get(response["Location"])
        assert page.status_code == 200
        content = page.content.decode()
        if 'http-equiv="refresh"' not in content:  # the page stops reloading once the job finished
            break
        shown = re.search(r"(\d+) rows \((\d+)% of the file\)", content)
        assert shown, "the page shows the rows checked"
        if int(shown.group(1)):
            seen_progress.add((int(shown.group(1)), int(shown.group(2))))
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.2)
    job.refresh_from_db()
    assert job.status == RatingsImportJob.Status.DONE, (job.status, job.error, job.problems[:3])
    assert seen_progress, "no progress was shown"
    assert "Survey imported. 500000 rows read for 25000 respondents" in content
    assert 'http-equiv="refresh"' not in content
    assert Rating.objects.count() == RESPONDENTS * OUTCOMES
    job.refresh_from_db()
    assert not job.file and not list(tmp_path.rglob("*.csv"))  # the stored file is freed once imported

    # The recompute was queued when the import committed, and the worker ran it.
    wait_until(lambda: OutcomeScore.objects.filter(segment=None).count() == OUTCOMES, "the scores recompute")
    score = OutcomeScore.objects.get(outcome__code="PLAN-00", segment=None)
    assert score.respondents == RESPONDENTS


@pytest.mark.django_db(transaction=True)
def test_a_large_file_with_bad_rows_shows_the_same_problems_from_the_worker(worker, staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RATINGS_IMPORT_BACKGROUND_BYTES = 1000
    factories.OutcomeFactory(code="PLAN-01")
    rows = "".join(f"R-{n},,PLAN-01,{'7' if n == 40 else '4'},2\n" for n in range(100))
    data = f"respondent_id,segment,outcome_code,importance,satisfaction\n{rows}".encode()
    response = staff_client.post(IMPORT_URL, {"file": SimpleUploadedFile("bad.csv", data, "text/csv")})
    job = RatingsImportJob.objects.get()
    assert response.status_code == 302
    wait_until(lambda: RatingsImportJob.objects.get(pk=job.pk).finished, "the import job")
    content = staff_client.get(response["Location"]).content.decode()
    assert "The file has 1 problem; nothing was imported." in content
    assert "importance must be a whole number from 1 to 5, not &#x27;7&#x27;" in content
    assert "<td>42</td>" in content  # line 42: the header is line 1
    assert not Rating.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_import_job_run_twice_imports_once(worker, settings, tmp_path, staff_client):
    from scoring.tasks import run_ratings_import_job

    settings.MEDIA_ROOT = tmp_path
    settings.RATINGS_IMPORT_BACKGROUND_BYTES = 10
    factories.OutcomeFactory(code="PLAN-01")
    data = b"respondent_id,segment,outcome_code,importance,satisfaction\nR-1,,PLAN-01,5,1\nR-2,,PLAN-01,4,2\n"
    staff_client.post(IMPORT_URL, {"file": SimpleUploadedFile("small.csv", data, "text/csv")})
    job = RatingsImportJob.objects.get()
    wait_until(lambda: RatingsImportJob.objects.get(pk=job.pk).finished, "the import job")
    again = run_ratings_import_job.delay(job.pk)
    assert worker.wait_for(again.id) == ("SUCCESS", "done")
    job.refresh_from_db()
    assert job.result["ratings_created"] == 2 and Rating.objects.count() == 2


@pytest.mark.django_db
def test_an_upload_above_the_limit_is_refused_before_its_body_is_read(staff_client, settings):
    settings.UPLOAD_MAX_BYTES = 100 * 1024 * 1024
    # The body says 200 MB but holds a few bytes: reading it would fail, so a 413 proves it was not read.
    response = staff_client.generic(
        "POST",
        IMPORT_URL,
        b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413
    content = response.content.decode()
    assert "The upload is 200 MB; the portal accepts at most 100 MB. Nothing was read or saved." in content
    assert not RatingsImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_reaches_healthz_and_the_compose_check(worker, client):
    Heartbeat.objects.all().delete()
    with pytest.raises(CommandError, match="Not healthy: beat"):
        call_command("healthcheck", "--require", "database,beat")
    report = client.get("/healthz").json()
    assert report["status"] == "degraded" and {"worker", "beat"} <= set(report["degraded"])

    result = heartbeat.delay()  # what beat sends: publishing it records beat, running it the worker
    worker.wait_for(result.id)
    report = client.get("/healthz").json()
    assert report["checks"]["worker"]["ok"] and report["checks"]["beat"]["ok"], report
    assert report["checks"]["database"]["ok"] and report["checks"]["broker"]["ok"]
    assert report["checks"]["outbox"]["oldest_unprocessed_seconds"] is None
    call_command("healthcheck", "--require", "database,beat,worker,broker")


@pytest.mark.django_db(transaction=True)
def test_a_large_check_only_upload_is_checked_by_the_worker_and_saves_nothing(worker, staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RATINGS_IMPORT_BACKGROUND_BYTES = 10
    factories.OutcomeFactory(code="PLAN-01")
    data = b"respondent_id,segment,outcome_code,importance,satisfaction\nR-1,,PLAN-01,5,1\nR-2,,PLAN-01,4,2\n"
    response = staff_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("check.csv", data, "text/csv"), "dry_run": "on"}
    )
    job = RatingsImportJob.objects.get()
    assert job.dry_run and response.status_code == 302
    wait_until(lambda: RatingsImportJob.objects.get(pk=job.pk).finished, "the import job")
    content = staff_client.get(response["Location"]).content.decode()
    assert "The file is valid; nothing was saved. 2 rows read for 2 respondents" in content
    assert "2 would be created" in content
    assert not Rating.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_upload_with_the_broker_down_is_kept_and_imported_once_beat_requeues_it(
    worker,
    staff_client,
    settings,
    tmp_path,
    redis_server,  # noqa: F811 - the fixture
):
    settings.MEDIA_ROOT = tmp_path
    settings.RATINGS_IMPORT_BACKGROUND_BYTES = 10
    factories.OutcomeFactory(code="PLAN-01")
    data = b"respondent_id,segment,outcome_code,importance,satisfaction\nR-1,,PLAN-01,5,1\n"
    redis_server.stop()
    with broker_at(redis_server.url):  # the broker is down while staff upload
        response = staff_client.post(IMPORT_URL, {"file": SimpleUploadedFile("late.csv", data, "text/csv")})
    assert response.status_code == 302
    job = RatingsImportJob.objects.get()
    assert job.status == RatingsImportJob.Status.QUEUED and job.file
    assert requeue_import_jobs() == 0  # not stale yet
    RatingsImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert requeue_import_jobs() == 1  # beat's safety net, with the broker back
    wait_until(lambda: RatingsImportJob.objects.get(pk=job.pk).finished, "the requeued import job")
    assert RatingsImportJob.objects.get(pk=job.pk).status == RatingsImportJob.Status.DONE
    assert Rating.objects.count() == 1
