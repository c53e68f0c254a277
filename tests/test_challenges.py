"""Challenges: the phase scheduler and staff phase changes, what each phase allows (a roles × actions ×
phases matrix), invitations by email and their link, and the results once decided."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges import selectors, services
from challenges.models import Challenge, ChallengeFollow, ChallengeInvitation
from challenges.tasks import advance_challenge_phase, advance_challenge_phases, send_challenge_invitation
from ideas import services as idea_services
from ideas.models import Comment, Idea, Status, StatusChange, Vote
from tests import factories
from tests.celery_worker import REDIS_URL, wait_until

Phase = Challenge.Phase
DAY = datetime.timedelta(days=1)
TODAY = datetime.date(2030, 5, 15)  # the scheduler's "today", frozen through its argument


def dated_challenge(phase=Phase.OPEN, **dates):
    """A challenge with the timeline: opens 1 May, review 10 May, mentoring 20 May, final 1 Jun, closes 10 Jun."""
    timeline = {
        "opens_at": datetime.date(2030, 5, 1),
        "review_starts_at": datetime.date(2030, 5, 10),
        "mentoring_starts_at": datetime.date(2030, 5, 20),
        "final_starts_at": datetime.date(2030, 6, 1),
        "closes_at": datetime.date(2030, 6, 10),
    }
    return factories.ChallengeFactory(phase=phase, **(timeline | dates))


def phase_of(challenge) -> str:
    challenge.refresh_from_db(fields=["phase"])
    return challenge.phase


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The scheduler ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_challenge_moves_on_the_day_its_next_phase_starts():
    challenge = dated_challenge(Phase.OPEN)
    assert services.challenge_phase_advance_due(today=datetime.date(2030, 5, 9)) == []
    assert phase_of(challenge) == Phase.OPEN

    changes = services.challenge_phase_advance_due(today=datetime.date(2030, 5, 10))
    assert [(c.challenge_id, c.from_phase, c.to_phase, c.changed_by_id) for c in changes] == [
        (challenge.pk, Phase.OPEN, Phase.REVIEW, None)
    ]
    assert phase_of(challenge) == Phase.REVIEW


@pytest.mark.django_db
def test_several_passed_dates_move_a_challenge_several_steps_at_once():
    challenge = dated_challenge(Phase.OPEN)
    changes = services.challenge_phase_advance_due(today=datetime.date(2030, 6, 2))
    assert [(c.from_phase, c.to_phase) for c in changes] == [(Phase.OPEN, Phase.FINAL)]
    assert phase_of(challenge) == Phase.FINAL
    services.challenge_phase_advance_due(today=datetime.date(2030, 7, 1))
    assert phase_of(challenge) == Phase.CLOSED


@pytest.mark.django_db
def test_a_phase_without_a_date_does_not_hold_the_challenge_back():
    challenge = dated_challenge(Phase.OPEN, review_starts_at=None, mentoring_starts_at=None)
    services.challenge_phase_advance_due(today=datetime.date(2030, 6, 1))
    assert phase_of(challenge) == Phase.FINAL


@pytest.mark.django_db
def test_drafts_are_never_opened_by_their_dates():
    draft = dated_challenge(Phase.DRAFT)
    assert selectors.challenge_ids_phase_due(today=TODAY) == []
    assert services.challenge_phase_advance_due(today=TODAY) == []
    assert services.challenge_phase_advance(challenge_id=draft.pk, today=TODAY) is None
    assert phase_of(draft) == Phase.DRAFT


@pytest.mark.django_db
def test_the_scheduler_never_moves_a_challenge_back_nor_a_closed_one():
    ahead = dated_challenge(Phase.FINAL)  # staff moved it on early: its dates say review
    closed = dated_challenge(Phase.CLOSED)
    assert services.challenge_phase_advance_due(today=TODAY) == []
    assert (phase_of(ahead), phase_of(closed)) == (Phase.FINAL, Phase.CLOSED)


@pytest.mark.django_db
def test_running_the_scheduler_twice_moves_each_challenge_once():
    first = dated_challenge(Phase.OPEN)
    second = dated_challenge(Phase.REVIEW, mentoring_starts_at=datetime.date(2030, 5, 15))
    not_due = dated_challenge(Phase.OPEN, review_starts_at=datetime.date(2030, 5, 16))
    assert selectors.challenge_ids_phase_due(today=TODAY) == [first.pk, second.pk]
    assert len(services.challenge_phase_advance_due(today=TODAY)) == 2
    assert services.challenge_phase_advance_due(today=TODAY) == []
    assert advance_challenge_phase(first.pk, TODAY.isoformat()) is None  # the task, run again
    assert (phase_of(first), phase_of(second), phase_of(not_due)) == (Phase.REVIEW, Phase.MENTORING, Phase.OPEN)


@pytest.mark.django_db
def test_the_due_query_agrees_with_the_rule_for_every_phase_and_day():
    """The SQL twin (one query for the beat task) and the Python rule (under the lock) never disagree."""
    challenges = [dated_challenge(phase) for phase in Challenge.PHASE_ORDER]
    for day in (datetime.date(2030, 4, 30) + n * DAY for n in range(45)):
        due = set(selectors.challenge_ids_phase_due(today=day))
        expected = {
            c.pk for c in challenges if c.phase != Phase.DRAFT and selectors.phase_by_dates(c, today=day) != c.phase
        }
        assert due == expected, day


@pytest.mark.django_db
def test_the_beat_task_fans_out_one_task_per_due_challenge(django_capture_on_commit_callbacks):
    today = timezone.localdate()
    due = factories.ChallengeFactory(phase=Phase.OPEN, opens_at=today - 9 * DAY, review_starts_at=today)
    later = factories.ChallengeFactory(phase=Phase.OPEN, opens_at=today - 9 * DAY, review_starts_at=today + DAY)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert advance_challenge_phases() == 1
    assert sum(getattr(c, "func", None) == advance_challenge_phase.delay_quietly for c in queued) == 1
    assert (phase_of(due), phase_of(later)) == (Phase.REVIEW, Phase.OPEN)


def test_the_beat_schedule_runs_the_phase_task_every_15_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["advance-challenge-phases"]
    assert entry["task"] == advance_challenge_phases.name
    assert entry["schedule"] == 15 * 60


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no broker for a real worker")
def test_a_real_worker_moves_a_due_challenge_once_however_often_it_is_asked(worker):
    today = timezone.localdate()
    challenge = factories.ChallengeFactory(
        phase=Phase.OPEN, opens_at=today - 20 * DAY, review_starts_at=today - 10 * DAY, mentoring_starts_at=today
    )
    before = len(worker.runs)
    fan_out = advance_challenge_phases.delay()
    assert worker.wait_for(fan_out.id) == ("SUCCESS", 1)
    wait_until(
        lambda: any(run["task"] == advance_challenge_phase.name for run in worker.runs[before:]),
        "the per-challenge task",
    )
    run = next(run for run in worker.runs[before:] if run["task"] == advance_challenge_phase.name)
    assert (run["state"], run["retval"], run["args"]) == ("SUCCESS", Phase.MENTORING, [challenge.pk])
    assert phase_of(challenge) == Phase.MENTORING

    again = advance_challenge_phase.delay(challenge.pk)
    assert worker.wait_for(again.id) == ("SUCCESS", None)
    assert phase_of(challenge) == Phase.MENTORING


# --- Staff move phases ------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_open_a_draft_and_move_it_on_step_by_step(triage):
    challenge = dated_challenge(Phase.DRAFT, opens_at=None, review_starts_at=None, mentoring_starts_at=None)
    for expected in [Phase.OPEN, Phase.REVIEW, Phase.MENTORING]:
        change = services.challenge_phase_set(
            challenge=challenge, phase=selectors.phase_after(challenge.phase), changed_by=triage, today=TODAY
        )
        challenge.refresh_from_db()
        assert (change.to_phase, change.changed_by_id, challenge.phase) == (expected, triage.pk, expected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "target", "why"),
    [
        (Phase.CLOSED, Phase.FINAL, "a closed challenge stays closed"),
        (Phase.CLOSED, Phase.CLOSED, "a closed challenge stays closed"),
        (Phase.REVIEW, Phase.REVIEW, "is already in review"),
        (Phase.REVIEW, Phase.DRAFT, "cannot go back to draft"),
        (Phase.REVIEW, Phase.OPEN, "Change the dates first"),  # its review date (10 May) has passed
        (Phase.OPEN, "someday", "There is no phase"),
    ],
)
def test_phase_changes_that_are_refused_change_nothing(triage, current, target, why):
    challenge = dated_challenge(current)
    with pytest.raises(services.PhaseChangeNotAllowed, match=why):
        services.challenge_phase_set(challenge=challenge, phase=target, changed_by=triage, today=TODAY)
    assert phase_of(challenge) == current


@pytest.mark.django_db
def test_staff_may_move_back_while_the_dates_allow_it(triage):
    challenge = dated_challenge(Phase.REVIEW)  # moved on before its review date, by mistake
    services.challenge_phase_set(
        challenge=challenge, phase=Phase.OPEN, changed_by=triage, today=datetime.date(2030, 5, 5)
    )
    assert phase_of(challenge) == Phase.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "customer", "mentor"])
def test_only_triage_staff_move_phases(role, customer, mentor):
    user = {"anonymous": AnonymousUser(), "customer": customer, "mentor": mentor}[role]
    challenge = dated_challenge(Phase.OPEN)
    with pytest.raises(services.PhaseChangeNotAllowed, match="Only triage staff"):
        services.challenge_phase_set(challenge=challenge, phase=Phase.REVIEW, changed_by=user, today=TODAY)
    assert phase_of(challenge) == Phase.OPEN


CHANGELIST = reverse("admin:challenges_challenge_changelist")


@pytest.mark.django_db
def test_admin_action_moves_each_challenge_on_and_refuses_a_closed_one_by_name(client_for, triage):
    draft = factories.ChallengeFactory(title="Draft one", phase=Phase.DRAFT)
    opened = factories.ChallengeFactory(title="Open one", phase=Phase.OPEN)
    closed = factories.ChallengeFactory(title="Closed one", phase=Phase.CLOSED)
    response = client_for(triage).post(
        CHANGELIST, {"action": "move_to_next_phase", "_selected_action": [draft.pk, opened.pk, closed.pk]}
    )
    assert response.status_code == 302
    assert (phase_of(draft), phase_of(opened), phase_of(closed)) == (Phase.OPEN, Phase.REVIEW, Phase.CLOSED)
    texts = message_texts(response)
    assert "“Draft one” is now open for ideas (was draft)." in texts
    assert "“Open one” is now in review (was open for ideas)." in texts
    assert any(text.startswith("“Closed one” was not moved:") and "stays closed" in text for text in texts)


@pytest.mark.django_db
def test_opening_a_draft_whose_dates_passed_warns_that_the_scheduler_will_move_it_on(client_for, triage):
    late = factories.ChallengeFactory(title="Late one", phase=Phase.DRAFT, review_starts_at=timezone.localdate())
    response = client_for(triage).post(CHANGELIST, {"action": "move_to_next_phase", "_selected_action": [late.pk]})
    assert phase_of(late) == Phase.OPEN
    assert any("the scheduler will move it there" in text and "in review" in text for text in message_texts(response))


@pytest.mark.django_db
def test_admin_phase_page_moves_on_or_back_and_reports_refusals(client_for, triage):
    challenge = factories.ChallengeFactory(phase=Phase.REVIEW, review_starts_at=timezone.localdate() - DAY)
    client = client_for(triage)
    url = reverse("admin:challenges_challenge_phase", args=[challenge.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Move to “Mentoring”" in page.text and "Move back to “Open for ideas”" in page.text

    refused = client.post(url, {"phase": Phase.OPEN})
    assert refused.status_code == 302 and refused["Location"] == url
    assert any("Change the dates first" in text for text in message_texts(refused))
    assert phase_of(challenge) == Phase.REVIEW

    moved = client.post(url, {"phase": Phase.MENTORING})
    assert moved["Location"] == reverse("admin:challenges_challenge_change", args=[challenge.pk])
    assert phase_of(challenge) == Phase.MENTORING


@pytest.mark.django_db
def test_the_change_form_cannot_set_the_phase(admin_client):
    challenge = factories.ChallengeFactory(phase=Phase.OPEN)
    change_url = reverse("admin:challenges_challenge_change", args=[challenge.pk])
    page = admin_client.get(change_url)
    assert "Change phase…" in page.text and 'name="phase"' not in page.text
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and name not in {"outcomes", "invited_members"}
    }
    data |= {"outcomes": [o.pk for o in challenge.outcomes.all()], "phase": Phase.CLOSED}
    data |= {"criteria-TOTAL_FORMS": 0, "criteria-INITIAL_FORMS": 0, "criteria-MIN_NUM_FORMS": 0}
    data |= {"questions-TOTAL_FORMS": 0, "questions-INITIAL_FORMS": 0, "questions-MIN_NUM_FORMS": 0}
    data["criteria-MAX_NUM_FORMS"] = 1000
    response = admin_client.post(change_url, data)
    assert response.status_code == 302
    assert phase_of(challenge) == Phase.OPEN


@pytest.mark.django_db
def test_plain_staff_without_the_triage_group_cannot_move_phases(client, django_user_model):
    challenge = factories.ChallengeFactory(phase=Phase.OPEN)
    staff = django_user_model.objects.create_user(username="s", email="s@example.com", password="x", is_staff=True)
    staff.user_permissions.add(*factories.triage_group().permissions.all())
    client.force_login(staff)
    assert client.get(reverse("admin:challenges_challenge_phase", args=[challenge.pk])).status_code == 403
    assert client.get(reverse("admin:challenges_challenge_invite", args=[challenge.pk])).status_code == 403
    changelist = client.get(CHANGELIST)
    assert "move_to_next_phase" not in changelist.text


# --- What each phase allows: roles × actions × phases --------------------------------------------

ROLES = ["anonymous", "member", "author", "triage", "mentor"]
ACTIONS = ["submit", "vote", "comment"]
PHASES = [Phase.OPEN, Phase.REVIEW, Phase.MENTORING, Phase.FINAL, Phase.CLOSED]
# Who may, in which phases: submissions only while open; votes while open and in review (never on
# one's own idea); comments until the challenge closes; nothing for visitors who are not signed in.
ALLOWED = {
    "submit": ({"member", "author", "triage", "mentor"}, {Phase.OPEN}),
    "vote": ({"member", "triage", "mentor"}, {Phase.OPEN, Phase.REVIEW}),
    "comment": ({"member", "author", "triage", "mentor"}, {Phase.OPEN, Phase.REVIEW, Phase.MENTORING, Phase.FINAL}),
}


@pytest.fixture
def user_for(customer, other_customer, triage, mentor):
    return lambda role: {
        "anonymous": AnonymousUser(),
        "author": customer,
        "member": other_customer,
        "triage": triage,
        "mentor": mentor,
    }[role]


def _attempt(action: str, user, idea: Idea) -> None:
    if action == "submit":
        idea_services.idea_create(
            author=user,
            challenge=idea.challenge,
            title="Another idea",
            problem="It is hard to receive a parcel.",
            solution="Make it easy with station lockers.",
            outcomes=list(idea.challenge.outcomes.all()),
        )
    elif action == "vote":
        idea_services.vote_cast(user=user, idea=idea, value=Vote.Value.UP)
    else:
        idea_services.comment_create(author=user, idea=idea, body="Good point.")


def _rows() -> tuple[int, int, int]:
    return Idea.objects.count(), Vote.objects.count(), Comment.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_phase_gates(user_for, customer, role, action, phase):
    """Through the services, as every view calls them: allowed does it, refused says why and saves nothing."""
    challenge = factories.ChallengeFactory(phase=phase)
    idea = factories.IdeaFactory(challenge=challenge, author=customer)
    roles, phases = ALLOWED[action]
    before = _rows()
    if role in roles and phase in phases:
        _attempt(action, user_for(role), idea)
        assert _rows() != before
    else:
        with pytest.raises(idea_services.IdeaError) as refusal:
            _attempt(action, user_for(role), idea)
        assert str(refusal.value)  # a message for the person
        assert _rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("phase", PHASES)
def test_the_pages_say_what_a_phase_allows_and_refuse_the_rest(client_for, other_customer, customer, phase):
    challenge = factories.ChallengeFactory(phase=phase)
    idea = factories.IdeaFactory(challenge=challenge, author=customer)
    client = client_for(other_customer)
    submit = client.get(reverse("challenges:submit", args=[challenge.slug]))
    assert submit.status_code == (200 if phase == Phase.OPEN else 403)
    client.post(reverse("ideas:vote", args=[idea.pk]), {"value": "up"})
    client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Nice."})
    assert Vote.objects.filter(idea=idea).exists() is (phase in {Phase.OPEN, Phase.REVIEW})
    assert Comment.objects.filter(idea=idea).exists() is (phase != Phase.CLOSED)
    page = client.get(challenge.get_absolute_url()).text
    assert ("This challenge is closed" in page) is (phase == Phase.CLOSED)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_a_draft_challenge_takes_nothing_from_anyone_but_exists_for_staff(client_for, user_for, customer, role):
    """Its pages are a 404 to everyone but triage staff; a submission, through the page or the service,
    saves nothing, whoever tries (staff prepare a draft, they do not take ideas in it), and only staff
    can follow it."""
    draft = factories.ChallengeFactory(phase=Phase.DRAFT)
    user = user_for(role)
    client = client_for(None if role == "anonymous" else user)
    for name in ("challenges:detail", "challenges:results"):
        assert client.get(reverse(name, args=[draft.slug])).status_code == (200 if role == "triage" else 404), name
    idea_post = {"title": "Lockers at every station", "problem": "P" * 40, "solution": "S" * 40}
    idea_post["outcomes"] = [outcome.pk for outcome in draft.outcomes.all()]
    response = client.post(reverse("challenges:submit", args=[draft.slug]), idea_post)
    assert response.status_code in ((302, 403, 404) if role == "anonymous" else (403, 404))
    if role != "anonymous":
        with pytest.raises(idea_services.SubmissionNotAllowed):
            idea_services.idea_create(
                author=user, challenge=draft, title="Another idea", problem="It is hard.", solution="Easy.", outcomes=[]
            )
    client.post(reverse("ideas:challenge_follow", args=[draft.slug]), {"action": "follow"})
    assert not Idea.objects.filter(challenge=draft).exists()
    # Staff, who see the draft, may follow it (to hear when it opens); for everyone else it does not exist.
    assert ChallengeFollow.objects.filter(challenge=draft).count() == (1 if role == "triage" else 0)


# --- Invitations --------------------------------------------------------------------------------


@pytest.fixture
def private_challenge(db):
    return factories.ChallengeFactory(
        title="Lead users only", slug="lead-users", visibility=Challenge.Visibility.INVITE_ONLY, prize=""
    )


def invite(challenge, emails, by, capture):
    with capture(execute=True):
        return services.challenge_invite_emails(challenge=challenge, emails=emails, invited_by=by)


@pytest.mark.django_db
def test_bad_addresses_are_all_reported_by_line_and_nothing_is_saved(private_challenge, triage):
    with pytest.raises(services.InvalidEmails) as error:
        services.challenge_invite_emails(
            challenge=private_challenge,
            emails=["ana@example.com", "not an email", "", "bo@example", "cy@example.org"],
            invited_by=triage,
        )
    assert error.value.problems == [
        "Line 2: “not an email” is not an email address.",
        "Line 4: “bo@example” is not an email address.",
    ]
    assert not ChallengeInvitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_admin_invite_page_reports_bad_lines_and_saves_nothing(client_for, triage, private_challenge):
    url = reverse("admin:challenges_challenge_invite", args=[private_challenge.pk])
    client = client_for(triage)
    assert client.get(url).status_code == 200
    response = client.post(url, {"emails": "ana@example.com\nana at example\n\nbo@example.org"})
    assert response.status_code == 200
    assert "Nothing was saved" in response.text
    assert "Line 2: “ana at example” is not an email address." in response.text
    assert not ChallengeInvitation.objects.exists()


@pytest.mark.django_db
def test_admin_invite_page_invites_and_reports(
    client_for, triage, customer, private_challenge, django_capture_on_commit_callbacks
):
    url = reverse("admin:challenges_challenge_invite", args=[private_challenge.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(triage).post(url, {"emails": f"ana@example.com\n{customer.email.upper()}\n"})
    assert response["Location"] == reverse("admin:challenges_challenge_change", args=[private_challenge.pk])
    texts = message_texts(response)
    assert any(text.startswith("2 invitations written, emailed now") for text in texts)
    assert f"Already members, so in at once: {customer.email}." in texts
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["ana@example.com", customer.email.upper()])
    change = client_for(triage).get(reverse("admin:challenges_challenge_change", args=[private_challenge.pk]))
    assert "ana@example.com" in change.text and "Invite by email…" in change.text


@pytest.mark.django_db
def test_invitations_get_a_token_members_are_in_at_once_and_repeats_are_ignored(
    private_challenge, triage, customer, django_capture_on_commit_callbacks
):
    result = invite(
        private_challenge,
        ["ana@example.com", " ANA@example.com ", customer.email.upper(), "bo@example.org"],
        triage,
        django_capture_on_commit_callbacks,
    )
    assert [i.email for i in result.invited] == ["ana@example.com", customer.email.upper(), "bo@example.org"]
    assert result.members_added == [customer]
    assert list(private_challenge.invited_members.all()) == [customer]
    tokens = set(ChallengeInvitation.objects.values_list("token", flat=True))
    assert len(tokens) == 3 and all(len(token) >= 40 for token in tokens)
    assert sorted(m.to for m in mail.outbox) == sorted(
        [["ana@example.com"], [customer.email.upper()], ["bo@example.org"]]
    )
    message = next(m for m in mail.outbox if m.to == ["ana@example.com"])
    token = ChallengeInvitation.objects.get(email="ana@example.com").token
    assert "Lead users only" in message.subject and "private challenge" in message.subject
    link = reverse("challenges:invitation", args=[token])
    assert link in message.body and link in message.alternatives[0][0]

    again = invite(private_challenge, ["Bo@Example.org", "cy@example.org"], triage, django_capture_on_commit_callbacks)
    assert [i.email for i in again.invited] == ["cy@example.org"]
    assert again.already_invited == ["Bo@Example.org"]
    assert ChallengeInvitation.objects.count() == 4
    assert len(mail.outbox) == 4  # one more, to cy only


@pytest.mark.django_db
def test_an_invitation_email_is_sent_once_however_often_the_task_runs(private_challenge, triage):
    result = services.challenge_invite_emails(  # no commit in this test: nothing queued
        challenge=private_challenge, emails=["ana@example.com"], invited_by=triage
    )
    invitation_id = result.invited[0].pk
    assert send_challenge_invitation(invitation_id) is True
    assert send_challenge_invitation(invitation_id) is False
    assert send_challenge_invitation.delay(invitation_id).get() is False
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.com"]
    assert ChallengeInvitation.objects.get().sent_at is not None


@pytest.mark.django_db
def test_invitations_to_a_draft_wait_until_staff_open_it(triage, django_capture_on_commit_callbacks):
    draft = factories.ChallengeFactory(phase=Phase.DRAFT, visibility=Challenge.Visibility.INVITE_ONLY)
    invite(draft, ["ana@example.com"], triage, django_capture_on_commit_callbacks)
    assert send_challenge_invitation(ChallengeInvitation.objects.get().pk) is False
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_phase_set(challenge=draft, phase=Phase.OPEN, changed_by=triage)
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


@pytest.mark.django_db
def test_only_triage_staff_invite(private_challenge, customer):
    with pytest.raises(services.InvitationError, match="Only triage staff"):
        services.challenge_invite_emails(challenge=private_challenge, emails=["ana@example.com"], invited_by=customer)
    assert not ChallengeInvitation.objects.exists()


@pytest.fixture
def invitation(private_challenge, triage):
    return services.challenge_invite_emails(
        challenge=private_challenge, emails=["newcomer@example.com"], invited_by=triage
    ).invited[0]


def link(invitation) -> str:
    return reverse("challenges:invitation", args=[invitation.token])


@pytest.fixture
def invitee(db):
    """The member the invitation was sent to, with that address confirmed."""
    return factories.UserFactory(email="newcomer@example.com")


@pytest.mark.django_db
def test_the_link_tells_a_visitor_only_that_it_is_an_invitation_and_sends_them_to_sign_up_and_back(client, invitation):
    response = client.get(link(invitation))
    assert response.status_code == 200
    # Nothing private before the invitee signs in: no challenge, no prize, no address.
    for private in ("Lead users only", "newcomer@example.com", "invite-only"):
        assert private not in response.text
    back = f"next=/challenges/invitations/{invitation.token}/"
    assert f"{reverse('account_signup')}?{back}" in response.text
    assert f"{reverse('account_login')}?{back}" in response.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # looking is not accepting (nor is a mail scanner's visit)


@pytest.mark.django_db
def test_a_newcomer_signs_up_from_the_link_confirms_the_address_and_joins(client, invitation, private_challenge):
    response = client.post(
        f"{reverse('account_signup')}?next={link(invitation)}",
        {"email": "newcomer@example.com", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == link(invitation)
    assert "Lead users only" not in response.text  # the address is not confirmed yet
    assert client.post(link(invitation)).status_code == 403
    # The confirmation link of allauth's email, as the newcomer follows it (it signs them in and
    # brings them back to the invitation).
    EmailAddress.objects.filter(email="newcomer@example.com").update(verified=True)
    page = client.get(link(invitation))
    assert "Lead users only" in page.text and "Join the challenge" in page.text
    response = client.post(link(invitation), follow=True)
    assert response.redirect_chain[-1][0] == private_challenge.get_absolute_url()
    assert "Welcome to the challenge “Lead users only”" in response.text
    invitation.refresh_from_db()
    assert invitation.accepted_by.email == "newcomer@example.com"
    assert private_challenge.invited_members.filter(email="newcomer@example.com").exists()


@pytest.mark.django_db
def test_the_invitee_confirms_by_post_then_sees_the_challenge(client_for, invitation, invitee, private_challenge):
    # The invitee signed up after the invitation went out (an existing member is in at once).
    client = client_for(invitee)
    assert client.get(private_challenge.get_absolute_url()).status_code == 404
    page = client.get(link(invitation))
    assert page.status_code == 200 and "Lead users only" in page.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # a GET never joins
    response = client.post(link(invitation))
    assert response.status_code == 302 and response["Location"] == private_challenge.get_absolute_url()
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (invitee, True)
    assert client.get(private_challenge.get_absolute_url()).status_code == 200
    assert "Lead users only" in client.get(reverse("challenges:list")).text
    # Posting again just goes there.
    assert client.post(link(invitation))["Location"] == private_challenge.get_absolute_url()


@pytest.mark.django_db
def test_a_used_link_works_for_nobody_else_and_names_nothing(client_for, invitation, invitee, customer):
    client_for(invitee).post(link(invitation))
    for someone in (customer, None):
        response = client_for(someone).get(link(invitation))
        assert response.status_code == 410
        assert "has already been used" in response.text
        assert "Lead users only" not in response.text
    assert client_for(customer).post(link(invitation)).status_code == 410
    assert not invitation.challenge.invited_members.filter(pk=customer.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("already_in", [False, True])
def test_an_invitation_opened_by_another_member_joins_no_one(
    client_for, customer, invitation, private_challenge, already_in
):
    if already_in:
        private_challenge.invited_members.add(customer)
    client = client_for(customer)
    page = client.get(link(invitation))
    assert page.status_code == 200
    for private in ("Lead users only", "newcomer@example.com"):
        assert private not in page.text
    response = client.post(link(invitation))
    assert response.status_code == 403
    assert "sent to another email address" in response.text and "Lead users only" not in response.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert private_challenge.invited_members.filter(pk=customer.pk).exists() is already_in


@pytest.mark.django_db
def test_an_unconfirmed_address_does_not_accept(client_for, invitation, private_challenge):
    """An account that typed the invited address without confirming it (anyone can type it)."""
    squatter = factories.UserFactory(email="newcomer@example.com")
    EmailAddress.objects.filter(user=squatter).update(verified=False)
    client = client_for(squatter)
    assert "Lead users only" not in client.get(link(invitation)).text
    assert client.post(link(invitation)).status_code == 403
    assert not private_challenge.invited_members.filter(pk=squatter.pk).exists()


@pytest.mark.django_db
def test_an_anonymous_post_joins_no_one(client, invitation):
    response = client.post(link(invitation))
    assert response.status_code == 200  # the page, as to any visitor
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_staff_revoke_a_pending_invitation_and_its_link_is_gone(client_for, triage, invitation, invitee):
    accepted = services.challenge_invite_emails(
        challenge=invitation.challenge, emails=["ana@example.com"], invited_by=triage
    ).invited[0]
    ana = factories.UserFactory(email="ana@example.com")
    services.challenge_invitation_accept(token=accepted.token, user=ana)
    staff = client_for(triage)
    response = staff.post(
        reverse("admin:challenges_challengeinvitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk, accepted.pk]},
        follow=True,
    )
    assert "Revoked 1: newcomer@example.com" in response.text
    assert "Already accepted, left as they are: ana@example.com" in response.text
    assert not ChallengeInvitation.objects.filter(pk=invitation.pk).exists()
    assert ChallengeInvitation.objects.filter(pk=accepted.pk).exists()
    assert client_for(invitee).get(link(invitation)).status_code == 404
    assert client_for(invitee).post(link(invitation)).status_code == 404


@pytest.mark.django_db
def test_only_triage_staff_revoke(customer, invitation):
    with pytest.raises(services.InvitationError, match="Only triage staff"):
        services.challenge_invitations_revoke(invitation_ids=[invitation.pk], revoked_by=customer)
    assert ChallengeInvitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_an_unknown_token_is_404(client_for, customer, invitation, signed_in):
    client = client_for(customer if signed_in else None)
    assert client.get(reverse("challenges:invitation", args=["not-a-token"])).status_code == 404
    assert client.get(reverse("challenges:invitation", args=[invitation.token[:-1]])).status_code == 404


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_pasting_overlapping_lists_at_once_invite_each_address_once(triage):
    """Real threads, real transactions: the challenge's row lock serialises them; no 500, no double."""
    import threading

    challenge = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    lists = [[f"p{n}@example.com" for n in range(0, 30)], [f"p{n}@example.com" for n in range(15, 45)]]
    barrier, errors = threading.Barrier(2), []

    def paste(emails):
        try:
            barrier.wait()
            services.challenge_invite_emails(challenge=challenge, emails=emails, invited_by=triage)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=paste, args=(emails,)) for emails in lists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ChallengeInvitation.objects.filter(challenge=challenge).count() == 45
    assert len(mail.outbox) == 45


