"""``manage.py seed_scale``: a large, realistic data set for load tests, written with PostgreSQL COPY.

Full size (the defaults): 100,000 members, 50 challenges, 200,000 ideas, 2,000,000 votes,
500,000 comments and 1,000,000 outcome ratings, plus what they imply (jobs, outcomes, segments,
selection criteria, idea outcomes, versions, follows, status changes, respondents, reputation).
Every size is an option; ``--seed`` fixes the random choices.

PostgreSQL only: COPY does not exist on SQLite, and the sizes this is for would take hours
through the ORM there. It refuses a database that already has ideas unless ``--force``, which
first EMPTIES the portal's tables (TRUNCATE … CASCADE) so the sizes asked for are the sizes you get.

Members sign in with their email (``member<id>@example.com``) and the password ``scale-password``;
staff: ``scale-admin`` (superuser), ``scale-triage`` (Triage group), ``scale-mentor-0..2``.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.pagecache import content_changed
from demo.scale import PASSWORD, STAFF_USERNAMES, Progress, ScaleSeeder, Sizes, invariants, table_counts
from ideas.models import Idea

# Emptied by --force: every table that references a member, a job or a segment goes with them.
TRUNCATE_ROOTS = ["accounts_user", "challenges_job", "challenges_segment", "challenges_challenge"]


class Command(BaseCommand):
    help = "Fill an empty PostgreSQL database with a large, realistic data set (COPY in batches)."

    def add_arguments(self, parser):
        defaults = Sizes()
        for name in ["users", "challenges", "ideas", "votes", "comments", "ratings"]:
            parser.add_argument(
                f"--{name}", type=int, default=getattr(defaults, name), help=f"default {getattr(defaults, name):,}"
            )
        parser.add_argument("--seed", type=int, default=9, help="seed of the random choices (default 9)")
        parser.add_argument(
            "--force", action="store_true", help="EMPTY the portal's tables first if the database already has ideas"
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale needs PostgreSQL (it loads with COPY, which SQLite lacks): "
                "set DATABASE_URL to a PostgreSQL database, e.g. a fresh one made for load tests."
            )
        sizes = Sizes(**{name: options[name] for name in Sizes.__dataclass_fields__})
        if any(value < 0 for value in vars(sizes).values()):
            raise CommandError("Sizes cannot be negative.")
        if sizes.ideas and sizes.challenges < 2:
            raise CommandError("Give at least 2 challenges: ideas need a challenge past its draft phase.")
        if sizes.users < 2 and (sizes.votes or sizes.ideas):
            raise CommandError("Give at least 2 members.")
        database = connection.settings_dict["NAME"]
        if Idea.objects.exists():
            if not options["force"]:
                raise CommandError(
                    f"The database {database!r} already has ideas: seed_scale fills an empty database. "
                    "Use a fresh database, or --force to EMPTY the portal's tables first."
                )
            self.stderr.write(f"--force: emptying the portal's tables in {database!r} ...")
            with connection.cursor() as cursor:
                # Inside a transaction (tests), deferred foreign-key checks still pending would block TRUNCATE.
                if not connection.get_autocommit():
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {', '.join(TRUNCATE_ROOTS)} RESTART IDENTITY CASCADE")
                if not connection.get_autocommit():
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")

        started = time.perf_counter()
        progress = Progress(stream=self.stderr, quiet=options["verbosity"] == 0)
        report = ScaleSeeder(sizes, options["seed"], progress).run()
        content_changed()  # COPY bypasses the page cache's write watcher: no page kept from before is served
        total = time.perf_counter() - started

        broken = {name: count for name, count in invariants().items() if count}
        counts = table_counts()
        self.stdout.write(f"Seeded {database!r}:")
        for name, count in counts.items():
            self.stdout.write(f"  {name:<12} {count:>12,}")
        self.stdout.write("Steps:")
        for name, seconds in report.timings:
            self.stdout.write(f"  {seconds:8.1f} s  {name}")
        self.stdout.write(
            f"Sign in as member<id>@example.com or {', '.join(STAFF_USERNAMES.values())} with password {PASSWORD!r}."
        )
        if broken:
            raise CommandError(f"Inconsistent data after seeding: {broken}")
        self.stdout.write(self.style.SUCCESS(f"Total time: {total:.1f} s ({total / 60:.1f} min); invariants hold."))
