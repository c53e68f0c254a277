"""A member's read pages timed in-process (issue 21): where the signed-in render's time goes.

Requests the pages of bench/load.py's reads through Django's test client, signed in as a seeded
member (no network, no gunicorn, the visitors' page cache bypassed as it is for members), and
prints each page's median and max time, its queries and its size. ``--profile PAGE`` prints the
cProfile of that page's requests instead (the functions with the most cumulative time).

The database must have been filled with ``manage.py seed_scale`` (bench/scale.sh):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ideaportal_scale \\
        .venv/bin/python bench/member_pages.py [--repeat 15] [--profile list_top] [--cold] [--fragments off]

``--fragments off`` renders every fragment (PAGE_CACHE_SECONDS=0: the pages as before issue 21).
``--cold`` moves the content version on before each request, so every fragment is rendered
afresh (what the first member after a write pays); by default the fragments are warm.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--profile", help="a page name: print its profile")
    parser.add_argument("--cold", action="store_true", help="no warm fragments: the version moves before each request")
    parser.add_argument("--fragments", choices=["on", "off"], default="on", help="off: render every fragment")
    parser.add_argument(
        "--visitor", action="store_true", help="as a visitor (served by the page cache unless --fragments off)"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SITE_URL", "http://testserver")
    if args.fragments == "off":  # the fragment cache follows the page cache's setting
        os.environ["PAGE_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from challenges.models import Challenge
    from core.pagecache import content_changed
    from ideas.models import Idea, Status
    from scoring.models import Respondent

    call_command("collectstatic", interactive=False, verbosity=0)
    listed = Idea.objects.filter(challenge__visibility=Challenge.Visibility.PUBLIC).exclude(
        status__in=[Status.DRAFT, Status.WITHDRAWN]
    )
    challenge = (
        Challenge.objects.filter(phase=Challenge.Phase.OPEN, visibility=Challenge.Visibility.PUBLIC)
        .alias(n=Count("ideas"))
        .order_by("-n")
        .first()
    )
    popular = list(listed.order_by((F("votes_up") - F("votes_down")).desc()).values_list("pk", flat=True)[:5])
    pages = {
        "home": ["/"],
        "challenge": [challenge.get_absolute_url()],
        "list_top": ["/ideas/?sort=top"],
        "list_trending": ["/ideas/?sort=trending"],
        "list_opportunity": ["/ideas/?sort=opportunity"],
        "list_filtered": [f"/ideas/?challenge={challenge.slug}&status=submitted&sort=top"],
        "search": ["/ideas/?q=delivery+slots"],
        "idea_detail": [f"/ideas/{pk}/" for pk in popular],
    }
    client = Client()
    if not args.visitor:
        member = Respondent.objects.filter(user__is_staff=False, segment__isnull=False).select_related("user")[0].user
        client.force_login(member)
    names = [args.profile] if args.profile else list(pages)
    print(f"{'page':<18} {'median ms':>10} {'max ms':>8} {'queries':>8} {'KB':>6}")
    for name in names:
        paths = pages[name]
        for path in paths:  # warm: templates loaded, fragments kept
            client.get(path)
        times, queries, size = [], 0, 0
        profiler = cProfile.Profile() if args.profile else None
        for index in range(args.repeat):
            path = paths[index % len(paths)]
            if args.cold:
                content_changed()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = client.get(path)
                if profiler:
                    profiler.disable()
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries, size = len(captured), len(response.content)
        print(f"{name:<18} {statistics.median(times):10.1f} {max(times):8.1f} {queries:8d} {size / 1024:6.1f}")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
            print(out.getvalue())


if __name__ == "__main__":
    main()
