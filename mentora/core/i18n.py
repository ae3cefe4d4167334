"""The message catalogues: compiled without GNU gettext, checked for completeness."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings


@dataclass(frozen=True)
class Gap:
    catalogue: Path
    msgid: str
    problem: str


def catalogues() -> list[Path]:
    return sorted(
        po for base in settings.LOCALE_PATHS for po in Path(base).glob("*/LC_MESSAGES/*.po")
    )


def compile_catalogues() -> list[Path]:
    """Write a .mo beside every .po (so `make run` needs no gettext tools)."""
    written = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        # Written beside it and renamed over it, so a server or test run reading the
        # catalogue meanwhile never sees half a file.
        partial = mo_path.with_name(f".{os.getpid()}.{mo_path.name}")
        polib.pofile(str(po_path)).save_as_mofile(str(partial))
        os.replace(partial, mo_path)
        written.append(mo_path)
    return written


def catalogue_gaps(po_path: Path) -> list[Gap]:
    """Every message without a usable translation: empty, fuzzy, or a plural form missing."""
    gaps = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            gaps.append(Gap(po_path, entry.msgid, "fuzzy"))
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                gaps.append(Gap(po_path, entry.msgid, "plural form missing"))
        elif not entry.msgstr:
            gaps.append(Gap(po_path, entry.msgid, "untranslated"))
    return gaps
