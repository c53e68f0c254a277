"""Security middleware: bad bytes are refused at the door, and the Permissions-Policy header.

``RequestBytesMiddleware`` answers 400 before any view, form or query sees a request that carries a
NUL byte or bytes that are not UTF-8 in its path, its query string or its form body. Django would
turn invalid UTF-8 into U+FFFD (query and body) or re-percent-encode it (path) and pass it on, and a
NUL reaches PostgreSQL, which refuses it with an error that becomes a 500 wherever a view filters
on the value (a lookup, an admin list filter, an autocomplete search). One check here covers every
route, the admin's and allauth's included; ``tests/test_bad_bytes.py`` sends both to all of them.

Multipart bodies are checked after Django parsed them (reading the raw body would hold every upload
in memory): a field value with a NUL, or with the U+FFFD that Django put where bytes were not UTF-8,
is refused. File contents are not text and are not checked here (their importers check them).
"""

import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

REFUSAL = _("Bad request: the address or the form carries a NUL byte or text that is not UTF-8.")


def _bad(raw: bytes) -> bool:
    if b"\x00" in raw:
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _bad_urlencoded(text: str | bytes) -> bool:
    """A query string or urlencoded body: bad once its %-escapes are decoded."""
    raw = text.encode("latin-1", errors="replace") if isinstance(text, str) else text
    return _bad(raw) or _bad(unquote_to_bytes(raw.replace(b"+", b" ")))


def _bad_parsed(querydict) -> bool:
    return any(
        "\x00" in key or "\ufffd" in key or any("\x00" in value or "\ufffd" in value for value in values)
        for key, values in querydict.lists()
    )


# Django decodes the path before any middleware runs and writes bytes that are not UTF-8 back as
# %-escapes (``repercent_broken_unicode``): a %-escape in the decoded path is either such a byte or
# a "%" the client escaped itself, and no route of the portal has a "%" in it.
_ESCAPE_LEFT_IN_PATH = re.compile(r"%[0-9A-Fa-f]{2}")


def request_has_bad_bytes(request) -> bool:
    path = request.path_info
    if "\x00" in path or _ESCAPE_LEFT_IN_PATH.search(path):
        return True
    if _bad_urlencoded(request.META.get("QUERY_STRING", "")):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.content_type == "application/x-www-form-urlencoded":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return True  # a Content-Length that is not a number
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return False  # Django refuses it itself (RequestDataTooBig, a 400)
        return _bad_urlencoded(request.body)
    if request.content_type == "multipart/form-data":
        try:
            return _bad_parsed(request.POST)
        except Exception:  # a malformed body: Django answers it with 400 where it is read
            return False
    return False


class RequestBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_bad_bytes(request):
            # Before the session is read: the browser's language (its cookie or Accept-Language).
            with translation.override(translation.get_language_from_request(request)):
                message = str(REFUSAL)
            if request.path_info.startswith("/api/"):
                # The API's one error shape (docs/API.md, "Errors").
                return JsonResponse({"error": {"code": "bad_bytes", "message": message}}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """The browser features no page of the portal uses are turned off for it and anything it embeds."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DISABLED)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
