"""Benchmark: a status change on an idea with 10,000 followers, request side and worker side.

Fills a PostgreSQL database of its own with one idea followed by N members (default 10,000),
then, --repeat times: resets the idea to "submitted" and clears the notifications, and times

(a) the request side: ``idea_status_change`` (shortlist, with a reason) as triage staff, which
    must write the status change and one outbox row, and queue tasks, whatever the follower count;
(b) the worker side, run inline here: ``outbox_event_process`` on that outbox event, which
    creates the notifications in bulk and, after its commit, queues the immediate emails in
    tasks of 200 notifications each;
(c) the first --emails of those email tasks' service (``notification_email_send``) inline, with
    the local-memory email backend: the cost of one send without SMTP (claim, build, send, mark).

Celery runs with eager mode OFF and, by default, the in-memory broker (REDIS_URL is ignored);
with ``--redis URL`` it publishes to that Redis instead, on a queue of its own that no worker
consumes and that is purged and deleted at the end. Queued tasks are counted with
``after_task_publish`` and never run, so (a) and (b) include the cost of publishing but nothing a
worker would then do.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ideaportal_bench_fanout \
        .venv/bin/python bench/notifications_fanout.py [--followers 10000] [--repeat 5] [--emails 200] \
        [--redis redis://127.0.0.1:6379/0]
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ideaportal_bench_fanout")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")
# Never a real broker: 10,000 email tasks must not land on a Redis that a worker consumes.
os.environ["REDIS_URL"] = ""
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

from scores import ensure_database  # noqa: E402 - bench/scores.py, beside this file


def fill(followers: int):
    """The idea, its author, a triage member and the followers; returns (idea, triage)."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import TRIAGE_GROUP, User
    from challenges.models import Challenge, Job, Outcome
    from ideas.models import Idea, IdeaFollow

    call_command("migrate", verbosity=0)
    job, _ = Job.objects.get_or_create(name="Fan-out benchmark job")
    outcome, _ = Outcome.objects.get_or_create(code="FANOUT-1", defaults={"job": job, "statement": "Outcome"})
    challenge, _ = Challenge.objects.get_or_create(
        slug="fanout", defaults={"title": "Fan-out challenge", "brief": "Benchmark", "phase": "review"}
    )
    challenge.outcomes.set([outcome])
    author, _ = User.objects.get_or_create(username="fanout-author", defaults={"email": "fanout-author@example.com"})
    triage, _ = User.objects.get_or_create(username="fanout-triage", defaults={"email": "fanout-triage@example.com"})
    triage.is_staff = True
    triage.save()
    triage.groups.add(Group.objects.get_or_create(name=TRIAGE_GROUP)[0])
    idea = Idea.objects.filter(challenge=challenge, author=author).first()
    if idea is None:
        idea = Idea.objects.create(
            challenge=challenge,
            author=author,
            title="Delivery lockers at train stations",
            problem="Nobody is home when the van comes.",
            solution="Temperature-controlled lockers at stations.",
            status="submitted",
            submitted_at=timezone.now(),
        )
        idea.outcomes.set([outcome])
    started = time.perf_counter()
    User.objects.bulk_create(
        [User(username=f"fan{n}", email=f"fan{n}@example.com") for n in range(followers)],
        ignore_conflicts=True,
        batch_size=5000,
    )
    fan_ids = User.objects.filter(username__startswith="fan", username__regex=r"^fan[0-9]+$").values_list(
        "pk", flat=True
    )
    IdeaFollow.objects.filter(idea=idea).delete()
    IdeaFollow.objects.bulk_create(
        [IdeaFollow(idea=idea, user_id=pk) for pk in fan_ids[:followers]], batch_size=5000, ignore_conflicts=True
    )
    print(f"{IdeaFollow.objects.filter(idea=idea).count():,} followers ready in {time.perf_counter() - started:.1f} s")
    return idea, triage


