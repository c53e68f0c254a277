"""A cache of page fragments that are the same for every viewer of an audience (issue 21).

Members never get a kept page (``core.pagecache``): each page shows their own votes and follows. But
most of such a page is the same for everyone, an idea card's title, byline, summary and tags, or a
comment's author and Markdown, and rendering those is most of the page's time. Those parts are kept
here, each under a key of:

- the page cache's **content version** (``core.pagecache.content_version``): any committed write to
  a table the pages show moves it on, so a fragment can never outlive what it shows, by the same
  signal and with the same guarantees as the kept pages;
- the active **language**: the same fragment reads differently in German and French;
- the fragment's **kind** and the caller's key of the **object** and of whatever else changes the
  markup (a sort, an audience such as "staff", the viewer's vote).

The viewer's own state is never part of a kept fragment unless it is part of its key; callers fill it
in per request (``SLOT``) or render the few fragments that are the viewer's own (their own idea's card)
afresh. Nothing is read or kept inside a transaction (a fragment rendered from uncommitted rows must
not reach anyone, and a request must see its own writes), nor when the page cache is off
(``PAGE_CACHE_SECONDS=0``, as in the tests that never commit). A cache that cannot be reached is a
miss: the fragments are rendered, as before.
"""

import hashlib
import logging
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .pagecache import content_version

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A placeholder a kept fragment carries where each viewer's own part goes (``str.replace`` it).
SLOT = mark_safe("<!--fragment-slot-->")


def key_part(text: str) -> str:
    """A short, safe key part for free text (a refusal, a path)."""
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0 and not connection.in_atomic_block


def fragments(
    kind: str,
    items: Iterable[T],
    *,
    key: Callable[[T], Hashable],
    render: Callable[[T], str],
) -> dict[Hashable, SafeString]:
    """{key(item): HTML} for the items: the kept fragments in one cache read, the others rendered
    (``render`` returns HTML that is safe as it is, a template's output) and kept in one write.

    Items with equal keys are rendered once. The key must hold everything the HTML depends on
    besides the content version and the language, which are added here.
    """
    items = list(items)
    by_key: dict[Hashable, T] = {}
    for item in items:
        by_key.setdefault(key(item), item)
    version = content_version() if _enabled() and by_key else None
    if version is None:
        return {part: mark_safe(render(item)) for part, item in by_key.items()}  # noqa: S308 (rendered templates)
    prefix = f"fragment:{version}:{get_language()}:{kind}:"
    names = {f"{prefix}{part}": part for part in by_key}
    try:
        kept = cache.get_many(list(names))
    except Exception:  # a fail-open cache answers {}; any other error is a miss as well
        logger.warning("Could not read the fragment cache.", exc_info=True)
        kept = {}
    found: dict[Hashable, SafeString] = {}
    rendered: dict[str, str] = {}
    for name, part in names.items():
        html = kept.get(name)
        if html is None:
            html = rendered[name] = render(by_key[part])
        found[part] = mark_safe(html)  # noqa: S308 (rendered templates)
    if rendered:
        try:
            cache.set_many(rendered, settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("Could not keep fragments.", exc_info=True)
    return found