# --- Results ------------------------------------------------------------------------------------


def decide(idea, *steps, by):
    """Move an idea through the funnel with the service, each step (status, reason)."""
    for status, reason in steps:
        idea_services.idea_status_change(idea=idea, to_status=status, changed_by=by, reason=reason)
        idea.refresh_from_db()
    return idea


@pytest.fixture
def decided_challenge(triage):
    challenge = factories.ChallengeFactory(title="Fresher groceries", slug="fresher", phase=Phase.FINAL)
    new = factories.IdeaFactory
    winner = new(challenge=challenge, title="Cold lockers")
    decide(
        winner,
        (Status.SHORTLISTED, "Strong fit."),
        (Status.IN_MENTORING, ""),
        (Status.FINALIST, "One of three."),
        (Status.WINNER, "Best on every criterion."),
        by=triage,
    )
    runner_up = new(challenge=challenge, title="Drone drops")
    decide(
        runner_up,
        (Status.SHORTLISTED, ""),
        (Status.IN_MENTORING, ""),
        (Status.FINALIST, ""),
        (Status.NOT_SELECTED, "Flight permits take years here."),
        by=triage,
    )
    declined = decide(
        new(challenge=challenge, title="Free fridges"), (Status.DECLINED, "Too costly to deliver."), by=triage
    )
    original = new(challenge=challenge, title="Evening slots")
    duplicate = new(challenge=challenge, title="Late deliveries")
    idea_services.idea_status_change(
        idea=duplicate,
        to_status=Status.DUPLICATE,
        changed_by=triage,
        reason="Same as evening slots.",
        duplicate_of=original,
    )
    new(challenge=challenge, title="Secret draft", status=Status.DRAFT, submitted_at=None)
    new(challenge=challenge, title="Taken back", status=Status.WITHDRAWN)
    return {"challenge": challenge, "winner": winner, "runner_up": runner_up, "declined": declined}


