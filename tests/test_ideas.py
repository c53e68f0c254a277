"""An author's idea over time: versions, withdrawal, similar ideas before submitting, merged followers."""

import pytest
from django.db import connection
from django.urls import reverse

from challenges.models import Challenge
from ideas import services
from ideas.models import Idea, IdeaFollow, IdeaVersion, Status, StatusChange, Vote
from ideas.similar import similar_ideas
from tests import factories

ROLES = ["anonymous", "customer", "other_customer", "triage", "mentor"]
PROBLEM = "Nobody is home when the van comes, so the groceries go back to the depot."
SOLUTION = "Temperature-controlled lockers at train stations, opened with a code from the app."

postgresql_only = pytest.mark.postgresql  # pg_trgm and full-text search


def create(author, challenge, title="Lockers at train stations", submit=True, outcomes=None, **text):
    return services.idea_create(
        author=author,
        challenge=challenge,
        title=title,
        problem=text.get("problem", PROBLEM),
        solution=text.get("solution", SOLUTION),
        outcomes=outcomes if outcomes is not None else challenge.outcomes.all()[:1],
        submit=submit,
    )


def update(idea, user, **changes):
    fields = {"title": idea.title, "problem": idea.problem, "solution": idea.solution}
    fields.update(changes)
    outcomes = changes.pop("outcomes", None)
    fields.pop("outcomes", None)
    return services.idea_update(
        idea=idea, user=user, outcomes=outcomes if outcomes is not None else idea.outcomes.all(), **fields
    )


def form_data(challenge, **overrides):
    data = {
        "title": "Lockers at train stations",
        "problem": PROBLEM,
        "solution": SOLUTION,
        "outcomes": [challenge.outcomes.first().pk],
        "action": "submit",
    }
    data.update(overrides)
    return data


# --- versions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_records_version_1_and_the_author_follows_their_idea(customer, open_challenge):
    idea = create(customer, open_challenge, submit=False)
    version = IdeaVersion.objects.get(idea=idea)
    outcome = open_challenge.outcomes.order_by("pk").first()
    assert (version.number, version.title, version.problem, version.saved_by) == (1, idea.title, PROBLEM, customer)
    assert version.outcome_codes == [outcome.code]
    assert IdeaFollow.objects.filter(idea=idea, user=customer).exists()


@pytest.mark.django_db
def test_each_changing_edit_records_the_next_version_and_a_no_op_records_nothing(customer, open_challenge):
    idea = create(customer, open_challenge)
    first, second = open_challenge.outcomes.order_by("code")
    idea = update(idea, customer, title="Lockers at every train station")
    idea = update(idea, customer)  # nothing changed
    idea = update(idea, customer, title="  Lockers at every train station  ")  # only whitespace the service strips
    idea = update(idea, customer, outcomes=[first, second])  # only the outcomes changed
    versions = list(IdeaVersion.objects.filter(idea=idea).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.title for v in versions] == ["Lockers at train stations"] + ["Lockers at every train station"] * 2
    assert versions[2].outcome_codes == sorted([first.code, second.code])
    idea.refresh_from_db()
    assert idea.title == "Lockers at every train station"


@pytest.mark.django_db
def test_the_first_edit_of_an_idea_from_before_versions_keeps_its_original(idea, customer):
    last_saved = idea.updated_at
    update(idea, customer, title="Lockers at every station")
    versions = IdeaVersion.objects.filter(idea=idea).order_by("number")
    assert [(v.number, v.title) for v in versions] == [(1, "Lockers at stations"), (2, "Lockers at every station")]
    assert versions[0].created_at == last_saved


