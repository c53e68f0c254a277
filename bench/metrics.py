"""Benchmark: the staff program-metrics page with 100,000 ideas.

Fills a PostgreSQL database of its own (one SQL statement each) with N ideas (default 100,000) by
50 authors over 10 challenges, a fifth in each of five statuses, submitted over 180 days, with a
staff status change for every idea past "submitted"; then requests `/metrics/` overall and for one
challenge in-process through Django's test client as a superuser. Prints time and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ideaportal_bench_metrics \
        .venv/bin/python bench/metrics.py [--ideas 100000] [--repeat 5]
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ideaportal_bench_metrics")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")

from scores import ensure_database  # noqa: E402 - bench/scores.py, beside this file

from pages import time_pages  # noqa: E402 - bench/pages.py, beside this file


def fill(ideas: int):
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from challenges.models import Challenge
    from ideas.models import Idea

    call_command("migrate", verbosity=0)
    admin, _ = User.objects.get_or_create(username="metrics-admin", defaults={"email": "metrics-admin@example.com"})
    admin.is_staff = admin.is_superuser = True
    admin.save()
    if Idea.objects.count() >= ideas:
        print(f"reusing {Idea.objects.count():,} ideas")
        return admin
    challenges = [
        Challenge.objects.get_or_create(
            slug=f"metrics-{n}", defaults={"title": f"Metrics challenge {n}", "brief": "Benchmark", "phase": "review"}
        )[0].pk
        for n in range(10)
    ]
    authors = [
        User.objects.get_or_create(username=f"metrics{n}", defaults={"email": f"metrics{n}@example.com"})[0].pk
        for n in range(50)
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO ideas_idea (challenge_id, author_id, title, problem, solution, status, votes_up, votes_down,
                comments_count, rank_top, rank_trending, rank_opportunity, screenings_count, created_at, updated_at,
                submitted_at)
            SELECT (%s::bigint[])[1 + g %% 10], (%s::bigint[])[1 + g %% 50], 'Idea ' || g, 'p', 's',
                (ARRAY['submitted', 'shortlisted', 'declined', 'implemented', 'not_selected'])[1 + g %% 5],
                0, 0, 0, 0, 0, 0, 0, now(), now(), now() - (g %% 180) * interval '1 day'
            FROM generate_series(1, %s) g
            """,
            [challenges, authors, ideas],
        )
        cursor.execute(
            """
            INSERT INTO ideas_statuschange (idea_id, from_status, to_status, changed_by_id, reason, created_at)
            SELECT id, 'submitted', status, %s, 'Benchmark', submitted_at + (id %% 20) * interval '1 day'
            FROM ideas_idea WHERE status <> 'submitted'
            """,
            [admin.pk],
        )
        cursor.execute("ANALYZE")
    print(f"created {ideas:,} ideas in {time.perf_counter() - started:.0f} s")
    return admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.test import Client

    admin = fill(args.ideas)
    client = Client()
    client.force_login(admin)
    pages = {"overall": "/metrics/", "one challenge": "/metrics/?challenge=metrics-3"}
    time_pages(client, pages, repeat=args.repeat, title=f"{args.ideas:,} ideas")


if __name__ == "__main__":
    main()
