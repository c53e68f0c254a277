"""Row locks lock only the row they mean: ``select_for_update(of=("self",))`` where the lock query joins.

A service that locks an idea and reads its challenge in the same query (``select_related``) must not
lock the challenge row too, or every submission, edit and vote withdrawal of one challenge would queue
behind each other. Each test runs the service in a thread on its own connection inside an open
transaction (so its locks stay held), then asks PostgreSQL from another connection: the idea row is
locked (``FOR UPDATE NOWAIT`` fails), the challenge row is not (``FOR UPDATE NOWAIT`` succeeds).
"""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from challenges.models import Challenge
from ideas import services
from ideas.models import Idea, Status
from tests import factories


def _nowait_locks(table: str, pk: int) -> bool:
    """Whether another transaction holds a row lock on ``table``'s row ``pk`` (asked without waiting)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])
            return False
    except OperationalError as error:
        assert "could not obtain lock" in str(error)
        return True


def _locks_while_held(call, *, idea_pk: int, challenge_pk: int) -> dict[str, bool]:
    """Run ``call()`` in a thread inside a transaction kept open; report which rows it holds locked."""
    done, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run():
        try:
            with transaction.atomic():
                call()
                done.set()
                release.wait(timeout=30)
                transaction.set_rollback(True)  # leave nothing behind: the test only looks at the locks
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
            done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert done.wait(timeout=30), "the service did not finish"
        assert errors == []
        return {
            "idea": _nowait_locks(Idea._meta.db_table, idea_pk),
            "challenge": _nowait_locks(Challenge._meta.db_table, challenge_pk),
        }
    finally:
        release.set()
        thread.join(timeout=30)


@pytest.fixture
def setup(transactional_db):
    challenge = factories.ChallengeFactory()
    author = factories.UserFactory()
    voter = factories.UserFactory()
    idea = factories.IdeaFactory(challenge=challenge, author=author)
    factories.VoteFactory(idea=idea, user=voter)
    Idea.objects.filter(pk=idea.pk).update(votes_up=1)
    return {"idea": idea, "author": author, "voter": voter, "pks": {"idea_pk": idea.pk, "challenge_pk": challenge.pk}}


@pytest.mark.postgresql  # row locks and NOWAIT: SQLite has neither
def test_a_vote_withdrawal_locks_the_idea_row_and_leaves_the_challenge_row_unlocked(setup):
    locks = _locks_while_held(lambda: services.vote_withdraw(user=setup["voter"], idea=setup["idea"]), **setup["pks"])
    assert locks == {"idea": True, "challenge": False}


@pytest.mark.postgresql
@pytest.mark.parametrize("service", ["idea_update", "idea_submit", "idea_withdraw", "vote_cast"])
def test_the_author_and_voter_services_lock_only_the_idea_row(setup, service):
    idea, author = setup["idea"], setup["author"]
    if service == "idea_submit":
        Idea.objects.filter(pk=idea.pk).update(status=Status.DRAFT, submitted_at=None)
        idea.refresh_from_db()
    calls = {
        "idea_update": lambda: services.idea_update(
            idea=idea,
            user=author,
            title="Lockers at every station",
            problem=idea.problem,
            solution=idea.solution,
            outcomes=list(idea.outcomes.all()),
        ),
        "idea_submit": lambda: services.idea_submit(idea=idea, user=author),
        "idea_withdraw": lambda: services.idea_withdraw(user=author, idea=idea),
        "vote_cast": lambda: services.vote_cast(user=setup["voter"], idea=idea, value=-1),
    }
    assert _locks_while_held(calls[service], **setup["pks"]) == {"idea": True, "challenge": False}


@pytest.mark.postgresql
def test_the_check_can_fail_a_lock_on_the_challenge_row_is_seen(setup):
    """The probe is not blind: a query that does lock the joined row is reported as locking it."""
    locks = _locks_while_held(
        lambda: list(Idea.objects.select_for_update().select_related("challenge").filter(pk=setup["idea"].pk)),
        **setup["pks"],
    )
    assert locks == {"idea": True, "challenge": True}
