"""The funnel as a whole: every (from, to) pair of statuses, the reasons it demands, duplicates, the
admin's bulk action over a mix of ideas, and who may move an idea at all."""

import itertools

import pytest
from django.contrib.messages import ERROR, SUCCESS
from django.urls import reverse

from ideas import services
from ideas.models import STATUSES_NEEDING_REASON, Idea, Status, StatusChange
from tests import factories
from tests.decisions import expected_for

CHANGELIST_URL = reverse("admin:ideas_idea_changelist")
ALLOWED_PAIRS = {(source, target) for source, targets in services.TRANSITIONS.items() for target in targets}
ALL_PAIRS = list(itertools.product(Status.values, Status.values))


def idea_in(status: str, challenge=None, **fields) -> Idea:
    """An idea of ``challenge`` already in ``status``, consistent with the model's constraints."""
    challenge = challenge or factories.ChallengeFactory()
    if status == Status.DUPLICATE:
        fields.setdefault("duplicate_of", factories.IdeaFactory(challenge=challenge))
    if status in {Status.DRAFT, Status.WITHDRAWN}:
        fields.setdefault("submitted_at", None)
    return factories.IdeaFactory(challenge=challenge, status=status, **fields)


def assert_unchanged(idea: Idea, status: str) -> None:
    idea.refresh_from_db()
    assert idea.status == status
    assert idea.decided_at is None
    assert not StatusChange.objects.filter(idea=idea).exists()


def test_the_table_covers_every_status():
    # Every status is either a source in the table or a dead end; no target is outside the choices.
    assert set(services.TRANSITIONS) <= set(Status.values)
    assert {target for _, target in ALLOWED_PAIRS} <= set(Status.values)
    assert len(ALL_PAIRS) == len(Status.values) ** 2


@pytest.mark.django_db
@pytest.mark.parametrize("from_status,to_status", ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_transition_table(triage, from_status, to_status):
    """Exactly the pairs in TRANSITIONS succeed; every other pair is refused and changes nothing."""
    idea = idea_in(from_status)
    # A published original in the same challenge, for the duplicate steps.
    original = factories.IdeaFactory(challenge=idea.challenge) if to_status == Status.DUPLICATE else None
    if (from_status, to_status) in ALLOWED_PAIRS:
        change = services.idea_status_change(
            idea=idea, to_status=to_status, changed_by=triage, reason="Because.", duplicate_of=original
        )
        idea.refresh_from_db()
        assert idea.status == to_status
        assert idea.decided_at is not None
        assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
            from_status,
            to_status,
            "Because.",
            triage,
        )
        assert StatusChange.objects.filter(idea=idea).count() == 1
        assert idea.duplicate_of == original
    else:
        duplicate_of_before = idea.duplicate_of_id
        with pytest.raises(services.TransitionNotAllowed, match="cannot become"):
            services.idea_status_change(
                idea=idea, to_status=to_status, changed_by=triage, reason="Because.", duplicate_of=original
            )
        assert_unchanged(idea, from_status)
        assert idea.duplicate_of_id == duplicate_of_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "from_status,to_status", sorted(ALLOWED_PAIRS), ids=[f"{a}->{b}" for a, b in sorted(ALLOWED_PAIRS)]
)
def test_reasons_are_required_exactly_where_the_author_must_get_one(triage, from_status, to_status):
    idea = idea_in(from_status)
    original = factories.IdeaFactory(challenge=idea.challenge) if to_status == Status.DUPLICATE else None
    if to_status in STATUSES_NEEDING_REASON:
        for blank in ("", "   \n "):
            with pytest.raises(services.TransitionNotAllowed, match="reason"):
                services.idea_status_change(
                    idea=idea, to_status=to_status, changed_by=triage, reason=blank, duplicate_of=original
                )
            assert_unchanged(idea, from_status)
    else:
        change = services.idea_status_change(idea=idea, to_status=to_status, changed_by=triage, duplicate_of=original)
        assert change.reason == ""
        idea.refresh_from_db()
        assert idea.status == to_status


@pytest.mark.django_db
def test_the_reason_is_stored_trimmed(triage):
    idea = idea_in(Status.SUBMITTED)
    change = services.idea_status_change(
        idea=idea, to_status=Status.DECLINED, changed_by=triage, reason="  Out of scope.  \n"
    )
    assert change.reason == "Out of scope."


@pytest.mark.django_db
@pytest.mark.parametrize("target_kind", ["none", "itself", "other_challenge", "draft", "duplicate", "withdrawn"])
def test_a_duplicate_needs_a_published_original_of_the_same_challenge(triage, target_kind):
    challenge = factories.ChallengeFactory()
    idea = idea_in(Status.SUBMITTED, challenge)
    voter = factories.UserFactory()
    factories.VoteFactory(idea=idea, user=voter)
    Idea.objects.filter(pk=idea.pk).update(votes_up=1)
    target = {
        "none": lambda: None,
        "itself": lambda: idea,
        "other_challenge": lambda: factories.IdeaFactory(),
        "draft": lambda: idea_in(Status.DRAFT, challenge),
        "duplicate": lambda: idea_in(Status.DUPLICATE, challenge),
        "withdrawn": lambda: idea_in(Status.WITHDRAWN, challenge),
    }[target_kind]()
    with pytest.raises(services.TransitionNotAllowed):
        services.idea_status_change(
            idea=idea, to_status=Status.DUPLICATE, changed_by=triage, reason="Same idea.", duplicate_of=target
        )
    assert_unchanged(idea, Status.SUBMITTED)
    idea.refresh_from_db()
    assert idea.duplicate_of is None and idea.votes_up == 1
    assert idea.votes.count() == 1  # nothing was merged


