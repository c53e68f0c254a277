"""Load benchmark: the portal served by gunicorn, driven page by page by wrk, against two baselines.

Serves the portal with production settings (DEBUG=0, a SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, the
DATABASE_URL and REDIS_URL of the environment, BENCH_BASELINE_VIEWS=1) on 127.0.0.1, then runs
wrk (2 threads, --connections connections, --duration seconds) against each page in turn:

- reads (anonymous visitors): home, a challenge, the idea lists sorted by top, trending and
  opportunity, a filtered list, a search, idea detail pages (many ideas);
- the same reads signed in (``member_*``, many members' sessions): a member's request skips the
  visitors' page cache, so these measure the page rendered for its viewer (issue 21);
- the staff triage queue in the admin, as a member of the Triage group;
- writes: an htmx vote (POST, many members' sessions × many ideas, so the votes are real and
  varied) and a survey answer (POST, many members), each with a CSRF cookie and its header;
- the baselines: one indexed SELECT rendered through a ~5 KB template, and one INSERT.

For each page it prints requests/s, p50, p99, the responses that were not 2xx/3xx, the SQL
queries of one request (the X-Queries header) and the throughput as a share of its baseline
(reads against the SELECT baseline, writes against the INSERT baseline), then a Markdown table
(also written to --out). After the vote run it checks that every idea's vote totals equal its
vote rows. Members' sessions are made server-side (no password hashing in the loop).

The database must have been filled with ``manage.py seed_scale`` (bench/scale.sh does it all):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ideaportal_scale \\
        .venv/bin/python bench/load.py [--duration 15] [--connections 20] [--workers 5] \\
        [--pages home,vote,...] [--port 8765] [--out results.md]

Without REDIS_URL it uses Redis database 13 on 127.0.0.1, away from other users' task queues.
Tasks the votes and survey answers queue are not run during the benchmark (no worker competes
for the CPU); they wait in that Redis database.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LUA_SCRIPT = ROOT / "bench" / "load.lua"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ideaportal_scale"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
# Targets (issue 9): reads at least half the SELECT baseline's throughput with p99 under 100 ms;
# writes at least half the INSERT baseline's throughput.
READ_SHARE, READ_P99_MS, WRITE_SHARE = 0.5, 100.0, 0.5
# Targets of issue 21 for the members' reads: at least 35% of the SELECT baseline, p99 under 150 ms.
MEMBER_READ_SHARE, MEMBER_READ_P99_MS = 0.35, 150.0
SESSIONS = 500  # members whose sessions the writes pick from
VOTE_IDEAS = 2000  # ideas the votes pick from
DETAIL_IDEAS = 200  # ideas the detail page picks from
PROBE_TIMEOUT = 120  # seconds
WRK_TIMEOUT = 30  # seconds: a request slower than gunicorn's worker timeout (30 s by default) counts as failed


@dataclass
class Page:
    name: str
    kind: str  # "read", "member-read", "write", "baseline-read", "baseline-write"
    method: str = "GET"
    paths: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None  # None, "vote" or "survey"
    outcomes: list[int] = field(default_factory=list)
    segment: int | None = None


@dataclass
class Result:
    page: Page
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    bad: int = 0  # non-2xx/3xx responses and socket errors
    queries: str = "?"
    cached: str = "—"  # the page cache's answer to a second identical request (hit: the run measured hits)
    kb: float = 0.0
    ratio: float | None = None
    verdict: str = ""


PAGE_ORDER = [
    "baseline_select",
    "baseline_insert",
    "home",
    "challenge",
    "list_top",
    "list_trending",
    "list_opportunity",
    "list_filtered",
    "search",
    "idea_detail",
    "member_home",
    "member_challenge",
    "member_list_top",
    "member_list_trending",
    "member_list_opportunity",
    "member_list_filtered",
    "member_search",
    "member_idea_detail",
    "triage_queue",
    "vote",
    "survey",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page (default 15)")
    parser.add_argument("--connections", type=int, default=20, help="concurrent connections (default 20)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--pages", default=",".join(PAGE_ORDER), help="comma-separated subset of: %(default)s")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, help="also write the Markdown table to this file")
    parser.add_argument(
        "--page-cache",
        choices=["on", "off"],
        default="on",
        help="on (default): the visitors' page cache as deployed; off: PAGE_CACHE_SECONDS=0, every request renders",
    )
    args = parser.parse_args()
    args.pages = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = set(args.pages) - set(PAGE_ORDER)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    return args


def production_environment(port: int, page_cache: str = "on") -> dict[str, str]:
    """The environment of the server and of this script's Django: production settings, benchmark views on."""
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        REDIS_URL=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        BENCH_BASELINE_VIEWS="1",
        SECURE_SSL_REDIRECT="0",  # plain http on the loopback
        SITE_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="ideaportal.settings",
    )
    if page_cache == "off":
        env["PAGE_CACHE_SECONDS"] = "0"
    return env