@pytest.mark.django_db
def test_results_show_winners_finalists_and_where_every_idea_ended_and_why(
    client_for, other_customer, decided_challenge
):
    challenge = decided_challenge["challenge"]
    Challenge.objects.filter(pk=challenge.pk).update(phase=Phase.CLOSED)
    for url in (challenge.get_absolute_url(), reverse("challenges:results", args=[challenge.slug])):
        response = client_for(other_customer).get(url)
        assert response.status_code == 200
        results = response.context["results"]
        assert [i.title for i in results.winners] == ["Cold lockers"]
        assert [i.title for i in results.finalists] == ["Drone drops"]
        assert [(i.title, i.status, i.reason) for i in results.ideas] == [
            ("Cold lockers", Status.WINNER, "Best on every criterion."),
            ("Evening slots", Status.SUBMITTED, None),
            ("Drone drops", Status.NOT_SELECTED, "Flight permits take years here."),
            ("Free fridges", Status.DECLINED, "Too costly to deliver."),
            ("Late deliveries", Status.DUPLICATE, "Same as evening slots."),
        ]
        text = response.text
        assert "Best on every criterion." in text and "One of three." not in text  # the latest reason only
        assert "Merged into" in text and "Not answered yet." in text
        assert "Secret draft" not in text and "Taken back" not in text


