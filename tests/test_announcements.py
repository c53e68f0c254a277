"""Staff write to a challenge's participants (authors, voters, commenters) and followers, through the
notifications app: each member once, never someone who cannot see the challenge, never twice for a
double click; bad input changes nothing."""

import pytest
from django.urls import reverse

from challenges import selectors, services
from challenges.models import Announcement, Challenge, ChallengeFollow
from ideas import services as idea_services
from ideas.models import Status, Vote
from notifications.models import Notification, OutboxEvent
from notifications.registry import is_registered
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(open_challenge):
    author, voter, commenter, follower, both, bystander = (
        factories.UserFactory(display_name=name) for name in ("Ann", "Vic", "Cal", "Flo", "Bo", "Sid")
    )
    idea = factories.IdeaFactory(challenge=open_challenge, author=author)
    factories.IdeaFactory(challenge=open_challenge, author=bystander, status=Status.DRAFT)  # a draft: not taking part
    idea_services.vote_cast(user=voter, idea=idea, value=Vote.Value.UP)
    idea_services.vote_cast(user=both, idea=idea, value=Vote.Value.DOWN)
    idea_services.comment_create(author=commenter, idea=idea, body="Good one.")
    ChallengeFollow.objects.create(challenge=open_challenge, user=follower)
    ChallengeFollow.objects.create(challenge=open_challenge, user=both)
    gone = factories.UserFactory(is_active=False)
    ChallengeFollow.objects.create(challenge=open_challenge, user=gone)
    factories.IdeaFactory(author=factories.UserFactory())  # another challenge's author
    return {"author": author, "voter": voter, "commenter": commenter, "follower": follower, "both": both}


def announce(challenge, triage, key="k1", **kwargs):
    return services.challenge_announce(
        challenge=challenge,
        sent_by=triage,
        subject=kwargs.get("subject", "Review starts Monday"),
        body=kwargs.get("body", "Thank you all: we read every idea next week."),
        send_key=key,
    )


def test_participants_and_followers_are_told_once_each(
    people, open_challenge, triage, django_capture_on_commit_callbacks
):
    counts = selectors.challenge_audience_counts(open_challenge)
    assert (counts.total, counts.followers, counts.others) == (5, 2, 3)
    with django_capture_on_commit_callbacks(execute=True):
        announcement = announce(open_challenge, triage)
    assert announcement.audience_count == 5
    told = Notification.objects.filter(kind="challenge_announcement")
    assert sorted(n.recipient.display_name for n in told) == ["Ann", "Bo", "Cal", "Flo", "Vic"]
    assert {n.title for n in told} == {"Review starts Monday"}
    assert told[0].url == open_challenge.get_absolute_url()
    assert is_registered("challenge_announcement")


def test_nobody_who_cannot_see_the_challenge_is_told(
    people, open_challenge, triage, django_capture_on_commit_callbacks
):
    Challenge.objects.filter(pk=open_challenge.pk).update(visibility=Challenge.Visibility.INVITE_ONLY)
    open_challenge.refresh_from_db()
    open_challenge.invited_members.add(people["voter"], people["follower"])
    assert selectors.challenge_audience_counts(open_challenge).total == 2
    with django_capture_on_commit_callbacks(execute=True):
        announce(open_challenge, triage)
    told = Notification.objects.filter(kind="challenge_announcement").values_list("recipient__display_name", flat=True)
    assert sorted(told) == ["Flo", "Vic"]


def test_a_double_post_sends_once(people, open_challenge, triage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = announce(open_challenge, triage, key="same")
        second = announce(open_challenge, triage, key="same")
    assert first.pk == second.pk
    assert Announcement.objects.count() == 1
    assert OutboxEvent.objects.filter(kind="challenge_announcement").count() == 1
    assert Notification.objects.filter(kind="challenge_announcement").count() == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"subject": "  "}, "subject"), ({"body": ""}, "Write the message"), ({"subject": "x" * 151}, "150")],
)
def test_bad_input_changes_nothing(people, open_challenge, triage, kwargs, message):
    with pytest.raises(services.AnnouncementNotAllowed, match=message):
        announce(open_challenge, triage, **kwargs)
    assert not Announcement.objects.exists() and not OutboxEvent.objects.filter(kind="challenge_announcement").exists()


def test_only_triage_staff_announce_and_not_to_a_draft_or_to_nobody(people, open_challenge, triage, customer):
    with pytest.raises(services.AnnouncementNotAllowed, match="Only triage"):
        announce(open_challenge, customer)
    empty = factories.ChallengeFactory(slug="quiet")
    with pytest.raises(services.AnnouncementNotAllowed, match="Nobody takes part"):
        announce(empty, triage)
    Challenge.objects.filter(pk=open_challenge.pk).update(phase=Challenge.Phase.DRAFT)
    open_challenge.refresh_from_db()
    with pytest.raises(services.AnnouncementNotAllowed, match="draft"):
        announce(open_challenge, triage)
    assert not Announcement.objects.exists()


def test_the_admin_page_counts_the_audience_and_sends(client, people, open_challenge, triage, customer):
    url = reverse("admin:challenges_challenge_announce", args=[open_challenge.pk])
    client.force_login(triage)
    change_page = client.get(reverse("admin:challenges_challenge_change", args=[open_challenge.pk]))
    assert url in change_page.content.decode()
    page = client.get(url)
    html = page.content.decode()
    assert '<strong data-testid="audience">5 members</strong>' in html and "Send to 5 members" in html
    key = page.context["form"]["send_key"].value()
    response = client.post(url, {"subject": "", "body": "Hello", "send_key": key})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Announcement.objects.exists()
    response = client.post(url, {"subject": "Hello", "body": "Review starts.", "send_key": key}, follow=True)
    assert "is on its way to 5 members" in response.content.decode()
    client.post(url, {"subject": "Hello", "body": "Review starts.", "send_key": key})  # the double click
    assert Announcement.objects.count() == 1
    client.force_login(customer)
    assert client.get(url).status_code in (302, 403)
