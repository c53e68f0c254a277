"""Forms with bad input: a clear message, and nothing saved."""

import pytest
from django.urls import reverse

from ideas.models import Comment, Idea, Status, Vote
from tests import factories


def submit_data(challenge, **overrides):
    data = {
        "title": "Lockers at every station",
        "problem": "Nobody is home when the van arrives with the shopping.",
        "solution": "Temperature-controlled lockers where commuters pass anyway.",
        "outcomes": [challenge.outcomes.first().pk],
        "action": "submit",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_submit_an_idea(client_for, customer, open_challenge):
    response = client_for(customer).post(
        reverse("challenges:submit", args=[open_challenge.slug]), submit_data(open_challenge), follow=True
    )
    idea = Idea.objects.get()
    assert (idea.author, idea.status, idea.challenge) == (customer, Status.SUBMITTED, open_challenge)
    assert "your idea was received" in response.content.decode()


@pytest.mark.django_db
def test_save_a_draft_then_submit_it(client_for, customer, open_challenge):
    client = client_for(customer)
    client.post(reverse("challenges:submit", args=[open_challenge.slug]), submit_data(open_challenge, action="draft"))
    idea = Idea.objects.get()
    assert idea.status == Status.DRAFT
    client.post(reverse("ideas:edit", args=[idea.pk]), submit_data(open_challenge, title="Lockers, revised"))
    idea.refresh_from_db()
    assert (idea.status, idea.title) == (Status.SUBMITTED, "Lockers, revised")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"title": ""}, "Give your idea a short title: a draft needs one too."),
        ({"problem": "   "}, "Describe the problem: at least 20 characters to submit."),
        ({"title": "Hi"}, "needs at least 5 characters"),
        ({"title": "x" * 121}, "at most 120 characters"),
        ({"problem": "too short"}, "needs at least 20 characters"),
        ({"solution": "x" * 10001}, "at most 10000 characters"),
        ({"outcomes": []}, "Choose at least one outcome"),
        ({"outcomes": ["999999"]}, "Select a valid choice"),
    ],
)
def test_submit_with_bad_input_shows_a_message_and_saves_nothing(
    client_for, customer, open_challenge, overrides, message
):
    response = client_for(customer).post(
        reverse("challenges:submit", args=[open_challenge.slug]), submit_data(open_challenge, **overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_submit_an_outcome_of_another_challenge_is_refused(client_for, customer, open_challenge):
    foreign = factories.OutcomeFactory()
    response = client_for(customer).post(
        reverse("challenges:submit", args=[open_challenge.slug]), submit_data(open_challenge, outcomes=[foreign.pk])
    )
    assert response.status_code == 400
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_submit_to_a_closed_challenge_is_refused_with_a_message(client_for, customer):
    challenge = factories.ChallengeFactory(phase="closed")
    response = client_for(customer).post(reverse("challenges:submit", args=[challenge.slug]), submit_data(challenge))
    assert response.status_code == 403
    assert "not taking ideas" in response.content.decode()
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_vote_up_down_and_back_with_the_plain_form(client_for, other_customer, idea):
    client = client_for(other_customer)
    url = reverse("ideas:vote", args=[idea.pk])
    response = client.post(url, {"value": "up"}, follow=True)
    assert "Your vote is counted." in response.content.decode()
    assert Vote.objects.get().value == 1
    client.post(url, {"value": "down"})
    assert Vote.objects.get().value == -1
    response = client.post(url, {"value": "withdraw"}, follow=True)
    assert "Your vote was taken back." in response.content.decode()
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_vote_in_place_with_htmx_returns_the_widget(client_for, other_customer, idea):
    response = client_for(other_customer).post(
        reverse("ideas:vote", args=[idea.pk]), {"value": "up"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div class="vote"')  # the partial only, not a whole page
    assert '<strong data-testid="support">1</strong>' in content
    assert 'aria-pressed="true"' in content


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "sideways", "1"])
def test_vote_with_bad_input_shows_a_message_and_saves_nothing(client_for, other_customer, idea, value):
    response = client_for(other_customer).post(reverse("ideas:vote", args=[idea.pk]), {"value": value}, follow=True)
    content = response.content.decode()
    assert "A vote is up, down, or taken back." in content or "Choose how to vote." in content
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_vote_on_own_idea_is_refused_with_a_message(client_for, customer, idea):
    response = client_for(customer).post(
        reverse("ideas:vote", args=[idea.pk]), {"value": "up"}, headers={"HX-Request": "true"}
    )
    assert "You cannot vote on your own idea." in response.content.decode()
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_anonymous_vote_goes_to_sign_in_and_saves_nothing(client, idea):
    response = client.post(reverse("ideas:vote", args=[idea.pk]), {"value": "up"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_vote_on_a_hidden_idea_is_404(client_for, other_customer, open_challenge, customer):
    draft = factories.IdeaFactory(challenge=open_challenge, author=customer, status=Status.DRAFT, submitted_at=None)
    response = client_for(other_customer).post(reverse("ideas:vote", args=[draft.pk]), {"value": "up"})
    assert response.status_code == 404
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_comment_and_empty_comment(client_for, other_customer, idea):
    client = client_for(other_customer)
    url = reverse("ideas:comment", args=[idea.pk])
    response = client.post(url, {"body": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode() or "cannot be empty" in response.content.decode()
    assert not Comment.objects.exists()
    client.post(url, {"body": "I would use it <script>alert(1)</script> every week"})
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "I would use it" in page and "<script>alert(1)</script>" not in page


@pytest.mark.django_db
def test_comment_in_a_closed_challenge_is_refused(client_for, other_customer):
    idea = factories.IdeaFactory(challenge=factories.ChallengeFactory(phase="closed"))
    response = client_for(other_customer).post(reverse("ideas:comment", args=[idea.pk]), {"body": "Late!"}, follow=True)
    assert "comments are read-only" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_profile_display_name(client_for, customer):
    client = client_for(customer)
    response = client.post(reverse("profile"), {"display_name": "x" * 61})
    assert response.status_code == 400
    client.post(reverse("profile"), {"display_name": "  Cora C.  "})
    customer.refresh_from_db()
    assert customer.display_name == "Cora C."


@pytest.mark.django_db
def test_edit_is_refused_once_screening_started(client_for, customer, idea, triage):
    idea.status = Status.SHORTLISTED
    idea.save()
    response = client_for(customer).post(
        reverse("ideas:edit", args=[idea.pk]), submit_data(idea.challenge, title="Sneaky change"), follow=True
    )
    assert "can no longer be edited" in response.content.decode()
    idea.refresh_from_db()
    assert idea.title == "Lockers at stations"
