"""Benchmark: recomputing opportunity scores against the bare SQL aggregation it is built on.

Loads N ratings (default 2,000,000: 10,000 respondents × 100 outcomes, 5 segments, in each of
2 survey waves of one job) into a PostgreSQL database of its own, then times, in the same run,
(a) the bare GROUP BY that scoring.services.scores runs, executed directly on a cursor, and (b) the
whole recompute (lock, aggregation, formulas, replace the scores table). Prints a Markdown table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ideaportal_bench \
        .venv/bin/python bench/scores.py [--outcomes 100] [--respondents 10000] [--waves 2] [--repeat 7]

The database named in DATABASE_URL is created if missing and its rating tables are replaced.
"""

import argparse
import datetime
import io
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ideaportal_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")


def ensure_database() -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL to a PostgreSQL database.")
    admin = psycopg2.connect(
        dbname="postgres", user=config["USER"], password=config["PASSWORD"], host=config["HOST"], port=config["PORT"]
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


def load(outcomes: int, respondents: int, segments: int, waves: int) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from challenges.models import Job, Outcome, Segment
    from scoring.models import OutcomeScore, Rating, Respondent, SurveyWave

    call_command("migrate", verbosity=0)
    OutcomeScore.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Rating._meta.db_table}, {Respondent._meta.db_table} CASCADE")
    job, _ = Job.objects.get_or_create(name="Benchmark job")
    SurveyWave.objects.filter(job=job).delete()
    now = timezone.now()
    # Earlier rounds closed, the last one open: as a job surveyed every few months looks.
    wave_ids = [
        SurveyWave.objects.create(
            job=job,
            name=f"Wave {n + 1}",
            status="open" if n == waves - 1 else "closed",
            opens_at=now - datetime.timedelta(days=90 * (waves - n)),
            opened_at=now - datetime.timedelta(days=90 * (waves - n)),
        ).pk
        for n in range(waves)
    ]
    outcome_ids = [
        Outcome.objects.get_or_create(code=f"BENCH-{n:03d}", defaults={"job": job, "statement": f"Outcome {n}"})[0].pk
        for n in range(outcomes)
    ]
    segment_ids = [Segment.objects.get_or_create(name=f"Bench segment {n}")[0].pk for n in range(segments)]
    Respondent.objects.bulk_create(
        [Respondent(key=f"bench-{n}", segment_id=segment_ids[n % segments]) for n in range(respondents)],
        batch_size=5000,
    )
    respondent_ids = list(Respondent.objects.filter(key__startswith="bench-").values_list("pk", flat=True))
    rng = random.Random(7)
    started = time.perf_counter()
    raw = connection.cursor().cursor  # psycopg2's own cursor, for COPY
    for chunk_start in range(0, len(respondent_ids), 1000):
        buffer = io.StringIO()
        for wave_id in wave_ids:
            for respondent_id in respondent_ids[chunk_start : chunk_start + 1000]:
                for outcome_id in outcome_ids:
                    bias = outcome_id % 5
                    importance = min(5, max(1, rng.randint(1, 5) + (bias > 2)))
                    satisfaction = min(5, max(1, rng.randint(1, 5) - (bias > 2)))
                    buffer.write(
                        f"{respondent_id}\t{outcome_id}\t{wave_id}\t{importance}\t{satisfaction}\t2026-01-01 00:00:00+00\n"
                    )
        buffer.seek(0)
        raw.copy_expert(
            f"COPY {Rating._meta.db_table} (respondent_id, outcome_id, wave_id, importance, satisfaction, updated_at)"
            " FROM STDIN",
            buffer,
        )
    connection.commit() if not connection.get_autocommit() else None
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Rating._meta.db_table}")
        cursor.execute(f"ANALYZE {Respondent._meta.db_table}")
    total = len(respondent_ids) * len(outcome_ids) * len(wave_ids)
    print(f"loaded {total:,} ratings in {time.perf_counter() - started:.1f} s")
    return total


def timed_pair(first, second, repeat: int) -> tuple[list[float], list[float]]:
    """Time two functions alternately, so that both meet the same load on a shared machine."""
    first(), second()  # warm the caches
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for function, bucket in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            function()
            bucket.append(1000 * (time.perf_counter() - started))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outcomes", type=int, default=100)
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument("--segments", type=int, default=5)
    parser.add_argument("--waves", type=int, default=2, help="survey waves of the job, each rated by every respondent")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--no-load", action="store_true", help="reuse the ratings of the previous run")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.db import connection

    from scoring.services import scores

    if args.no_load:
        from scoring.models import Rating

        ratings = Rating.objects.count()
    else:
        ratings = load(args.outcomes, args.respondents, args.segments, args.waves)
    sql, params = scores._aggregate_ratings_queryset().query.sql_with_params()

    def bare():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    bare_times, recompute_times = timed_pair(bare, scores.scores_recompute, args.repeat)
    bare_median, recompute_median = statistics.median(bare_times), statistics.median(recompute_times)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print()
    print(
        f"{ratings:,} ratings, {args.outcomes} outcomes × {args.segments} segments × {args.waves} waves; "
        f"median of {args.repeat} runs"
    )
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {server}")
    print()
    print("| what | median | min | max |")
    print("| --- | --- | --- | --- |")
    print(
        f"| bare SQL aggregation (GROUP BY wave, outcome, segment) | {bare_median:.0f} ms | {min(bare_times):.0f} ms | {max(bare_times):.0f} ms |"
    )
    print(
        f"| full recompute (lock, aggregation, formulas, replace scores) | {recompute_median:.0f} ms | {min(recompute_times):.0f} ms | {max(recompute_times):.0f} ms |"
    )
    ratio = recompute_median / bare_median
    print(f"| ratio recompute / bare | {ratio:.2f}× (target ≤ 1.5×) | | |")
    sys.exit(0 if ratio <= 1.5 else 1)


if __name__ == "__main__":
    main()
