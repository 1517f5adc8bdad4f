"""Webhook signatures: ``webhook-signature: v1,<base64 HMAC-SHA256(secret, "{timestamp}.{body}")>``.

The receiver recomputes the HMAC over the ``webhook-timestamp`` header, a dot and the raw body, compares
in constant time and rejects timestamps more than five minutes away from its clock (replays).
``docs/integration/events.md`` has the same ``verify`` for receivers to copy.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

TOLERANCE_SECONDS = 5 * 60


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def verify(secret: str, body: bytes, timestamp: str, signature: str, *, now: float | None = None) -> bool:
    """True when ``signature`` (one or more space-separated ``v1,…``) signs ``body`` at a fresh ``timestamp``."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - stamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, stamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in (signature or "").split())
