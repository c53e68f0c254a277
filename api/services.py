"""Every write of the api app: creating and revoking personal access tokens (each audited)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import DomainError

from . import rules
from .models import ApiToken, Scope

__all__ = ["TokenError", "token_create", "token_hash", "token_revoke", "token_touch"]

if TYPE_CHECKING:
    from accounts.models import User

NAME_MAX_LENGTH: int = ApiToken._meta.get_field("name").max_length or 100
# The secret part: 32 random bytes, URL-safe.
SECRET_BYTES = 32
PREFIX_CHARS = 8


class TokenError(DomainError):
    """A refused token change; the message is for the person who tried."""


def token_hash(raw: str) -> str:
    """The stored form of a token: SHA-256 (the token holds 256 random bits, so no slow hash is needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, scopes: Iterable[str] | None, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which exists nowhere else afterwards.

    The token reads ``<API_TOKEN_PREFIX><8 characters>_<secret>``; its first part is the stored
    ``prefix``. Raises TokenError with the reason (a staff scope for a non-staff member, no scope, no
    name, an expiry in the past).
    """
    scopes = list(dict.fromkeys(scopes or []))
    refusal = rules.token_scopes_refusal(user, scopes)
    if refusal:
        raise TokenError(refusal)
    scopes.sort(key=Scope.values.index)
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Give the token a name, so you can recognise it later."))
    if len(name) > NAME_MAX_LENGTH:
        raise TokenError(_("Keep the name to at most %(max)d characters.") % {"max": NAME_MAX_LENGTH})
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError(_("The expiry date must be in the future."))
    prefix = settings.API_TOKEN_PREFIX + secrets.token_hex(PREFIX_CHARS // 2)
    raw = f"{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, token_hash=token_hash(raw), scopes=scopes, expires_at=expires_at
    )
    # Who holds which access is the IT department's first question: never the secret, only its prefix.
    audit_record(
        actor=user,
        action="api_token.created",
        target=token,
        after={"prefix": prefix, "scopes": scopes, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke the token from now on (idempotent: revoking twice keeps the first time).

    Under the token's row lock. ``user`` is who revokes: its owner, or staff in the admin.
    """
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    refusal = rules.token_revoke_refusal(user, token)
    if refusal:
        raise TokenError(refusal)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action="api_token.revoked",
            target=token,
            before={"revoked": False},
            after={"revoked": True, "prefix": token.prefix, "owner_id": token.user_id},
        )
    return token


def token_touch(*, token: ApiToken, now: datetime.datetime) -> None:
    """Record that the token was used, at most every API_TOKEN_LAST_USED_EVERY_SECONDS (one UPDATE, no lock)."""
    every = datetime.timedelta(seconds=settings.API_TOKEN_LAST_USED_EVERY_SECONDS)
    if token.last_used_at is None or now - token.last_used_at >= every:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
