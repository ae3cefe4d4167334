"""Settings that `make run` leaves for the checkout, so manage.py works from any shell."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from config.settings import load_local_env


def test_a_local_env_file_fills_in_what_the_environment_does_not_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MENTORA_EXAMPLE_KEY", raising=False)
    monkeypatch.setenv("MENTORA_EXAMPLE_SET", "from the environment")
    env_file = tmp_path / "local.env"
    env_file.write_text(
        "# a comment = not a setting\n"
        "MENTORA_EXAMPLE_KEY = abc=def\n"
        "MENTORA_EXAMPLE_SET=from the file\n"
        "not a setting\n"
    )
    load_local_env(env_file)
    assert os.environ["MENTORA_EXAMPLE_KEY"] == "abc=def"
    assert os.environ["MENTORA_EXAMPLE_SET"] == "from the environment"
    assert "# a comment" not in os.environ
    monkeypatch.delenv("MENTORA_EXAMPLE_KEY")


def test_a_missing_local_env_file_changes_nothing(tmp_path: Path) -> None:
    before = dict(os.environ)
    load_local_env(tmp_path / "absent.env")
    assert dict(os.environ) == before
