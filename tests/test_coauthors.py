"""Co-authors (issue 22, part B): invited by the main author by email or from the members, they
accept or decline; accepted ones edit, answer the mentor, hear what the author hears and share the
awards, each once; withdrawal and choosing co-authors stay with the main author."""

import pytest
from django.core import mail
from django.urls import reverse

from ideas import services
from ideas.models import IdeaCoauthor, Status
from ideas.selectors import idea_list_for
from notifications.models import Notification, OutboxEvent
from notifications.services import outbox_event_process
from reputation.models import Kind, ReputationEvent, ReputationTotal
from reputation.services import POINTS, idea_awards_share, idea_status_award
from reviews.rules import thread_post_refusal
from tests.factories import PASSWORD, IdeaFactory, MentorFactory, TriageFactory, UserFactory

pytestmark = pytest.mark.django_db


def _process_outbox():
    for event in OutboxEvent.objects.filter(processed_at__isnull=True).order_by("pk"):
        outbox_event_process(event_id=event.pk)


def _accepted(idea, member):
    coauthorship = services.coauthor_invite(idea=idea, by=idea.author, member=member)
    return services.coauthor_accept(coauthorship=coauthorship, user=member)


def _events(member, idea):
    return sorted(
        ReputationEvent.objects.filter(user=member, object_key__startswith=f"idea:{idea.pk}").values_list(
            "kind", "object_key", "points"
        )
    )


# --- inviting and answering ----------------------------------------------------------------------


def test_invite_by_a_members_address_tells_them_and_they_accept(client):
    idea = IdeaFactory(status=Status.DRAFT, submitted_at=None)
    invitee = UserFactory()
    coauthorship = services.coauthor_invite(idea=idea, by=idea.author, email=invitee.email.upper())
    assert coauthorship.user == invitee and coauthorship.email == invitee.email
    _process_outbox()
    note = Notification.objects.get(recipient=invitee, kind="coauthor_invited")
    assert idea.author.public_name in note.title and idea.title in note.title
    # The draft is not theirs yet: they cannot open it.
    client.login(username=invitee.username, password=PASSWORD)
    assert client.get(idea.get_absolute_url()).status_code == 404
    page = client.get(note.url)
    assert page.status_code == 200 and idea.title in page.content.decode()
    response = client.post(note.url, {"answer": "accept"})
    assert response.status_code == 302 and response.url == idea.get_absolute_url()
    coauthorship.refresh_from_db()
    assert coauthorship.status == IdeaCoauthor.State.ACCEPTED
    html = client.get(idea.get_absolute_url()).content.decode()
    assert invitee.public_name in html  # on the byline
    _process_outbox()
    assert Notification.objects.filter(recipient=idea.author, kind="coauthor_answered").exists()


