"""A member's download of their data, the erasure of their account, and the retention of logs."""

import datetime
import io
import json
import time
import uuid
import zipfile

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import FORMER_MEMBER, User
from api import services as api_services
from challenges import services as challenge_services
from challenges.models import Challenge, ChallengeFollow, ChallengeInvitation
from core import personal_data as registry
from ideas import services as idea_services
from ideas.models import Comment, Idea, IdeaFollow, Status, Vote
from innovators import services as innovator_services
from innovators.models import Questionnaire, QuestionnaireItem, QuestionnaireResponse
from notifications import services as notification_services
from notifications.models import Delivery, Notification, NotificationPreference, OutboxEvent
from privacy import services, tasks
from reputation.models import ReputationEvent, ReputationTotal
from reviews.models import ThreadMessage
from reviews.services import mentoring
from scoring.models import Rating, Respondent
from scoring.services import survey
from tests import factories
from webhooks.events import SUBSCRIBABLE
from webhooks.models import WebhookEndpoint

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.EmailField)


def rows_containing(text: str) -> list[str]:
    """Every table (each model's, and the many-to-many tables') whose text, char or JSON columns
    hold ``text`` in any case: '<table>.<column>' for each hit."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            found = (
                model._default_manager.annotate(_as_text=Cast(field.attname, models.TextField()))
                .filter(_as_text__icontains=text)
                .exists()
            )
            if found:
                hits.append(f"{model._meta.db_table}.{field.column}")
    return hits


def session_holders() -> set[str]:
    return {str(session.get_decoded().get("_auth_user_id")) for session in Session.objects.all()}


def deliver_outbox():
    """Turn every outbox event into its notifications, as the worker does after the commit."""
    for event in OutboxEvent.objects.filter(processed_at__isnull=True).order_by("pk"):
        notification_services.outbox_event_process(event_id=event.pk)


@pytest.fixture
def unique():
    tag = uuid.uuid4().hex[:10]
    return {"email": f"zeb-{tag}@erasure-test.example", "name": f"Zebulon Quillfeather {tag}"}


@pytest.fixture
def busy_member(unique, other_customer, triage, mentor, django_capture_on_commit_callbacks):
    """A member who did everything the portal lets a member do, with others reacting to it."""
    member = factories.UserFactory(email=unique["email"], display_name=unique["name"], first_name="Zebulon")
    # The company's systems listen (webhooks take every event below), and the member holds an API
    # token they named themselves.
    WebhookEndpoint.objects.create(
        name="Innovation team's receiver",
        url="http://127.0.0.1:9/hooks",
        event_types=[str(t) for t in SUBSCRIBABLE_TYPES],
    )
    api_services.token_create(user=member, name=f"Sync for {unique['name']}", scopes=["read"])
    job = factories.JobFactory()
    outcome = factories.OutcomeFactory(job=job)
    challenge = factories.ChallengeFactory(outcomes=[outcome])
    # Ideas: one submitted, one draft, one in mentoring; versions, follows.
    idea = idea_services.idea_create(
        author=member,
        challenge=challenge,
        title="Parcel lockers",
        problem="Missed deliveries every week.",
        solution="Lockers at stations.",
        outcomes=[outcome],
    )
    idea_services.idea_update(
        idea=idea,
        user=member,
        title="Parcel lockers at stations",
        problem="Missed deliveries every week.",
        solution="Lockers at every station.",
        outcomes=[outcome],
    )
    idea_services.idea_create(
        author=member,
        challenge=challenge,
        title="Half-baked draft",
        problem="p",
        solution="s",
        outcomes=[outcome],
        submit=False,
    )
    mentoring_challenge = factories.ChallengeFactory(phase=Challenge.Phase.MENTORING)
    mentored = factories.IdeaFactory(challenge=mentoring_challenge, author=member, status=Status.SHORTLISTED)
    mentoring.mentor_assign(ideas=[mentored], mentors=[mentor], capacity=5, assigned_by=triage)
    mentoring.thread_post(idea=mentored, user=member, body="Thanks, here is more detail.")
    # Others' idea: the member votes, comments, replies, gives kudos, follows.
    theirs = factories.IdeaFactory(challenge=challenge, author=other_customer, title="Evening slots")
    idea_services.vote_cast(user=member, idea=theirs, value=Vote.Value.UP)
    idea_services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP)
    their_comment = idea_services.comment_create(author=other_customer, idea=theirs, body="Please vote!")
    comment = idea_services.comment_create(author=member, idea=theirs, body="Yes, evenings suit me.")
    idea_services.comment_create(author=member, idea=theirs, body="And weekends.", parent=their_comment)
    idea_services.comment_create(author=other_customer, idea=idea, body="Good one.", parent=None)
    idea_services.kudos_give(user=member, comment=their_comment)
    idea_services.kudos_give(user=other_customer, comment=comment)
    idea_services.idea_follow(user=member, idea=theirs)
    challenge_services.challenge_follow(user=member, challenge=challenge)
    # An invitation to an invite-only challenge, accepted.
    private = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    challenge_services.challenge_invite_emails(challenge=private, emails=[member.email], invited_by=triage)
    # Survey, questionnaire, preferences.
    survey.survey_answers_save(user=member, job=job, answers={outcome.pk: (5, 2)})
    questionnaire = Questionnaire.objects.create(title="How you come up with ideas", is_open=True)
    item = QuestionnaireItem.objects.create(questionnaire=questionnaire, position=1, text="I sketch", weight=1)
    innovator_services.questionnaire_answer(user=member, questionnaire=questionnaire, values={item.pk: 4})
    notification_services.preference_set(user=member, kind="comment_on_idea", delivery=Delivery.DAILY)
    # Staff shortlist the idea (points, a notification), edit the member in the admin (a log entry).
    idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Strong.")
    LogEntry.objects.create(
        user=triage,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(member.pk),
        object_repr=str(member),
        action_flag=CHANGE,
        change_message=f"Changed email to {member.email}",
    )
    SocialAccount.objects.create(
        user=member,
        provider="company",
        uid=f"sub-{unique['email']}",
        extra_data={"email": member.email, "name": member.display_name},
    )
    deliver_outbox()
    return member


SUBSCRIBABLE_TYPES = [value for value, _label in SUBSCRIBABLE]


def test_the_busy_member_fixture_really_left_data_everywhere(busy_member, unique, other_customer, mentor):
    """The scan below proves something only if the member's name and email were there to find."""
    hits = rows_containing(unique["email"]) + rows_containing(unique["name"])
    for table in (
        "accounts_user",
        "account_emailaddress",
        "challenges_challengeinvitation",
        "notifications_notification",
        "socialaccount_socialaccount",
        "django_admin_log",
        "api_apitoken",
    ):
        assert any(hit.startswith(f"{table}.") for hit in hits), table
    # Other members were told of the member's acts by name.
    assert Notification.objects.filter(recipient__in=[other_customer, mentor], title__contains=unique["name"]).exists()
    assert ReputationEvent.objects.filter(user=busy_member).exists()
    assert QuestionnaireResponse.objects.filter(user=busy_member).exists()
    # The webhooks were sent what happened (the member's own acts among it) and staff acts were audited.
    assert apps.get_model("webhooks", "WebhookDelivery").objects.exists()
    assert apps.get_model("audit", "AuditEntry").objects.exists()


