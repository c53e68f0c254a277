"""Writing the audit log: ``audit_record``, called by the services and admin actions that staff use.

Called inside the action's own transaction (the services are ``@transaction.atomic``), so a refused
or rolled-back action leaves no row, and a committed one always has its row.
"""

from __future__ import annotations

import csv
import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from .cells import csv_cell
from .models import AuditEntry

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest

    from accounts.models import User


def _target_fields(target: Model | None) -> dict:
    """Type, id and a readable label of the target: its title or name if it has one; a member is only "user #id"."""
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": ""}
    meta = target._meta
    with translation.override(None):  # the row is a record, written once: in the code's English
        label = f"{meta.verbose_name} #{target.pk}"
    if not isinstance(target, get_user_model()):  # a member is never named here
        # A model whose name is a member's own words (an API token's) gives a label of its own.
        title = getattr(target, "audit_label", None) or getattr(target, "title", None) or getattr(target, "name", None)
        if isinstance(title, str) and title:
            label = title
    return {
        "target_type": meta.label_lower,
        "target_id": str(target.pk),
        "target_repr": label[:200],
    }


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one row: who (``actor``, a user or None for the system), what (``action``, dotted:
    ``idea.status_changed``), on what (``target``, a model instance; only its type, id and title are
    kept) and the state ``before`` and ``after`` (JSON; never a member's name or address).

    Call it in the transaction of the action it records; ``request`` (optional) gives the client's IP.
    """
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        return AuditEntry.objects.create(
            actor_id=actor_id,
            action=action,
            before=before or {},
            after=after or {},
            ip_address=_client_ip(request),
            **_target_fields(target),
        )


CSV_COLUMNS = [
    "id",
    "when",
    "actor_id",
    "actor",
    "action",
    "target_type",
    "target_id",
    "target",
    "before",
    "after",
    "ip",
]


def audit_export_csv(
    *, actor: User, entries: Iterable[AuditEntry], out: TextIO, filters: dict, request: HttpRequest | None = None
) -> int:
    """Write ``entries`` as CSV to ``out`` and record the export itself (with its filters); returns the row count.

    The export's own row is written first, in its own transaction, so an export is audited even if the
    download is cut off; it is not in the file it records.
    """
    import json

    audit_record(actor=actor, action="audit.exported", after={"filters": filters}, request=request)
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries:
        writer.writerow(
            [
                entry.pk,
                entry.created_at.isoformat(),
                entry.actor_id or "",
                str(entry.actor) if entry.actor_id else "",
                entry.action,
                entry.target_type,
                entry.target_id,
                csv_cell(entry.target_repr),  # an idea's title, written by a member
                json.dumps(entry.before, sort_keys=True),
                json.dumps(entry.after, sort_keys=True),
                entry.ip_address or "",
            ]
        )
        count += 1
    return count