def test_an_address_without_a_member_gets_an_email_and_accepts_after_signing_up(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    idea = IdeaFactory()
    services.coauthor_invite(idea=idea, by=idea.author, email="Friend@Example.org")
    coauthorship = IdeaCoauthor.objects.get(idea=idea)
    assert coauthorship.user is None and coauthorship.email == "friend@example.org"
    assert services.coauthor_invitation_send(coauthor_id=coauthorship.pk) in (True, False)
    assert services.coauthor_invitation_send(coauthor_id=coauthorship.pk) is False  # sent once
    sent = [m for m in mail.outbox if "friend@example.org" in m.to]
    assert len(sent) == 1
    url = next(line for line in sent[0].body.splitlines() if "/ideas/coauthors/invitation/" in line).strip()
    path = url[url.index("/ideas/") :]
    # Someone else holding the link learns nothing and cannot accept.
    other = UserFactory()
    client.login(username=other.username, password=PASSWORD)
    page = client.get(path)
    assert page.status_code == 403 and idea.title not in page.content.decode()
    client.post(path, {"answer": "accept"})
    coauthorship.refresh_from_db()
    assert coauthorship.status == IdeaCoauthor.State.INVITED
    # The friend signs up with the address (confirmed) and accepts.
    friend = UserFactory(email="friend@example.org")
    client.login(username=friend.username, password=PASSWORD)
    assert client.post(path, {"answer": "accept"}).status_code == 302
    coauthorship.refresh_from_db()
    assert coauthorship.status == IdeaCoauthor.State.ACCEPTED and coauthorship.user == friend


def test_a_tampered_or_unknown_link_is_a_404(client):
    idea = IdeaFactory()
    coauthorship = services.coauthor_invite(idea=idea, by=idea.author, member=UserFactory())
    token = services.coauthor_invitation_token(coauthorship)
    assert client.get(reverse("ideas:coauthor_invitation", args=[token + "x"])).status_code == 404
    coauthorship.delete()
    assert client.get(reverse("ideas:coauthor_invitation", args=[token])).status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "not-an-address"}, "is not an email address"),
        ({}, "Give the co-author's email address"),
        ({"self": True}, "main author already"),
    ],
)
def test_bad_invitations_are_refused_and_change_nothing(kwargs, message):
    idea = IdeaFactory()
    if kwargs.pop("self", False):
        kwargs = {"email": idea.author.email}
    with pytest.raises(services.CoauthorNotAllowed, match=message):
        services.coauthor_invite(idea=idea, by=idea.author, **kwargs)
    assert not IdeaCoauthor.objects.exists()


def test_the_same_member_twice_and_a_declined_one_again():
    idea = IdeaFactory()
    member = UserFactory()
    first = services.coauthor_invite(idea=idea, by=idea.author, member=member)
    with pytest.raises(services.CoauthorNotAllowed, match="already"):
        services.coauthor_invite(idea=idea, by=idea.author, email=member.email)
    services.coauthor_decline(coauthorship=first, user=member)
    with pytest.raises(services.CoauthorNotAllowed, match="no longer open"):
        services.coauthor_accept(coauthorship=first, user=member)
    again = services.coauthor_invite(idea=idea, by=idea.author, member=member)  # a declined one may be asked again
    services.coauthor_accept(coauthorship=again, user=member)
    assert IdeaCoauthor.objects.filter(idea=idea, status="accepted").count() == 1


# --- what a co-author may do ------------------------------------------------------------------------


def test_an_accepted_coauthor_edits_answers_the_mentor_but_neither_votes_nor_withdraws(client):
    idea = IdeaFactory(status=Status.SUBMITTED)
    coauthor = UserFactory()
    _accepted(idea, coauthor)
    client.login(username=coauthor.username, password=PASSWORD)
    outcome = idea.outcomes.first()
    response = client.post(
        reverse("ideas:edit", args=[idea.pk]),
        {
            "title": "Lockers at every station",
            "problem": idea.problem,
            "solution": idea.solution,
            "outcomes": [outcome.pk],
            "action": "save",
        },
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Lockers at every station"
    assert idea.versions.order_by("-number").first().saved_by == coauthor
    assert thread_post_refusal(coauthor, idea) is None
    assert thread_post_refusal(UserFactory(), idea) is not None
    from ideas.rules import vote_refusal, withdraw_refusal

    assert vote_refusal(coauthor, idea) == "You cannot vote on your own idea."
    assert withdraw_refusal(coauthor, idea) == "Only the author can withdraw this idea."
    assert client.post(reverse("ideas:withdraw", args=[idea.pk])).status_code == 302
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED
    # Removing the co-author takes the edit away.
    coauthorship = IdeaCoauthor.objects.get(idea=idea, user=coauthor)
    with pytest.raises(services.CoauthorNotAllowed):
        services.coauthor_remove(coauthorship=coauthorship, by=UserFactory())
    services.coauthor_remove(coauthorship=coauthorship, by=idea.author)
    assert client.get(reverse("ideas:edit", args=[idea.pk])).status_code == 302  # sent back with the refusal
    from ideas.rules import can_edit_idea

    assert not can_edit_idea(coauthor, idea)


def test_coauthors_hear_what_the_author_hears():
    idea = IdeaFactory()
    coauthor = UserFactory()
    _accepted(idea, coauthor)
    staff = TriageFactory()
    services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=staff, reason="Strong fit")
    services.comment_create(idea=idea, author=UserFactory(), body="I would use this.")
    OutboxEvent.objects.filter(kind__in=["coauthor_answered", "coauthor_invited"]).update(processed_at=None)
    _process_outbox()
    kinds = set(Notification.objects.filter(recipient=coauthor).values_list("kind", flat=True))
    assert {"my_idea_status", "comment_on_idea"} <= kinds
    assert set(Notification.objects.filter(recipient=idea.author).values_list("kind", flat=True)) >= kinds - {
        "coauthor_invited"
    }


