"""The load benchmark's baseline views and query-count header: mounted only when asked for."""

import importlib

import pytest
from django.urls import clear_url_caches

import ideaportal.urls
from baseline.models import BaselineRow
from baseline.views import ensure_rows

MIDDLEWARE_PATH = "baseline.middleware.QueryCountMiddleware"


def _reload_urls():
    importlib.reload(ideaportal.urls)
    clear_url_caches()


@pytest.fixture
def baseline_on(settings):
    settings.BENCH_BASELINE_VIEWS = True
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]
    _reload_urls()
    yield
    settings.BENCH_BASELINE_VIEWS = False
    _reload_urls()


@pytest.mark.django_db
def test_select_renders_about_5_kb_in_one_query(client, baseline_on, django_assert_num_queries):
    ensure_rows(3)
    with django_assert_num_queries(1):
        response = client.get("/_baseline/select/")
    assert response.status_code == 200
    assert 4_000 <= len(response.content) <= 7_000
    assert b"baseline-1" in response.content
    assert response["X-Queries"] == "1"


@pytest.mark.django_db
def test_select_of_a_missing_row_is_404(client, baseline_on):
    assert client.get("/_baseline/select/?label=nope").status_code == 404


@pytest.mark.django_db
def test_insert_adds_one_row_in_one_query(client, baseline_on, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/_baseline/insert/")
    assert response.status_code == 200
    assert BaselineRow.objects.count() == 1
    assert response["X-Queries"] == "1"
    assert client.post("/_baseline/insert/").status_code == 200  # no CSRF token needed
    assert BaselineRow.objects.count() == 2


@pytest.mark.django_db
def test_portal_pages_get_the_query_header(client, baseline_on):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["X-Queries"] == "3"  # the database answers, the heartbeats, the oldest outbox event


@pytest.mark.django_db
def test_not_mounted_and_no_header_when_off(client, settings):
    settings.BENCH_BASELINE_VIEWS = False
    _reload_urls()
    ensure_rows(1)
    assert client.get("/_baseline/select/").status_code == 404
    assert client.get("/_baseline/insert/").status_code == 404
    assert BaselineRow.objects.count() == 1
    assert "X-Queries" not in client.get("/healthz")
    assert MIDDLEWARE_PATH not in settings.MIDDLEWARE