# ---------------------------------------------------------------- preparing the requests


def _session_for(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def prepare_pages() -> dict[str, Page]:
    """Each page's requests, from the seeded data; signs members in by creating their sessions."""
    from django.db.models import Count, F
    from django.urls import reverse

    from accounts.models import User
    from baseline.views import ensure_rows
    from challenges.models import Challenge, Job
    from challenges.rules import VOTING_PHASES
    from ideas.models import Idea, Status
    from scoring.models import Respondent

    ensure_rows()
    public = Idea.objects.filter(challenge__visibility=Challenge.Visibility.PUBLIC).exclude(
        challenge__phase=Challenge.Phase.DRAFT
    )
    listed = public.exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
    challenge = (
        Challenge.objects.filter(phase=Challenge.Phase.OPEN, visibility=Challenge.Visibility.PUBLIC)
        .alias(n=Count("ideas"))
        .order_by("-n")
        .first()
    )
    if challenge is None:
        sys.exit("No public open challenge: seed the database with manage.py seed_scale.")

    # Members who answer surveys (a segment is known) and vote.
    respondents = list(
        Respondent.objects.filter(user__is_staff=False, segment__isnull=False)
        .select_related("user")
        .order_by("?")[: SESSIONS * 2]
    )
    voters = [respondent.user for respondent in respondents]
    vote_ideas = list(
        listed.filter(challenge__phase__in=VOTING_PHASES)
        .exclude(status=Status.DUPLICATE)
        .order_by("?")
        .values_list("pk", "author_id")[:VOTE_IDEAS]
    )
    authors = {author for _, author in vote_ideas}
    voters = [user for user in voters if user.pk not in authors][:SESSIONS]
    member_sessions = [_session_for(user) for user in voters]
    triage = User.objects.get(username="scale-triage")
    triage_sessions = [_session_for(triage)]

    popular = list(listed.order_by((F("votes_up") - F("votes_down")).desc()).values_list("pk", flat=True)[:100])
    anywhere = list(listed.order_by("?").values_list("pk", flat=True)[: DETAIL_IDEAS - len(popular)])
    job = Job.objects.filter(outcomes__isnull=False).distinct().order_by("pk").first()
    survey_outcomes = list(job.outcomes.order_by("code").values_list("pk", flat=True))
    segment = respondents[0].segment_id if respondents else None
    htmx = {"HX-Request": "true"}
    pages = [
        Page("baseline_select", "baseline-read", paths=["/_baseline/select/"]),
        Page("baseline_insert", "baseline-write", paths=["/_baseline/insert/"]),
        Page("home", "read", paths=["/"]),
        Page("challenge", "read", paths=[challenge.get_absolute_url()]),
        Page("list_top", "read", paths=["/ideas/?sort=top"]),
        Page("list_trending", "read", paths=["/ideas/?sort=trending"]),
        Page("list_opportunity", "read", paths=["/ideas/?sort=opportunity"]),
        Page("list_filtered", "read", paths=[f"/ideas/?challenge={challenge.slug}&status=submitted&sort=top"]),
        Page("search", "read", paths=["/ideas/?q=delivery+slots"]),
        Page("idea_detail", "read", paths=[f"/ideas/{pk}/" for pk in popular + anywhere]),
        Page("triage_queue", "read", paths=[reverse("admin:reviews_triageidea_changelist")], sessions=triage_sessions),
        Page(
            "vote",
            "write",
            method="POST",
            paths=[reverse("ideas:vote", kwargs={"pk": pk}) for pk, _ in vote_ideas],
            sessions=member_sessions,
            headers=htmx,
            body="vote",
        ),
        Page(
            "survey",
            "write",
            method="POST",
            paths=[reverse("surveys:take", kwargs={"job_id": job.pk})],
            sessions=member_sessions,
            body="survey",
            outcomes=survey_outcomes,
            segment=segment,
        ),
    ]
    # The same reads as members (many sessions: each page shows its viewer's votes and follows).
    for read in [page for page in pages if page.kind == "read" and not page.sessions]:
        pages.append(Page(f"member_{read.name}", "member-read", paths=read.paths, sessions=member_sessions))
    return {page.name: page for page in pages}


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for these characters


def write_lua_data(page: Page, csrf: str, directory: Path) -> Path:
    def strings(values) -> str:
        return "{" + ", ".join(_lua_string(str(value)) for value in values) + "}"

    headers = "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in page.headers.items()) + "}"
    text = (
        "return {\n"
        f"  method = {_lua_string(page.method)},\n"
        f"  paths = {strings(page.paths)},\n"
        f"  sessions = {strings(page.sessions)},\n"
        f"  csrf = {_lua_string(csrf)},\n"
        f"  headers = {headers},\n"
        f"  body = {_lua_string(page.body) if page.body else 'nil'},\n"
        f"  outcomes = {{{', '.join(str(pk) for pk in page.outcomes)}}},\n"
        f"  segment = {page.segment if page.segment else 'nil'},\n"
        "}\n"
    )
    path = directory / f"{page.name}.lua"
    path.write_text(text)
    return path