@pytest.mark.django_db
def test_compare_page_shows_the_last_change_word_by_word_and_escapes_the_text(client_for, customer, open_challenge):
    first, second = open_challenge.outcomes.order_by("code")
    idea = create(customer, open_challenge, outcomes=[first])
    update(
        idea,
        customer,
        problem=PROBLEM.replace("the van comes", "the <b>truck</b> comes at noon"),
        outcomes=[second],
    )
    response = client_for(customer).get(reverse("ideas:versions", args=[idea.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "What changed from version 1 to version 2" in page
    assert "the <del>van</del><ins>&lt;b&gt;truck&lt;/b&gt;</ins> comes<ins> at noon</ins>, so" in page
    assert "<b>truck</b>" not in page
    assert f'<del><span class="tag">{first.code}</span>' in page
    assert f'<ins><span class="tag">{second.code}</span>' in page
    assert 'Title <span class="muted">(unchanged)</span>' in page


@pytest.mark.django_db
def test_compare_any_two_versions_and_bad_choices_get_a_message(client_for, customer, open_challenge):
    idea = create(customer, open_challenge, title="Lockers one")
    idea = update(idea, customer, title="Lockers two")
    update(idea, customer, title="Lockers three")
    client = client_for(customer)
    url = reverse("ideas:versions", args=[idea.pk])
    page = client.get(url, {"old": "3", "new": "1"}).content.decode()
    assert "What changed from version 1 to version 3" in page
    assert "<del>one</del><ins>three</ins>" in page
    for params in ({"old": "1", "new": "9"}, {"old": "x", "new": "2"}, {"old": "2", "new": "2"}):
        response = client.get(url, params)
        assert response.status_code == 400
        assert "showing the latest change instead" in response.content.decode()
        assert "What changed from version 2 to version 3" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_versions_are_for_the_author_and_triage_only(as_role, role, customer, open_challenge):
    idea = create(customer, open_challenge)
    response = as_role(role).get(reverse("ideas:versions", args=[idea.pk]))
    assert response.status_code == (200 if role in {"customer", "triage"} else 404)
    detail = as_role(role).get(idea.get_absolute_url()).content.decode()
    assert (reverse("ideas:versions", args=[idea.pk]) in detail) is (role in {"customer", "triage"})


# --- editing and withdrawing ------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_is_refused_once_shortlisted_or_withdrawn(client_for, customer, open_challenge, triage):
    shortlisted = create(customer, open_challenge, title="Lockers for the shortlist")
    services.idea_status_change(idea=shortlisted, to_status=Status.SHORTLISTED, changed_by=triage)
    withdrawn = create(customer, open_challenge, title="Lockers I took back")
    services.idea_withdraw(user=customer, idea=withdrawn)
    client = client_for(customer)
    for idea, message in [(shortlisted, "screening has started"), (withdrawn, "You withdrew this idea")]:
        response = client.post(
            reverse("ideas:edit", args=[idea.pk]), form_data(open_challenge, title="Sneaky change"), follow=True
        )
        assert "can no longer be edited" in response.content.decode()
        assert message in response.content.decode()
        with pytest.raises(services.SubmissionNotAllowed, match="can no longer be edited"):
            update(idea, customer, title="Sneaky change")
        idea.refresh_from_db()
        assert idea.title != "Sneaky change"
        assert IdeaVersion.objects.filter(idea=idea).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("submit", [False, True])
def test_the_author_withdraws_a_draft_or_a_submitted_idea(client_for, customer, open_challenge, submit):
    idea = create(customer, open_challenge, submit=submit)
    submitted_at = idea.submitted_at
    client = client_for(customer)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert reverse("ideas:withdraw", args=[idea.pk]) in page
    assert "Withdraw my idea" in client.get(reverse("ideas:withdraw", args=[idea.pk])).content.decode()
    response = client.post(reverse("ideas:withdraw", args=[idea.pk]), {"reason": "  Alice's idea is better.  "})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.status, idea.submitted_at, idea.decided_at) == (Status.WITHDRAWN, submitted_at, None)
    change = StatusChange.objects.get(idea=idea)
    expected_from = Status.SUBMITTED if submit else Status.DRAFT
    assert (change.from_status, change.to_status, change.changed_by) == (expected_from, Status.WITHDRAWN, customer)
    assert change.reason == "Alice's idea is better."
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "You withdrew this idea" in page
    assert reverse("ideas:withdraw", args=[idea.pk]) not in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "other_customer", "triage", "mentor"])