# --- reputation: each co-author once -----------------------------------------------------------------


def test_coauthor_awards_are_counted_once_each_and_a_later_coauthor_catches_up_once():
    first = IdeaFactory(status=Status.DRAFT, submitted_at=None)
    early, late = UserFactory(), UserFactory()
    _accepted(first, early)
    services.idea_submit(idea=first, user=first.author)
    staff = TriageFactory()
    services.idea_status_change(idea=first, to_status=Status.UNDER_REVIEW, changed_by=staff)
    services.idea_status_change(idea=first, to_status=Status.SHORTLISTED, changed_by=staff, reason="Strong fit")
    first.refresh_from_db()
    # The award run again (a retried task): nothing more.
    assert idea_status_award(idea=first, to_status=Status.SHORTLISTED, changed_by=staff) is False
    expected = sorted(
        [
            (Kind.IDEA_SUBMITTED, f"idea:{first.pk}", POINTS[Kind.IDEA_SUBMITTED]),
            (Kind.IDEA_SHORTLISTED, f"idea:{first.pk}", POINTS[Kind.IDEA_SHORTLISTED]),
        ]
    )
    assert _events(first.author, first) == expected
    assert _events(early, first) == expected
    # A co-author who joins later receives what the idea earned, once.
    _accepted(first, late)
    assert _events(late, first) == expected
    assert idea_awards_share(idea=first, member=late) == 0
    assert ReputationTotal.objects.get(user=late).points == POINTS[Kind.IDEA_SUBMITTED] + POINTS[Kind.IDEA_SHORTLISTED]
    # An up-vote earns each author its point, once.
    voter = UserFactory()
    services.vote_cast(user=voter, idea=first, value=1)
    for member in (first.author, early, late):
        assert ReputationEvent.objects.filter(user=member, kind=Kind.VOTE_RECEIVED).count() == 1


def test_withdrawing_takes_the_submission_points_back_from_every_author():
    idea = IdeaFactory(status=Status.DRAFT, submitted_at=None)
    coauthor = UserFactory()
    _accepted(idea, coauthor)
    services.idea_submit(idea=idea, user=coauthor)  # a co-author may submit the draft
    with pytest.raises(services.WithdrawalNotAllowed):
        services.idea_withdraw(user=coauthor, idea=idea)
    services.idea_withdraw(user=idea.author, idea=idea)
    for member in (idea.author, coauthor):
        assert ReputationTotal.objects.get(user=member).points == 0


# --- lists, profiles, exports -------------------------------------------------------------------------


def test_lists_show_coauthors_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    def page_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("ideas:list")).status_code == 200
        return len(captured)

    idea = IdeaFactory()
    _accepted(idea, UserFactory(display_name="Ada Lovelace"))
    client.get(reverse("ideas:list"))
    few = page_queries()
    for _ in range(6):
        other = IdeaFactory(challenge=idea.challenge)
        _accepted(other, UserFactory())
        _accepted(other, UserFactory())
    many = page_queries()
    assert many == few
    assert "Ada Lovelace" in client.get(reverse("ideas:list")).content.decode()
    assert len(idea_list_for(UserFactory()).get(pk=idea.pk).accepted_coauthors) == 1


