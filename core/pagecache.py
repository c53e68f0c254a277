"""A cache of the public pages as visitors see them, invalidated by every committed write to what they show.

Visitors who are not signed in all see the same page for a URL, so the first one's page is kept in
the cache (Redis in production) and served to the next ones without a query. Correctness rests on
one number, the **content version**, which is part of every page's key:

- Every write that Django sends to a table the public pages read from (``WATCHED_TABLES``: ideas,
  votes, comments, challenges, scores, reputation, members' names...) is seen by a database
  execute wrapper installed on each connection, ORM ``update()`` and ``bulk_create`` included. Once
  the write's transaction **commits**, the version is incremented (``transaction.on_commit``); a
  rolled-back write changes nothing.
- A page is read under the version current when its request started. A request that read the old
  data before the commit stored it under the old version, which nobody asks for once the version
  moved on; a request that started after the commit gets the new version and renders the new data.

Only GET and HEAD requests from visitors with neither a session nor pending messages are served or
stored, htmx requests never, and only plain 200 responses that set no cookie are stored. Writes made
outside Django's connection (``psql``, the COPY of ``seed_scale``) must call ``content_changed()``.
``PAGE_CACHE_SECONDS`` bounds how long a page can live (0 turns the cache off).
"""

import functools
import hashlib
import logging
import re
import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse, QueryDict
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"

# The tables whose rows the public pages show. A write elsewhere (sessions, notifications, survey
# answers, screening) never changes what a visitor sees.
WATCHED_TABLES = frozenset(
    {
        "accounts_user",
        "challenges_job",
        "challenges_outcome",
        "challenges_segment",
        "challenges_challenge",
        "challenges_challenge_outcomes",
        "challenges_challenge_invited_members",
        "challenges_selectioncriterion",
        "challenges_challengefollow",
        "ideas_idea",
        "ideas_idea_outcomes",
        "ideas_vote",
        "ideas_comment",
        "ideas_statuschange",
        "ideas_ideaversion",
        "ideas_kudos",
        "ideas_commentflag",
        "ideas_ideafollow",
        "attachments_attachment",
        "scoring_outcomescore",
        "scoring_scoringrun",
        # A follow-up's state and result show on the idea's page and the implemented ideas. (Its count of
        # answers so far follows the ratings, which are not watched: it is as old as the cached page.)
        "scoring_surveywave",
        "impact_followup",
        "impact_outcomeresult",
        "reputation_reputationevent",
        "reputation_reputationtotal",
        "innovators_questionnaire",
    }
)

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


# --- The version ------------------------------------------------------------------------------


# A version bump this process could not make (the cache was unreachable when a write committed).
# It is made before this process serves or stores any page again, so a cache that comes back
# with its old keys (a network cut, not a restart) cannot serve pages from before the write.
_bump_owed = False


def content_version() -> int | None:
    """The current content version; a missing one (a flushed or evicted key) starts from the clock,
    so it never goes back to a number whose pages may still be cached. None when the cache cannot
    be reached: then no page is served or stored."""
    if _bump_owed:
        content_changed()
        if _bump_owed:
            return None
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def content_changed() -> None:
    """Move the content version on: every cached page is out of date. Never raises: a cache that is
    down is logged, and this process owes the bump until the cache answers again."""
    global _bump_owed
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet, evicted, or the cache is unreachable
            cache.set(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        _bump_owed = not _cache_answers()
    except Exception:
        _bump_owed = True
        logger.warning("Could not move the page cache's content version on.", exc_info=True)


def _cache_answers() -> bool:
    """Whether the cache is reachable (a fail-open cache swallows errors: ask it); True for other caches."""
    available = getattr(cache, "available", None)
    return True if available is None else bool(available)


def _watch_writes(execute, sql, params, many, context):
    """Execute wrapper: after a committed write to a watched table, move the content version on."""
    match = _WRITE.match(sql) if isinstance(sql, str) else None
    if match is None or match.group(1) not in WATCHED_TABLES:
        return execute(sql, params, many, context)
    connection = context["connection"]
    if not connection.in_atomic_block:
        result = execute(sql, params, many, context)
        content_changed()
        return result
    # Once per transaction: rolled back, the callback goes with it.
    if not any(callback is content_changed for _, callback, _ in connection.run_on_commit):
        connection.on_commit(content_changed)
    return execute(sql, params, many, context)


def _install(connection, **kwargs) -> None:
    if not getattr(connection, "_pagecache_installed", False):
        connection.execute_wrappers.append(_watch_writes)
        connection._pagecache_installed = True


def install() -> None:
    """Watch every database connection of this process (called from CoreConfig.ready)."""
    connection_created.connect(_install, dispatch_uid="core.pagecache")
    for connection in connections.all(initialized_only=True):
        _install(connection)


# --- The pages --------------------------------------------------------------------------------


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "HX-Request" not in request.headers
        and not request.user.is_authenticated
    )


def _cacheable_response(request, response) -> bool:
    """A plain 200 that is the same for every visitor: it used no CSRF token, wrote nothing to a
    session and left no message (their cookies are set after the view, so ask the request)."""
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not (messages is not None and getattr(messages, "added_new", False))
    )


def _read_query(request, params: frozenset[str]) -> str:
    """The query string with only the parameters the view reads, sorted: the page's key and the query
    the view sees. Any other parameter changes nothing on the page, so it must not make a new entry
    (100 random query strings would otherwise make 100 copies of one page)."""
    kept = QueryDict(mutable=True)
    for name in sorted(params & request.GET.keys()):
        kept.setlist(name, request.GET.getlist(name))
    return kept.urlencode()


def _key(version: int, request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    # The same URL is a different page in each language (accounts.language picks it per request).
    return f"pagecache:{version}:{get_language()}:{path}"


def _read_only(request, query: str) -> None:
    """Let the view see only the query it declared (request.GET and get_full_path() alike, so a
    "sign in and come back" link on the kept page carries no other visitor's parameters)."""
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)


def cache_public_page(view=None, *, params: Iterable[str] = ()):
    """Serve visitors the page kept for this URL and content version, or render and keep it.

    ``params`` names the query parameters the view reads; the key holds those alone, and for a
    visitor whose page may be kept the view sees only them (a parameter it forgot to declare is
    ignored rather than splitting or mixing up pages). Use ``@cache_public_page`` for a view that
    reads none, ``@cache_public_page(params=("page", "sort"))`` otherwise.

    Adds ``X-Page-Cache: hit|miss`` to the responses it considered, for the benchmarks and tests.
    """
    if view is None:
        return functools.partial(cache_public_page, params=params)
    declared = frozenset(params)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        _read_only(request, _read_query(request, declared))
        version = content_version()
        if version is None:  # the cache is unreachable: render, keep nothing
            return view(request, *args, **kwargs)
        key = _key(version, request)
        kept = cache.get(key)
        if kept is not None:
            content, content_type = kept
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if _cacheable_response(request, response):
            cache.set(key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    wrapped.page_cache_params = declared
    return wrapped