@pytest.mark.django_db
def test_a_duplicate_is_merged_into_its_original(triage):
    challenge = factories.ChallengeFactory()
    original = idea_in(Status.SHORTLISTED, challenge)
    copy = idea_in(Status.SUBMITTED, challenge)
    factories.VoteFactory(idea=copy)
    Idea.objects.filter(pk=copy.pk).update(votes_up=1)
    services.idea_status_change(
        idea=copy, to_status=Status.DUPLICATE, changed_by=triage, reason="Same idea.", duplicate_of=original
    )
    copy.refresh_from_db()
    original.refresh_from_db()
    assert (copy.status, copy.duplicate_of, copy.votes_up) == (Status.DUPLICATE, original, 0)
    assert original.votes_up == 1


# --- Who may change a status --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,allowed",
    [
        ("author", False),
        ("other_customer", False),
        ("mentor", False),
        ("plain_staff", False),
        ("inactive_triage", False),
        ("triage", True),
        ("superuser", True),
    ],
)
def test_only_triage_staff_change_a_status(idea, customer, other_customer, mentor, triage, role, allowed):
    users = {
        "author": lambda: customer,
        "other_customer": lambda: other_customer,
        "mentor": lambda: mentor,
        "plain_staff": lambda: factories.UserFactory(is_staff=True),
        "inactive_triage": lambda: factories.TriageFactory(is_active=False),
        "triage": lambda: triage,
        "superuser": lambda: factories.UserFactory(is_staff=True, is_superuser=True),
    }
    user = users[role]()
    if allowed:
        services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=user)
        idea.refresh_from_db()
        assert idea.status == Status.SHORTLISTED
    else:
        with pytest.raises(services.TransitionNotAllowed, match="Only triage staff"):
            services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=user, reason="Yes")
        assert_unchanged(idea, Status.SUBMITTED)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["author", "mentor", "plain_staff"])
def test_customers_and_mentors_cannot_run_the_admin_action(client_for, idea, customer, mentor, role):
    user = {"author": customer, "mentor": mentor, "plain_staff": factories.UserFactory(is_staff=True)}[role]
    client = client_for(user)
    response = run_action(client, [idea], to_status="shortlisted", reason="Me!")
    assert response.status_code in (200, 302, 403)
    assert_unchanged(idea, Status.SUBMITTED)
    response = client.get(reverse("admin:ideas_idea_change_status", args=[idea.pk]))
    assert response.status_code in (302, 403)


# --- The admin's bulk action over a mix ---------------------------------------------------------


def run_action(client, ideas, **form):
    """Post the "Change status…" action the way its intermediate page does."""
    data = {
        "action": "change_status",
        "_selected_action": [idea.pk for idea in ideas],
        "apply": "Change status",
        "expected_status": expected_for(ideas),
    }
    data.update(form)
    return client.post(CHANGELIST_URL, data, follow=True)


def messages_of(response):
    return [(message.level, str(message)) for message in response.context["messages"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "to_status",
    [Status.DECLINED, Status.NOT_SELECTED, Status.SHORTLISTED, Status.WINNER, Status.IMPLEMENTED],
)
def test_bulk_action_applies_the_valid_ideas_and_names_each_refused_one(client_for, triage, to_status):
    """One idea in every status, selected together: exactly the ones the table allows move."""
    challenge = factories.ChallengeFactory()
    ideas = {status: idea_in(status, challenge, title=f"Idea that is {status}") for status in Status.values}
    response = run_action(client_for(triage), list(ideas.values()), to_status=to_status, reason="Decided today.")
    assert response.redirect_chain[-1][0] == CHANGELIST_URL

    movable = {status for status, target in ALLOWED_PAIRS if target == to_status}
    assert movable, "each status tried here is reachable from somewhere"
    for status, idea in ideas.items():
        idea.refresh_from_db()
        if status in movable:
            assert idea.status == to_status
            change = StatusChange.objects.get(idea=idea)
            assert (change.from_status, change.to_status, change.reason) == (status, to_status, "Decided today.")
        else:
            assert idea.status == status
            assert not StatusChange.objects.filter(idea=idea).exists()

    messages = messages_of(response)
    errors = [text for level, text in messages if level == ERROR]
    successes = [text for level, text in messages if level == SUCCESS]
    refused = [idea for status, idea in ideas.items() if status not in movable]
    assert len(errors) == len(refused)
    for idea in refused:
        assert sum(f"“{idea.title}” was not changed" in text for text in errors) == 1
    assert len(successes) == 1
    label = Status(to_status).label.lower()
    assert f"{len(movable)} idea{'s' if len(movable) != 1 else ''} now {label}" in successes[0]
    for status in movable:
        assert ideas[status].title in successes[0]


@pytest.mark.django_db
def test_bulk_action_without_a_needed_reason_changes_none(client_for, triage):
    challenge = factories.ChallengeFactory()
    ideas = [idea_in(Status.SUBMITTED, challenge), idea_in(Status.SHORTLISTED, challenge)]
    response = run_action(client_for(triage), ideas, to_status="declined", reason="  ")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    for idea, status in zip(ideas, [Status.SUBMITTED, Status.SHORTLISTED], strict=True):
        assert_unchanged(idea, status)
