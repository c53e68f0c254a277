"""Program metrics on a hand-built data set with known answers, and the implemented ideas page."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Challenge
from ideas.models import Idea, Status, StatusChange
from metrics import selectors
from tests import factories

T0 = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)  # a Monday
NOW = T0 + datetime.timedelta(days=30)
DAY = datetime.timedelta(days=1)


def change(idea, to_status, *, at, by, from_status=None, reason=""):
    """A StatusChange row with an explicit created_at (auto_now_add is overwritten by an update)."""
    row = StatusChange.objects.create(
        idea=idea, from_status=from_status or Status.SUBMITTED, to_status=to_status, changed_by=by, reason=reason
    )
    StatusChange.objects.filter(pk=row.pk).update(created_at=at)
    return row


def idea(challenge, author, status, *, submitted_at=T0):
    return factories.IdeaFactory(challenge=challenge, author=author, status=status, submitted_at=submitted_at)


@pytest.fixture
def data(db):
    """Seven submitted ideas (six in A with a 10-day promise, one in B with 5 days) and a draft.

    Answers (days after submission): i1 2 (then up to implemented), i2 exactly 10 (the deadline),
    i3 11 (late, shortlisted then not selected at 20), i4 never (past due), i5 never (not yet due),
    i6 withdrawn by its author (left out), i7 in B 6 (late, 5-day promise).
    """
    staff = factories.TriageFactory()
    a = factories.ChallengeFactory(slug="a", answer_within_days=10)
    b = factories.ChallengeFactory(slug="b", answer_within_days=5)
    author1, author2 = factories.UserFactory(), factories.UserFactory()
    voter, commenter, reader = factories.UserFactory(), factories.UserFactory(), factories.UserFactory()
    factories.UserFactory(is_active=False)  # not a member

    i1 = idea(a, author1, Status.IMPLEMENTED)
    previous = Status.SUBMITTED
    for days, status in [(2, "shortlisted"), (3, "in_mentoring"), (4, "finalist"), (5, "winner"), (6, "in_progress")]:
        change(i1, status, at=T0 + days * DAY, by=staff, from_status=previous)
        previous = status
    change(i1, "implemented", at=T0 + 8 * DAY, by=staff, from_status=previous, reason="Lockers at 12 stations.")
    i2 = idea(a, author1, Status.DECLINED)
    change(i2, "declined", at=T0 + 10 * DAY, by=staff)
    i3 = idea(a, author1, Status.NOT_SELECTED)
    change(i3, "shortlisted", at=T0 + 11 * DAY, by=staff)
    change(i3, "not_selected", at=T0 + 20 * DAY, by=staff, from_status="shortlisted")
    idea(a, author1, Status.SUBMITTED)  # i4
    idea(a, author2, Status.SUBMITTED, submitted_at=NOW - DAY)  # i5
    i6 = idea(a, author1, Status.WITHDRAWN)
    change(i6, "withdrawn", at=T0 + DAY, by=author1)
    i7 = idea(b, author2, Status.DECLINED)
    change(i7, "declined", at=T0 + 6 * DAY, by=staff)
    idea(a, reader, Status.DRAFT, submitted_at=None)  # a draft: never counted
    factories.VoteFactory(idea=i1, user=voter)
    factories.CommentFactory(idea=i2, author=commenter)
    return {"a": a, "b": b, "staff": staff, "i1": i1}


def test_summary_overall_has_the_known_answers(data):
    summary = selectors.metrics_summary(now=NOW)
    assert summary.submitted == 7
    assert [(status, count) for status, _, count, _ in summary.funnel] == [
        ("submitted", 7),
        ("shortlisted", 2),
        ("in_mentoring", 1),
        ("finalist", 1),
        ("winner", 1),
        ("in_progress", 1),
        ("implemented", 1),
    ]
    assert summary.implemented == 1
    assert summary.implementation_rate == pytest.approx(1 / 7)
    # In time: i1 (2 days) and i2 (exactly at the deadline); late: i3, i4 (unanswered, past due), i7.
    assert (summary.in_time, summary.late, summary.not_yet_due) == (2, 3, 1)
    assert summary.answered_in_time_share == pytest.approx(0.4)
    # First answers after 2, 6, 10, 11 days; decisions after 5 (winner), 6, 10, 20 days.
    assert summary.answered == 4
    assert summary.answer_median == 8 * DAY
    assert summary.answer_p90 == pytest.approx(10.7 * DAY, abs=datetime.timedelta(seconds=1))
    assert summary.decided == 4
    assert summary.decision_median == 8 * DAY
    assert summary.decision_p90 == pytest.approx(17 * DAY, abs=datetime.timedelta(seconds=1))


def test_summary_per_challenge(data):
    summary = selectors.metrics_summary(challenge=data["b"], now=NOW)
    assert summary.submitted == 1
    assert (summary.in_time, summary.late) == (0, 1)
    assert summary.answered_in_time_share == 0
    assert summary.answer_median == 6 * DAY
    assert summary.implementation_rate == 0


def test_the_deadline_itself_is_in_time_and_a_second_later_is_not(data):
    i2 = Idea.objects.get(status=Status.DECLINED, challenge=data["a"])
    assert selectors.metrics_summary(challenge=data["a"], now=NOW).in_time == 2
    StatusChange.objects.filter(idea=i2).update(created_at=T0 + 10 * DAY + datetime.timedelta(seconds=1))
    assert selectors.metrics_summary(challenge=data["a"], now=NOW).in_time == 1


def test_an_unanswered_idea_is_late_only_once_its_deadline_passed(data):
    # i4 (submitted at T0, promise 10 days) is not yet due at its deadline, and late just after it.
    at_deadline = selectors.metrics_summary(challenge=data["a"], now=T0 + 10 * DAY)
    after = selectors.metrics_summary(challenge=data["a"], now=T0 + 10 * DAY + datetime.timedelta(seconds=1))
    assert after.late - at_deadline.late == 1


def test_an_authors_own_change_is_not_an_answer(data):
    author = data["i1"].author
    i4 = Idea.objects.get(challenge=data["a"], status=Status.SUBMITTED, submitted_at=T0)
    change(i4, "declined", at=T0 + DAY, by=author)
    assert selectors.metrics_summary(challenge=data["a"], now=NOW).answered == 3


def test_answer_weeks(data):
    weeks = selectors.metrics_answer_weeks(now=NOW)
    assert [(w.week, w.submitted, w.answered, w.median) for w in weeks] == [
        (datetime.date(2026, 1, 5), 6, 4, 8 * DAY),
        (datetime.date(2026, 2, 2), 1, 0, None),
    ]


def test_participation(data):
    overall = selectors.metrics_participation()
    assert (overall.members, overall.submitted, overall.voted, overall.commented, overall.only_read) == (5, 2, 1, 1, 1)
    assert overall.share(overall.submitted) == pytest.approx(0.4)
    in_b = selectors.metrics_participation(challenge=data["b"])
    assert (in_b.members, in_b.submitted, in_b.voted, in_b.commented, in_b.only_read) == (5, 1, 0, 0, 4)


def test_ideas_per_outcome_and_status(data):
    per_outcome = selectors.metrics_ideas_per_outcome()
    first_a = data["a"].outcomes.order_by("id").first()
    assert {row["code"]: row["ideas_count"] for row in per_outcome}[first_a.code] == 6
    assert [row["ideas_count"] for row in per_outcome] == [6, 1]
    assert {s: n for s, _, n in selectors.metrics_ideas_per_status()} == {
        "submitted": 2,
        "not_selected": 1,
        "implemented": 1,
        "declined": 2,
        "withdrawn": 1,
    }


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_exports(data, client_for):
    client = client_for(data["staff"])
    funnel = _csv(client.get(reverse("metrics:export", args=["funnel"])))
    assert funnel[0] == ["stage", "ideas", "share_of_submitted"]
    assert funnel[1] == ["submitted", "7", "1.0000"]
    assert funnel[2] == ["shortlisted", "2", "0.2857"]
    participation = _csv(client.get(reverse("metrics:export", args=["participation"]), {"challenge": "b"}))
    assert participation[0] == ["group", "members", "share_of_members"]
    assert participation[1:] == [
        ["members", "5", "1.0000"],
        ["Submitted an idea", "1", "0.2000"],
        ["Voted", "0", "0.0000"],
        ["Commented", "0", "0.0000"],
        ["Only read (none of these)", "4", "0.8000"],
    ]
    for table in ["summary", "answer-weeks", "outcomes", "statuses"]:
        rows = _csv(client.get(reverse("metrics:export", args=[table])))
        assert len(rows) >= 2
    assert client.get(reverse("metrics:export", args=["nope"])).status_code == 404
    assert client.get(reverse("metrics:export", args=["funnel"]), {"challenge": "nope"}).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("anonymous", 404), ("customer", 404), ("mentor", 404), ("triage", 200)])
@pytest.mark.parametrize("url", [reverse("metrics:index"), reverse("metrics:export", args=["funnel"])])
def test_who_may_see_the_metrics(db, client_for, role, status, url):
    users = {
        "anonymous": lambda: None,
        "customer": factories.UserFactory,
        "mentor": factories.MentorFactory,
        "triage": factories.TriageFactory,
    }
    assert client_for(users[role]()).get(url).status_code == status


def test_page_shows_figures_and_accessible_charts(data, client_for):
    response = client_for(data["staff"]).get(reverse("metrics:index"), {"challenge": "a"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 2
    for chart in ["funnel", "weeks"]:
        assert f'<title id="{chart}-title">' in html
        assert f'<desc id="{chart}-desc">' in html
    assert 'data-stage="shortlisted" data-count="2"' in html
    assert "/metrics/export/funnel.csv?challenge=a" in html
    assert "How these are counted" in html


def _page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("metrics:index")).status_code == 200
    return len(queries)


def test_query_count_is_constant(db, client_for):
    staff = factories.TriageFactory()
    client = client_for(staff)
    challenge = factories.ChallengeFactory()
    author = factories.UserFactory()

    def add(n):
        for _ in range(n):
            i = idea(challenge, author, Status.DECLINED)
            change(i, "declined", at=T0 + DAY, by=staff)
            factories.CommentFactory(idea=i, author=author)

    add(5)
    few = _page_queries(client)
    add(45)
    assert _page_queries(client) == few


def test_implemented_page_shows_visible_implemented_ideas_with_their_note(data, client_for):
    hidden = factories.ChallengeFactory(slug="secret", visibility=Challenge.Visibility.INVITE_ONLY)
    secret = idea(hidden, factories.UserFactory(), Status.IMPLEMENTED)
    change(secret, "implemented", at=T0 + DAY, by=data["staff"], reason="A secret rollout.")
    Idea.objects.filter(pk=data["i1"].pk).update(comments_count=1)

    response = client_for(None).get(reverse("metrics:implemented"))
    assert response.status_code == 200
    html = response.content.decode()
    assert data["i1"].title in html
    assert "Lockers at 12 stations." in html
    assert data["i1"].author.public_name in html
    assert f"{data['i1'].get_absolute_url()}#comments" in html
    assert "1 comment on this idea" in html
    assert secret.title not in html
    assert "A secret rollout." not in html
    # Submitted and declined ideas are not implemented.
    assert Idea.objects.get(challenge=data["b"]).title not in html

    staff_html = client_for(data["staff"]).get(reverse("metrics:implemented")).content.decode()
    assert "A secret rollout." in staff_html
