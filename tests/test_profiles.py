"""Member profiles: who sees which (a hidden profile does not exist for others), the ideas a viewer may see
on them (never drafts, never an invite-only challenge's to outsiders), and the privacy setting."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from challenges.models import Challenge
from ideas import services as idea_services
from ideas.models import Kudos, Status
from innovators.models import Questionnaire, QuestionnaireItem
from reputation.models import Kind
from reputation.services import reputation_award
from tests import factories

STAFF_NOTICE = "This profile is private: you see it as staff."


def profile_url(member) -> str:
    return reverse("reputation:profile", args=[member.pk])


@pytest.fixture
def plain_staff(db):
    """Staff outside the Triage group: may see every profile (reputation.rules), not every idea."""
    return factories.UserFactory(display_name="Sam Staff", is_staff=True)


VIEWERS = ["anonymous", "member", "other_customer", "mentor", "triage", "plain_staff"]


def viewer_for(request, role: str):
    if role == "anonymous":
        return None
    if role == "member":
        return request.getfixturevalue("customer")
    return request.getfixturevalue(role)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "public", "status", "notice"),
    [
        ("anonymous", True, 200, None),
        ("member", True, 200, None),
        ("other_customer", True, 200, None),
        ("mentor", True, 200, None),
        ("triage", True, 200, None),
        ("plain_staff", True, 200, None),
        ("anonymous", False, 404, None),
        ("member", False, 200, "Your profile is private"),
        ("other_customer", False, 404, None),
        ("mentor", False, 404, None),
        ("triage", False, 200, STAFF_NOTICE),
        ("plain_staff", False, 200, STAFF_NOTICE),
    ],
)
def test_profile_privacy_for_each_role(request, client_for, customer, role, public, status, notice):
    customer.profile_public = public
    customer.save(update_fields=["profile_public"])
    response = client_for(viewer_for(request, role)).get(profile_url(customer))
    assert response.status_code == status
    content = response.content.decode()
    if status == 404:
        assert customer.public_name not in content  # not revealed, not even by name
        return
    assert customer.public_name in content
    assert ('data-testid="profile-private-notice"' in content) == (notice is not None)
    if notice:
        assert notice in content
    if role == "member" and not public:
        assert f'href="{reverse("profile")}"' in content  # where to change it


@pytest.mark.django_db
def test_a_missing_member_and_an_inactive_one_are_404_but_staff_see_the_inactive(client_for, customer, triage):
    assert client_for(None).get(reverse("reputation:profile", args=[999999])).status_code == 404
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert client_for(None).get(profile_url(customer)).status_code == 404
    response = client_for(triage).get(profile_url(customer))
    assert response.status_code == 200
    assert "inactive" in response.content.decode()


@pytest.mark.django_db
def test_the_profile_shows_the_track_record(client_for, customer, other_customer, triage, open_challenge):
    shortlisted = factories.IdeaFactory(challenge=open_challenge, author=customer, title="Lockers at stations")
    idea_services.idea_status_change(idea=shortlisted, to_status=Status.SHORTLISTED, changed_by=triage)
    declined = factories.IdeaFactory(challenge=open_challenge, author=customer, title="Drones on the roof")
    idea_services.idea_status_change(
        idea=declined, to_status=Status.DECLINED, changed_by=triage, reason="Drones may not fly over the city."
    )
    factories.IdeaFactory(challenge=open_challenge, author=customer, title="Evening slots")
    comment = factories.CommentFactory(idea=shortlisted, author=customer)
    Kudos.objects.create(comment=comment, user=other_customer)
    Kudos.objects.create(comment=comment, user=triage)

    content = client_for(other_customer).get(profile_url(customer)).content.decode()
    assert content.count('data-testid="profile-idea"') == 3
    for title in ("Lockers at stations", "Drones on the roof", "Evening slots", open_challenge.title):
        assert title in content
    assert "Drones may not fly over the city." in content  # the decision's reason
    assert 'aria-label="Reputation tier: innovator"' in content
    assert 'data-testid="profile-kudos">2<' in content
    points = 3 * 5 + 20  # three submitted (IdeaFactory does not award: the test awards below) + a shortlist
    for n in range(1, 4):
        reputation_award(user=customer, kind=Kind.IDEA_SUBMITTED, object_key=f"idea:x{n}")
    content = client_for(other_customer).get(profile_url(customer)).content.decode()
    assert f'data-testid="profile-points">{points}<' in content
    assert 'data-funnel="submitted">3<' in content
    assert 'data-funnel="shortlisted">1<' in content
    assert 'data-funnel="declined">1<' in content
    assert 'data-funnel="winners">0<' in content
    assert f'href="{reverse("reputation:points")}"' in content
    assert "Member since" in content


@pytest.mark.django_db
def test_the_funnel_counts_a_step_the_idea_went_past(client_for, customer, other_customer, triage, open_challenge):
    idea = factories.IdeaFactory(challenge=open_challenge, author=customer)
    for status in (Status.SHORTLISTED, Status.IN_MENTORING, Status.FINALIST, Status.WINNER, Status.IN_PROGRESS):
        idea_services.idea_status_change(idea=idea, to_status=status, changed_by=triage)
    content = client_for(other_customer).get(profile_url(customer)).content.decode()
    for step in ("submitted", "shortlisted", "finalists", "winners"):
        assert f'data-funnel="{step}">1<' in content
    assert 'data-funnel="implemented">0<' in content


@pytest.mark.django_db
def test_drafts_and_withdrawn_ideas_are_never_on_a_profile(
    client_for, customer, other_customer, triage, open_challenge
):
    factories.IdeaFactory(challenge=open_challenge, author=customer, title="Shown idea")
    factories.IdeaFactory(
        challenge=open_challenge, author=customer, title="Secret draft", status=Status.DRAFT, submitted_at=None
    )
    factories.IdeaFactory(challenge=open_challenge, author=customer, title="Taken back", status=Status.WITHDRAWN)
    for viewer in (customer, other_customer, triage, None):
        content = client_for(viewer).get(profile_url(customer)).content.decode()
        assert "Shown idea" in content
        assert "Secret draft" not in content
        assert "Taken back" not in content
        assert 'data-funnel="submitted">1<' in content


@pytest.mark.django_db
def test_an_invite_only_challenges_ideas_show_only_to_the_invited_and_staff(
    client_for, customer, other_customer, mentor, triage
):
    private = factories.ChallengeFactory(
        title="Lead users only", slug="lead-users", visibility=Challenge.Visibility.INVITE_ONLY
    )
    private.invited_members.add(customer, mentor)
    factories.IdeaFactory(challenge=private, author=customer, title="Invite-only idea")
    factories.IdeaFactory(author=customer, title="Public idea")

    for viewer, sees in ((None, False), (other_customer, False), (mentor, True), (triage, True), (customer, True)):
        content = client_for(viewer).get(profile_url(customer)).content.decode()
        assert "Public idea" in content
        assert ("Invite-only idea" in content) == sees
        assert ("Lead users only" in content) == sees
        assert f'data-funnel="submitted">{2 if sees else 1}<' in content


@pytest.mark.django_db
@pytest.mark.parametrize("ideas", [1, 10])
def test_profile_query_count_is_constant_in_the_number_of_ideas(
    client_for, customer, other_customer, triage, ideas, django_assert_num_queries
):
    challenge = factories.ChallengeFactory()
    for n in range(ideas):
        idea = factories.IdeaFactory(challenge=challenge, author=customer)
        idea_services.idea_status_change(
            idea=idea, to_status=Status.DECLINED, changed_by=triage, reason=f"Reason number {n}."
        )
        reputation_award(user=customer, kind=Kind.IDEA_SUBMITTED, object_key=f"idea:{idea.pk}")
        Kudos.objects.create(comment=factories.CommentFactory(idea=idea, author=customer), user=other_customer)
    client = client_for(other_customer)
    # 7: the session (database sessions), viewer, the member with their totals and kudos received, the viewer's groups (is the
    # viewer triage? for visible_ideas_q), the ideas with their challenge and latest answer, the funnel
    # aggregate, and the header's unread-notification count. The tier badge reads the selected totals.
    with django_assert_num_queries(7):
        response = client.get(profile_url(customer))
    content = response.content.decode()
    assert content.count('data-testid="profile-idea"') == ideas
    assert content.count("Reason number") == ideas


@pytest.mark.django_db
def test_the_settings_page_offers_the_privacy_setting_and_a_link_to_the_profile(client_for, customer):
    content = client_for(customer).get(reverse("profile")).content.decode()
    assert 'name="profile_public"' in content
    assert escape(str(User._meta.get_field("profile_public").help_text)) in content
    assert "See your profile as others do" in content
    assert f'href="{profile_url(customer)}"' in content


@pytest.mark.django_db
def test_the_settings_form_toggles_privacy_and_bad_input_changes_nothing(client_for, customer, other_customer):
    client = client_for(customer)
    response = client.post(reverse("profile"), {"display_name": "Cora"})  # the box unticked
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.profile_public is False
    assert client_for(other_customer).get(profile_url(customer)).status_code == 404

    client = client_for(customer)
    assert "it is private now" in client.get(reverse("profile")).content.decode()
    response = client.post(reverse("profile"), {"display_name": "x" * 61, "profile_public": "on"})
    assert response.status_code == 400
    assert "it is private now" in response.content.decode()  # the saved setting, not the refused input
    customer.refresh_from_db()
    assert customer.profile_public is False and customer.display_name == "Cora"

    assert client.post(reverse("profile"), {"display_name": "Cora", "profile_public": "on"}).status_code == 302
    customer.refresh_from_db()
    assert customer.profile_public is True
    assert client_for(other_customer).get(profile_url(customer)).status_code == 200


@pytest.mark.django_db
def test_the_settings_page_invites_to_the_open_questionnaire(client_for, customer):
    client = client_for(customer)
    assert 'data-testid="questionnaire-prompt"' not in client.get(reverse("profile")).content.decode()
    questionnaire = Questionnaire.objects.create(title="How you come up with ideas", is_open=True)
    QuestionnaireItem.objects.create(questionnaire=questionnaire, text="I try new products before others do.")
    assert 'data-testid="questionnaire-prompt"' in client.get(reverse("profile")).content.decode()
