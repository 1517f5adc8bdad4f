"""Passkeys (WebAuthn): registration and login, beside passwords and TOTP.

The relying party is the portal's own host: ``PASSKEY_RP_ID`` and ``PASSKEY_ORIGIN`` if set, else both
come from ``SITE_URL``. Each ceremony's challenge is kept in the session under its purpose, used once
(taken out before it is checked) and expires after ``PASSKEY_CHALLENGE_SECONDS``. Every passkey login
requires user verification (PIN, fingerprint, face), so it counts as a second factor.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .models import Passkey, User

SESSION_KEY = "passkey_challenge"
REGISTER = "register"
LOGIN = "login"
DEFAULT_CHALLENGE_SECONDS = 300


class PasskeyError(Exception):
    """The browser's answer was refused (no challenge, expired, wrong origin, unknown credential …)."""


def rp_id() -> str:
    return getattr(settings, "PASSKEY_RP_ID", "") or (urlsplit(settings.SITE_URL).hostname or "localhost")


def expected_origin() -> str:
    configured = getattr(settings, "PASSKEY_ORIGIN", "")
    if configured:
        return str(configured).rstrip("/")
    parts = urlsplit(settings.SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def rp_name() -> str:
    return str(getattr(settings, "OTP_TOTP_ISSUER", "Jobcenter-Portal"))


def usable(user: User) -> bool:
    """Deactivated or locked accounts never log in with a passkey."""
    return bool(user.is_active and user.locked_at is None and user.deactivated_at is None)


def passkeys_of(user: User):  # type: ignore[no-untyped-def]
    return Passkey.objects.filter(user=user, confirmed=True)


def has_passkey(user: User) -> bool:
    return passkeys_of(user).exists()


# --- the challenge in the session ----------------------------------------------------------------


def _store_challenge(session: MutableMapping[str, Any], purpose: str, challenge: bytes, **extra: Any) -> None:
    session[SESSION_KEY] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
        "at": time.time(),
        **extra,
    }


def _take_challenge(session: MutableMapping[str, Any], purpose: str) -> dict[str, Any]:
    """The stored challenge, removed from the session whatever happens next (single use)."""
    state = session.pop(SESSION_KEY, None)
    if not state or state.get("purpose") != purpose:
        raise PasskeyError("no challenge")
    lifetime = getattr(settings, "PASSKEY_CHALLENGE_SECONDS", DEFAULT_CHALLENGE_SECONDS)
    if time.time() - float(state["at"]) > lifetime:
        raise PasskeyError("challenge expired")
    return dict(state)


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for key in passkeys_of(user):
        transports = []
        for value in key.transports or []:
            try:
                transports.append(AuthenticatorTransport(value))
            except ValueError:
                continue
        descriptors.append(PublicKeyCredentialDescriptor(id=bytes(key.credential_id), transports=transports))
    return descriptors


# --- registration --------------------------------------------------------------------------------


def registration_options(user: User, session: MutableMapping[str, Any]) -> str:
    """The options (JSON) for ``navigator.credentials.create``; the challenge goes into the session."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=rp_name(),
        user_id=str(user.pk).encode(),
        user_name=user.username,
        user_display_name=user.get_full_name() or user.username,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        timeout=getattr(settings, "PASSKEY_CHALLENGE_SECONDS", DEFAULT_CHALLENGE_SECONDS) * 1000,
    )
    _store_challenge(session, REGISTER, options.challenge, user=user.pk)
    return options_to_json(options)


def register(user: User, session: MutableMapping[str, Any], credential: dict[str, Any], name: str) -> Passkey:
    state = _take_challenge(session, REGISTER)
    if state.get("user") != user.pk:
        raise PasskeyError("challenge of another user")
    if not usable(user):
        raise PasskeyError("account not usable")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError(str(exc)) from exc
    if Passkey.objects.filter(credential_id=verified.credential_id).exists():
        raise PasskeyError("credential already registered")
    transports = (credential.get("response") or {}).get("transports") or []
    return Passkey.objects.create(
        user=user,
        name=(name or "").strip()[:64] or "Passkey",
        confirmed=True,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[str(t) for t in transports if isinstance(t, str)][:10],
    )


def remove(user: User, passkey_id: int) -> Passkey | None:
    """Remove one of the user's own passkeys; ``None`` if there is no such passkey of theirs."""
    passkey = passkeys_of(user).filter(pk=passkey_id).first()
    if passkey is None:
        return None
    passkey.delete()
    return passkey


# --- login ---------------------------------------------------------------------------------------


def authentication_options(session: MutableMapping[str, Any], user: User | None = None) -> str:
    """Options for ``navigator.credentials.get``: any passkey of the site (login), or only the given
    user's passkeys (second factor after the password)."""
    options = generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=_descriptors(user) if user is not None else [],
        user_verification=UserVerificationRequirement.REQUIRED,
        timeout=getattr(settings, "PASSKEY_CHALLENGE_SECONDS", DEFAULT_CHALLENGE_SECONDS) * 1000,
    )
    _store_challenge(session, LOGIN, options.challenge, user=user.pk if user is not None else None)
    return options_to_json(options)


def authenticate(
    session: MutableMapping[str, Any], credential: dict[str, Any], user: User | None = None
) -> Passkey:
    """The verified passkey (its counter and last use updated); ``PasskeyError`` for anything else."""
    state = _take_challenge(session, LOGIN)
    if state.get("user") != (user.pk if user is not None else None):
        raise PasskeyError("challenge of another user")
    try:
        raw_id = base64url_to_bytes(str(credential["rawId"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise PasskeyError("no credential id") from exc
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update()
            .select_related("user")
            .filter(credential_id=raw_id, confirmed=True)
            .first()
        )
        if passkey is None:
            raise PasskeyError("unknown credential")
        if user is not None and passkey.user_id != user.pk:
            raise PasskeyError("credential of another user")
        if not usable(passkey.user):
            raise PasskeyError("account not usable")
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=base64url_to_bytes(state["challenge"]),
                expected_rp_id=rp_id(),
                expected_origin=expected_origin(),
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=True,
            )
        except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
            raise PasskeyError(str(exc)) from exc
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey
