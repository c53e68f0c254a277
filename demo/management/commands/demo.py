"""``manage.py demo``: migrate, load the FreshCart demo data set, print the log-ins, serve."""

import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.site_url import site_url_refusal
from demo import demo_data

# runserver's own default and wildcards: a link must name an address a browser can open.
DEFAULT_ADDRPORT = "127.0.0.1:8000"
WILDCARD_HOSTS = {"0.0.0.0", "0", "::", "[::]"}


def site_url_for(addrport: str) -> str:
    """The address the demo serves, as links in its emails need it: ``8001`` → ``http://127.0.0.1:8001``,
    ``0.0.0.0:8001`` → ``http://127.0.0.1:8001`` (listening everywhere, reached here), ``[::1]:8001`` as is."""
    host, sep, port = addrport.rpartition(":")
    if not sep:
        host, port = "", addrport
    if not port.isdigit():
        raise CommandError(f"--addrport {addrport!r} is not HOST:PORT or PORT.")
    if not host or host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Migrate, load an idempotent demo data set (FreshCart), print the demo log-ins and run the server."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Load the data and stop; do not run the server.")
        parser.add_argument(
            "--addrport",
            default=DEFAULT_ADDRPORT,
            help="Address and port to serve on (default 127.0.0.1:8000); links in emails point there.",
        )

    def handle(self, *args, no_serve=False, addrport=DEFAULT_ADDRPORT, **options):
        self.use_site_url(addrport)
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

    def use_site_url(self, addrport: str) -> None:
        """Links in emails (``settings.SITE_URL``) lead to the address served, unless SITE_URL was set.

        Set in this process and in the environment, so runserver's autoreloaded child (which loads
        the settings afresh) and anything it starts build the same links.
        """
        if os.environ.get("SITE_URL"):
            return  # set by hand (a demo behind a proxy), or by this command before runserver reloaded it
        url = site_url_for(addrport)
        if refusal := site_url_refusal(url, settings.ALLOWED_HOSTS):
            raise CommandError(f"Cannot serve the demo at {url}: {refusal}. Set ALLOWED_HOSTS or SITE_URL.")
        settings.SITE_URL = url
        os.environ["SITE_URL"] = url

    def print_logins(self, addrport: str) -> None:
        rows = [("role", "email", "password"), *demo_data.login_rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write(f"\nDemo log-ins for {settings.SITE_URL}/ (sign in with the email):\n")
        for number, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(f"  {line}".rstrip())
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        self.stdout.write("")