def test_profile_lists_coauthored_ideas(client):
    idea = IdeaFactory()
    coauthor = UserFactory()
    _accepted(idea, coauthor)
    html = client.get(reverse("reputation:profile", args=[coauthor.pk])).content.decode()
    assert idea.title in html and "Co-author with" in html


def test_member_search_shows_names_never_addresses(client):
    idea = IdeaFactory()
    UserFactory(display_name="Grace Hopper", email="grace.secret@example.com")
    UserFactory(display_name="Grace Hidden", profile_public=False)
    client.login(username=idea.author.username, password=PASSWORD)
    html = client.get(reverse("ideas:coauthors", args=[idea.pk]), {"q": "grace"}).content.decode()
    assert "Grace Hopper" in html and "grace.secret" not in html and "Grace Hidden" not in html
    bad = client.get(reverse("ideas:coauthors", args=[idea.pk]), {"q": "g"})
    assert bad.status_code == 400 and "at least 2 letters" in bad.content.decode()


# --- who may do what: invite, answer, remove -------------------------------------------------------------

ROLES = ["visitor", "main_author", "coauthor", "invitee", "other_member", "triage", "mentor"]


@pytest.fixture
def cast():
    idea = IdeaFactory()
    coauthor, invitee = UserFactory(), UserFactory()
    _accepted(idea, coauthor)
    invitation = services.coauthor_invite(idea=idea, by=idea.author, member=invitee)
    return {
        "idea": idea,
        "invitation": invitation,
        "coauthorship": IdeaCoauthor.objects.get(idea=idea, user=coauthor),
        "users": {
            "visitor": None,
            "main_author": idea.author,
            "coauthor": coauthor,
            "invitee": invitee,
            "other_member": UserFactory(),
            "triage": TriageFactory(),
            "mentor": MentorFactory(),
        },
    }


def _as(client, user):
    if user is not None:
        client.login(username=user.username, password=PASSWORD)
    return client


