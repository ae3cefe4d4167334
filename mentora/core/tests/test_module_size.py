"""Modules stay small enough to read in one sitting, or say why they may not."""

from __future__ import annotations

import re
from pathlib import Path

import mentora

LIMIT = 600
PACKAGE = Path(mentora.__file__).parent
# A long module opens with a comment (or docstring line) that says why it is long.
WHY = re.compile(r"^(#|\"\"\"|''').*\b(long|lines)\b", re.IGNORECASE)


def _too_long(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if len(lines) <= LIMIT:
        return False
    first = next((line for line in lines if line.strip()), "")
    return not WHY.match(first.strip())


def test_no_module_is_over_the_limit_without_saying_why() -> None:
    too_long = sorted(
        str(path.relative_to(PACKAGE.parent)) for path in PACKAGE.rglob("*.py") if _too_long(path)
    )
    assert too_long == [], f"over {LIMIT} lines, with no first comment saying why: {too_long}"


def test_the_check_sees_a_long_module_and_accepts_a_reason(tmp_path: Path) -> None:
    body = "\n".join(f"x{i} = {i}" for i in range(LIMIT + 1))
    silent = tmp_path / "silent.py"
    silent.write_text(body)
    explained = tmp_path / "explained.py"
    explained.write_text("# Long: one table of every code the format defines.\n" + body)
    assert _too_long(silent)
    assert not _too_long(explained)
