"""The one check of a ``next`` address a form or link carries: only this site's pages are followed."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, url: str | None, fallback: str) -> str:
    """``url`` if it leads to a page of this site, else ``fallback``.

    Django's own check (the host must be the request's, the scheme http or https, and https if the
    request was; ``//evil.example`` and ``/\\evil.example`` are refused), so a crafted link cannot send
    a member from the portal to another site.
    """
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


def next_url(request, fallback: str, *, param: str = "next") -> str:
    """Where a page sends its user after a change: the ``next`` address the form (POST) or the link
    (query string) carried, checked by ``safe_next_url``, else ``fallback`` (issue 16: staff go back
    to where they came from: the queue with its filters, a scorecard, the board)."""
    return safe_next_url(request, request.POST.get(param) or request.GET.get(param), fallback)
