"""Encryption at rest of what people write in confidence.

Every private text is stored as `enc1:<key id>:<Fernet token>`: authenticated encryption
(AES-128-CBC with HMAC-SHA256) under one of the configured keys, named by a short digest
of the key, so that several keys can be configured at once while `rotate_encryption_key`
moves every text to the newest. Keys come from the `MENTORA_ENCRYPTION_KEYS` setting
(newest first) or from the key file `MENTORA_ENCRYPTION_KEY_FILE`, never from the
database: a dump or backup of the database alone reveals no private text.

In development and tests (DEBUG or MENTORA_TESTING) a key file is made under the var
folder on first use, so a fresh clone runs without a step; in production a missing key
stops `mentora_serve` (see `deployment.py`) and any use of the field.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

PREFIX = "enc1"
# The file made in development and tests when no key is configured.
DEVELOPMENT_KEY_FILE = "encryption.key"


class EncryptionError(Exception):
    """A stored text that cannot be read back: not encrypted, under a key that is not
    configured, or altered. Never answered with whatever the bytes happen to say."""


def key_id(key: str) -> str:
    """A short, stable name of a key that reveals nothing of it."""
    return hashlib.sha256(b"mentora-encryption-key:" + key.encode()).hexdigest()[:8]


def generate_key() -> str:
    return Fernet.generate_key().decode()


@dataclass(frozen=True)
class Keyring:
    """The configured keys, newest first, by their ids."""

    keys: tuple[tuple[str, Fernet], ...]

    @property
    def newest_id(self) -> str:
        return self.keys[0][0]

    @property
    def current_prefix(self) -> str:
        """What every text encrypted under the newest key starts with."""
        return f"{PREFIX}:{self.newest_id}:"

    def encrypt(self, text: str) -> str:
        kid, fernet = self.keys[0]
        return f"{PREFIX}:{kid}:{fernet.encrypt(text.encode()).decode()}"

    def decrypt(self, value: str) -> str:
        prefix, _sep, rest = value.partition(":")
        kid, _sep, token = rest.partition(":")
        if prefix != PREFIX or not token:
            raise EncryptionError(
                "A private text in the database is not encrypted as Mentora stores it. "
                "Run the migrations, and never write these columns outside Mentora."
            )
        for known, fernet in self.keys:
            if known == kid:
                try:
                    return fernet.decrypt(token.encode()).decode()
                except InvalidToken as exc:
                    raise EncryptionError(
                        f"A private text encrypted with key {kid} failed its authenticity "
                        "check: it was altered or damaged, and is not shown."
                    ) from exc
        raise EncryptionError(
            f"A private text was encrypted with key {kid}, which is not among the "
            f"configured keys ({', '.join(k for k, _f in self.keys)}). Add that key back "
            "to MENTORA_ENCRYPTION_KEYS or the key file (after the newest) to read it."
        )


def _parse(lines: list[str], source: str) -> list[str]:
    keys = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    for key in keys:
        try:
            Fernet(key)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{source} holds a key that is not a Fernet key (32 url-safe base64-encoded "
                "bytes); make one with `manage.py rotate_encryption_key --generate-key`."
            ) from exc
    return keys


def _development_key_file() -> Path:
    """The key file of a development or test checkout, made on first use. Written whole
    to a file of its own, then linked into place (which fails if one is there already),
    so a web server and a worker starting together agree on one complete key."""
    path = Path(settings.VAR_DIR) / DEVELOPMENT_KEY_FILE
    if path.exists():
        return path
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".encryption-key-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(
                "# Encrypts the private texts of this development database; newest key first.\n"
                f"{generate_key()}\n"
            )
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)
    return path


def configured_keys() -> list[str]:
    """The keys, newest first: the setting if given, else the key file."""
    if settings.MENTORA_ENCRYPTION_KEYS:
        return _parse(list(settings.MENTORA_ENCRYPTION_KEYS), "MENTORA_ENCRYPTION_KEYS")
    path_setting = settings.MENTORA_ENCRYPTION_KEY_FILE
    if path_setting:
        path = Path(path_setting)
        if not path.is_file():
            raise ImproperlyConfigured(
                f"MENTORA_ENCRYPTION_KEY_FILE names {path}, which is not a readable file."
            )
    elif settings.MENTORA_ENCRYPTION_KEY_AUTOCREATE:
        path = _development_key_file()
    else:
        raise ImproperlyConfigured(
            "No encryption key is configured for the private texts: set "
            "MENTORA_ENCRYPTION_KEYS or MENTORA_ENCRYPTION_KEY_FILE (make a key with "
            "`manage.py rotate_encryption_key --generate-key`), and keep it out of the "
            "database's backups."
        )
    keys = _parse(path.read_text(encoding="utf-8").splitlines(), str(path))
    if not keys:
        raise ImproperlyConfigured(f"The encryption key file {path} holds no key.")
    return keys


@cache
def keyring() -> Keyring:
    return Keyring(tuple((key_id(key), Fernet(key)) for key in configured_keys()))


@receiver(setting_changed)
def _forget_keys(*, setting: str, **_kwargs: Any) -> None:
    if setting.startswith("MENTORA_ENCRYPTION_") or setting == "VAR_DIR":
        keyring.cache_clear()


def encrypt(text: str) -> str:
    return keyring().encrypt(text)


def decrypt(value: str) -> str:
    return keyring().decrypt(value)


def key_problems() -> list[str]:
    """What stops the keys from working, as sentences for `mentora_serve`."""
    try:
        keyring()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    return []
