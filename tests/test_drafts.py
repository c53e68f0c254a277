"""Drafts save with a title alone; completeness is asked for only when an idea is submitted (issue 17)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from ideas import rules, services
from ideas.forms import IdeaForm
from ideas.models import Idea, Status
from tests import factories
from tests.api_clients import error_of, send, token_client

ONE_LINE = {"title": "Lockers at every station", "problem": "", "solution": "", "action": "draft"}


def _submit_url(challenge):
    return reverse("challenges:submit", args=[challenge.slug])


# --- the form ---


@pytest.mark.django_db
def test_a_draft_saves_with_a_title_alone_and_only_its_author_sees_it(
    client_for, customer, other_customer, open_challenge
):
    response = client_for(customer).post(_submit_url(open_challenge), ONE_LINE, follow=True)
    idea = Idea.objects.get()
    assert (idea.status, idea.title, idea.problem, idea.solution) == (Status.DRAFT, "Lockers at every station", "", "")
    assert not idea.outcomes.exists() and idea.submitted_at is None
    assert "Your draft is saved. Only you can see it until you submit it." in response.content.decode()
    mine = client_for(customer).get(reverse("ideas:mine")).content.decode()
    assert "Lockers at every station" in mine and "Draft" in mine
    # Nobody else: another member, a visitor, the public list.
    assert client_for(other_customer).get(idea.get_absolute_url()).status_code == 404
    assert client_for(None).get(idea.get_absolute_url()).status_code == 404
    assert "Lockers at every station" not in client_for(other_customer).get(reverse("ideas:list")).content.decode()


@pytest.mark.django_db
def test_a_draft_still_needs_a_title(client_for, customer, open_challenge):
    response = client_for(customer).post(_submit_url(open_challenge), ONE_LINE | {"title": "  "})
    assert response.status_code == 400
    assert "Give your idea a short title: a draft needs one too." in response.content.decode()
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_submitting_an_incomplete_idea_names_what_is_missing_and_saves_nothing(client_for, customer, open_challenge):
    response = client_for(customer).post(
        _submit_url(open_challenge), ONE_LINE | {"problem": "Too short", "action": "submit"}
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Not submitted yet: complete the problem, the proposed solution and an outcome it addresses first" in content
    assert "the problem needs at least 20 characters to submit (it has 9)" in content
    assert "Describe your proposed solution: at least 20 characters to submit." in content
    assert "Choose at least one outcome that your idea addresses." in content
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_submitting_a_draft_from_its_form_asks_for_what_it_lacks_and_leaves_it_as_it_was(
    client_for, customer, open_challenge
):
    client = client_for(customer)
    client.post(_submit_url(open_challenge), ONE_LINE)
    draft = Idea.objects.get()
    data = {"title": "Lockers, revised", "problem": "Nobody is home when the van comes.", "solution": "Lockers."}
    response = client.post(reverse("ideas:edit", args=[draft.pk]), data | {"action": "submit"})
    assert response.status_code == 400
    assert "complete the proposed solution and an outcome it addresses first" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.title, draft.problem) == (Status.DRAFT, "Lockers at every station", "")
    # Saved as a draft, the same text is kept; complete, it is submitted.
    assert client.post(reverse("ideas:edit", args=[draft.pk]), data | {"action": "draft"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.problem) == (Status.DRAFT, "Nobody is home when the van comes.")
    complete = data | {
        "solution": "Temperature-controlled lockers at stations.",
        "outcomes": [open_challenge.outcomes.first().pk],
    }
    assert client.post(reverse("ideas:edit", args=[draft.pk]), complete | {"action": "submit"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.submitted_at is not None


@pytest.mark.django_db
def test_a_submitted_idea_cannot_be_emptied_by_its_author(client_for, customer, idea):
    data = {
        "title": idea.title,
        "problem": "",
        "solution": idea.solution,
        "outcomes": [o.pk for o in idea.outcomes.all()],
    }
    response = client_for(customer).post(reverse("ideas:edit", args=[idea.pk]), data | {"action": "save"})
    assert response.status_code == 400
    assert "Not saved: a submitted idea keeps the problem" in response.content.decode()
    idea.refresh_from_db()
    assert idea.problem


@pytest.mark.django_db
def test_every_minimum_is_stated_in_its_fields_help(open_challenge):
    form = IdeaForm(challenge=open_challenge)
    assert f"at least {rules.TITLE_MIN_LENGTH}" in form.fields["title"].help_text
    assert f"at least {rules.PROBLEM_MIN_LENGTH} characters" in form.fields["problem"].help_text
    assert f"at least {rules.SOLUTION_MIN_LENGTH} characters" in form.fields["solution"].help_text
    assert "at least one" in form.fields["outcomes"].help_text


# --- the services and the database ---


@pytest.mark.django_db
def test_the_services_refuse_to_submit_an_incomplete_idea(customer, open_challenge):
    with pytest.raises(services.SubmissionNotAllowed, match="complete the problem and the proposed solution first"):
        services.idea_create(
            author=customer,
            challenge=open_challenge,
            title="Lockers",
            problem="",
            solution="short",
            outcomes=open_challenge.outcomes.all(),
            submit=True,
        )
    draft = services.idea_create(
        author=customer, challenge=open_challenge, title="Lockers", problem="", solution="", outcomes=[], submit=False
    )
    with pytest.raises(services.SubmissionNotAllowed, match="an outcome it addresses"):
        services.idea_submit(idea=draft, user=customer)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.django_db
def test_the_database_refuses_a_published_idea_without_text(idea):
    with pytest.raises(IntegrityError), transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(problem="")
    factories.IdeaFactory(status=Status.DRAFT, submitted_at=None, problem="", solution="")  # a draft may


# --- the API ---


@pytest.mark.django_db
def test_the_api_saves_a_one_line_draft_and_refuses_to_submit_it_incomplete(customer, open_challenge):
    client = token_client(customer)
    created = send(client, "post", "/api/v1/ideas/", {"challenge": open_challenge.slug, "title": "Lockers at stations"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = send(client, "post", f"/api/v1/ideas/{pk}/submit/")
    assert refused.status_code == 400
    assert error_of(refused)["code"] == "refused"
    assert "complete the problem, the proposed solution and an outcome it addresses" in error_of(refused)["message"]
    at_once = send(
        client, "post", "/api/v1/ideas/", {"challenge": open_challenge.slug, "title": "Other lockers", "submit": True}
    )
    assert at_once.status_code == 400 and "Not submitted yet" in error_of(at_once)["message"]
    code = open_challenge.outcomes.first().code
    completed = {
        "problem": "Nobody is home when the van comes.",
        "solution": "Temperature-controlled lockers.",
        "outcomes": [code],
    }
    assert send(client, "patch", f"/api/v1/ideas/{pk}/", completed).status_code == 200
    submitted = send(client, "post", f"/api/v1/ideas/{pk}/submit/")
    assert submitted.status_code == 200 and Idea.objects.get(pk=pk).status == Status.SUBMITTED