@pytest.mark.django_db
def test_results_are_out_in_the_final_only_once_a_winner_is_chosen(
    client_for, other_customer, triage, decided_challenge
):
    challenge = decided_challenge["challenge"]
    client = client_for(other_customer)
    assert client.get(challenge.get_absolute_url()).context["results"] is not None  # final, with a winner
    Idea.objects.filter(pk=decided_challenge["winner"].pk).update(status=Status.FINALIST)
    page = client.get(challenge.get_absolute_url())
    assert page.context["results"] is None and 'data-testid="results"' not in page.text
    results_page = client.get(reverse("challenges:results", args=[challenge.slug]))
    assert results_page.status_code == 200 and 'data-testid="results-not-yet"' in results_page.text
    assert "Cold lockers" not in results_page.text
    preview = client_for(triage).get(reverse("challenges:results", args=[challenge.slug]))
    assert 'data-testid="results-preview"' in preview.text and "Cold lockers" in preview.text


@pytest.mark.django_db
def test_no_results_before_the_final(client, open_challenge):
    factories.IdeaFactory(challenge=open_challenge, title="An open idea")
    page = client.get(open_challenge.get_absolute_url())
    assert page.context["results"] is None and "Most supported ideas" in page.text
    assert 'data-testid="results-not-yet"' in client.get(reverse("challenges:results", args=[open_challenge.slug])).text


@pytest.mark.django_db
def test_results_cost_the_same_queries_for_5_ideas_or_25(client_for, other_customer, triage):
    challenge = factories.ChallengeFactory(phase=Phase.CLOSED)
    client = client_for(other_customer)
    urls = [challenge.get_absolute_url(), reverse("challenges:results", args=[challenge.slug])]

    def queries() -> list[int]:
        counts = []
        for url in urls:
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    def add(n):
        for _ in range(n):
            idea = factories.IdeaFactory(challenge=challenge)
            StatusChange.objects.create(idea=idea, from_status="submitted", to_status="declined", reason="No.")
            Idea.objects.filter(pk=idea.pk).update(status=Status.DECLINED)

    add(5)
    few = queries()
    add(20)
    assert queries() == few
    assert max(few) <= 12, few
