"""The writes of ideas.services: votes, submissions, comments and the funnel."""

import threading

import pytest
from django.db import close_old_connections, connection

from challenges.models import Challenge
from ideas import services
from ideas.models import Comment, Idea, Status, StatusChange, Vote
from tests import factories


@pytest.mark.django_db
def test_vote_change_and_withdraw_keep_counters_exact(idea, other_customer):
    idea = services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP)
    assert (idea.votes_up, idea.votes_down) == (1, 0)
    idea = services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP)  # same vote again: no change
    assert (idea.votes_up, idea.votes_down) == (1, 0)
    idea = services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.DOWN)
    assert (idea.votes_up, idea.votes_down) == (0, 1)
    idea = services.vote_withdraw(user=other_customer, idea=idea)
    assert (idea.votes_up, idea.votes_down) == (0, 0)
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_no_vote_on_ones_own_idea(idea, customer):
    with pytest.raises(services.VoteNotAllowed, match="your own idea"):
        services.vote_cast(user=customer, idea=idea, value=Vote.Value.UP)
    assert not Vote.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("phase,allowed", [("open", True), ("review", True), ("mentoring", False), ("closed", False)])
def test_votes_only_in_phases_that_allow_them(other_customer, phase, allowed):
    idea = factories.IdeaFactory(challenge=factories.ChallengeFactory(phase=phase))
    if allowed:
        assert services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP).votes_up == 1
    else:
        with pytest.raises(services.VoteNotAllowed, match="Voting is closed"):
            services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP)
        assert not Vote.objects.exists()


def _backend_waiting_on_a_lock(query_fragment: str) -> bool:
    """Whether another connection of this database waits on a row lock in a query containing the fragment."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND wait_event_type = 'Lock' AND query ILIKE %s",
            [f"%{query_fragment}%"],
        )
        return cursor.fetchone()[0] > 0


class _RowLockHolder(threading.Thread):
    """Holds FOR UPDATE on one row, in a transaction of its own connection, until released."""

    def __init__(self, model, pk):
        super().__init__(daemon=True)
        self.model, self.pk = model, pk
        self.holding, self.release = threading.Event(), threading.Event()

    def run(self):
        from django.db import transaction

        try:
            with transaction.atomic():
                self.model.objects.select_for_update().get(pk=self.pk)
                self.holding.set()
                self.release.wait(30)
        finally:
            connection.close()


def _in_thread(function, outcome: dict) -> threading.Thread:
    def run():
        try:
            outcome["result"] = function()
        except Exception as error:  # noqa: BLE001 - reported by the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_vote_takes_the_ideas_row_lock_before_it_reads_the_members_vote():
    """The 50-voter race passes on F() and the unique constraint alone; this shows the lock itself.
    While another transaction holds the idea's row, the vote waits in its SELECT … FOR UPDATE, before
    reading the member's vote (without that lock it would read, insert and wait only at the UPDATE)."""
    from tests.celery_worker import wait_until

    idea, voter = factories.IdeaFactory(), factories.UserFactory()
    holder = _RowLockHolder(Idea, idea.pk)
    holder.start()
    assert holder.holding.wait(10)
    outcome = {}
    voting = _in_thread(lambda: services.vote_cast(user=voter, idea=idea, value=Vote.Value.UP), outcome)
    try:
        # A plain SELECT never waits on a lock in PostgreSQL: one that does is the locking read. (The
        # query's text is cut at track_activity_query_size, so "FOR UPDATE" at its end may not show.)
        wait_until(lambda: _backend_waiting_on_a_lock('SELECT "ideas_idea".%'), "the vote to wait on the lock")
        assert voting.is_alive() and not outcome
    finally:
        holder.release.set()
        holder.join(10)
        voting.join(10)
    assert "error" not in outcome, outcome
    idea.refresh_from_db()
    assert (idea.votes_up, Vote.objects.filter(idea=idea).count()) == (1, 1)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["cast", "withdraw"])
def test_a_vote_locks_the_idea_alone_not_its_challenge(action):
    """Votes on one challenge's ideas must not queue behind a lock on the challenge row (a phase move,
    a submission): the lock query joins the challenge but locks only the idea (FOR UPDATE OF)."""
    idea, voter = factories.IdeaFactory(), factories.UserFactory()
    # Up first: an up-vote's reputation event references the challenge (its foreign-key check takes a
    # KEY SHARE lock there), so the locked moment below casts a down-vote, which touches no challenge row.
    services.vote_cast(user=voter, idea=idea, value=Vote.Value.UP)
    holder = _RowLockHolder(Challenge, idea.challenge_id)
    holder.start()
    assert holder.holding.wait(10)
    outcome = {}
    if action == "cast":
        voting = _in_thread(lambda: services.vote_cast(user=voter, idea=idea, value=Vote.Value.DOWN), outcome)
    else:
        voting = _in_thread(lambda: services.vote_withdraw(user=voter, idea=idea), outcome)
    try:
        voting.join(10)  # a positive condition: it finishes while the challenge row is still held
        assert not voting.is_alive(), "the vote waited for the challenge's row lock"
    finally:
        holder.release.set()
        holder.join(10)
        voting.join(10)
    assert "error" not in outcome, outcome


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_votes_leave_exact_totals():
    """Real threads, each with its own database connection, voting on one idea at once."""
    idea = factories.IdeaFactory()
    voters = factories.UserFactory.create_batch(50)
    errors = []
    barrier = threading.Barrier(len(voters))

    def vote(user, value):
        try:
            barrier.wait()
            services.vote_cast(user=user, idea=idea, value=value)
            services.vote_cast(user=user, idea=idea, value=value)  # a double click
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=vote, args=(user, Vote.Value.UP if index % 5 else Vote.Value.DOWN))
        for index, user in enumerate(voters)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    idea.refresh_from_db()
    assert (idea.votes_up, idea.votes_down) == (40, 10)
    assert Vote.objects.filter(idea=idea).count() == 50


