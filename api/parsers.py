"""JSON bodies, bounded: DRF's JSON parser reads the whole body whatever its size and lets a deeply
nested document raise RecursionError (a 500). This one reads at most DATA_UPLOAD_MAX_MEMORY_SIZE
bytes (413 beyond) and answers a document nested too deeply as a parse error (400)."""

import io

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise BodyTooLarge(
                _("The body is larger than %(limit)s bytes: send less at once.")
                % {"limit": number_format(limit, force_grouping=True)}
            )
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON nested too deeply")) from None
