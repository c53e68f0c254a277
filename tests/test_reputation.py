"""The reputation ledger: awards given once (even in races), no points for one's own content,
the rebuild matching the incremental totals, tiers, and the public points page."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from ideas import services as idea_services
from ideas.models import STATUSES_NEEDING_REASON, Status
from reputation import services
from reputation.models import Kind, ReputationEvent, ReputationTotal
from reputation.services import POINTS, Standing, Tier, tier_for, tier_for_standing
from reputation.tasks import rebuild_reputation
from scoring.services.survey import survey_answers_save
from tests import factories


def total(user) -> ReputationTotal | None:
    return ReputationTotal.objects.filter(user=user).first()


def totals_snapshot():
    return sorted(
        ReputationTotal.objects.values_list("user_id", "points", "ideas_shortlisted", "ideas_won_or_implemented")
    )


def walk_to(idea, statuses, by):
    for status in statuses:
        reason = "Because." if status in STATUSES_NEEDING_REASON else ""
        idea_services.idea_status_change(idea=idea, to_status=status, changed_by=by, reason=reason)


FUNNEL = [
    Status.SHORTLISTED,
    Status.IN_MENTORING,
    Status.FINALIST,
    Status.WINNER,
    Status.IN_PROGRESS,
    Status.IMPLEMENTED,
]


@pytest.mark.django_db
def test_an_award_is_given_once_when_the_service_runs_twice(customer):
    assert services.reputation_award(user=customer, kind=Kind.IDEA_SUBMITTED, object_key="idea:1")
    assert not services.reputation_award(user=customer, kind=Kind.IDEA_SUBMITTED, object_key="idea:1")
    assert ReputationEvent.objects.filter(user=customer).count() == 1
    assert total(customer).points == POINTS[Kind.IDEA_SUBMITTED]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_give_one_event_and_one_increment():
    user = factories.UserFactory()
    barrier = threading.Barrier(6)
    results, errors = [], []

    def award():
        try:
            barrier.wait()
            results.append(services.reputation_award(user=user, kind=Kind.IDEA_WINNER, object_key="idea:7"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=award) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results.count(True) == 1
    assert ReputationEvent.objects.filter(user=user).count() == 1
    assert total(user).points == POINTS[Kind.IDEA_WINNER]
    assert total(user).ideas_won_or_implemented == 1


@pytest.mark.django_db
def test_the_funnel_awards_the_author_at_each_milestone_once(idea, customer, triage):
    walk_to(idea, FUNNEL, triage)
    kinds = set(ReputationEvent.objects.filter(user=customer).values_list("kind", flat=True))
    assert kinds == {Kind.IDEA_SHORTLISTED, Kind.IDEA_FINALIST, Kind.IDEA_WINNER, Kind.IDEA_IMPLEMENTED}
    expected = sum(POINTS[k] for k in kinds)
    assert total(customer).points == expected
    assert not ReputationEvent.objects.filter(user=triage).exists()
    assert tier_for(customer) == Tier.LEAD_INNOVATOR


@pytest.mark.django_db
def test_no_points_for_deciding_on_ones_own_idea(open_challenge, triage):
    own = factories.IdeaFactory(challenge=open_challenge, author=triage)
    walk_to(own, [Status.SHORTLISTED], triage)
    assert not ReputationEvent.objects.filter(user=triage).exists()


@pytest.mark.django_db
def test_submitting_awards_once_and_a_draft_earns_nothing(open_challenge, customer):
    outcomes = list(open_challenge.outcomes.all()[:1])
    draft = idea_services.idea_create(
        author=customer,
        challenge=open_challenge,
        title="T",
        problem="P" * 20,
        solution="S" * 20,
        outcomes=outcomes,
        submit=False,
    )
    assert not ReputationEvent.objects.exists()
    idea_services.idea_submit(idea=draft, user=customer)
    assert list(ReputationEvent.objects.values_list("kind", "object_key")) == [
        (Kind.IDEA_SUBMITTED, f"idea:{draft.pk}")
    ]
    assert tier_for(customer) == Tier.CONTRIBUTOR


@pytest.mark.django_db
def test_kudos_awards_the_comment_author_once_per_giver(idea, customer, other_customer):
    comment = factories.CommentFactory(idea=idea, author=customer)
    idea_services.kudos_give(user=other_customer, comment=comment)
    idea_services.kudos_take_back(user=other_customer, comment=comment)
    idea_services.kudos_give(user=other_customer, comment=comment)
    assert total(customer).points == POINTS[Kind.COMMENT_KUDOS]
    assert not ReputationEvent.objects.filter(user=other_customer).exists()


@pytest.mark.django_db
def test_no_points_for_ones_own_actions_on_ones_own_content(customer):
    assert not services.reputation_award(
        user=customer, kind=Kind.COMMENT_KUDOS, object_key="comment:1/by:x", actor=customer
    )
    assert not ReputationEvent.objects.exists()


@pytest.mark.django_db
def test_completing_a_survey_awards_once_and_a_partial_save_nothing(customer):
    job = factories.JobFactory()
    first, second = factories.OutcomeFactory(job=job), factories.OutcomeFactory(job=job)
    survey_answers_save(user=customer, job=job, answers={first.pk: (3, 3)})
    assert not ReputationEvent.objects.exists()
    for _ in range(2):
        survey_answers_save(user=customer, job=job, answers={first.pk: (3, 3), second.pk: (4, 2)}, complete=True)
    assert list(ReputationEvent.objects.values_list("kind", "object_key")) == [(Kind.SURVEY_COMPLETED, f"job:{job.pk}")]


@pytest.mark.django_db
def test_the_rebuild_task_matches_the_incremental_totals_and_runs_twice(idea, customer, other_customer, triage):
    walk_to(idea, FUNNEL[:3], triage)
    comment = factories.CommentFactory(idea=idea, author=other_customer)
    idea_services.kudos_give(user=customer, comment=comment)
    incremental = totals_snapshot()
    ReputationTotal.objects.update(points=0, ideas_shortlisted=0)
    ReputationTotal.objects.filter(user=other_customer).delete()
    stray = ReputationTotal.objects.create(user=triage, points=99)
    rebuild_reputation.delay()
    rebuild_reputation.delay()
    assert totals_snapshot() == incremental
    assert not ReputationTotal.objects.filter(pk=stray.pk).exists()


@pytest.mark.parametrize(
    "standing, tier",
    [
        (None, Tier.NEWCOMER),
        (Standing(0, 0, 0, 0, 0), Tier.NEWCOMER),
        (Standing(5, 0, 0, 0, 1), Tier.CONTRIBUTOR),
        (Standing(500, 0, 0, 0, 99), Tier.CONTRIBUTOR),  # the top scorer of 99 is not in "the top 1%"
        (Standing(500, 0, 0, 0, 100), Tier.LEAD_INNOVATOR),  # ... of 100 it is
        (Standing(500, 0, 0, 1, 100), Tier.CONTRIBUTOR),
        (Standing(500, 0, 0, 1, 200), Tier.LEAD_INNOVATOR),
        (Standing(25, 1, 0, 5, 10), Tier.INNOVATOR),
        (Standing(125, 1, 1, 5, 10), Tier.LEAD_INNOVATOR),
    ],
)
def test_tier_boundaries(standing, tier):
    assert tier_for_standing(standing) == tier


@pytest.mark.django_db
def test_standing_counts_members_above_and_ranked(customer, other_customer, triage):
    services.reputation_award(user=customer, kind=Kind.IDEA_SUBMITTED, object_key="idea:1")
    services.reputation_award(user=other_customer, kind=Kind.IDEA_SHORTLISTED, object_key="idea:2")
    standing = services.standing_for(customer)
    assert (standing.points, standing.members_above, standing.members_ranked) == (5, 1, 2)
    assert services.standing_for(triage) is None


@pytest.mark.django_db
def test_the_points_page_is_public_and_shows_the_table(client):
    response = client.get(reverse("reputation:points"))
    assert response.status_code == 200
    content = response.content.decode()
    for kind, points in POINTS.items():
        assert str(Kind(kind).label) in content
        assert f"<td>{points}</td>" in content
    assert "Lead innovator" in content


@pytest.mark.django_db
def test_the_idea_page_shows_the_authors_tier_badge(client_for, idea, triage, other_customer):
    walk_to(idea, [Status.SHORTLISTED], triage)
    content = client_for(other_customer).get(idea.get_absolute_url()).content.decode()
    assert 'aria-label="Reputation tier: innovator"' in content
