"""What an uploaded file really is, read from its bytes (never from its name), and its safe copy.

Accepted: pictures (JPEG, PNG, WebP, GIF), which are decoded with Pillow and written again — the
copy has no EXIF or other metadata, is turned upright, is at most ``ATTACHMENT_IMAGE_MAX_SIDE``
pixels on its longer side, and a GIF keeps its first frame (as PNG) —; PDF documents (by their
``%PDF-`` signature); and office documents, which are zip files whose entries say what they are
(Office Open XML: ``[Content_Types].xml`` and the main part; OpenDocument: the ``mimetype`` entry).
Everything else is refused with a message saying why: SVG drawings and web pages (they can carry
scripts), programs, archives, documents with macros, damaged or empty files, pictures whose
dimensions would need more memory than any photo (a decompression bomb).

Pure: no database, no storage. ``inspect`` raises ``FileRefused`` with the person's message.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

ACCEPTED_TYPES = gettext_lazy(
    "a picture (JPEG, PNG, WebP or GIF), a PDF, or an office document (Word, Excel, PowerPoint, OpenDocument)"
)

# The image formats Pillow may decode here, and what each is written back as.
_IMAGE_OUTPUT = {"JPEG": ("JPEG", "image/jpeg", "jpg"), "PNG": ("PNG", "image/png", "png"),
                 "WEBP": ("WEBP", "image/webp", "webp"), "GIF": ("PNG", "image/png", "png")}  # fmt: skip

# Office Open XML: the main part that says which kind of document the zip is.
_OOXML_MAIN_PARTS = {
    "word/document.xml": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/workbook.xml": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/presentation.xml": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
# A document unpacks to at most this many bytes and entries (a zip bomb is refused, not opened).
ZIP_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
ZIP_MAX_ENTRIES = 5000


class FileRefused(DomainError):
    """An upload the portal does not keep, with the reason a person reads."""


@dataclass(frozen=True)
class Inspected:
    """What the bytes are, and the bytes to keep (the re-encoded copy for a picture)."""

    kind: str  # "image" or "file"
    content_type: str
    extension: str
    data: bytes
    width: int | None = None
    height: int | None = None


def human_size(size: int) -> str:
    """``2.5 MB``, ``10 MB``, ``40 KB``: how the limits and the files' sizes are said, in the active
    language (``2,5 MB`` in German, ``2,5 Mo`` in French)."""
    if size >= 1024 * 1024:
        shown = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
        return _("%(size)s MB") % {"size": number_format(shown)}
    return _("%(size)s KB") % {"size": number_format(max(size // 1024, 1))}


def inspect(name: str, data: bytes) -> Inspected:
    """Decide what ``data`` is from its content; raises FileRefused saying why it is not kept."""
    if not data:
        raise FileRefused(_("“%(name)s” is empty (0 bytes): choose the file again.") % {"name": name})
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise FileRefused(
            _("“%(name)s” is %(size)s: a file may be at most %(limit)s.")
            % {"name": name, "size": human_size(len(data)), "limit": human_size(settings.ATTACHMENT_MAX_BYTES)}
        )
    if data.startswith(b"%PDF-"):
        return Inspected(kind="file", content_type="application/pdf", extension="pdf", data=data)
    if data.startswith(b"PK\x03\x04"):
        return _office_document(name, data)
    head = data[:512].lstrip().lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")):
        raise FileRefused(
            _(
                "“%(name)s” is a web page or an SVG drawing (whatever its name says), which can carry scripts: "
                "attach %(accepted)s."
            )
            % {"name": name, "accepted": ACCEPTED_TYPES}
        )
    return _picture(name, data)


def _picture(name: str, data: bytes) -> Inspected:
    max_pixels = settings.ATTACHMENT_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Above MAX_IMAGE_PIXELS Pillow only warns; above twice that it raises. Both are refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, max_pixels
            try:
                with Image.open(io.BytesIO(data)) as image:
                    source_format = image.format
                    if source_format not in _IMAGE_OUTPUT:
                        raise _not_taken(name)
                    if image.width * image.height > max_pixels:
                        raise Image.DecompressionBombError("too many pixels")
                    image.seek(0)  # a GIF's (or animated WebP's) first frame
                    image.load()
                    picture = ImageOps.exif_transpose(image)  # upright, as the camera meant it
            finally:
                Image.MAX_IMAGE_PIXELS = previous
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(
            _(
                "“%(name)s” is a picture too large to open safely (more than %(millions)s million pixels): "
                "make it smaller and attach it again."
            )
            % {"name": name, "millions": max_pixels // 1_000_000}
        ) from None
    except UnidentifiedImageError:
        raise _not_taken(name) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise FileRefused(
            _("“%(name)s” is a damaged or incomplete picture: save it again and attach it.") % {"name": name}
        ) from None
    out_format, content_type, extension = _IMAGE_OUTPUT[source_format]
    side = settings.ATTACHMENT_IMAGE_MAX_SIDE
    if picture.width > side or picture.height > side:
        picture.thumbnail((side, side), Image.Resampling.LANCZOS)
    picture = _in_savable_mode(picture, out_format)
    picture.info = {}  # what the encoders would copy from the source: a JPEG's comment, its ICC profile
    buffer = io.BytesIO()
    # Written from the pixels alone: no EXIF (location, camera), no XMP, no comments, no ICC text.
    options = {"quality": 88, "optimize": True} if out_format == "JPEG" else {}
    if out_format == "WEBP":
        options = {"quality": 88}
    picture.save(buffer, format=out_format, **options)
    return Inspected(
        kind="image",
        content_type=content_type,
        extension=extension,
        data=buffer.getvalue(),
        width=picture.width,
        height=picture.height,
    )


def _not_taken(name: str) -> FileRefused:
    return FileRefused(
        _("“%(name)s” is not a file the portal takes: attach %(accepted)s.")
        % {"name": name, "accepted": ACCEPTED_TYPES}
    )


def _damaged_document(name: str) -> FileRefused:
    return FileRefused(_("“%(name)s” is a damaged document: save it again and attach it.") % {"name": name})


def _in_savable_mode(picture: Image.Image, out_format: str) -> Image.Image:
    if out_format == "JPEG":
        return picture if picture.mode in ("RGB", "L") else picture.convert("RGB")
    if picture.mode in ("RGB", "RGBA", "L", "LA"):
        return picture
    return picture.convert("RGBA")


def _office_document(name: str, data: bytes) -> Inspected:
    refused = FileRefused(
        _("“%(name)s” is an archive, not a document the portal takes: attach %(accepted)s.")
        % {"name": name, "accepted": ACCEPTED_TYPES}
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _damaged_document(name) from None
    names = {entry.filename for entry in entries}
    if len(entries) > ZIP_MAX_ENTRIES or sum(entry.file_size for entry in entries) > ZIP_MAX_UNPACKED_BYTES:
        raise FileRefused(
            _("“%(name)s” unpacks to far more than a document needs, so it is not opened.") % {"name": name}
        )
    if any(entry.lower().endswith("vbaproject.bin") for entry in names):
        raise FileRefused(
            _("“%(name)s” contains macros (programs): save it without them (.docx, .xlsx, .pptx).") % {"name": name}
        )
    try:
        if "mimetype" in names:
            declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
            if declared in _ODF_TYPES and "content.xml" in names:
                return Inspected(kind="file", content_type=declared, extension=_ODF_TYPES[declared], data=data)
            raise refused
        if "[Content_Types].xml" in names:
            types = archive.read("[Content_Types].xml")
            for part, (content_type, extension) in _OOXML_MAIN_PARTS.items():
                if part in names and f"/{part}".encode() in types:
                    return Inspected(kind="file", content_type=content_type, extension=extension, data=data)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        raise _damaged_document(name) from None
    raise refused


def thumbnail_bytes(data: bytes, *, side: int) -> tuple[bytes, int, int]:
    """A small WebP of a kept (already re-encoded) picture, at most ``side`` pixels on its longer side."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        small = image.copy()
    small.thumbnail((side, side), Image.Resampling.LANCZOS)
    small = _in_savable_mode(small, "WEBP")
    small.info = {}
    buffer = io.BytesIO()
    small.save(buffer, format="WEBP", quality=80)
    return buffer.getvalue(), small.width, small.height
