"""Refusing an upload that is too large before any of it is read."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext


class UploadLimitMiddleware:
    """A request whose declared body is larger than UPLOAD_MAX_BYTES gets a 413 page at once.

    Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE) do not count uploaded files, and they apply
    only as the body is read, which the CSRF check does first: so this runs before every other
    middleware and looks only at the Content-Length header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.UPLOAD_MAX_BYTES
        if limit and length > limit:
            # Before the session is read: the browser's language (its cookie or Accept-Language).
            with translation.override(translation.get_language_from_request(request)):
                return self._too_large(request, length, limit)
        return self.get_response(request)

    def _too_large(self, request, length: int, limit: int) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            # The API's one error shape (docs/API.md, "Errors").
            message = gettext("The body is larger than %(limit)s bytes.") % {
                "limit": number_format(limit, force_grouping=True)
            }
            response = JsonResponse({"error": {"code": "too_large", "message": message}}, status=413)
            response["Connection"] = "close"
            return response
        content = render_to_string(
            "upload_too_large.html",
            {"size_mb": length / 1024 / 1024, "limit_mb": limit / 1024 / 1024, "back": request.path},
        )
        response = HttpResponse(content, status=413)
        response["Connection"] = "close"  # the unread body is not ours to drain
        return response
