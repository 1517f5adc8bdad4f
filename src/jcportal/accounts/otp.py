"""Second factor (TOTP, RFC 6238) for staff (mandatory) and citizens (optional)."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice | None:  # type: ignore[no-untyped-def]
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    """The unconfirmed device being set up (created once, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def create_device_with_secret(user, base32_secret: str) -> TOTPDevice:  # type: ignore[no-untyped-def]
    """Used by the demo data: a confirmed device with a known (documented) secret."""
    key_hex = base64.b32decode(base32_secret).hex()
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="demo", defaults={"key": key_hex, "confirmed": True, "tolerance": 1}
    )
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    uri = device.config_url
    return segno.make(uri, error="m").svg_inline(scale=4, title=settings.OTP_TOTP_ISSUER)