# (role → expected status) for each request; 302 for a visitor means "sign in first".
MATRIX = {
    "coauthors_page": {
        "visitor": 302,
        "main_author": 200,
        "coauthor": 200,
        "invitee": 404,
        "other_member": 404,
        "triage": 404,
        "mentor": 404,
    },
    "invite": {
        "visitor": 302,
        "main_author": 302,
        "coauthor": 302,
        "invitee": 404,
        "other_member": 404,
        "triage": 404,
        "mentor": 404,
    },
    "invitation_page": {
        "visitor": 200,
        "main_author": 403,
        "coauthor": 403,
        "invitee": 200,
        "other_member": 403,
        "triage": 403,
        "mentor": 403,
    },
    "accept": {
        "visitor": 302,
        "main_author": 302,
        "coauthor": 302,
        "invitee": 302,
        "other_member": 302,
        "triage": 302,
        "mentor": 302,
    },
    "remove": {
        "visitor": 302,
        "main_author": 302,
        "coauthor": 302,
        "invitee": 404,
        "other_member": 404,
        "triage": 404,
        "mentor": 404,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_roles_matrix(client, cast, role, action):
    idea, user = cast["idea"], cast["users"][role]
    _as(client, user)
    token = services.coauthor_invitation_token(cast["invitation"])
    invitation_url = reverse("ideas:coauthor_invitation", args=[token])
    if action == "coauthors_page":
        response = client.get(reverse("ideas:coauthors", args=[idea.pk]))
    elif action == "invite":
        response = client.post(reverse("ideas:coauthors", args=[idea.pk]), {"email": "new.friend@example.org"})
    elif action == "invitation_page":
        response = client.get(invitation_url)
    elif action == "accept":
        response = client.post(invitation_url, {"answer": "accept"})
    else:
        response = client.post(reverse("ideas:coauthor_remove", args=[idea.pk, cast["coauthorship"].pk]))
    assert response.status_code == MATRIX[action][role]
    # What changed, and only for whom it may.
    invited_new = IdeaCoauthor.objects.filter(idea=idea, email="new.friend@example.org").exists()
    assert invited_new == (action == "invite" and role == "main_author")
    cast["invitation"].refresh_from_db()
    assert (cast["invitation"].status == "accepted") == (action == "accept" and role == "invitee")
    cast["coauthorship"].refresh_from_db()
    removed = cast["coauthorship"].status == "removed"
    assert removed == (action == "remove" and role in ("main_author", "coauthor"))


# --- personal data ---------------------------------------------------------------------------------


def test_an_erased_coauthor_leaves_the_byline_and_their_data_is_exported(client):
    import io
    import json
    import zipfile

    from privacy.services import account_erase, personal_data_export

    idea = IdeaFactory()
    coauthor = UserFactory(display_name="Erin Erased")
    _accepted(idea, coauthor)
    services.coauthor_invite(idea=idea, by=idea.author, email="pending.friend@example.org")
    archive = zipfile.ZipFile(io.BytesIO(personal_data_export(user=coauthor)))
    exported = json.loads(archive.read("coauthors.json"))
    assert [c["idea_id"] for c in exported["co_authorships"]] == [idea.pk]
    sent = json.loads(zipfile.ZipFile(io.BytesIO(personal_data_export(user=idea.author))).read("coauthors.json"))
    assert [(c["member"], c["email"]) for c in sent["co_authors_invited"]] == [
        ("Erin Erased", ""),  # chosen by name: no address
        ("", "pending.friend@example.org"),
    ]

    assert "Erin Erased" in client.get(idea.get_absolute_url()).content.decode()
    account_erase(user=coauthor)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "Erin Erased" not in html and "Former member" not in html
    assert not IdeaCoauthor.objects.filter(user=coauthor).exists()


def test_my_ideas_lists_the_ideas_i_coauthor(client):
    idea = IdeaFactory(title="Lockers for everyone")
    coauthor = UserFactory()
    _accepted(idea, coauthor)
    client.login(username=coauthor.username, password=PASSWORD)
    assert "Lockers for everyone" in client.get(reverse("ideas:mine")).content.decode()
    listed = client.get(reverse("ideas:list"), {"mine": "on"}).content.decode()
    assert "Lockers for everyone" in listed


def test_an_invited_address_is_shown_to_the_main_author_only(client):
    idea = IdeaFactory()
    coauthor = UserFactory()
    _accepted(idea, coauthor)
    services.coauthor_invite(idea=idea, by=idea.author, email="pending.friend@example.org")
    url = reverse("ideas:coauthors", args=[idea.pk])
    client.login(username=idea.author.username, password=PASSWORD)
    assert "pending.friend@example.org" in client.get(url).content.decode()
    client.login(username=coauthor.username, password=PASSWORD)
    page = client.get(url).content.decode()
    assert "pending.friend" not in page and "Someone invited by email" in page
    assert "Leave this idea" in page


def test_invited_by_name_and_by_an_unconfirmed_address_accepting_one_settles_both():
    idea = IdeaFactory()
    member = UserFactory()
    by_name = services.coauthor_invite(idea=idea, by=idea.author, member=member)
    by_address = services.coauthor_invite(idea=idea, by=idea.author, email="member.other@example.org")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=member, email="member.other@example.org", verified=True)
    services.coauthor_accept(coauthorship=by_address, user=member)
    by_name.refresh_from_db()
    assert by_name.status == IdeaCoauthor.State.REMOVED
    assert IdeaCoauthor.objects.get(idea=idea, status="accepted").user == member
