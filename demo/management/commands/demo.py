"""``manage.py demo``: migrate, load the FreshCart demo data set, print the log-ins, serve."""

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo import demo_data


class Command(BaseCommand):
    help = "Migrate, load an idempotent demo data set (FreshCart), print the demo log-ins and run the server."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Load the data and stop; do not run the server.")
        parser.add_argument(
            "--addrport", default="127.0.0.1:8000", help="Address and port to serve on (default 127.0.0.1:8000)."
        )

    def handle(self, *args, no_serve=False, addrport="127.0.0.1:8000", **options):
        # The autoreloader re-runs this command in a child process (RUN_MAIN=true): that one only serves.
        if os.environ.get("RUN_MAIN") != "true":
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            started = time.monotonic()
            if demo_data.load():
                self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s."))
            else:
                self.stdout.write("Demo data already loaded: nothing to do.")
            held = ", ".join(f"{count} {label}" for label, count in demo_data.summary())
            self.stdout.write(f"The demo database holds {held}.")
            self.print_logins(addrport)
        if not no_serve:
            call_command("runserver", addrport)

    def print_logins(self, addrport: str) -> None:
        rows = [("role", "email", "password"), *demo_data.login_rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write(f"\nDemo log-ins for http://{addrport}/ (sign in with the email):\n")
        for number, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(f"  {line}".rstrip())
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        self.stdout.write("")
