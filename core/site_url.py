"""The portal's public address (``settings.SITE_URL``): what makes one usable.

Read by the settings at start (production refuses a bad one) and by ``manage.py demo``, which sets it
from the address it serves. A pure module: it imports no app and reads no setting.
"""

from urllib.parse import urlsplit

from django.http.request import split_domain_port, validate_host


def site_url_refusal(url: str, allowed_hosts: list[str]) -> str | None:
    """Why ``url`` cannot be the portal's address, or None when it can."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "it must be an address such as https://ideas.example.com (http or https, and a host)"
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return "it names the site only (scheme, host and port): the portal's pages are at its root"
    host, _ = split_domain_port(parts.netloc)
    if not validate_host(host, allowed_hosts):
        return f"its host {host!r} is not in ALLOWED_HOSTS, so the links in emails would be refused"
    return None