def test_erasure_leaves_the_email_and_the_name_in_no_table_and_every_count_unchanged(
    busy_member, unique, client, other_customer
):
    client.force_login(busy_member)
    other_session = Client()
    other_session.force_login(other_customer)
    submitted_ideas = Idea.objects.exclude(status=Status.DRAFT)
    counts_before = {i.pk: (i.votes_up, i.votes_down, i.comments_count) for i in submitted_ideas}
    votes_before, comments_before = Vote.objects.count(), Comment.objects.count()
    kudos_before = dict(Comment.objects.values_list("pk", "kudos_count"))
    ratings_before = Rating.objects.count()
    submitted = list(Idea.objects.filter(author=busy_member).exclude(status=Status.DRAFT).values_list("pk", flat=True))

    services.account_erase(user=busy_member)

    assert rows_containing(unique["email"]) == []
    assert rows_containing(unique["name"]) == []
    # Everything counted stays counted; ideas and comments stay, signed by the emptied row.
    assert {i.pk: (i.votes_up, i.votes_down, i.comments_count) for i in Idea.objects.all()} == counts_before
    assert not Idea.objects.filter(status=Status.DRAFT).exists()  # the draft only they saw is gone
    assert (Vote.objects.count(), Comment.objects.count(), Rating.objects.count()) == (
        votes_before,
        comments_before,
        ratings_before,
    )
    assert dict(Comment.objects.values_list("pk", "kudos_count")) == kudos_before
    assert sorted(Idea.objects.filter(author=busy_member).values_list("pk", flat=True)) == sorted(submitted)
    assert ThreadMessage.objects.filter(author=busy_member).count() == 1
    # Everything personal is gone.
    member = User.objects.get(pk=busy_member.pk)
    assert member.public_name == FORMER_MEMBER and str(member) == FORMER_MEMBER
    assert (member.email, member.first_name, member.display_name, member.is_active) == ("", "", "", False)
    assert not member.has_usable_password() and member.erased_at is not None
    assert not member.groups.exists()
    for model, field in (
        (EmailAddress, "user"),
        (SocialAccount, "user"),
        (NotificationPreference, "user"),
        (Notification, "recipient"),
        (IdeaFollow, "user"),
        (ChallengeFollow, "user"),
        (QuestionnaireResponse, "user"),
        (ReputationEvent, "user"),
        (ReputationTotal, "user"),
        (Respondent, "user"),
    ):
        assert not model.objects.filter(**{field: member}).exists(), model
    assert not ChallengeInvitation.objects.exists()
    # Signed out everywhere; the other member's session is untouched.
    assert str(member.pk) not in session_holders()
    assert str(other_customer.pk) in session_holders()
    assert client.get(reverse("profile")).status_code == 302
    # Their profile page is gone for others; their idea shows "Former member".
    idea = Idea.objects.filter(author=member).exclude(status=Status.DRAFT).first()
    page = other_session.get(idea.get_absolute_url()).content.decode()
    assert FORMER_MEMBER in page and unique["name"] not in page
    assert other_session.get(reverse("reputation:profile", args=[member.pk])).status_code == 404


