"""``manage.py healthcheck [--require part,...]``: the /healthz report, for compose health checks.

Prints the report as JSON; exits 1 when a required part fails (by default the parts the portal
needs to serve: the database), 0 otherwise. Beat's container requires ``beat``, for example.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from health import checks


class Command(BaseCommand):
    help = "Check the portal's parts (database, cache, broker, worker, beat, outbox); exit 1 if a required one fails."

    def add_arguments(self, parser):
        parser.add_argument(
            "--require",
            default=",".join(checks.REQUIRED),
            help="comma-separated parts that must be ok (default: database)",
        )

    def handle(self, *args, require, **options):
        report = checks.report()
        self.stdout.write(json.dumps(report, indent=2))
        required = [part.strip() for part in require.split(",") if part.strip()]
        unknown = [part for part in required if part not in report["checks"]]
        if unknown:
            raise CommandError(f"Unknown part(s): {', '.join(unknown)}; known: {', '.join(report['checks'])}.")
        failing = [part for part in required if not report["checks"][part]["ok"]]
        if failing:
            raise CommandError(f"Not healthy: {', '.join(failing)}.")
