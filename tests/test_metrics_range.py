"""Metrics over a period: from/to validated with a clear message, every week on the chart's axis
(empty weeks at 0), the answer promise drawn as a line, and counts that open exactly their ideas in
the triage queue."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from metrics import selectors
from metrics.selectors import AnswerWeek, answer_weeks_every_week
from tests import factories
from tests.test_metrics import DAY, NOW, T0, _csv, data  # noqa: F401 - data is a fixture

INDEX = reverse("metrics:index")


def links_of(html: str) -> dict[str, tuple[str, int]]:
    """data-link name → (the queue URL, the count the link says)."""
    found = {}
    for href, name, text in re.findall(r'<a href="([^"]+)" data-link="([^"]+)">(\d+)', html):
        found[name] = (unescape(href), int(text))
    return found


def queue_ids(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    changelist = response.context["cl"]
    ids = set(changelist.queryset.values_list("pk", flat=True))
    assert changelist.result_count == len(ids)  # what the list itself says
    return ids


@pytest.mark.parametrize("query", [{}, {"challenge": "a"}, {"date_from": "2026-01-01", "date_to": "2026-01-31"}])
def test_each_count_links_to_exactly_its_ideas_in_the_queue(data, client_for, query):  # noqa: F811
    client = client_for(data["staff"])
    html = client.get(INDEX, query).content.decode()
    links = links_of(html)
    assert set(links) == {"implemented", "in-time", "late", "not-yet-due"}
    total = 0
    for name in ("in-time", "late", "not-yet-due"):
        url, count = links[name]
        assert url.startswith(reverse("admin:reviews_triageidea_changelist"))
        ids = queue_ids(client, url)
        assert len(ids) == count, name
        total += count
    url, count = links["implemented"]
    assert len(queue_ids(client, url)) == count
    # The withdrawn idea is in none of the three; every other submitted idea is in one.
    submitted = int(re.search(r'data-metric="submitted"><a href="[^"]+"[^>]*>(\d+)', html).group(1))
    assert total == submitted - 1


def test_a_period_counts_only_the_ideas_submitted_in_it(data, client_for):  # noqa: F811
    period = (T0 - DAY, T0 + DAY)
    summary = selectors.metrics_summary(now=NOW, period=period)
    assert summary.submitted == 6  # all but i5, submitted a month later
    assert selectors.metrics_summary(now=NOW, period=(T0 + 20 * DAY, None)).submitted == 1
    client = client_for(data["staff"])
    page = client.get(INDEX, {"date_from": "2026-01-05", "date_to": "2026-01-05"})
    assert page.status_code == 200
    assert 'data-metric="submitted"><a' in page.content.decode()
    assert ">6</a>" in page.content.decode()
    rows = _csv(
        client.get(reverse("metrics:export", args=["summary"]), {"date_from": "2026-01-05", "date_to": "2026-01-05"})
    )
    assert rows[1] == ["ideas_submitted", "6"]
    assert "date_from=2026-01-05" in page.content.decode()  # the downloads keep the period


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "after it ends"),
        ({"date_from": "last monday"}, "Enter the first day as a date"),
        ({"date_to": "2026-13-45"}, "Enter the last day as a date"),
        ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "at most three years"),
    ],
)
def test_a_bad_period_is_explained_and_not_applied(data, client_for, query, message):  # noqa: F811
    client = client_for(data["staff"])
    response = client.get(INDEX, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "The period was not applied" in html
    assert ">7</a>" in html  # every submitted idea
    export = client.get(reverse("metrics:export", args=["summary"]), query)
    assert export.status_code == 400 and message in export.content.decode()


def test_every_week_is_on_the_axis_empty_weeks_at_zero():
    weeks = [
        AnswerWeek(datetime.date(2026, 1, 5), 6, 4, 8 * DAY),
        AnswerWeek(datetime.date(2026, 2, 2), 1, 0, None),
    ]
    every = answer_weeks_every_week(weeks, first=None, last=datetime.date(2026, 2, 11))
    assert [(w.week, w.submitted) for w in every] == [
        (datetime.date(2026, 1, 5), 6),
        (datetime.date(2026, 1, 12), 0),
        (datetime.date(2026, 1, 19), 0),
        (datetime.date(2026, 1, 26), 0),
        (datetime.date(2026, 2, 2), 1),
        (datetime.date(2026, 2, 9), 0),
    ]
    period = answer_weeks_every_week([], first=datetime.date(2026, 3, 4), last=datetime.date(2026, 3, 20))
    assert [w.week for w in period] == [
        datetime.date(2026, 3, 2),
        datetime.date(2026, 3, 9),
        datetime.date(2026, 3, 16),
    ]


def test_the_chart_draws_every_week_and_the_promise(data, client_for):  # noqa: F811
    client = client_for(data["staff"])
    html = client.get(INDEX, {"challenge": "a", "date_from": "2026-01-01", "date_to": "2026-02-28"}).content.decode()
    bars = re.findall(r'class="week-bar" data-week="([\d-]+)"', html)
    assert bars[0] == "2025-12-29" and bars[-1] == "2026-02-23" and len(bars) == 9
    assert 'class="promise-line"' in html and "promise: 10 days" in html
    assert "10 days" in html and "the promise is 10 days" in html


def test_overall_the_promise_most_challenges_make(db):
    for days in (10, 10, 5):
        factories.ChallengeFactory(answer_within_days=days)
    assert selectors.metrics_promise_days() == 10


def test_the_page_costs_the_same_queries_with_a_period(data, client_for, django_assert_max_num_queries):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(data["staff"])
    with CaptureQueriesContext(connection) as plain:
        client.get(INDEX)
    with CaptureQueriesContext(connection) as ranged:
        client.get(INDEX, {"date_from": "2026-01-01", "date_to": "2026-03-31"})
    assert len(ranged) == len(plain) <= 14
