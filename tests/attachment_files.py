"""Files for the attachment tests, made in memory: pictures with EXIF, documents, impostors."""

import io
import struct
import zipfile
import zlib

import pytest
from PIL import Image

# EXIF tags a phone writes: the camera's make and the GPS block (where the photo was taken).
EXIF_MAKE = 0x010F
EXIF_GPS = 0x8825


def jpeg_with_exif(size=(640, 480), color=(200, 80, 40)) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[EXIF_MAKE] = "PhoneMaker"
    exif.get_ifd(EXIF_GPS)[2] = (52.0, 31.0, 12.0)  # GPSLatitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return buffer.getvalue()


def png(size=(320, 200), color=(30, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header that claims these dimensions, with one tiny compressed row of data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.sh", "echo hi")
    return buffer.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture(autouse=True, name="attachments_on_disk")
def attachments_on_disk_fixture(settings, tmp_path):
    """Each test keeps its attachments in a folder of its own (import it into a test module as ``attachments_on_disk_fixture``)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "attachments", "base_url": None},
        },
    }
    return tmp_path / "attachments"