def test_only_the_author_may_withdraw(as_role, role, idea):
    response = as_role(role).post(reverse("ideas:withdraw", args=[idea.pk]), {"reason": ""}, follow=True)
    if role == "anonymous":
        assert reverse("account_login") in response.redirect_chain[0][0]
    else:
        assert "Only the author can withdraw this idea." in response.content.decode()
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.SHORTLISTED, Status.DECLINED, Status.WITHDRAWN])
def test_withdrawal_is_refused_once_screening_started(client_for, customer, idea, status):
    Idea.objects.filter(pk=idea.pk).update(status=status)
    response = client_for(customer).post(reverse("ideas:withdraw", args=[idea.pk]), {"reason": ""}, follow=True)
    content = response.content.decode()
    assert "can no longer be withdrawn" in content or "already withdrawn" in content
    with pytest.raises(services.WithdrawalNotAllowed):
        services.idea_withdraw(user=customer, idea=idea)
    idea.refresh_from_db()
    assert idea.status == status
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_withdraw_with_a_too_long_reason_shows_a_message_and_changes_nothing(client_for, customer, idea):
    response = client_for(customer).post(reverse("ideas:withdraw", args=[idea.pk]), {"reason": "x" * 1001})
    assert response.status_code == 400
    assert "at most 1,000 characters" in response.content.decode()
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED


@pytest.mark.django_db
def test_a_withdrawn_idea_leaves_the_lists_keeps_its_votes_and_takes_no_more(
    client_for, customer, other_customer, triage, open_challenge, idea
):
    voter = factories.UserFactory()
    services.vote_cast(user=voter, idea=idea, value=Vote.Value.UP)
    services.idea_withdraw(user=customer, idea=idea, reason="Changed my mind")
    idea.refresh_from_db()
    assert (idea.votes_up, Vote.objects.filter(idea=idea).count()) == (1, 1)

    client = client_for(other_customer)
    assert "Lockers at stations" not in client.get(reverse("ideas:list")).content.decode()
    assert "Lockers at stations" not in client.get(open_challenge.get_absolute_url()).content.decode()
    assert client.get(idea.get_absolute_url()).status_code == 404
    assert client.post(reverse("ideas:vote", args=[idea.pk]), {"value": "up"}).status_code == 404
    with pytest.raises(services.VoteNotAllowed):
        services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP)
    with pytest.raises(services.VoteNotAllowed):
        services.vote_withdraw(user=voter, idea=idea)
    assert Vote.objects.filter(idea=idea).count() == 1
    # Its author still finds it among their ideas.
    assert "Lockers at stations" in client_for(customer).get(reverse("ideas:mine")).content.decode()


@pytest.mark.django_db
def test_a_withdrawn_idea_cannot_be_a_merge_target(idea, triage, customer, open_challenge):
    services.idea_withdraw(user=customer, idea=idea)
    duplicate = factories.IdeaFactory(challenge=open_challenge)
    with pytest.raises(services.TransitionNotAllowed, match="another published idea"):
        services.idea_status_change(
            idea=duplicate, to_status=Status.DUPLICATE, changed_by=triage, reason="Same", duplicate_of=idea
        )
    duplicate.refresh_from_db()
    assert duplicate.status == Status.SUBMITTED


# --- similar ideas ----------------------------------------------------------------------------


@pytest.fixture
def lockers(open_challenge):
    return factories.IdeaFactory(challenge=open_challenge, title="Delivery lockers at the train station")


@pytest.fixture
def unrelated(open_challenge):
    return [
        factories.IdeaFactory(challenge=open_challenge, title=title, problem="Planning takes too long every week.")
        for title in (
            "A budget bar that fills up as you shop",
            "Start the list from what we actually ran out of",
            "Train drivers to check chilled bags",
        )
    ]


@pytest.mark.django_db
def test_similar_ideas_find_a_near_duplicate_title_and_not_unrelated_ones(customer, open_challenge, lockers, unrelated):
    found = similar_ideas(user=customer, challenge=open_challenge, text="Lockers at train stations")
    assert found == [lockers]
    assert similar_ideas(user=customer, challenge=open_challenge, text="A weekly budget bar") == [unrelated[0]]
    assert similar_ideas(user=customer, challenge=open_challenge, text="Recipes for one person") == []
    assert similar_ideas(user=customer, challenge=open_challenge, text="Lo") == []


