"""``manage.py demo``: an idempotent, realistic demo data set, its log-ins, and the server."""

import os
import re
from io import StringIO
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test.utils import override_settings

from accounts.rules import is_mentor, is_triage
from challenges.models import Challenge, Job, Outcome, Segment, SelectionCriterion
from demo import demo_data
from demo.management.commands.demo import site_url_for
from ideas.models import Comment, Idea, Status, StatusChange, Vote
from impact.models import FollowUp, Verdict
from impact.selectors import follow_up_summaries_for
from innovators.models import QuestionnaireResponse
from notifications.models import Delivery, Notification
from notifications.services import notification_email_send, preference_set
from reputation.models import ReputationEvent, ReputationTotal, Tier
from scoring.models import Rating, Respondent, SurveyWave
from tests.notification_kinds import Kind

MODELS = [
    get_user_model(),
    EmailAddress,
    Job,
    Outcome,
    Segment,
    Challenge,
    SelectionCriterion,
    Respondent,
    Rating,
    Idea,
    Vote,
    Comment,
    StatusChange,
    QuestionnaireResponse,
    ReputationEvent,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module, inside a transaction rolled back at its end.

    Each test's own transaction (the ``db`` fixture) nests inside it as a savepoint. The hasher is
    the fast one the tests use (conftest), set here too because this fixture runs before theirs.
    """
    hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    # The command sets SITE_URL (the setting and the environment) from --addrport: undone at the end.
    site_url = override_settings(SITE_URL=settings.SITE_URL)
    environ_had = os.environ.get("SITE_URL")
    os.environ.pop("SITE_URL", None)
    with django_db_blocker.unblock(), hasher, site_url:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield run_demo()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            os.environ.pop("SITE_URL", None)
            if environ_had is not None:
                os.environ["SITE_URL"] = environ_had


@pytest.fixture
def demo(loaded_demo, db):
    return loaded_demo


def test_it_prints_what_it_holds_counted_from_the_rows(demo):
    """The README does not copy the demo's counts: the command prints them, from the database."""
    printed = next(line for line in demo.splitlines() if line.startswith("The demo database holds "))
    ideas = Idea.objects.exclude(status=Status.DRAFT).count()
    assert f" {ideas} ideas," in printed and ideas >= 50
    assert f" {Vote.objects.count()} votes," in printed
    assert f" {Comment.objects.count()} comments," in printed
    assert printed.endswith(f" {StatusChange.objects.count()} status changes.")


def test_a_second_run_creates_nothing(demo):
    before = counts()
    assert "Demo data loaded" in demo
    output = run_demo()
    assert "already loaded" in output
    assert counts() == before


def test_the_loaders_themselves_are_idempotent(demo):
    before = counts()
    assert demo_data.load(force=True) is True
    assert counts() == before


def test_every_status_has_ideas_and_the_funnel_history_is_consistent(demo):
    for status in Status:
        assert Idea.objects.filter(status=status).exists(), status
    assert 50 <= Idea.objects.count() <= 70
    for idea in Idea.objects.exclude(status=Status.DRAFT).prefetch_related("status_changes"):
        steps = sorted(idea.status_changes.all(), key=lambda change: change.created_at)
        assert (steps[-1].to_status if steps else Status.SUBMITTED) == idea.status
        assert all(change.created_at > idea.submitted_at for change in steps)
        staff_steps = [change for change in steps if change.to_status != Status.WITHDRAWN]
        assert idea.decided_at == (staff_steps[-1].created_at if staff_steps else None)
        assert all(change.reason for change in steps)
    assert Idea.objects.filter(status=Status.DUPLICATE, duplicate_of__isnull=True).count() == 0


def test_votes_and_comments_are_spread_and_counted(demo):
    assert Vote.objects.count() > 150
    assert Comment.objects.count() > 40
    for idea in Idea.objects.all():
        assert idea.votes_up == idea.votes.filter(value=1).count()
        assert idea.votes_down == idea.votes.filter(value=-1).count()
        assert idea.comments_count == idea.comments.count()
        assert not idea.votes.filter(user=idea.author_id).exists()
    assert Idea.objects.filter(votes_up__gte=9).exists()


def test_challenges_in_different_phases_with_the_default_criteria(demo):
    challenges = Challenge.objects.all()
    assert challenges.count() >= 2
    assert len({challenge.phase for challenge in challenges}) >= 2
    open_challenge = Challenge.objects.get(slug=demo_data.OPEN_SLUG)
    assert open_challenge.phase == Challenge.Phase.OPEN
    assert open_challenge.opens_at < open_challenge.review_starts_at
    assert "FreshCart" in open_challenge.brief
    assert open_challenge.outcomes.count() == 4
    assert Challenge.objects.filter(phase=Challenge.Phase.CLOSED, ideas__status=Status.WINNER).exists()
    for challenge in challenges:
        assert [(c.name, c.description, c.weight) for c in challenge.criteria.all()] == SelectionCriterion.DEFAULTS
    lab = Challenge.objects.get(slug=demo_data.LAB_SLUG)
    assert lab.is_invite_only and lab.invited_members.count() == 2


def test_survey_respondents_rate_every_outcome(demo):
    outcomes = Outcome.objects.count()
    assert 10 <= outcomes <= 15
    assert Respondent.objects.filter(key__startswith="survey-").count() == 200
    assert not Respondent.objects.filter(segment__isnull=True).exists()
    # The survey's first round: every respondent rated every outcome.
    assert Rating.objects.filter(wave__kind=SurveyWave.Kind.ROUND).count() == 200 * outcomes
    assert Segment.objects.count() == 3
    assert Outcome.objects.filter(code="PLAN-01").exists()


def test_three_implemented_ideas_were_followed_up_improved_unchanged_and_collecting(demo):
    summaries = follow_up_summaries_for(FollowUp.objects.values_list("idea_id", flat=True))
    by_title = {summary.follow_up.idea.title: summary for summary in summaries.values()}
    assert by_title["Live van map with a 10-minute arrival window"].verdict == Verdict.IMPROVED
    assert by_title["Pack chilled and frozen items together in one insulated bag"].verdict == Verdict.NO_CHANGE
    collecting = by_title["An in-app check-list that ticks items off as you unpack"]
    assert (collecting.state, collecting.respondents, collecting.min_respondents) == ("collecting", 12, 30)
    assert all(summary.follow_up.idea.status == Status.IMPLEMENTED for summary in summaries.values())


def test_innovators_have_a_track_record_a_questionnaire_and_a_private_profile(demo):
    tiers = set(ReputationTotal.objects.values_list("tier", flat=True))
    assert {Tier.CONTRIBUTOR, Tier.INNOVATOR, Tier.LEAD_INNOVATOR} <= tiers
    scores = dict(QuestionnaireResponse.objects.values_list("user__email", "score"))
    assert len(scores) == len(demo_data.QUESTIONNAIRE_ANSWERS)
    assert scores[demo_data.email_of("hana")] > 90 > scores[demo_data.email_of("erin")]
    private = get_user_model().objects.filter(profile_public=False).values_list("email", flat=True)
    assert list(private) == [demo_data.email_of(name) for name in demo_data.PRIVATE_PROFILES]


def test_every_role_can_sign_in(demo, client):
    User = get_user_model()
    rows = demo_data.login_rows()
    assert {role for role, _email, _password in rows} == {"admin", "triage", "mentor", "customer"}
    assert len(rows) >= 15
    for _role, email, _password in rows:
        assert email in demo
        user = User.objects.get(username=email)
        assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()
    # One sign-in per role (every demo member shares one password hash).
    for role in ["admin", "triage", "mentor", "customer"]:
        _role, email, password = next(row for row in rows if row[0] == role)
        assert client.login(username=email, password=password), email
        client.logout()
    assert User.objects.get(username="admin@example.com").is_superuser
    assert is_triage(User.objects.get(username="triage@example.com"))
    assert is_mentor(User.objects.get(username="mentor@example.com"))
    assert not is_triage(User.objects.get(username="alice@example.com"))


@pytest.fixture
def site_url_restored(settings, monkeypatch):
    """The demo command sets SITE_URL in the settings and the environment: both are undone after the test."""
    monkeypatch.delenv("SITE_URL", raising=False)
    settings.SITE_URL = settings.SITE_URL
    return settings


def test_served_on_another_port_its_email_links_point_to_that_port(demo, site_url_restored):
    """Issue 17: the links in the demo's emails lead to the address it serves, not to a fixed :8000."""
    out = run_demo("--addrport", "127.0.0.1:8765")

    assert "Demo log-ins for http://127.0.0.1:8765/" in out
    assert settings.SITE_URL == "http://127.0.0.1:8765" and os.environ["SITE_URL"] == "http://127.0.0.1:8765"
    member = get_user_model().objects.get(username="alice@example.com")
    preference_set(user=member, kind=Kind.KUDOS_RECEIVED, delivery=Delivery.IMMEDIATELY)
    notification = Notification.objects.create(
        recipient=member,
        kind=Kind.KUDOS_RECEIVED,
        event_key="demo-port",
        title="Your comment received kudos",
        url="/ideas/1/",
        delivery=Delivery.IMMEDIATELY,
    )
    assert notification_email_send(notification_id=notification.pk) is True
    [email] = mail.outbox
    links = re.findall(r"https?://[^\s\"<>]+", email.body + email.alternatives[0][0])
    assert links and all(link.startswith("http://127.0.0.1:8765/") for link in links), links
    assert "http://127.0.0.1:8765/ideas/1/" in links
    assert email.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8765/notifications/unsubscribe/")


@pytest.mark.parametrize(
    ("addrport", "site_url"),
    [
        ("8001", "http://127.0.0.1:8001"),
        ("0.0.0.0:8002", "http://127.0.0.1:8002"),
        ("localhost:8003", "http://localhost:8003"),
        ("[::1]:8004", "http://[::1]:8004"),
    ],
)
def test_the_site_url_follows_the_address_served(addrport, site_url):
    assert site_url_for(addrport) == site_url


def test_an_address_the_portal_does_not_answer_to_is_refused_before_serving(db, site_url_restored):
    with pytest.raises(CommandError, match="not in ALLOWED_HOSTS"):
        run_demo("--addrport", "demo.example.net:8000")
    assert settings.SITE_URL == "http://127.0.0.1:8000"


def test_a_site_url_set_by_hand_wins_over_the_address_served(demo, site_url_restored, monkeypatch):
    monkeypatch.setenv("SITE_URL", "http://localhost:9000")
    site_url_restored.SITE_URL = "http://localhost:9000"
    assert "Demo log-ins for http://localhost:9000/" in run_demo("--addrport", "127.0.0.1:8765")


@pytest.mark.django_db
def test_it_serves_unless_told_not_to(site_url_restored):
    with (
        mock.patch("demo.management.commands.demo.call_command") as command,
        mock.patch.object(demo_data, "load", return_value=False),
    ):
        call_command("demo", "--addrport", "127.0.0.1:8123", stdout=StringIO())
    assert command.call_args_list == [
        mock.call("migrate", interactive=False, verbosity=1),
        mock.call("runserver", "127.0.0.1:8123"),
    ]


def test_the_triage_desk_is_filled_in(demo):
    """Reason templates for each ending, scorecards by two screeners, ease and availability on every
    outcome, overdue ideas: a newcomer finds no empty column."""
    from django.db.models import Count
    from django.utils import timezone

    from reviews.models import ReasonTemplate, Screening
    from reviews.selectors import triage_queue

    endings = {Status.DECLINED, Status.NOT_SELECTED, Status.DUPLICATE, Status.WINNER, Status.IMPLEMENTED}
    templated = {s for t in ReasonTemplate.objects.filter(is_active=True) for s in t.statuses}
    assert endings <= templated
    pairs = Screening.objects.values("idea").annotate(n=Count("screener", distinct=True))
    assert pairs.count() >= 20 and {row["n"] for row in pairs} == {2}
    assert Screening.objects.values("screener").distinct().count() == 2
    assert not Outcome.objects.filter(ease_of_adoption__isnull=True).exists()
    assert not Outcome.objects.filter(availability__isnull=True).exists()
    queue = triage_queue(now=timezone.now())
    assert queue.filter(is_overdue=True).count() >= demo_data.OVERDUE_IDEAS
    assert queue.filter(status=Status.SUBMITTED, screenings_count=2).exists()
    # Acknowledged ideas: answered "under review", so not overdue.
    acknowledged = queue.filter(status=Status.UNDER_REVIEW)
    assert acknowledged.exists()
    assert not acknowledged.filter(is_overdue=True).exists()
    before = Screening.objects.count(), ReasonTemplate.objects.count()
    demo_data.load(force=True)  # idempotent: nothing doubled
    assert (Screening.objects.count(), ReasonTemplate.objects.count()) == before
