"""Serving attachments: only through these views, after the idea's visibility check.

A file another person may not see is a 404, exactly like one that never existed (a draft's, an
invite-only challenge's, a removed one's for the public). The bytes are streamed from the storage
(the local disk or S3, whose objects are private) with headers that keep the browser from running
anything: ``Content-Disposition`` ``inline`` only for the re-encoded pictures and ``attachment`` for
every document, ``X-Content-Type-Options: nosniff``, and a sandboxing Content-Security-Policy.
"""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from . import selectors
from .models import Attachment

# Nothing in a served file may run, load or be framed, even if a browser rendered it.
FILE_CSP = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'"


def _visible_or_404(request, pk: int) -> Attachment:
    try:
        return selectors.attachment_for(request.user, pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("No such file.") from None


def _served(fieldfile, *, content_type: str, inline: bool, filename: str) -> FileResponse:
    try:
        stream = fieldfile.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such file.") from None
    response = FileResponse(stream, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Private to the viewer and checked again each time: a draft or a withdrawn idea's files must not
    # stay in a shared cache.
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def attachment_file(request, pk: int, name: str = ""):
    """The file itself: a picture inline (opened full size), a document as a download."""
    attachment = _visible_or_404(request, pk)
    return _served(
        attachment.file,
        content_type=attachment.content_type,
        inline=attachment.is_image,
        filename=attachment.download_name,
    )


@require_GET
def attachment_thumbnail(request, pk: int):
    """A picture's thumbnail (a WebP the worker made); 404 until it exists, or for a document."""
    attachment = _visible_or_404(request, pk)
    if not attachment.is_image or not attachment.thumbnail:
        raise Http404("No thumbnail yet.")
    stem = attachment.download_name.rsplit(".", 1)[0]
    return _served(attachment.thumbnail, content_type="image/webp", inline=True, filename=f"{stem}-small.webp")