@pytest.mark.django_db
def test_similar_ideas_are_at_most_five_most_similar_first(customer, open_challenge):
    exact = factories.IdeaFactory(challenge=open_challenge, title="Lockers at train stations")
    for number in range(7):
        factories.IdeaFactory(challenge=open_challenge, title=f"Lockers at train stations and bus stops, plan {number}")
    found = similar_ideas(user=customer, challenge=open_challenge, text="Lockers at train stations")
    assert len(found) == 5
    assert found[0] == exact
    assert len(similar_ideas(user=customer, challenge=open_challenge, text="Lockers at train stations", limit=2)) == 2


@pytest.mark.django_db
def test_similar_ideas_never_come_from_another_challenge_or_an_idea_the_user_may_not_see(
    customer, other_customer, triage, open_challenge
):
    text = "Lockers at train stations"
    factories.IdeaFactory(title=text)  # another challenge
    factories.IdeaFactory(challenge=open_challenge, title=text, status=Status.DRAFT, submitted_at=None)
    factories.IdeaFactory(challenge=open_challenge, title=text, status=Status.WITHDRAWN)
    original = factories.IdeaFactory(challenge=open_challenge, title="Lockers at train stations, the original")
    factories.IdeaFactory(challenge=open_challenge, title=text, status=Status.DUPLICATE, duplicate_of=original)
    assert similar_ideas(user=customer, challenge=open_challenge, text=text) == [original]
    assert similar_ideas(user=triage, challenge=open_challenge, text=text) == [original]  # staff: published only
    # The author's own published idea is among them, not when it is the idea being edited.
    own = factories.IdeaFactory(challenge=open_challenge, author=customer, title=text)
    assert similar_ideas(user=customer, challenge=open_challenge, text=text) == [own, original]
    assert similar_ideas(user=customer, challenge=open_challenge, text=text, exclude_id=own.pk) == [original]

    lab = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    lab.invited_members.add(other_customer)
    secret = factories.IdeaFactory(challenge=lab, title=text)
    assert similar_ideas(user=customer, challenge=lab, text=text) == []
    assert similar_ideas(user=other_customer, challenge=lab, text=text) == [secret]


