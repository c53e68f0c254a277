"""Unsubscribe links: opaque, expiring, and signed with the deployment's SECRET_KEY.

A link's token names a member and a kind of notification, and works without a sign-in (mail
providers POST to it for RFC 8058's one-click unsubscribe). So it must reveal nothing, end, and be
impossible to forge:

- **Opaque.** The member's id and the kind are encrypted: ``nonce || (payload XOR keystream)``,
  the keystream being HMAC-SHA256(key, nonce || counter) blocks (a PRF in counter mode) under a key
  derived from SECRET_KEY. A fresh random nonce per token: two links for one member look unrelated.
- **Signed and expiring.** ``TimestampSigner`` (HMAC-SHA256, its own salt) signs the encrypted part
  with the time; a link older than ``UNSUBSCRIBE_LINK_DAYS`` is refused with a message that points
  to the preferences page. A changed token fails the signature before anything is decrypted.
- A production SECRET_KEY is never a published one (settings refuse to start with one), so nobody
  can mint tokens for members.

Public API (called by notifications.services and its tasks): ``unsubscribe_token``,
``unsubscribe_url``, ``unsubscribe_token_read``, ``UnsubscribeTokenInvalid``.
"""

import base64
import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import Kind

SIGNING_SALT = "notifications.unsubscribe.v2"
_CIPHER_SALT = "notifications.unsubscribe.v2.cipher"
_NONCE_BYTES = 12


class UnsubscribeTokenInvalid(DomainError):
    pass


class UnsubscribeTokenExpired(UnsubscribeTokenInvalid):
    pass


def _max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.UNSUBSCRIBE_LINK_DAYS)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SIGNING_SALT, algorithm="sha256")


def _keystream(nonce: bytes, length: int) -> bytes:
    key = salted_hmac(_CIPHER_SALT, b"key", algorithm="sha256").digest()
    blocks = (
        hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        for counter in range((length + 31) // 32)
    )
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    payload = f"{int(user_id)}:{str(Kind(kind))}".encode()
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return _signer().sign(_b64(nonce + _xor(payload, _keystream(nonce, len(payload)))))


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token_read(token: str) -> tuple[object, str]:
    """The (user, kind) a token names; raises UnsubscribeTokenExpired for a link past its time and
    UnsubscribeTokenInvalid for a changed, foreign or unknown one."""
    invalid = UnsubscribeTokenInvalid(
        _("This unsubscribe link is not valid. Change your emails on your preferences page.")
    )
    try:
        sealed = _signer().unsign(token, max_age=_max_age())
    except signing.SignatureExpired:
        raise UnsubscribeTokenExpired(
            _(
                "This unsubscribe link has expired. Sign in and change your emails on your preferences page; "
                "the next email has a new link."
            )
        ) from None
    except signing.BadSignature:
        raise invalid from None
    try:
        raw = _unb64(sealed)
        nonce, cipher = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        user_id, kind = _xor(cipher, _keystream(nonce, len(cipher))).decode().split(":")
        user = get_user_model().objects.get(pk=int(user_id), is_active=True)
        return user, Kind(kind)
    except (ValueError, UnicodeDecodeError, get_user_model().DoesNotExist):
        raise invalid from None