@pytest.mark.django_db
def test_submit_and_draft(customer, open_challenge):
    outcome = open_challenge.outcomes.first()
    draft = services.idea_create(
        author=customer, challenge=open_challenge, title="Lockers", problem="p" * 30, solution="s" * 30,
        outcomes=[outcome], submit=False,
    )  # fmt: skip
    assert draft.status == Status.DRAFT and draft.submitted_at is None
    submitted = services.idea_submit(idea=draft, user=customer)
    assert submitted.status == Status.SUBMITTED and submitted.submitted_at is not None
    with pytest.raises(services.SubmissionNotAllowed, match="already been submitted"):
        services.idea_submit(idea=draft, user=customer)


@pytest.mark.django_db
def test_submission_refused_outside_open_phase_or_for_foreign_outcomes(customer, open_challenge):
    foreign = factories.OutcomeFactory()
    with pytest.raises(services.SubmissionNotAllowed, match="outcomes its challenge targets"):
        services.idea_create(
            author=customer, challenge=open_challenge, title="Lockers", problem="p" * 30, solution="s" * 30,
            outcomes=[foreign],
        )  # fmt: skip
    Challenge.objects.filter(pk=open_challenge.pk).update(phase="review")
    open_challenge.refresh_from_db()
    with pytest.raises(services.SubmissionNotAllowed, match="not taking ideas"):
        services.idea_create(
            author=customer, challenge=open_challenge, title="Lockers", problem="p" * 30, solution="s" * 30,
            outcomes=open_challenge.outcomes.all(),
        )  # fmt: skip
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_comment_create_counts_and_refuses_empty(idea, other_customer):
    services.comment_create(author=other_customer, idea=idea, body="  Good one  ")
    with pytest.raises(services.CommentNotAllowed):
        services.comment_create(author=other_customer, idea=idea, body="   ")
    idea.refresh_from_db()
    assert idea.comments_count == 1
    assert Comment.objects.get().body == "Good one"


@pytest.mark.django_db
def test_status_change_follows_the_funnel_and_records_the_reason(idea, triage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        change = services.idea_status_change(
            idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Strong fit"
        )
    # One: the notifications outbox (the author's email among them), queued only after commit.
    assert len(callbacks) == 1
    idea.refresh_from_db()
    assert idea.status == Status.SHORTLISTED and idea.decided_at is not None
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        "submitted", "shortlisted", triage, "Strong fit",
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("to_status", [Status.WINNER, Status.IMPLEMENTED, Status.FINALIST, Status.DRAFT])
def test_transition_the_funnel_does_not_allow_changes_nothing(idea, triage, to_status):
    with pytest.raises(services.TransitionNotAllowed, match="cannot become"):
        services.idea_status_change(idea=idea, to_status=to_status, changed_by=triage, reason="Because")
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_decline_needs_a_reason_and_customers_cannot_change_status(idea, triage, other_customer):
    with pytest.raises(services.TransitionNotAllowed, match="reason"):
        services.idea_status_change(idea=idea, to_status=Status.DECLINED, changed_by=triage, reason="  ")
    with pytest.raises(services.TransitionNotAllowed, match="Only triage staff"):
        services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=other_customer)
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED


@pytest.mark.django_db
def test_merge_moves_votes_keeping_one_vote_per_member_and_comments_stay(open_challenge, triage):
    original = factories.IdeaFactory(challenge=open_challenge)
    duplicate = factories.IdeaFactory(challenge=open_challenge)
    both, only_duplicate = factories.UserFactory(), factories.UserFactory()
    for voter in (both, only_duplicate):
        services.vote_cast(user=voter, idea=duplicate, value=Vote.Value.UP)
    services.vote_cast(user=both, idea=original, value=Vote.Value.DOWN)
    services.comment_create(author=both, idea=duplicate, body="Same as the other one")

    services.idea_status_change(
        idea=duplicate, to_status=Status.DUPLICATE, changed_by=triage, reason="Same idea", duplicate_of=original
    )
    original.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == Status.DUPLICATE and duplicate.duplicate_of == original
    # Comments stay on the duplicate's page (issue 16: the merge preview says "K comments stay").
    assert (original.votes_up, original.votes_down, original.comments_count) == (1, 1, 0)
    assert (duplicate.votes_up, duplicate.votes_down, duplicate.comments_count) == (0, 0, 1)
    assert Vote.objects.get(idea=original, user=both).value == Vote.Value.DOWN  # kept their own vote


@pytest.mark.django_db
def test_idea_walks_the_whole_funnel(idea, triage):
    path = [
        Status.SHORTLISTED, Status.IN_MENTORING, Status.FINALIST, Status.WINNER, Status.IN_PROGRESS, Status.IMPLEMENTED,
    ]  # fmt: skip
    for to_status in path:
        services.idea_status_change(idea=idea, to_status=to_status, changed_by=triage, reason=f"Now {to_status}")
    idea.refresh_from_db()
    assert idea.status == Status.IMPLEMENTED
    assert idea.status_changes.count() == len(path)