@pytest.mark.django_db
def test_similar_ideas_endpoint_returns_the_panel_for_htmx(client_for, other_customer, open_challenge, lockers):
    client = client_for(other_customer)
    url = reverse("ideas:similar")
    response = client.get(
        url, {"challenge": open_challenge.slug, "title": "Lockers at train stations"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content and 'data-testid="similar-ideas"' in content
    assert lockers.get_absolute_url() in content
    assert reverse("ideas:vote", args=[lockers.pk]) in content and "▲ Up" in content
    empty = client.get(url, {"challenge": open_challenge.slug, "title": "Recipes for one person"}).content.decode()
    assert "No similar ideas in this challenge yet." in empty
    excluded = client.get(
        url, {"challenge": open_challenge.slug, "title": lockers.title, "exclude": str(lockers.pk)}
    ).content.decode()
    assert lockers.get_absolute_url() not in excluded
    bad = client.get(url, {"challenge": open_challenge.slug, "title": lockers.title, "exclude": "9" * 30})
    assert bad.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["no-such-challenge", "lab", ""])
def test_similar_ideas_endpoint_is_404_for_a_challenge_the_user_may_not_see(client_for, customer, slug):
    lab = factories.ChallengeFactory(slug="lab", visibility=Challenge.Visibility.INVITE_ONLY)
    factories.IdeaFactory(challenge=lab, title="Lockers at train stations")
    response = client_for(customer).get(reverse("ideas:similar"), {"challenge": slug, "title": "Lockers"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_similar_ideas_the_submit_form_asks_for_live_suggestions(client_for, customer, open_challenge):
    page = client_for(customer).get(reverse("challenges:submit", args=[open_challenge.slug])).content.decode()
    assert f'hx-get="{reverse("ideas:similar")}"' in page
    assert 'hx-trigger="input changed delay:400ms"' in page
    assert 'hx-include="#similar-context"' in page and f'name="challenge" value="{open_challenge.slug}"' in page
    assert 'id="similar-ideas"' in page


@pytest.mark.django_db
def test_similar_ideas_stop_a_submission_once_then_it_goes_through_when_confirmed(
    client_for, customer, open_challenge, lockers
):
    client = client_for(customer)
    url = reverse("challenges:submit", args=[open_challenge.slug])
    response = client.post(url, form_data(open_challenge))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Before you submit: is your idea already here?" in content
    assert lockers.title in content and "I checked: mine is different" in content
    assert 'value="Lockers at train stations"' in content  # what they typed is still there
    assert Idea.objects.filter(author=customer).count() == 0
    response = client.post(url, form_data(open_challenge, action="submit_different"), follow=True)
    assert "your idea was received" in response.content.decode()
    idea = Idea.objects.get(author=customer)
    assert idea.status == Status.SUBMITTED


@pytest.mark.django_db
def test_similar_ideas_do_not_stop_a_draft_or_a_different_idea(client_for, customer, open_challenge, lockers):
    client = client_for(customer)
    url = reverse("challenges:submit", args=[open_challenge.slug])
    client.post(url, form_data(open_challenge, action="draft"))
    assert Idea.objects.get(author=customer).status == Status.DRAFT
    client.post(url, form_data(open_challenge, title="Recipes scaled for one person"))
    assert Idea.objects.filter(author=customer, status=Status.SUBMITTED).count() == 1


@pytest.mark.django_db
def test_similar_ideas_also_checked_when_a_draft_is_submitted_from_the_edit_page(
    client_for, customer, open_challenge, lockers
):
    draft = create(customer, open_challenge, submit=False)
    client = client_for(customer)
    url = reverse("ideas:edit", args=[draft.pk])
    response = client.post(url, form_data(open_challenge, title="Lockers at train stations, v2"))
    assert "Before you submit" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.title) == (Status.DRAFT, "Lockers at train stations")
    client.post(url, form_data(open_challenge, title="Lockers at train stations, v2", action="submit_different"))
    draft.refresh_from_db()
    assert (draft.status, draft.title) == (Status.SUBMITTED, "Lockers at train stations, v2")
    # The edit page shows the ideas like it, never itself.
    page = client.get(url).content.decode()
    assert lockers.get_absolute_url() in page and f'href="{draft.get_absolute_url()}"' not in page
    # Saving a submitted idea is no submission: no check.
    response = client.post(url, form_data(open_challenge, title="Lockers at train stations, v3", action="save"))
    assert response.status_code == 302


@pytest.mark.django_db
@postgresql_only
def test_similar_ideas_on_postgresql_match_a_problem_that_mentions_every_word(customer, open_challenge):
    match = factories.IdeaFactory(
        challenge=open_challenge, title="Pick up at the commute", problem="We want lockers at each train station."
    )
    factories.IdeaFactory(challenge=open_challenge, title="Pick up at work", problem="Lockers in the office.")
    assert similar_ideas(user=customer, challenge=open_challenge, text="Lockers at train stations") == [match]


@pytest.mark.django_db
@postgresql_only
def test_similar_ideas_have_a_trigram_and_a_full_text_index_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ideas_idea'")
        definitions = dict(cursor.fetchall())
    assert "gin (title gin_trgm_ops)" in definitions["idea_title_trgm"]
    assert "to_tsvector('english'::regconfig, COALESCE(problem, ''::text))" in definitions["idea_problem_fts"]


# --- merging duplicates -----------------------------------------------------------------------


@pytest.mark.django_db
def test_merge_moves_followers_keeping_one_follow_per_member(open_challenge, triage):
    original = create(factories.UserFactory(), open_challenge, title="Lockers at stations")
    duplicate = create(factories.UserFactory(), open_challenge, title="Station lockers")
    both, only_duplicate = factories.UserFactory(), factories.UserFactory()
    for member in (both, only_duplicate):
        services.idea_follow(user=member, idea=duplicate)
    services.idea_follow(user=both, idea=original)
    services.idea_status_change(
        idea=duplicate, to_status=Status.DUPLICATE, changed_by=triage, reason="Same idea", duplicate_of=original
    )
    assert not IdeaFollow.objects.filter(idea=duplicate).exists()
    followers = sorted(IdeaFollow.objects.filter(idea=original).values_list("user_id", flat=True))
    assert followers == sorted([original.author_id, duplicate.author_id, both.pk, only_duplicate.pk])