# ---------------------------------------------------------------- the server and the load


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, log: Path):
    command = [sys.executable, "-m", "gunicorn", "ideaportal.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--log-level", "warning", "--chdir", str(ROOT)]
    with open(log, "w") as log_file:
        server = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gunicorn did not start; its log:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # gunicorn's own process group: the master and its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _probe_body(page: Page) -> str | None:
    if page.body == "vote":
        return "value=up"
    if page.body == "survey":
        answers = [f"importance_{pk}=4&satisfaction_{pk}=2" for pk in page.outcomes]
        return "&".join(["action=save", *([f"segment={page.segment}"] if page.segment else []), *answers])
    return None


def wait_until_idle(port: int, limit: float = 300.0) -> float:
    """Wait until the server answers /healthz quickly again (requests queued by a slow page drained)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                break
        except OSError:
            time.sleep(1)
    return time.monotonic() - started


def probe(page: Page, port: int, csrf: str) -> tuple[int, str, str]:
    """One request like the load's: its status, its X-Queries header and its X-Page-Cache header.

    Status 0: no answer within PROBE_TIMEOUT seconds."""
    headers = dict(page.headers)
    if page.sessions:
        headers["Cookie"] = f"sessionid={page.sessions[0]}; csrftoken={csrf}"
        headers["X-CSRFToken"] = csrf
    body = _probe_body(page)
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT)
    try:
        connection.request(page.method, page.paths[0], body=body, headers=headers)
        response = connection.getresponse()
        response.read()
    except OSError:
        return 0, "?", "—"
    return response.status, response.getheader("X-Queries", "?"), response.getheader("X-Page-Cache", "—")


def run_wrk(page: Page, args, data_file: Path) -> dict:
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", f"{WRK_TIMEOUT}s"]
    command += ["-s", str(LUA_SCRIPT), f"http://127.0.0.1:{args.port}", "--", str(data_file)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line.removeprefix("WRK_JSON "))
    sys.exit(f"wrk gave no result for {page.name}:\n{completed.stdout}\n{completed.stderr}")


def vote_totals_exact() -> bool:
    from django.db import connection

    from demo.scale import INVARIANTS

    with connection.cursor() as cursor:
        cursor.execute(INVARIANTS["ideas whose vote counters differ from their votes"])
        return cursor.fetchone()[0] == 0


# ---------------------------------------------------------------- report


def machine(workers: int) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [
        f"{os.cpu_count()} cores, {ram:.0f} GB RAM, PostgreSQL {postgres}, Python {platform.python_version()}, "
        f"gunicorn {workers} sync workers, wrk 2 threads",
    ]


def code_version() -> str:
    def git(*arguments: str) -> str:
        completed = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
        return completed.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no")
    return f"git {commit}" + (f" with {len(changed.splitlines())} uncommitted changed files" if changed else "")


def data_sizes() -> str:
    from demo.scale import table_counts

    counts = table_counts()
    return ", ".join(f"{count:,} {name}" for name, count in counts.items())


def judge(result: Result, baselines: dict[str, float]) -> None:
    kind = result.page.kind
    if kind.startswith("baseline"):
        result.verdict = "baseline"
        return
    reads = kind in ("read", "member-read")
    baseline = baselines.get("baseline_select" if reads else "baseline_insert")
    result.ratio = result.rps / baseline if baseline else None
    share = {"read": READ_SHARE, "member-read": MEMBER_READ_SHARE}.get(kind, WRITE_SHARE)
    p99 = {"read": READ_P99_MS, "member-read": MEMBER_READ_P99_MS}.get(kind)
    misses = []
    if result.ratio is not None and result.ratio < share:
        misses.append("throughput")
    if p99 is not None and result.p99_ms >= p99:
        misses.append("p99")
    result.verdict = "yes" if not misses else "no (" + ", ".join(misses) + ")"


def markdown(results: list[Result], header: list[str], args) -> str:
    lines = [*header, ""]
    lines.append(
        "| page | kind | req/s | p50 ms | p99 ms | non-2xx/3xx | queries | page cache | KB | vs baseline | meets target |"
    )
    lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |")
    for r in results:
        ratio = f"{r.ratio:.0%}" if r.ratio is not None else "—"
        lines.append(
            f"| {r.page.name} | {r.page.kind} | {r.rps:,.1f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.bad:,} of {r.requests:,} | {r.queries} | {r.cached} | {r.kb:.1f} | {ratio} | {r.verdict} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed. Install it with:\n\n    apt-get install -y wrk\n", file=sys.stderr)
        sys.exit(2)
    env = production_environment(args.port, args.page_cache)
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    import django

    django.setup()
    from django.core.management import call_command

    from ideas.models import Idea

    if not Idea.objects.exists():
        sys.exit(
            f"The database has no ideas. Seed it first:\n\n    DATABASE_URL={env['DATABASE_URL']} "
            ".venv/bin/python manage.py seed_scale\n\n(or run bench/scale.sh, which does everything)."
        )
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest the templates' {% static %} reads
    from core.pagecache import content_changed

    content_changed()  # no page kept from an earlier run (another database, the same Redis) is served
    pages = prepare_pages()
    header = [
        f"Machine: {machine(args.workers)[0]}.",
        f"Code: {code_version()}. Data: {data_sizes()}.",
        f"Load: {args.connections} connections, {args.duration} s per page, visitors' page cache {args.page_cache}.",
    ]
    print("\n".join(header), flush=True)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    results: list[Result] = []
    baselines: dict[str, float] = {}
    failures = []
    exact = None
    with tempfile.TemporaryDirectory(prefix="bench-load-") as directory:
        directory = Path(directory)
        with gunicorn(env, args.port, args.workers, directory / "gunicorn.log"):
            for name in [name for name in PAGE_ORDER if name in args.pages]:
                page = pages[name]
                status, queries, _ = probe(page, args.port, csrf)  # a render: its queries
                if status >= 400 or status == 0:
                    failures.append(f"{name}: the probe request answered {status or 'nothing'}")
                cached = probe(page, args.port, csrf)[2] if page.method == "GET" else "—"
                stats = run_wrk(page, args, write_lua_data(page, csrf, directory))
                seconds = stats["duration_us"] / 1e6
                result = Result(
                    page=page,
                    rps=stats["requests"] / seconds if seconds else 0.0,
                    p50_ms=stats["p50"] / 1000,
                    p99_ms=stats["p99"] / 1000,
                    requests=stats["requests"],
                    bad=stats["status"] + stats["connect"] + stats["read"] + stats["write"] + stats["timeout"],
                    queries=queries,
                    cached=cached,
                    kb=stats["bytes"] / stats["requests"] / 1024 if stats["requests"] else 0.0,
                )
                if page.kind.startswith("baseline"):
                    baselines[name] = result.rps
                judge(result, baselines)
                results.append(result)
                print(
                    f"{name:<18} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms  "
                    f"bad {result.bad:,}/{result.requests:,}  queries {queries}  cache {cached}  {result.kb:.1f} KB  "
                    f"{'ratio ' + format(result.ratio, '.0%') if result.ratio is not None else ''}",
                    flush=True,
                )
                if not result.requests or result.bad > result.requests / 2:
                    failures.append(f"{name}: {result.bad:,} of {result.requests:,} requests failed")
                drained = wait_until_idle(args.port)
                if drained > 5:
                    print(f"  (the server took {drained:.0f} s to drain the requests queued by {name})", flush=True)
                if name == "vote":
                    exact = vote_totals_exact()
                    print(f"vote totals exact: {'yes' if exact else 'no'}", flush=True)
    footer = []
    if exact is not None:
        footer.append(f"\nVote totals exact after the vote run: {'yes' if exact else 'no'}.")
    table = markdown(results, header, args) + "\n".join(footer) + ("\n" if footer else "")
    print("\n" + table)
    if args.out:
        args.out.write_text(table)
    if failures or exact is False:
        print("FAILED:\n  " + "\n  ".join(failures + ([] if exact is not False else ["vote totals differ"])))
        sys.exit(1)


if __name__ == "__main__":
    main()