def test_erasing_twice_changes_nothing_and_a_superuser_is_refused(busy_member, unique):
    services.account_erase(user=busy_member)
    erased_at = User.objects.get(pk=busy_member.pk).erased_at
    services.account_erase(user=busy_member)
    assert User.objects.get(pk=busy_member.pk).erased_at == erased_at
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(services.AccountEraseRefused, match="superuser"):
        services.account_erase(user=admin)
    assert User.objects.get(pk=admin.pk).erased_at is None


def test_the_download_holds_every_section_and_the_ideas_as_markdown(busy_member, unique, client, other_customer):
    client.force_login(busy_member)
    page = client.get(reverse("privacy:data"))
    assert page.status_code == 200
    for section in registry.sections():
        assert str(section.label) in page.content.decode()
    response = client.post(reverse("privacy:data"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    for key in (
        "profile",
        "ideas",
        "comments",
        "votes",
        "idea_follows",
        "kudos",
        "challenges",
        "survey_answers",
        "questionnaires",
        "notifications",
        "reputation",
        "mentoring",
        "admin_log",
    ):
        assert f"{key}.json" in names
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == unique["email"] and profile["display_name"] == unique["name"]
    assert profile["single_sign_on"][0]["provider"] == "company"
    ideas = json.loads(archive.read("ideas.json"))
    lockers = next(i for i in ideas if i["title"] == "Parcel lockers at stations")
    assert [v["title"] for v in lockers["versions"]] == ["Parcel lockers", "Parcel lockers at stations"]
    assert lockers["status_changes"][-1]["reason"] == "Strong."
    assert {c["body"] for c in json.loads(archive.read("comments.json"))} == {"Yes, evenings suit me.", "And weekends."}
    assert json.loads(archive.read("votes.json"))[0]["idea"] == "Evening slots"
    assert json.loads(archive.read("survey_answers.json"))["ratings"][0]["importance"] == 5
    assert json.loads(archive.read("questionnaires.json"))[0]["answers"] == [{"question": "I sketch", "answer": 4}]
    assert json.loads(archive.read("notifications.json"))["preferences"][0]["delivery"] == "In a daily digest"
    assert json.loads(archive.read("reputation.json"))["points"] > 0
    assert json.loads(archive.read("mentoring.json"))["messages_written"][0]["body"] == "Thanks, here is more detail."
    assert json.loads(archive.read("challenges.json"))["invitations_received"][0]["email"] == unique["email"]
    markdown = [name for name in names if name.startswith("ideas/") and name.endswith(".md")]
    assert len(markdown) == Idea.objects.filter(author=busy_member).count()
    text = archive.read(next(n for n in markdown if "parcel-lockers" in n)).decode()
    assert text.startswith("# Parcel lockers at stations") and "## Version 1" in text
    # Nobody else's data: the other member's comment and address are not among the member's own.
    assert "Please vote!" not in archive.read("comments.json").decode()
    assert other_customer.email.encode() not in b"".join(archive.read(name) for name in names)


def test_the_download_costs_the_same_queries_however_much_the_member_did(client, customer, open_challenge):
    client.force_login(customer)

    def queries_for_download():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.post(reverse("privacy:data")).status_code == 200
        return len(captured)

    factories.IdeaFactory(challenge=open_challenge, author=customer)
    few = queries_for_download()
    for _ in range(6):
        idea = factories.IdeaFactory(challenge=open_challenge, author=customer)
        factories.CommentFactory(idea=idea, author=customer)
        factories.VoteFactory(idea=idea, user=customer)
    assert queries_for_download() == few


@pytest.mark.parametrize("page", ["privacy:data", "privacy:delete"])
def test_the_pages_need_a_signed_in_member(db, client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    response = client.post(reverse(page))
    assert response.status_code == 302 and User.objects.count() == 0


def test_delete_page_needs_the_password_and_the_tick(client, customer, idea):
    client.force_login(customer)
    page = client.get(reverse("privacy:delete")).content.decode()
    assert "Former member" in page and "cannot be undone" in page
    for data, message in (
        ({"password": "wrong", "understood": "on"}, "That is not your password"),
        ({"password": factories.PASSWORD}, "Tick this box"),
    ):
        response = client.post(reverse("privacy:delete"), data)
        assert response.status_code == 400 and message in response.content.decode()
        assert User.objects.get(pk=customer.pk).erased_at is None
    response = client.post(reverse("privacy:delete"), {"password": factories.PASSWORD, "understood": "on"}, follow=True)
    assert "Your account is deleted" in response.content.decode()
    assert User.objects.get(pk=customer.pk).erased_at is not None
    assert not response.context["user"].is_authenticated


def test_a_member_without_a_password_confirms_by_signing_in_again(client, customer):
    customer.set_unusable_password()
    customer.save()
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="acme",
        name="Acme",
        client_id="portal",
        settings={"server_url": "https://login.acme.example"},
    )
    SocialAccount.objects.create(user=customer, provider="acme", uid="sub-1")
    client.force_login(customer)
    form = client.get(reverse("privacy:delete"))
    assert form.status_code == 200 and 'name="password"' not in form.content.decode()
    # force_login records no sign-in in the session: as if it were long ago. The page asks to sign in again.
    response = client.post(reverse("privacy:delete"), {"understood": "on"})
    assert response.status_code == 400 and "Sign in again with your company account" in response.content.decode()
    assert "Sign in again with Acme" in response.content.decode()
    assert "https://login.acme.example" in response["Content-Security-Policy"]
    assert User.objects.get(pk=customer.pk).erased_at is None
    # Just signed in (allauth's record of the sign-in, as its social login writes it): the tick suffices.
    session = client.session
    session["account_authentication_methods"] = [{"method": "socialaccount", "at": time.time(), "provider": "x"}]
    session["account_authentication_methods_user"] = str(customer.pk)
    session.save()
    response = client.post(reverse("privacy:delete"), {"understood": "on"})
    assert response.status_code == 302
    assert User.objects.get(pk=customer.pk).erased_at is not None


# --- retention ------------------------------------------------------------------------------------


def _aged(model, pk, days, field="created_at"):
    model.objects.filter(pk=pk).update(**{field: timezone.now() - datetime.timedelta(days=days)})


def test_retention_deletes_old_notifications_and_processed_outbox_events_only(settings, customer):
    settings.NOTIFICATION_RETENTION_DAYS = 90
    settings.OUTBOX_RETENTION_DAYS = 7

    def note(key, **fields):
        return Notification.objects.create(
            recipient=customer, kind="comment_on_idea", event_key=key, title=key, **fields
        )

    old_read = note("old-read", read_at=timezone.now(), delivery=Delivery.OFF)
    old_owed = note("old-owed", delivery=Delivery.IMMEDIATELY)  # its email is still owed: kept
    old_sent = note("old-sent", delivery=Delivery.IMMEDIATELY, emailed_at=timezone.now())
    recent = note("recent")
    for pk in (old_read.pk, old_owed.pk, old_sent.pk):
        _aged(Notification, pk, 91)
    _aged(Notification, recent.pk, 89)
    done_old = OutboxEvent.objects.create(kind="k", event_key="done-old", processed_at=timezone.now())
    done_new = OutboxEvent.objects.create(kind="k", event_key="done-new", processed_at=timezone.now())
    pending_old = OutboxEvent.objects.create(kind="k", event_key="pending-old")
    _aged(OutboxEvent, done_old.pk, 8, "processed_at")
    _aged(OutboxEvent, pending_old.pk, 30)

    tasks.apply_retention.delay()

    assert set(Notification.objects.values_list("event_key", flat=True)) == {"old-owed", "recent"}
    assert set(OutboxEvent.objects.values_list("event_key", flat=True)) == {"done-new", "pending-old"}
    # Safe to run twice; 0 days keeps everything.
    assert services.retention_apply(key="notifications") == 0
    settings.OUTBOX_RETENTION_DAYS = 0
    _aged(OutboxEvent, done_new.pk, 400, "processed_at")
    assert services.retention_apply(key="outbox") == 0
    assert OutboxEvent.objects.filter(pk=done_new.pk).exists()


@pytest.mark.django_db
def test_retention_deletes_old_finished_webhook_deliveries_with_their_attempts_only(settings):
    from webhooks.models import WebhookAttempt, WebhookDelivery

    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    endpoint = WebhookEndpoint.objects.create(name="CRM", url="http://127.0.0.1:9/hooks", event_types=[])

    def delivery(key, state):
        made = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_key=key,
            event_type="idea.submitted",
            message_id=f"msg_{key}",
            body="{}",
            state=state,
        )
        WebhookAttempt.objects.create(delivery=made, started_at=timezone.now(), duration_ms=5, status_code=200)
        return made

    old_done = delivery("old-done", WebhookDelivery.State.DELIVERED)
    old_failed = delivery("old-failed", WebhookDelivery.State.FAILED)
    old_pending = delivery("old-pending", WebhookDelivery.State.PENDING)  # still to do: kept
    recent = delivery("recent", WebhookDelivery.State.DELIVERED)
    for made in (old_done, old_failed, old_pending):
        _aged(WebhookDelivery, made.pk, 31)
    _aged(WebhookDelivery, recent.pk, 29)

    assert services.retention_apply(key="webhook_deliveries") == 2
    assert set(WebhookDelivery.objects.values_list("event_key", flat=True)) == {"old-pending", "recent"}
    assert WebhookAttempt.objects.count() == 2  # the deleted deliveries' attempts went with them
    assert services.retention_apply(key="webhook_deliveries") == 0


def test_retention_runs_daily_from_beat_and_every_rule_reads_a_setting(settings):
    assert settings.CELERY_BEAT_SCHEDULE["apply-retention"]["task"] == "privacy.tasks.apply_retention"
    keys = {rule.key for rule in registry.retention_rules()}
    assert {"notifications", "outbox", "webhook_deliveries"} <= keys
    for rule in registry.retention_rules():
        assert isinstance(getattr(settings, rule.setting), int)


@pytest.mark.parametrize("page", ["privacy:data", "privacy:delete"])
def test_the_pages_cost_a_fixed_handful_of_queries(client, customer, page, django_assert_max_num_queries):
    client.force_login(customer)
    client.get(reverse(page))  # the session is loaded once before counting
    # session, user, roles, unread notifications
    with django_assert_max_num_queries(4):
        assert client.get(reverse(page)).status_code == 200
