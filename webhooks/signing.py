"""Standard Webhooks signatures (https://www.standardwebhooks.com): secrets and the signed headers.

A secret is ``whsec_`` followed by the base64 of 24 random bytes; the key is those bytes. Each request
carries ``webhook-id`` (the message's id: the same on every retry and replay of a delivery, so the
receiver can drop one it already handled), ``webhook-timestamp`` (seconds since the epoch) and
``webhook-signature``: ``v1,`` and the base64 of HMAC-SHA256(key, "<id>.<timestamp>.<body>").
"""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def signed_headers(*, secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret=secret, message_id=message_id, timestamp=timestamp, body=body),
    }
