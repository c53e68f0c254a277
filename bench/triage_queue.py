"""Benchmark: the staff triage queue (Django admin) with 100,000 ideas.

Fills a PostgreSQL database of its own with N ideas (default 100,000) by 5,000 authors over 10
challenges, spread over the funnel's statuses and the last 90 days, then requests the queue's
pages in-process through Django's test client as a triage member: the default page, the overdue
filter, a challenge filter, and a search. Prints time per page (median of --repeat) and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ideaportal_bench_queue \
        .venv/bin/python bench/triage_queue.py [--ideas 100000] [--repeat 9]
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ideaportal_bench_queue")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")

from scores import ensure_database  # noqa: E402 - bench/scores.py, beside this file


def _bench_pages():
    """bench/pages.py by its path: the project's ``pages`` app, first on sys.path, has the same name."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_pages", Path(__file__).with_name("pages.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


time_pages = _bench_pages().time_pages


def fill(ideas: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from challenges.models import Challenge, Job, Outcome
    from ideas.models import Idea, Status

    call_command("migrate", verbosity=0)
    if Idea.objects.count() >= ideas:
        print(f"reusing {Idea.objects.count():,} ideas")
        survey(list(Outcome.objects.filter(code__startswith="Q-").order_by("code")))
        return
    rng = random.Random(3)
    job, _ = Job.objects.get_or_create(name="Queue benchmark job")
    outcomes = [
        Outcome.objects.get_or_create(code=f"Q-{n:02d}", defaults={"job": job, "statement": f"Outcome {n}"})[0]
        for n in range(20)
    ]
    challenges = []
    for n in range(10):
        challenge, _ = Challenge.objects.get_or_create(
            slug=f"queue-{n}", defaults={"title": f"Queue challenge {n}", "brief": "Benchmark", "phase": "review"}
        )
        challenge.outcomes.set(outcomes[n * 2 : n * 2 + 2])
        challenges.append(challenge)
    User.objects.bulk_create(
        [User(username=f"queue{n}", email=f"queue{n}@example.com") for n in range(5000)],
        ignore_conflicts=True,
        batch_size=2000,
    )
    authors = list(User.objects.filter(username__startswith="queue").values_list("pk", flat=True))
    statuses = [Status.SUBMITTED] * 6 + [Status.SHORTLISTED, Status.DECLINED, Status.NOT_SELECTED, Status.IN_MENTORING]
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for n in range(ideas):
        submitted = now - timedelta(days=rng.uniform(0, 90))
        status = rng.choice(statuses)
        up, down = rng.randint(0, 40), rng.randint(0, 8)
        batch.append(
            Idea(
                challenge=rng.choice(challenges),
                author_id=rng.choice(authors),
                title=f"Idea number {n} about deliveries",
                problem="A problem worth solving for many households.",
                solution="A solution that might work.",
                status=status,
                submitted_at=submitted,
                decided_at=None if status == Status.SUBMITTED else submitted + timedelta(days=3),
                votes_up=up,
                votes_down=down,
                rank_top=rng.random(),
                rank_opportunity=rng.uniform(0, 20),
            )
        )
        if len(batch) == 5000:
            Idea.objects.bulk_create(batch)
            batch = []
    Idea.objects.bulk_create(batch)
    through = Idea.outcomes.through
    rows = [
        through(idea_id=idea_id, outcome_id=outcomes[rng.randrange(20)].pk)
        for idea_id in Idea.objects.values_list("pk", flat=True)
    ]
    through.objects.bulk_create(rows, batch_size=10000, ignore_conflicts=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    survey(outcomes)
    print(f"created {ideas:,} ideas in {time.perf_counter() - started:.0f} s")


def survey(outcomes) -> None:
    """Scores for the outcomes, so the demand-against-need flags have a need to read: 60 respondents in
    two segments, outcome n's importance and satisfaction spread from overserved to extremely
    underserved (issue 20 B's pages)."""
    from challenges.models import Segment
    from scoring.models import Rating, Respondent
    from scoring.services.scores import scores_recompute

    if Rating.objects.filter(outcome__in=outcomes).exists():
        return
    segments = [Segment.objects.get_or_create(name=name)[0] for name in ("Bench customers", "Bench lapsed")]
    people = Respondent.objects.bulk_create(
        [Respondent(key=f"queue-bench-{n}", segment=segments[n % 2]) for n in range(60)]
    )
    Rating.objects.bulk_create(
        [
            Rating(
                respondent=person,
                outcome=outcome,
                importance=5 if (n * 7 + i) % 20 < 10 + i // 2 else 2,
                satisfaction=4 if (n * 3 + i) % 20 < 16 - i * 3 // 4 else 1,
            )
            for i, outcome in enumerate(outcomes)
            for n, person in enumerate(people)
        ]
    )
    scores_recompute()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.test import Client

    from accounts.models import User
    from challenges.models import Challenge

    fill(args.ideas)
    admin, _ = User.objects.get_or_create(username="queue-admin", defaults={"email": "queue-admin@example.com"})
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    challenge = Challenge.objects.filter(slug="queue-3").first()
    pages = {
        "queue, first page": "/admin/reviews/triageidea/",
        "overdue only": "/admin/reviews/triageidea/?overdue=yes",
        "one challenge": f"/admin/reviews/triageidea/?challenge__id__exact={challenge.pk}",
        "search": "/admin/reviews/triageidea/?q=number+4242",
        "page 50": "/admin/reviews/triageidea/?p=50",
        "demand flag: either": "/admin/reviews/triageidea/?demand=any",
        "demand flag: needed": "/admin/reviews/triageidea/?demand=needed_unnoticed",
        "sorted by demand · need": "/admin/reviews/triageidea/?o=6",
        "board of one challenge": f"/admin/reviews/triageidea/board/{challenge.pk}/",
        "board, flagged first": f"/admin/reviews/triageidea/board/{challenge.pk}/?demand=any&sort=demand",
        "gap grid": f"/admin/reviews/triageidea/board/{challenge.pk}/gaps/",
    }
    time_pages(client, pages, repeat=args.repeat, title=f"{args.ideas:,} ideas")


if __name__ == "__main__":
    main()
