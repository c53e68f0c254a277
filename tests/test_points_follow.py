"""Points follow the idea, and one idea per submit (issue 15, item 3).

Withdrawing, or a merge as a duplicate, takes the submission points back with a negative ledger
event (append-only, once); a double submit of the new-idea form creates one idea, sequentially and
with two concurrent POSTs in real threads.
"""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from ideas import services
from ideas.models import Idea, Status
from reputation.models import Kind, ReputationEvent, ReputationTotal
from reputation.services import POINTS, idea_submitted_reversal, reputation_rebuild
from tests import factories


def submit(author, challenge, title="Lockers at every station"):
    return services.idea_create(
        author=author,
        challenge=challenge,
        title=title,
        problem="Nobody is home when the van comes by.",
        solution="Cooled lockers at train stations, opened by code.",
        outcomes=challenge.outcomes.all()[:1],
    )


def points_of(user) -> int:
    return ReputationTotal.objects.filter(user=user).values_list("points", flat=True).first() or 0


def ledger_of(user) -> list[tuple[str, int]]:
    return list(ReputationEvent.objects.filter(user=user).order_by("pk").values_list("kind", "points"))


# --- Withdrawal and merge take the submission points back --------------------------------------


@pytest.mark.django_db
def test_withdrawing_takes_the_submission_points_back(customer, open_challenge):
    idea = submit(customer, open_challenge)
    assert points_of(customer) == POINTS[Kind.IDEA_SUBMITTED] == 5
    services.idea_withdraw(user=customer, idea=idea)
    assert ledger_of(customer) == [(Kind.IDEA_SUBMITTED, 5), (Kind.IDEA_SUBMITTED_REVERSED, -5)]
    assert points_of(customer) == 0
    # Once only: a second reversal (a retry) appends nothing.
    assert idea_submitted_reversal(idea=idea) is False
    assert len(ledger_of(customer)) == 2
    # The rebuild from the ledger agrees with the running total.
    reputation_rebuild()
    assert points_of(customer) == 0


@pytest.mark.django_db
def test_submit_and_withdraw_again_and_again_farms_nothing(customer, open_challenge):
    for n in range(4):
        services.idea_withdraw(user=customer, idea=submit(customer, open_challenge, title=f"Lockers, take {n}"))
    assert points_of(customer) == 0
    assert sum(points for _, points in ledger_of(customer)) == 0
    kept = submit(customer, open_challenge, title="Lockers, for real")
    assert points_of(customer) == 5
    assert kept.status == Status.SUBMITTED


@pytest.mark.django_db
def test_a_draft_withdrawn_had_nothing_to_take_back(customer, open_challenge):
    draft = services.idea_create(
        author=customer,
        challenge=open_challenge,
        title="A draft idea",
        problem="Nobody is home when the van comes by.",
        solution="Cooled lockers at train stations, opened by code.",
        outcomes=open_challenge.outcomes.all()[:1],
        submit=False,
    )
    services.idea_withdraw(user=customer, idea=draft)
    assert ledger_of(customer) == []


@pytest.mark.django_db
def test_a_merge_as_duplicate_takes_the_submission_points_back(customer, other_customer, triage, open_challenge):
    original = submit(other_customer, open_challenge, title="Lockers first")
    duplicate = submit(customer, open_challenge, title="Lockers again")
    services.idea_status_change(
        idea=duplicate,
        to_status=Status.DUPLICATE,
        changed_by=triage,
        reason="The same as an earlier idea.",
        duplicate_of=original,
        expected_status=Status.SUBMITTED,
    )
    assert ledger_of(customer) == [(Kind.IDEA_SUBMITTED, 5), (Kind.IDEA_SUBMITTED_REVERSED, -5)]
    assert points_of(customer) == 0
    assert points_of(other_customer) == 5  # the original keeps its own


# --- One idea per submit -------------------------------------------------------------------------


def form_data(challenge, key, title="Lockers at every station"):
    return {
        "title": title,
        "problem": "Nobody is home when the van comes by, so the groceries go back.",
        "solution": "Cooled lockers at train stations, opened with a code from the app.",
        "outcomes": [challenge.outcomes.order_by("code").first().pk],
        "action": "submit_different",
        "submit_key": key,
    }


@pytest.mark.django_db
def test_the_new_idea_form_carries_a_one_time_key(client_for, customer, open_challenge):
    url = reverse("challenges:submit", args=[open_challenge.slug])
    first = client_for(customer).get(url).context["form"]["submit_key"].value()
    second = client_for(customer).get(url).context["form"]["submit_key"].value()
    assert first and second and first != second
    page = client_for(customer).get(url).text
    assert 'name="submit_key"' in page and 'type="hidden"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["submit_different", "draft", "submit"])
def test_a_double_post_creates_one_idea_and_answers_with_it(client_for, customer, open_challenge, action):
    url = reverse("challenges:submit", args=[open_challenge.slug])
    key = client_for(customer).get(url).context["form"]["submit_key"].value()
    data = {**form_data(open_challenge, key), "action": action}
    first = client_for(customer).post(url, data)
    second = client_for(customer).post(url, data)
    idea = Idea.objects.get(author=customer)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == idea.get_absolute_url()
    followed = client_for(customer).get(second["Location"])
    assert followed.status_code == 200
    assert points_of(customer) == (0 if action == "draft" else 5)
    # A fresh form (a new key) is a new idea.
    other_key = client_for(customer).get(url).context["form"]["submit_key"].value()
    client_for(customer).post(
        url, {**form_data(open_challenge, other_key, title="Vans that text ahead"), "action": action}
    )
    assert Idea.objects.filter(author=customer).count() == 2


@pytest.mark.django_db
def test_the_same_key_of_another_member_is_their_own(client_for, customer, other_customer, open_challenge):
    url = reverse("challenges:submit", args=[open_challenge.slug])
    client_for(customer).post(url, form_data(open_challenge, "shared-key"))
    client_for(other_customer).post(url, form_data(open_challenge, "shared-key", title="Vans that text ahead"))
    assert Idea.objects.filter(submit_key="shared-key").count() == 2


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_the_same_form_create_one_idea():
    """Two real threads post the same new-idea form at once (a double click on a slow network)."""
    for round_ in range(3):
        author = factories.UserFactory()
        challenge = factories.ChallengeFactory()
        url = reverse("challenges:submit", args=[challenge.slug])
        data = form_data(challenge, f"double-click-{round_}")
        barrier = threading.Barrier(2)
        responses: list = []
        errors: list = []

        def post(data=data, url=url, author=author, barrier=barrier, responses=responses, errors=errors):
            client = Client()
            client.force_login(author)
            try:
                barrier.wait(timeout=30)
                responses.append(client.post(url, data))
            except Exception as error:  # noqa: BLE001 - asserted below
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        ideas = list(Idea.objects.filter(author=author))
        assert len(ideas) == 1
        assert [r.status_code for r in responses] == [302, 302]
        assert {r["Location"] for r in responses} == {ideas[0].get_absolute_url()}
        assert ledger_of(author) == [(Kind.IDEA_SUBMITTED, 5)]
        assert points_of(author) == 5
