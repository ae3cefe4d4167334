"""Published OR-Library assignment instances reach their proven optima through the CLI."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from mentora.matching.cli import main

# The published instances, kept beside the tests (see the README there for their source).
BENCHMARKS = Path(__file__).resolve().parent / "data" / "orlib-assignment"
FAST = [
    "assign100",
    "assign200",
    "assign300",
    "assign400",
    "assignp800",
    "assignp1500",
    "assignp3000",
    "assignp5000",
]
SLOW = ["assign500", "assign600", "assign700", "assign800"]


def _optima() -> dict[str, int]:
    lines = (BENCHMARKS / "assignopt.txt").read_text().splitlines()[1:]
    return {line.split()[0]: int(line.split()[1]) for line in lines if line.strip()}


def _write_pairs(name: str, path: Path) -> None:
    text = gzip.decompress((BENCHMARKS / f"{name}.txt.gz").read_bytes()).decode("ascii")
    tokens = np.array(text.split(), dtype=np.int64)
    n = int(tokens[0])
    if name.startswith("assignp"):
        triples = tokens[1:].reshape(-1, 3)
        i, j, cost = triples[:, 0], triples[:, 1], triples[:, 2]
    else:
        cost = tokens[1 : 1 + n * n]
        i = np.repeat(np.arange(1, n + 1), n)
        j = np.tile(np.arange(1, n + 1), n)
    with path.open("w") as handle:
        handle.write("mentee_id,mentor_id,score\n")
        handle.writelines(
            f"w{a},j{b},{-c}\n"
            for a, b, c in zip(i.tolist(), j.tolist(), cost.tolist(), strict=True)
        )


def _check(name: str, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    _write_pairs(name, pairs)
    out, report = tmp_path / "out.csv", tmp_path / "report.json"
    assert main(["--pairs", str(pairs), "--out", str(out), "--report", str(report)]) == 0
    data = json.loads(report.read_text())
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    optimum = _optima()[name]
    assert data["unmatched"] == 0
    assert data["matched"] == len(rows)
    assert -data["objective"] == optimum
    assert -sum(float(r["score"]) for r in rows) == optimum
    assert len({r["mentor_id"] for r in rows}) == len(rows)
    assert data["certified_optimal"] is True
    assert data["violations"] == 0


@pytest.mark.parametrize("name", FAST)
def test_it_reaches_the_published_optimum_of_each_orlib_instance(name: str, tmp_path: Path) -> None:
    _check(name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_it_reaches_the_published_optimum_of_each_large_dense_orlib_instance(
    name: str, tmp_path: Path
) -> None:
    _check(name, tmp_path)
