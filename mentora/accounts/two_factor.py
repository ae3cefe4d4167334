"""Two-factor log-in: who needs it, and the TOTP secrets, codes and QR codes behind it.

The authenticator app is django-otp's TOTP device (RFC 6238: 30-second steps, six digits,
one step of clock drift either way, a code never accepted twice); recovery codes are a
device of our own (`RecoveryCodes`) whose codes are stored as keyed digests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from binascii import unhexlify
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentora.accounts.access import STAFF_ROLES, Viewer, signed_in
from mentora.accounts.models import Membership

RECOVERY_CODES = 10
# Letters and digits that cannot be mistaken for one another when copied by hand.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 12


def required_for(user: Viewer) -> bool:
    """Whether `user` may use Mentora only after a second factor: a platform admin (when
    the installation says so), or an organisation admin or programme manager of an
    organisation that requires it."""
    if not signed_in(user):
        return False
    if user.is_superuser and settings.TWO_FACTOR_FOR_PLATFORM_ADMINS:
        return True
    return Membership.objects.filter(
        user_id=user.pk, role__in=STAFF_ROLES, organisation__require_two_factor=True
    ).exists()


def enrolled(user: Viewer) -> bool:
    """Whether `user` has an authenticator app set up."""
    return signed_in(user) and TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def new_key() -> str:
    """A new TOTP secret: 20 random bytes, as hex (what django-otp stores)."""
    return secrets.token_hex(20)


def base32(key: str) -> str:
    """The secret as an authenticator app takes it when typed in."""
    return base64.b32encode(unhexlify(key)).decode().rstrip("=")


def otpauth_uri(email: str, key: str) -> str:
    """The `otpauth://` URI that the QR code carries."""
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{email}")
    return f"otpauth://totp/{label}?" + urlencode(
        {"secret": base32(key), "issuer": issuer, "digits": 6, "period": 30}
    )


def qr_svg(uri: str, title: str) -> str:
    """The QR code as SVG, drawn with attributes only (the CSP allows no inline styles)."""
    return segno.make(uri, error="m").svg_inline(scale=4, title=title, svgclass="qr-code")


def totp_step(key: str, code: str) -> int | None:
    """The time step at which `code` is right for the secret `key` (one step of drift either
    way), else None."""
    code = code.strip().replace(" ", "")
    if not re.fullmatch(r"[0-9]{6}", code):
        return None
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    now = totp.t()
    for step in (now, now - 1, now + 1):
        totp.drift = step - now
        if hmac.compare_digest(f"{totp.token():06d}", code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Fresh recovery codes, written in groups of four letters for reading aloud."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4)))
    return codes


def code_digest(code: str) -> str:
    """What is kept of a recovery code: an HMAC of it under the secret key, so that a copy
    of the database alone cannot test guesses. Spaces, dashes and case do not matter."""
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()
