"""One HTTP POST to an endpoint, with a short timeout, following no redirect, to http(s) only."""

import dataclasses
import http.client
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")


@dataclasses.dataclass
class Response:
    status_code: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is the endpoint's answer, recorded as a failure: a redirect could lead to another host
    (an internal one), and the signed body is meant for the address staff registered."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxies from the environment: the endpoint is called directly, as staff registered it.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float, max_body_chars: int) -> Response:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    if urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
        return Response(None, "", "Refused: only http and https addresses are called.", 0)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers=headers | {"Content-Type": "application/json", "User-Agent": "ideaportal-webhooks/1"},
    )
    try:
        with _opener.open(request, timeout=timeout) as answer:
            text = answer.read(max_body_chars * 4 + 1).decode("utf-8", errors="replace")
            return Response(answer.status, text[:max_body_chars], "", elapsed())
    except urllib.error.HTTPError as error:  # 3xx, 4xx, 5xx: the endpoint answered
        try:
            text = error.read(max_body_chars * 4 + 1).decode("utf-8", errors="replace")
        except (OSError, http.client.HTTPException):
            text = ""
        note = ""
        if 300 <= error.code < 400:
            note = f"Redirect to {error.headers.get('Location', '?')} not followed."
        return Response(error.code, text[:max_body_chars], note, elapsed())
    except TimeoutError:
        return Response(None, "", f"No answer within {timeout:g} s.", elapsed())
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return Response(None, "", f"No answer within {timeout:g} s.", elapsed())
        return Response(None, "", f"Could not connect: {error.reason}"[:500], elapsed())
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Response(None, "", f"{type(error).__name__}: {error}"[:500], elapsed())
