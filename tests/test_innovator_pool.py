"""The innovator pool staff search: who is in it, each filter on a known data set, who may open it, the
invitation action (exactly the selected members, notified once) and a query count constant in the rows."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import TRIAGE_GROUP
from challenges.models import Challenge
from ideas.models import Comment, Status, Vote
from innovators import selectors, services
from innovators.models import Questionnaire, QuestionnaireResponse
from notifications.models import Notification, OutboxEvent
from reputation.models import ReputationTotal, Tier
from scoring.models import Respondent
from tests import factories
from tests.notification_kinds import Kind

POOL_URL = reverse("admin:innovators_innovator_changelist")

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def member(name, *, tier=None, points=0, segment=None):
    user = factories.UserFactory(display_name=name)
    if tier is not None:
        ReputationTotal.objects.create(user=user, points=points, tier=tier)
    if segment is not None:
        Respondent.objects.create(key=f"member-{user.pk}", user=user, segment=segment)
    return user


@pytest.fixture
def world(db, triage, mentor):
    """Five members with known tiers, scores, segments, outcomes and activity, and people left out."""
    customers = factories.SegmentFactory(name="Customers")
    ex_customers = factories.SegmentFactory(name="Ex-customers")
    o1, o2, o3 = factories.OutcomeFactory(), factories.OutcomeFactory(), factories.OutcomeFactory()
    challenge = factories.ChallengeFactory(outcomes=[o1, o2, o3])
    old = Questionnaire.objects.create(title="Last year's", is_open=False)
    current = Questionnaire.objects.create(title="This year's", is_open=True)

    ana = member("Ana", tier=Tier.LEAD_INNOVATOR, points=300, segment=customers)
    ben = member("Ben", tier=Tier.INNOVATOR, points=40, segment=ex_customers)
    cy = member("Cy", tier=Tier.CONTRIBUTOR, points=5)
    dee = member("Dee", segment=customers)  # no totals at all: a newcomer
    eve = member("Eve", tier=Tier.NEWCOMER, points=0)

    for user, score in [(ana, 90), (ben, 60), (cy, 20)]:
        QuestionnaireResponse.objects.create(questionnaire=current, user=user, score=score)
    QuestionnaireResponse.objects.create(questionnaire=old, user=eve, score=100)  # not this year's
    QuestionnaireResponse.objects.create(questionnaire=old, user=ana, score=10)

    anas = factories.IdeaFactory(challenge=challenge, author=ana, outcomes=[o1], submitted_at=days_ago(10))
    factories.IdeaFactory(challenge=challenge, author=ben, outcomes=[o1, o2], submitted_at=days_ago(100))
    factories.IdeaFactory(challenge=challenge, author=ben, outcomes=[o1], submitted_at=days_ago(120))
    factories.IdeaFactory(challenge=challenge, author=eve, outcomes=[o3], submitted_at=days_ago(400))
    # A draft counts for nothing: not an idea submitted, not an outcome written for, not activity.
    factories.IdeaFactory(challenge=challenge, author=dee, outcomes=[o2], status=Status.DRAFT, submitted_at=None)
    comment = factories.CommentFactory(idea=anas, author=ben)
    Comment.objects.filter(pk=comment.pk).update(created_at=days_ago(60))
    vote = factories.VoteFactory(idea=anas, user=cy)
    Vote.objects.filter(pk=vote.pk).update(created_at=days_ago(200))
    # Left out of the pool: staff, superusers and deactivated members, whatever their record.
    boss = factories.UserFactory(display_name="Boss", is_staff=True, is_superuser=True)
    gone = factories.UserFactory(display_name="Gone", is_active=False)
    factories.IdeaFactory(challenge=challenge, author=gone, outcomes=[o1], submitted_at=days_ago(5))
    return {
        "ana": ana,
        "ben": ben,
        "cy": cy,
        "dee": dee,
        "eve": eve,
        "boss": boss,
        "o1": o1,
        "o2": o2,
        "o3": o3,
        "customers": customers,
        "ex_customers": ex_customers,
        "current": current,
        "old": old,
        "challenge": challenge,
    }


def pool_names(client, **query):
    response = client.get(POOL_URL, query)
    assert response.status_code == 200
    return sorted(row.public_name for row in response.context["cl"].result_list)


def test_the_pool_is_active_members_who_are_not_staff(client_for, triage, mentor, world):
    # The mentor is a member without staff status: the pool (like the issue) leaves out staff only.
    assert pool_names(client_for(triage)) == ["Ana", "Ben", "Cy", "Dee", "Eve", "Mo Mentor"]


def test_the_columns_show_each_members_track_record(client_for, triage, world):
    response = client_for(triage).get(POOL_URL, {"q": "Ana"})
    [row] = response.context["cl"].result_list
    assert (row.questionnaire_score, row.ideas_submitted) == (90, 1)
    assert row.last_activity.date() == days_ago(10).date()
    body = response.content.decode()
    for text in [
        "Ana",
        world["ana"].email,
        "lead innovator",
        "300",
        "90",
        "Customers",
        days_ago(10).strftime("%Y-%m-%d"),
    ]:
        assert f">{text}<" in body
    dee = client_for(triage).get(POOL_URL, {"q": world["dee"].email}).context["cl"].result_list[0]
    assert (dee.questionnaire_score, dee.ideas_submitted, dee.last_activity) == (None, 0, None)
    ben = client_for(triage).get(POOL_URL, {"q": "Ben"}).context["cl"].result_list[0]
    # The latest of an idea 100 days ago and a comment 60 days ago.
    assert (ben.ideas_submitted, ben.last_activity.date()) == (2, days_ago(60).date())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"tier": "newcomer"}, ["Dee", "Eve", "Mo Mentor"]),
        ({"tier": "contributor"}, ["Cy"]),
        ({"tier": "innovator"}, ["Ben"]),
        ({"tier": "lead innovator"}, ["Ana"]),
        ({"score": "75-100"}, ["Ana"]),
        ({"score": "50-75"}, ["Ben"]),
        ({"score": "under-50"}, ["Cy"]),
        ({"score": "none"}, ["Dee", "Eve", "Mo Mentor"]),
        ({"segment": "customers"}, ["Ana", "Dee"]),
        ({"segment": "ex_customers"}, ["Ben"]),
        ({"segment": "none"}, ["Cy", "Eve", "Mo Mentor"]),
        ({"outcome": "o1"}, ["Ana", "Ben"]),  # Ben wrote two ideas for it: listed once
        ({"outcome": "o2"}, ["Ben"]),  # Dee's draft does not count
        ({"outcome": "o3"}, ["Eve"]),
        ({"active": "30"}, ["Ana"]),
        ({"active": "90"}, ["Ana", "Ben"]),
        ({"active": "365"}, ["Ana", "Ben", "Cy"]),
        ({"active": "no"}, ["Dee", "Eve", "Mo Mentor"]),
        ({"tier": "newcomer", "segment": "customers"}, ["Dee"]),
        ({"active": "365", "score": "under-50"}, ["Cy"]),
        ({"q": "Ana"}, ["Ana"]),
        ({"q": "member"}, ["Ana", "Ben", "Cy", "Dee", "Eve", "Mo Mentor"]),  # the factories' emails
    ],
)
def test_each_filter_lists_exactly_the_matching_members(client_for, triage, world, query, expected):
    query = {key: str(world[value].pk) if value in world else value for key, value in query.items()}
    assert pool_names(client_for(triage), **query) == expected


def test_the_score_is_of_the_open_questionnaire_or_else_the_latest_answered(world):
    def scores():
        return {u.public_name: u.questionnaire_score for u in selectors.innovator_pool() if u.questionnaire_score}

    assert scores() == {"Ana": 90, "Ben": 60, "Cy": 20}
    Questionnaire.objects.filter(pk=world["current"].pk).update(is_open=False)
    Questionnaire.objects.create(title="Next year's, being written")  # no responses: not the one shown
    assert scores() == {"Ana": 90, "Ben": 60, "Cy": 20}
    Questionnaire.objects.filter(pk=world["old"].pk).update(is_open=True)
    assert scores() == {"Ana": 10, "Eve": 100}


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("customer", 302), ("mentor", 302), ("plain_staff", 403), ("triage", 200), ("superuser", 200)],
)
def test_only_triage_staff_open_the_pool(client_for, customer, mentor, triage, world, role, status):
    users = {
        "anonymous": None,
        "customer": customer,
        "mentor": mentor,
        "plain_staff": factories.UserFactory(is_staff=True),
        "triage": triage,
        "superuser": world["boss"],
    }
    response = client_for(users[role]).get(POOL_URL)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("admin:login"))


def test_the_pool_is_on_the_admin_index_for_triage_staff_only(client_for, triage):
    assert "Innovator pool" in client_for(triage).get(reverse("admin:index")).content.decode()
    plain = factories.UserFactory(is_staff=True)
    assert "Innovator pool" not in client_for(plain).get(reverse("admin:index")).content.decode()


def test_a_row_does_not_open_the_members_account(client_for, triage, world):
    response = client_for(triage).get(reverse("admin:innovators_innovator_change", args=[world["ana"].pk]))
    assert response.status_code == 302 and response["Location"] == POOL_URL


# --- Inviting ------------------------------------------------------------------------------------


@pytest.fixture
def private(db):
    return factories.ChallengeFactory(
        title="Lockers for members", brief="Where would **lockers** help you & your family?", visibility="invite_only"
    )


def invite(client, members, challenge, *, apply=True):
    data = {"action": "invite_to_challenge", "_selected_action": [m.pk for m in members]}
    if apply:
        data |= {"apply": "Invite", "challenge": str(challenge.pk)}
    return client.post(POOL_URL, data, follow=apply)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def invited_ids(challenge):
    return sorted(challenge.invited_members.values_list("pk", flat=True))


def test_the_intermediate_page_offers_invite_only_challenges_not_closed(client_for, triage, world, private):
    factories.ChallengeFactory(title="Public one")
    factories.ChallengeFactory(title="Closed private", visibility="invite_only", phase=Challenge.Phase.CLOSED)
    factories.ChallengeFactory(title="Draft private", visibility="invite_only", phase=Challenge.Phase.DRAFT)
    review = factories.ChallengeFactory(title="Private in review", visibility="invite_only", phase="review")
    response = invite(client_for(triage), [world["ana"], world["ben"]], private, apply=False)
    assert response.status_code == 200
    assert [c for c, _ in response.context["form"].fields["challenge"].choices if c] == [private.pk, review.pk]
    body = response.content.decode()
    # Whole words: a random CSRF token on the page may hold the letters "Cy".
    assert re.search(r"\bAna\b", body) and re.search(r"\bBen\b", body) and not re.search(r"\bCy\b", body)
    assert not private.invited_members.exists()


def test_the_action_invites_and_notifies_exactly_the_selected(
    client_for, triage, world, private, django_capture_on_commit_callbacks
):
    ana, ben = world["ana"], world["ben"]
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(triage), [ana, ben], private)
    assert response.status_code == 200
    assert messages_of(response) == ["Invited 2 members to Lockers for members; 0 were already invited."]
    assert invited_ids(private) == sorted([ana.pk, ben.pk])
    [event] = OutboxEvent.objects.filter(kind=Kind.CHALLENGE_INVITATION)
    assert event.payload == {"challenge_id": private.pk, "user_ids": sorted([ana.pk, ben.pk])}
    assert event.actor_id == triage.pk and event.processed_at is not None
    notes = Notification.objects.filter(kind=Kind.CHALLENGE_INVITATION).order_by("recipient_id")
    assert [n.recipient_id for n in notes] == sorted([ana.pk, ben.pk])
    note = notes[0]
    assert note.title == "You are invited to the challenge “Lockers for members”"
    assert "track record" in note.body and "Where would lockers help you & your family?" in note.body
    assert note.url == private.get_absolute_url()
    # Emailed at once (the kind's default), to them only, by the generic notification email.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ana.email, ben.email])
    assert all("You are invited to the challenge" in m.subject for m in mail.outbox)
    assert private.get_absolute_url() in mail.outbox[0].body
    # They can now see the private challenge; the others still cannot.
    assert client_for(ana).get(private.get_absolute_url()).status_code == 200
    assert client_for(world["cy"]).get(private.get_absolute_url()).status_code == 404


def test_reinviting_a_member_already_in_does_not_notify_them_again(
    client_for, triage, world, private, django_capture_on_commit_callbacks
):
    ana, cy = world["ana"], world["cy"]
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(triage), [ana], private)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(triage), [ana, cy], private)
    assert messages_of(response) == ["Invited 1 member to Lockers for members; 1 was already invited."]
    assert invited_ids(private) == sorted([ana.pk, cy.pk])
    notified = Notification.objects.filter(kind=Kind.CHALLENGE_INVITATION).values_list("recipient_id", flat=True)
    assert sorted(notified) == sorted([ana.pk, cy.pk])  # Ana once, Cy once
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(triage), [ana, cy], private)
    assert messages_of(response) == ["Invited 0 members to Lockers for members; 2 were already invited."]
    assert OutboxEvent.objects.filter(kind=Kind.CHALLENGE_INVITATION).count() == 2
    assert Notification.objects.filter(kind=Kind.CHALLENGE_INVITATION).count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"visibility": "public"}, "is public"),
        ({"phase": Challenge.Phase.CLOSED}, "is closed"),
        ({"phase": Challenge.Phase.DRAFT}, "still a draft"),
    ],
)
def test_the_service_refuses_a_public_closed_or_draft_challenge_and_changes_nothing(
    triage, world, private, django_capture_on_commit_callbacks, changes, message
):
    Challenge.objects.filter(pk=private.pk).update(**changes)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.InvitationRefused, match=message):
        services.innovators_invite(challenge=private, users=[world["ana"]], invited_by=triage)
    assert invited_ids(private) == []
    assert not OutboxEvent.objects.exists() and not Notification.objects.exists()


def test_a_public_challenge_posted_to_the_action_is_refused_and_changes_nothing(client_for, triage, world):
    public = factories.ChallengeFactory(title="Public one")
    response = invite(client_for(triage), [world["ana"]], public)
    assert response.status_code == 400
    assert "Choose one of the invite-only challenges listed." in response.content.decode()
    assert invited_ids(public) == [] and not OutboxEvent.objects.exists()


def test_only_triage_staff_invite(customer, mentor, world, private):
    plain = factories.UserFactory(is_staff=True)
    for user in [customer, mentor, plain]:
        with pytest.raises(services.InvitationRefused, match="Only triage staff"):
            services.innovators_invite(challenge=private, users=[world["ana"]], invited_by=user)
    assert invited_ids(private) == [] and not OutboxEvent.objects.exists()


def test_staff_and_deactivated_members_are_not_invited_this_way(triage, world, private):
    with pytest.raises(services.InvitationRefused, match="not: Boss"):
        services.innovators_invite(challenge=private, users=[world["ana"], world["boss"]], invited_by=triage)
    assert invited_ids(private) == []


def test_a_member_removed_before_the_worker_runs_is_not_told(triage, world, private):
    result = services.innovators_invite(challenge=private, users=[world["ana"], world["ben"]], invited_by=triage)
    assert [u.pk for u in result.invited] == sorted([world["ana"].pk, world["ben"].pk])
    private.invited_members.remove(world["ben"])
    from notifications.services import outbox_event_process

    assert outbox_event_process(event_id=OutboxEvent.objects.get().pk) == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [world["ana"].pk]


def test_the_preferences_page_lists_the_invitation_kind(client_for, customer):
    body = client_for(customer).get(reverse("notifications:preferences")).content.decode()
    assert "Invitation to an invite-only challenge" in body


# --- Query count --------------------------------------------------------------------------------


def _full_members(count, *, segment, outcome, challenge, questionnaire, start):
    for index in range(start, start + count):
        user = member(f"Member {index:02d}", tier=Tier.CONTRIBUTOR, points=index, segment=segment)
        QuestionnaireResponse.objects.create(questionnaire=questionnaire, user=user, score=index)
        idea = factories.IdeaFactory(challenge=challenge, author=user, outcomes=[outcome])
        factories.CommentFactory(idea=idea, author=user)
        factories.VoteFactory(idea=idea, user=user)


@pytest.mark.parametrize("query", [{}, {"tier": "contributor", "score": "under-50", "active": "30"}])
def test_the_pool_costs_the_same_queries_for_3_and_30_members(client_for, triage, query):
    segment = factories.SegmentFactory(name="Customers")
    outcome = factories.OutcomeFactory()
    challenge = factories.ChallengeFactory(outcomes=[outcome])
    questionnaire = Questionnaire.objects.create(title="Now", is_open=True)
    client = client_for(triage)
    query = query | {"segment": str(segment.pk), "outcome": str(outcome.pk)} if query else query

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(POOL_URL, query)
        assert response.status_code == 200
        return len(captured), len(response.context["cl"].result_list)

    kwargs = {"segment": segment, "outcome": outcome, "challenge": challenge, "questionnaire": questionnaire}
    _full_members(3, start=0, **kwargs)
    few, rows = count()
    assert rows == 3
    _full_members(27, start=3, **kwargs)
    many, rows = count()
    assert rows == 30
    assert many == few
    assert many <= 12


def test_a_member_in_the_triage_group_without_staff_status_cannot_open_it(client_for, world):
    user = factories.UserFactory()
    user.groups.add(Group.objects.get_or_create(name=TRIAGE_GROUP)[0])
    assert client_for(user).get(POOL_URL).status_code == 302
