"""Cursor pagination by keyset: a page continues strictly after the last row of the one before.

A cursor carries the sort key of the last row it returned (its sort value and its id), never an
offset, so rows added meanwhile, above or below, neither repeat a row nor skip one. The cursor is
opaque to clients (base64 of JSON) and is checked: a cursor that does not decode, or belongs to
another sort, is a 400.
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


@dataclass(frozen=True)
class Keyset:
    """The order of a list: a value column (or None: by id alone) and whether it runs downwards;
    the id breaks ties in the same direction. The queryset's ORDER BY must be the same."""

    name: str
    field: str | None
    descending: bool = True
    kind: type = float

    def ordering(self) -> list[str]:
        sign = "-" if self.descending else ""
        return ([f"{sign}{self.field}"] if self.field else []) + [f"{sign}id"]

    def after(self, position) -> Q:
        """The rows strictly after ``position`` ([value, id], or [id]) in this order."""
        beyond = "lt" if self.descending else "gt"
        if not self.field:
            return Q(**{f"pk__{beyond}": position[0]})
        value, pk = position
        return Q(**{f"{self.field}__{beyond}": value}) | Q(**{self.field: value, f"pk__{beyond}": pk})

    def position_of(self, row) -> list:
        if not self.field:
            return [row.pk]
        value = getattr(row, self.field)
        return [value.isoformat() if isinstance(value, datetime.datetime) else value, row.pk]

    def decode_value(self, raw):
        if self.kind is datetime.datetime:
            value = parse_datetime(raw) if isinstance(raw, str) else None
            if value is None:
                raise ValueError("not a date")
            return value
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError("not a number")
        return self.kind(raw)


BAD_CURSOR = _("This cursor is not valid here: start again from the first page (no cursor).")


def _encode(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str) -> dict:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise ValidationError({"cursor": [BAD_CURSOR]}) from None
    if not isinstance(data, dict):
        raise ValidationError({"cursor": [BAD_CURSOR]})
    return data


def page_size(request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return settings.API_PAGE_SIZE
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= settings.API_PAGE_SIZE_MAX:
        raise ValidationError({"page_size": [f"A whole number from 1 to {settings.API_PAGE_SIZE_MAX}."]})
    return int(raw)


def keyset_page(request, queryset: QuerySet, keyset: Keyset) -> tuple[list, str | None]:
    """One page of ``queryset`` (already filtered to what the requester may see) and the next cursor."""
    size = page_size(request)
    cursor = request.query_params.get("cursor")
    queryset = queryset.order_by(*keyset.ordering())
    if cursor:
        data = _decode(cursor)
        position = data.get("after")
        length = 2 if keyset.field else 1
        if data.get("order") != keyset.name or not isinstance(position, list) or len(position) != length:
            raise ValidationError({"cursor": [BAD_CURSOR]})
        try:
            if keyset.field:
                position = [keyset.decode_value(position[0]), position[1]]
            if isinstance(position[-1], bool) or not isinstance(position[-1], int):
                raise ValueError("not an id")
        except (ValueError, TypeError, OverflowError):
            raise ValidationError({"cursor": [BAD_CURSOR]}) from None
        queryset = queryset.filter(keyset.after(position))
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = _encode({"order": keyset.name, "after": keyset.position_of(rows[-1])})
    return rows, next_cursor


def paginated(request, rows: list, next_cursor: str | None, data: list) -> Response:
    """The page's envelope: ``results`` and ``next`` (the URL of the next page, or null)."""
    next_url = replace_query_param(request.build_absolute_uri(), "cursor", next_cursor) if next_cursor else None
    return Response({"next": next_url, "results": data})
