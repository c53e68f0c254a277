"""One error shape for every refusal of the API (docs/API.md, "Errors")::

    {"error": {"code": "invalid", "message": "…", "fields": {"title": ["…"]}}}

``code`` is stable for programs, ``message`` is for people, ``fields`` appears for invalid input.
The domain apps' refusals (their exception classes, with a message for the person) become 400, a
decision based on a state that has changed meanwhile 409.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response

from challenges.services import ChallengeError
from ideas.services import IdeaError, StaleDecision
from reviews.services.screening import ScreeningError

from .services import TokenError

DOMAIN_ERRORS = (IdeaError, ScreeningError, ChallengeError, TokenError)

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def json_error(status_code: int, code: str, message: str) -> JsonResponse:
    """The error shape outside DRF's views (the bad-bytes middleware, unknown API addresses)."""
    return JsonResponse(error_body(code, message), status=status_code)


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {message}" for key, value in detail.items() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _flatten(item)]
    return [str(detail)]


def _validation(exc: exceptions.ValidationError) -> tuple[str, dict]:
    detail = exc.detail
    if not isinstance(detail, dict):
        messages = _flatten(detail)
        return (messages[0] if messages else _("The request is not valid.")), {}
    fields = {key: _flatten(value) for key, value in detail.items() if key != "non_field_errors"}
    general = _flatten(detail.get("non_field_errors", []))
    message = (
        general[0] if general else _("Some fields are not valid: %(fields)s.") % {"fields": ", ".join(sorted(fields))}
    )
    return message, fields


def exception_handler(exc, context):
    if isinstance(exc, StaleDecision):
        return Response(error_body("stale", str(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DOMAIN_ERRORS):
        return Response(error_body("refused", str(exc)), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):  # the body was read before the parser (api.parsers) could bound it
        message = _("The body is larger than %(limit)s bytes: send less at once.") % {
            "limit": number_format(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, force_grouping=True)
        }
        return Response(error_body("too_large", message), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or _("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500, logged
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        message, fields = _validation(exc)
        return Response(error_body("invalid", message, fields), status=exc.status_code, headers=headers)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF answers 403 when no authenticator offers a challenge; ours always does.
        exc.status_code = status.HTTP_401_UNAUTHORIZED
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        message = ngettext(
            "Too many requests: try again in %(wait)d second.",
            "Too many requests: try again in %(wait)d seconds.",
            wait,
        ) % {"wait": wait}
    elif isinstance(exc, exceptions.ParseError):
        message = _("The body is not valid JSON (%(detail)s).") % {"detail": exc.detail}
    else:
        message = str(exc.detail)
    code = "parse_error" if isinstance(exc, exceptions.ParseError) else CODES.get(exc.status_code, "error")
    return Response(error_body(code, message), status=exc.status_code, headers=headers)
