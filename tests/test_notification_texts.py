"""Issue 17: every notification kind's sentences read well, for every status and phase they can name.

Each kind's drafts are made by the function its app registered (``notifications.registry``), from
real rows, so a new wording or a new status is checked here. A kind added without a case here fails
``test_every_kind_is_covered``.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from challenges.models import Announcement, Challenge, ChallengeFollow
from challenges.phases import PHASE_SENTENCES, Phase
from core.funnel import STATUS_SENTENCES
from ideas.models import IdeaFollow, Status, StatusChange
from notifications import registry
from notifications.models import Notification
from notifications.services import preference_set
from reviews.models import MentorAssignment, RevisionRequest, ThreadMessage
from reviews.services import overdue
from tests import factories, test_impact
from tests.notification_kinds import Kind
from tests.test_impact import world  # noqa: F401, F811 - the fixture: an implemented idea, its job's survey
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

# A sentence that puts a bare status or phase label after "is now" / "moved to" reads badly.
BAD = re.compile(
    r"\b(is now|moved to) (draft|submitted|under review|shortlisted|in mentoring|finalist|winner|in progress|"
    r"implemented|declined|not selected|duplicate|withdrawn|open for ideas|in review|mentoring|final|closed)\b"
)


def drafts(kind: str, payload: dict) -> list[registry.Draft]:
    return registry.get(kind).recipients(payload)


def reads_well(text: str) -> None:
    assert text and (text.lstrip("“")[0].isupper() or text[0].isdigit()), text
    assert not BAD.search(text), text
    assert "None" not in text and "  " not in text and "“”" not in text, text


def by_kind(made: list[registry.Draft]) -> dict[str, list[registry.Draft]]:
    grouped: dict[str, list[registry.Draft]] = {}
    for draft in made:
        grouped.setdefault(draft.kind, []).append(draft)
    return grouped


@pytest.fixture
def idea_with_audience(open_challenge, customer):
    idea = factories.IdeaFactory(challenge=open_challenge, author=customer, title="Lockers at stations")
    follower = factories.UserFactory(display_name="Fay Follower")
    IdeaFollow.objects.create(idea=idea, user=follower)
    voter = factories.UserFactory(display_name="Val Voter")
    factories.VoteFactory(idea=idea, user=voter)
    preference_set(user=voter, kind=Kind.VOTED_IDEA_STATUS, delivery="daily")
    return idea, follower, voter


def test_idea_received(idea):
    [draft] = drafts(Kind.IDEA_RECEIVED, {"idea_id": idea.pk})
    assert draft.title == f"We received your idea “{idea.title}”"
    reads_well(draft.title)
    reads_well(draft.body)


@pytest.mark.parametrize("to_status", list(STATUS_SENTENCES))
def test_a_status_change_reads_well_for_every_status(idea_with_audience, triage, to_status):
    idea, follower, voter = idea_with_audience
    from_status = Status.DRAFT if to_status == Status.SUBMITTED else Status.SUBMITTED
    change = StatusChange.objects.create(
        idea=idea, from_status=from_status, to_status=to_status, changed_by=triage, reason="Fits the brief."
    )
    made = by_kind(registry.get(Kind.STATUS_CHANGED).recipients({"status_change_id": change.pk}))
    sentence = STATUS_SENTENCES[to_status]
    [author] = made[Kind.MY_IDEA_STATUS]
    assert author.title == f"Your idea “Lockers at stations” {sentence}"
    assert f"{sentence} (it was {from_status.label.lower()})." in author.body and "Why: Fits the brief." in author.body
    [to_follower] = made[Kind.STATUS_CHANGED]
    [to_voter] = made[Kind.VOTED_IDEA_STATUS]
    assert to_follower.recipient == follower and to_voter.recipient == voter
    assert to_follower.title == to_voter.title == f"“Lockers at stations” {sentence}"
    for draft in (author, to_follower, to_voter):
        reads_well(draft.title)
        reads_well(draft.body)


def test_the_winner_was_chosen_as_the_winner(idea, triage):
    change = StatusChange.objects.create(
        idea=idea, from_status=Status.FINALIST, to_status=Status.WINNER, changed_by=triage
    )
    [author] = drafts(Kind.STATUS_CHANGED, {"status_change_id": change.pk})
    assert author.title.endswith("was chosen as the winner") and "is now winner" not in author.title


def test_comments_replies_and_followed_comments(idea_with_audience, other_customer):
    idea, follower, _ = idea_with_audience
    parent = factories.CommentFactory(idea=idea, author=factories.UserFactory(display_name="Pat Parent"))
    reply = factories.CommentFactory(
        idea=idea, author=other_customer, parent=parent, body="**Good** point, see [this](https://example.com)"
    )
    made = by_kind(drafts(Kind.COMMENT_ON_IDEA, {"comment_id": reply.pk}))
    name = other_customer.public_name
    assert made[Kind.COMMENT_REPLY][0].title == f"{name} replied to your comment on “Lockers at stations”"
    assert made[Kind.COMMENT_ON_IDEA][0].title == f"{name} commented on your idea “Lockers at stations”"
    assert made[Kind.COMMENT_ON_FOLLOWED][0].title == f"{name} commented on “Lockers at stations”, which you follow"
    for group in made.values():
        for draft in group:
            reads_well(draft.title)


def test_kudos(idea, other_customer):
    comment = factories.CommentFactory(idea=idea, author=other_customer)
    [draft] = drafts(Kind.KUDOS_RECEIVED, {"comment_id": comment.pk})
    assert draft.title == "Your comment on “Lockers at stations” received kudos"
    reads_well(draft.title)


@pytest.fixture
def mentored(idea, mentor):
    idea.status = Status.IN_MENTORING
    idea.save(update_fields=["status"])
    MentorAssignment.objects.create(idea=idea, mentor=mentor)
    return idea


def test_mentor_messages_and_revisions(mentored, mentor):
    message = ThreadMessage.objects.create(idea=mentored, author=mentor, body="Can you size the lockers?")
    made = drafts(Kind.MENTOR_MESSAGE, {"message_id": message.pk})
    assert {d.title for d in made} == {f"New message from {mentor.public_name} about “Lockers at stations”"}
    # The author opens it on the idea's page, the mentor in the mentor area (open to them where the
    # idea's page of an invite-only challenge is not).
    assert {d.recipient: d.url for d in made} == {
        mentored.author: mentored.get_absolute_url(),
        mentor: f"/mentor/ideas/{mentored.pk}/",
    }
    request = RevisionRequest.objects.create(idea=mentored, mentor=mentor, message="Add the costs.")
    [asked] = drafts(Kind.REVISION_REQUEST, {"revision_request_id": request.pk})
    assert asked.title == "Your mentor asks you to revise “Lockers at stations”"
    [answered] = drafts(Kind.REVISION_ANSWERED, {"revision_request_id": request.pk})
    assert answered.title == "“Lockers at stations” has a new version"
    assert answered.body.startswith(f"{mentored.author.public_name} saved a new version of “Lockers at stations”")
    for draft in [*made, asked, answered]:
        reads_well(draft.title)
        reads_well(draft.body)


@pytest.mark.parametrize("phase", [p for p in PHASE_SENTENCES if p != Phase.CLOSED])
def test_a_phase_change_reads_well_for_every_phase(open_challenge, customer, phase):
    ChallengeFollow.objects.create(challenge=open_challenge, user=customer)
    payload = {"challenge_id": open_challenge.pk, "from_phase": Phase.DRAFT, "to_phase": phase}
    [draft] = drafts(Kind.PHASE_CHANGED, payload)
    assert draft.title == f"“{open_challenge.title}” {PHASE_SENTENCES[phase]}"
    reads_well(draft.title)


def test_results_announced(open_challenge, customer):
    ChallengeFollow.objects.create(challenge=open_challenge, user=customer)
    open_challenge.phase = Challenge.Phase.CLOSED
    open_challenge.save(update_fields=["phase"])
    payload = {"challenge_id": open_challenge.pk, "from_phase": Phase.FINAL, "to_phase": Phase.CLOSED}
    [draft] = drafts(Kind.RESULTS_ANNOUNCED, payload)
    assert draft.title == f"The results of “{open_challenge.title}” are announced"


def test_an_announcement_is_its_subject(idea, triage):
    announcement = Announcement.objects.create(
        challenge=idea.challenge, subject="Voting closes on Friday", body="Thanks for **every** idea.", sent_by=triage
    )
    [draft] = drafts(Kind.CHALLENGE_ANNOUNCEMENT, {"announcement_id": announcement.pk})
    assert draft.title == "Voting closes on Friday"
    reads_well(draft.title)


def test_an_invitation(open_challenge, customer):
    customer.challenge_invitations.add(open_challenge)
    [draft] = drafts(Kind.CHALLENGE_INVITATION, {"challenge_id": open_challenge.pk, "user_ids": [customer.pk]})
    assert draft.title == f"You are invited to the challenge “{open_challenge.title}”"
    reads_well(draft.title)
    reads_well(draft.body)


def test_a_webhook_turned_off(db):
    manager = factories.UserFactory(is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="change_webhookendpoint"))
    endpoint = WebhookEndpoint.objects.create(name="#ideas on Slack", url="https://hooks.example.com/x")
    endpoint.disabled_reason = "15 attempts in a row failed."
    endpoint.save()
    [draft] = drafts(Kind.WEBHOOK_DISABLED, {"endpoint_id": endpoint.pk})
    assert draft.title == "Webhook “#ideas on Slack” was turned off"
    reads_well(draft.title)
    reads_well(draft.body)


def test_the_overdue_digest_title_reads_well(triage):
    challenge = factories.ChallengeFactory(answer_within_days=3)
    now = timezone.now()
    factories.IdeaFactory(challenge=challenge, status=Status.SUBMITTED, submitted_at=now - datetime.timedelta(days=5))
    assert overdue.overdue_digest_send(user_id=triage.pk, now=now)
    [row] = Notification.objects.filter(kind=Kind.OVERDUE_DIGEST)
    assert row.title == "1 idea overdue for a first answer"
    assert mail.outbox[0].subject.endswith("1 idea overdue for a first answer")


def test_a_coauthor_invitation_and_its_answers(idea, other_customer):
    from ideas.services import coauthor_accept, coauthor_decline, coauthor_invite

    coauthorship = coauthor_invite(idea=idea, by=idea.author, member=other_customer)
    [draft] = drafts(Kind.COAUTHOR_INVITED, {"coauthor_id": coauthorship.pk})
    assert draft.recipient == other_customer
    assert draft.title == f"{idea.author.public_name} invites you to co-author “{idea.title}”"
    reads_well(draft.title)
    reads_well(draft.body)
    coauthor_accept(coauthorship=coauthorship, user=other_customer)
    [draft] = drafts(Kind.COAUTHOR_ANSWERED, {"coauthor_id": coauthorship.pk})
    assert draft.recipient == idea.author
    assert draft.title == f"{other_customer.public_name} is now a co-author of “{idea.title}”"
    reads_well(draft.title)
    reads_well(draft.body)
    third = factories.UserFactory(display_name="Dana Decliner")
    declined = coauthor_invite(idea=idea, by=idea.author, member=third)
    coauthor_decline(coauthorship=declined, user=third)
    [draft] = drafts(Kind.COAUTHOR_ANSWERED, {"coauthor_id": declined.pk})
    assert draft.title == f"Dana Decliner declined to co-author “{idea.title}”"
    reads_well(draft.title)


def test_a_follow_up_survey_and_its_measured_result(world, django_capture_on_commit_callbacks):  # noqa: F811
    answered = test_impact.member_in(world["customers"], wave=world["baseline"], outcome=world["waiting"])
    follower = factories.UserFactory(display_name="Fay Follower")
    IdeaFollow.objects.create(idea=world["idea"], user=follower)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = test_impact.schedule(world)
    [draft] = drafts(Kind.FOLLOW_UP_SURVEY, {"follow_up_id": follow_up.pk})
    assert draft.recipient == answered
    assert draft.title == "Has “Get groceries delivered” become easier? A two-minute follow-up survey"
    reads_well(draft.title)
    reads_well(draft.body)
    follow_up = test_impact.close_with_answers(
        world,
        follow_up,
        satisfied=30,
        respondents=58,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    made = by_kind(drafts(Kind.FOLLOW_UP_RESULT, {"follow_up_id": follow_up.pk}))[Kind.FOLLOW_UP_RESULT]
    assert {draft.recipient for draft in made} == {world["author"], follower}
    for draft in made:
        assert "was measured" in draft.title
        reads_well(draft.title)
        reads_well(draft.body)


# The kinds whose texts this file checks: a kind an app registers later must be added here.
KINDS_CHECKED = {
    Kind.IDEA_RECEIVED,
    Kind.STATUS_CHANGED,
    Kind.MY_IDEA_STATUS,
    Kind.VOTED_IDEA_STATUS,
    Kind.COMMENT_ON_IDEA,
    Kind.COMMENT_REPLY,
    Kind.COMMENT_ON_FOLLOWED,
    Kind.KUDOS_RECEIVED,
    Kind.MENTOR_MESSAGE,
    Kind.REVISION_REQUEST,
    Kind.REVISION_ANSWERED,
    Kind.PHASE_CHANGED,
    Kind.RESULTS_ANNOUNCED,
    Kind.CHALLENGE_ANNOUNCEMENT,
    Kind.CHALLENGE_INVITATION,
    Kind.WEBHOOK_DISABLED,
    Kind.OVERDUE_DIGEST,
    Kind.COAUTHOR_INVITED,
    Kind.COAUTHOR_ANSWERED,
    Kind.FOLLOW_UP_SURVEY,
    Kind.FOLLOW_UP_RESULT,
}


def test_every_kind_a_member_can_get_is_checked_here():
    offered = {kind.key for kind in registry.kinds() if kind.offered_to is None or kind.offered_to(_anyone_staff())}
    assert offered == KINDS_CHECKED


def _anyone_staff():
    """A superuser mentor: offered every kind a member can be offered (the webhook-only events are offered to nobody)."""
    user = factories.MentorFactory(is_staff=True, is_superuser=True)
    user.groups.add(factories.triage_group())
    return user