class Published:
    """Tasks published to the (in-memory) broker, by task name, with the time of each."""

    def __init__(self):
        self.times: list[float] = []
        self.names: dict[str, int] = {}

    def __call__(self, sender=None, **kwargs):
        self.times.append(time.perf_counter())
        self.names[sender] = self.names.get(sender, 0) + 1

    def clear(self):
        self.times.clear()
        self.names.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--emails", type=int, default=200)
    parser.add_argument("--redis", default="", help="publish to this Redis (own queue) instead of memory://")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from ideaportal.celery import app

    queue = f"bench-fanout-{uuid.uuid4().hex[:12]}"
    app.conf.update(task_always_eager=False, broker_url=args.redis or "memory://", task_routes={"*": {"queue": queue}})
    idea, triage = fill(args.followers)
    try:
        run(args, app, idea, triage)
    finally:
        with app.connection_for_write() as broker:
            bound = app.amqp.queues[queue].bind(broker.default_channel)
            bound.declare()
            bound.purge()
            bound.delete()


def run(args, app, idea, triage) -> None:
    from celery.signals import after_task_publish
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ideas.models import Idea, StatusChange
    from ideas.services import idea_status_change
    from notifications.models import Notification, OutboxEvent
    from notifications.services import notification_email_send, outbox_event_process

    published = Published()
    after_task_publish.connect(published, weak=False)

    rows = {"request": [], "worker": [], "queueing": [], "email": []}
    for _ in range(args.repeat):
        Notification.objects.filter(event_key__startswith="status_changed:").delete()
        StatusChange.objects.filter(idea=idea).delete()
        OutboxEvent.objects.all().delete()
        Idea.objects.filter(pk=idea.pk).update(status="submitted", decided_at=None)
        idea.refresh_from_db()
        published.clear()

        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            change = idea_status_change(
                idea=idea, to_status="shortlisted", changed_by=triage, reason="It answers the delivery outcome."
            )
            elapsed = time.perf_counter() - started
        event = OutboxEvent.objects.get(event_key=f"status_changed:{change.pk}")
        assert event.processed_at is None, "the request must not process the event"
        assert not Notification.objects.filter(event_key=event.event_key).exists()
        rows["request"].append((elapsed, len(queries), dict(published.names), 0))

        published.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            created = outbox_event_process(event_id=event.pk)
            elapsed = time.perf_counter() - started
        made = Notification.objects.filter(event_key=event.event_key).count()
        assert made == created == args.followers + 1, (made, created)  # the followers and the author
        rows["worker"].append((elapsed, len(queries), dict(published.names), made))
        if published.times:
            rows["queueing"].append((published.times[-1] - published.times[0], 0, {}, 0))

        ids = list(
            Notification.objects.filter(event_key=event.event_key, delivery="immediately").values_list("pk", flat=True)
        )[: args.emails]
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            sent = sum(notification_email_send(notification_id=pk) for pk in ids)
            elapsed = time.perf_counter() - started
        assert sent == len(ids)
        rows["email"].append((elapsed / len(ids), len(queries) / len(ids), {}, sent))

    def ms(values):
        return f"{1000 * statistics.median(values):.1f} ms | {1000 * min(values):.1f} ms | {1000 * max(values):.1f} ms"

    def tasks(names):
        return ", ".join(f"{count:,} × {name.rsplit('.', 1)[-1]}" for name, count in sorted(names.items())) or "–"

    print()
    broker = "Redis" if args.redis else "in-memory"
    print(f"{args.followers:,} followers; {args.repeat} runs; {broker} broker; machine: {os.cpu_count()} cores")
    print()
    print("| step | median | min | max | queries | notifications created | tasks queued |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    request, worker = rows["request"], rows["worker"]
    print(
        f"| (a) request: `idea_status_change` | {ms([r[0] for r in request])} | {request[-1][1]} | 0 "
        f"| {tasks(request[-1][2])} |"
    )
    print(
        f"| (b) worker: `outbox_event_process` | {ms([r[0] for r in worker])} | {worker[-1][1]} "
        f"| {worker[-1][3]:,} | {tasks(worker[-1][2])} |"
    )
    if rows["queueing"]:
        print(f"| … of which queueing the email tasks (after commit) | {ms([r[0] for r in rows['queueing']])} | | | |")
    email = rows["email"]
    print(
        f"| (c) one `notification_email_send` (locmem backend, first {email[-1][3]}) "
        f"| {ms([r[0] for r in email])} | {email[-1][1]:.0f} | | |"
    )


if __name__ == "__main__":
    main()
