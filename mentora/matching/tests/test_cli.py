"""The command line (long: one test for every bad-input case): happy paths, determinism."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mentora.matching.cli import main

HEADER = "id,name,organisation,team,department,level,timezone,languages,themes"
MENTEES = (
    HEADER
    + """,goals,preferences,manager_id
e1,Ada,Acme,t1,Sales,2,Europe/Copenhagen,da;en,negotiation;leadership,grow as a leader,m1;m2,boss
e2,Bo,Acme,t2,IT,3,Europe/London,en,data,learn data strategy,m2,boss
e3,Cy,Beta,t3,HR,1,+05:30,en,coaching,,m1,
"""
)
MENTORS = (
    HEADER
    + """,capacity,preferences,manager_id
m1,Dan,Beta,t9,Finance,5,Europe/Oslo,en;da,leadership;negotiation,2,e1,
m2,Eve,Acme,t2,IT,6,Europe/Berlin,en,data;strategy,1,e2;e1,
m3,Fay,Gamma,t7,Legal,4,America/New_York,en,coaching,1,,boss
"""
)
PEOPLE = """id,manager_id
boss,ceo
ceo,
"""
POLICY = """[constraints]
reporting_line = true
same_team = true
max_timezone_gap_hours = 6

[weights]
themes = 10
progression = 4

[matching]
mode = "optimal"
candidates_per_mentee = 10
seed = 1
"""


# The fields the report must carry in every mode.
REPORT_KEYS = (
    "matched",
    "unmatched",
    "objective",
    "certified_optimal",
    "violations",
    "blocking_pairs",
    "organisations",
    "first_choice_share",
    "top3_choice_share",
    "seconds",
)


def _files(tmp_path: Path, **overrides: str) -> dict[str, Path]:
    contents = {"mentees": MENTEES, "mentors": MENTORS, "people": PEOPLE, "policy": POLICY}
    contents.update(overrides)
    paths = {}
    for name, text in contents.items():
        suffix = ".toml" if name == "policy" else ".csv"
        paths[name] = tmp_path / f"{name}{suffix}"
        paths[name].write_text(text)
    return paths


def _args(paths: dict[str, Path], tmp_path: Path, *extra: str) -> list[str]:
    args = []
    for name in (
        "mentees",
        "mentors",
        "people",
        "policy",
        "competitors",
        "locks",
        "pairs",
        "capacities",
    ):
        if name in paths:
            args += [f"--{name}", str(paths[name])]
    return args + [
        "--out",
        str(tmp_path / "out.csv"),
        "--report",
        str(tmp_path / "report.json"),
        *extra,
    ]


def _out(tmp_path: Path) -> list[dict[str, str]]:
    with (tmp_path / "out.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_it_matches_profiles_from_csv_and_writes_the_result_and_report(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    assert main(_args(paths, tmp_path)) == 0
    rows = _out(tmp_path)
    assert [r["mentee_id"] for r in rows] == ["e1", "e2", "e3"]
    assert list(rows[0]) == ["mentee_id", "mentor_id", "score", "explanation"]
    by = {r["mentee_id"]: r for r in rows}
    # e2 and m2 share team t2, so e2 cannot have its only choice.
    assert by["e2"]["mentor_id"] != "m2"
    assert by["e1"]["explanation"]
    report = json.loads((tmp_path / "report.json").read_text())
    for key in REPORT_KEYS:
        assert key in report
    assert report["violations"] == 0
    assert report["certified_optimal"] is True
    assert report["organisations"]["Acme"]["mentees"] == 2


def test_an_unmatched_mentee_gets_an_empty_mentor_and_the_reason(tmp_path: Path) -> None:
    mentors = "id,team,capacity\nm1,t1,1\n"
    mentees = "id,team\ne1,t1\ne2,t2\n"
    paths = _files(tmp_path, mentees=mentees, mentors=mentors, policy="")
    assert main(_args(paths, tmp_path)) == 0
    rows = {r["mentee_id"]: r for r in _out(tmp_path)}
    assert rows["e2"]["mentor_id"] == "m1"
    assert rows["e1"]["mentor_id"] == ""
    assert "hard rules" in rows["e1"]["explanation"]


def test_stable_mode_reports_zero_blocking_pairs(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    assert main(_args(paths, tmp_path, "--mode", "stable")) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["blocking_pairs"] == 0
    assert report["violations"] == 0


def test_suggest_and_groups_modes_write_their_own_layouts(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    assert main(_args(paths, tmp_path, "--mode", "suggest")) == 0
    assert list(_out(tmp_path)[0]) == ["mentee_id", "mentor_id", "score", "explanation", "rank"]
    groups = '[groups]\nmin_size = 1\nmax_size = 2\n[matching]\nmode = "groups"\n'
    paths = _files(tmp_path, policy=groups)
    assert main(_args(paths, tmp_path)) == 0
    assert list(_out(tmp_path)[0]) == ["group_id", "member_id", "explanation"]


def test_the_same_input_and_seed_give_byte_identical_output(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    assert main(_args(paths, tmp_path)) == 0
    first = (tmp_path / "out.csv").read_bytes()
    assert main(_args(paths, tmp_path)) == 0
    assert (tmp_path / "out.csv").read_bytes() == first


def test_locks_from_a_file_are_kept(tmp_path: Path) -> None:
    paths = _files(tmp_path, locks="mentee_id,mentor_id\ne3,m1\n")
    assert main(_args(paths, tmp_path)) == 0
    rows = {r["mentee_id"]: r for r in _out(tmp_path)}
    assert rows["e3"]["mentor_id"] == "m1"
    assert rows["e3"]["explanation"].startswith("locked")


def test_pairs_with_capacities(tmp_path: Path) -> None:
    pairs = "mentee_id,mentor_id,score\na,x,5\nb,x,4\nc,x,-1\nc,y,-2.5\n"
    paths = {"pairs": tmp_path / "p.csv", "capacities": tmp_path / "c.csv"}
    paths["pairs"].write_text(pairs)
    paths["capacities"].write_text("mentor_id,capacity\nx,2\ny,1\n")
    assert main(_args(paths, tmp_path)) == 0
    rows = {r["mentee_id"]: r["mentor_id"] for r in _out(tmp_path)}
    assert rows == {"a": "x", "b": "x", "c": "y"}
    assert json.loads((tmp_path / "report.json").read_text())["objective"] == 6.5


def test_a_given_score_is_ranked_among_all_the_mentees_pairs(tmp_path: Path) -> None:
    """m1 is full with a lock, so e2 gets m2; m2 is still e2's second best, not its first."""
    (tmp_path / "p.csv").write_text("mentee_id,mentor_id,score\ne1,m1,5\ne2,m1,-1\ne2,m2,-100\n")
    (tmp_path / "l.csv").write_text("mentee_id,mentor_id\ne1,m1\n")
    args = ["--pairs", str(tmp_path / "p.csv"), "--locks", str(tmp_path / "l.csv")]
    assert main([*args, "--out", str(tmp_path / "out.csv")]) == 0
    rows = {r["mentee_id"]: r for r in csv.DictReader((tmp_path / "out.csv").open())}
    assert rows["e2"]["mentor_id"] == "m2"
    assert "2nd best for the mentee" in rows["e2"]["explanation"]
    assert "1st best for the mentee" in rows["e1"]["explanation"]


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "mentora.matching", *_args(paths, tmp_path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.csv").exists()


BAD_INPUTS = [
    (
        "mentees",
        MENTEES + "e1,Dup,Acme,t1,Sales,2,,en,x,,,\n",
        "mentees.csv",
        "row 5",
        "id",
        "'e1'",
    ),
    (
        "mentees",
        MENTEES.replace("m1;m2,boss", "m1;m9,boss"),
        "mentees.csv",
        "row 2",
        "preferences",
        "'m9'",
    ),
    (
        "mentees",
        MENTEES.replace("strategy,m2,boss", "strategy,m2,nobody"),
        "mentees.csv",
        "row 3",
        "manager_id",
        "'nobody'",
    ),
    (
        "mentees",
        MENTEES.replace("Europe/London", "Mars/Olympus"),
        "mentees.csv",
        "row 3",
        "timezone",
        "'Mars/Olympus'",
    ),
    (
        "mentees",
        MENTEES.replace(",2,Europe/Copenhagen", ",two,Europe/Copenhagen"),
        "mentees.csv",
        "row 2",
        "level",
        "'two'",
    ),
    (
        "mentors",
        MENTORS.replace("coaching,1,", "coaching,-1,"),
        "mentors.csv",
        "row 4",
        "capacity",
        "'-1'",
    ),
    ("mentors", MENTORS.replace("id,name", "ident,name"), "mentors.csv", "row 1", "id", ""),
    ("people", "id,manager_id\nboss,ceo\nceo,boss\n", "people.csv", "row", "manager_id", "cycle"),
    ("mentors", MENTORS.replace("e2;e1", "e2;e7"), "mentors.csv", "row 3", "preferences", "'e7'"),
    ("locks", "mentee_id,mentor_id\ne2,m2\n", "locks.csv", "row 2", "mentor_id", "same_team"),
    ("locks", "mentee_id,mentor_id\ne2,m8\n", "locks.csv", "row 2", "mentor_id", "'m8'"),
    ("competitors", "organisation_a\nAcme\n", "competitors.csv", "row 1", "organisation_b", ""),
    # A quote left open swallows the rest of the file instead of ending a cell.
    ("mentees", 'id,goals\ne1,"lead\ne2,coach\n', "mentees.csv", "row 2", "-", ""),
    # Rows are numbered by the line they start on, also after a cell that spans lines.
    (
        "mentees",
        'id,goals,level\ne1,"a\nb\nc",1\ne2,x,abc\n',
        "mentees.csv",
        "row 5",
        "level",
        "'abc'",
    ),
    ("mentees", "id,level\ne1,1_000\n", "mentees.csv", "row 2", "level", "'1_000'"),
    ("mentees", "id,level\ne1,\u0661\u0662\n", "mentees.csv", "row 2", "level", "'\u0661\u0662'"),
    (
        "mentors",
        MENTORS.replace("coaching,1,", "coaching,1_0,"),
        "mentors.csv",
        "row 4",
        "capacity",
        "'1_0'",
    ),
    (
        "locks",
        "mentee_id,mentor_id\ne1,m1\ne2,m1\ne3,m1\n",
        "locks.csv",
        "row 4",
        "mentor_id",
        "capacity 2 but 3 locked",
    ),
    ("policy", "[matching]\nseed = -1\n", "policy.toml", "", "matching.seed", "-1"),
    (
        "policy",
        "[matching]\ngroup_size = 1e300\n",
        "policy.toml",
        "",
        "matching.group_size",
        "1e+300",
    ),
    ("policy", "[weights]\nthemes = 'lots'\n", "policy.toml", "", "weights.themes", "'lots'"),
    (
        "policy",
        "[matching]\nscore_resolution = 1e-320\n",
        "policy.toml",
        "",
        "matching.score_resolution",
        "1e-320",
    ),
    # A profile that names another manager than the reporting table is a conflict, not
    # something to drop silently.
    ("people", PEOPLE + "e1,ceo\n", "mentees.csv", "row 2", "manager_id", "'boss'"),
    (
        "mentors",
        MENTORS.replace("coaching,1,", "coaching,99999999999999999999,"),
        "mentors.csv",
        "row 4",
        "capacity",
        "'99999999999999999999'",
    ),
    # Names that are no place's zone, and offsets no place has.
    (
        "mentees",
        MENTEES.replace("Europe/London", "localtime"),
        "mentees.csv",
        "row 3",
        "timezone",
        "'localtime'",
    ),
    (
        "mentees",
        MENTEES.replace("+05:30", "+14:59"),
        "mentees.csv",
        "row 4",
        "timezone",
        "'+14:59'",
    ),
    (
        "mentees",
        MENTEES.replace("+05:30", "-13:00"),
        "mentees.csv",
        "row 4",
        "timezone",
        "'-13:00'",
    ),
]


@pytest.mark.parametrize(("name", "text", "file", "row", "column", "value"), BAD_INPUTS)
def test_bad_input_exits_2_naming_file_row_column_and_value_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    file: str,
    row: str,
    column: str,
    value: str,
) -> None:
    paths = _files(tmp_path, **{name: text})
    assert main(_args(paths, tmp_path)) == 2
    message = capsys.readouterr().err
    assert file in message
    assert row in message
    assert f"column {column}" in message
    assert value in message
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "report.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


@pytest.mark.parametrize(
    ("pairs", "row", "column", "value"),
    [
        ("mentee_id,mentor_id,score\na,x,1\nb,x,abc\n", "row 3", "score", "'abc'"),
        ("mentee_id,mentor_id,score\na,x,1\na,x,2\n", "row 3", "mentor_id", "'x'"),
        ("mentee_id,mentor_id\na,x\n", "row 1", "score", ""),
        ("mentee_id,mentor_id,score\na,x,nan\n", "row 2", "score", "'nan'"),
        ("mentee_id,mentor_id,score\n,x,1\n", "row 2", "mentee_id", "''"),
    ],
)
def test_bad_pairs_files_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    pairs: str,
    row: str,
    column: str,
    value: str,
) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(pairs)
    assert main(["--pairs", str(path), "--out", str(tmp_path / "out.csv")]) == 2
    message = capsys.readouterr().err
    assert "pairs.csv" in message and row in message and f"column {column}" in message
    assert value in message
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("capacity", ["-3", "2147483648"])
def test_a_capacity_out_of_range_in_the_capacities_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], capacity: str
) -> None:
    (tmp_path / "p.csv").write_text("mentee_id,mentor_id,score\na,x,1\n")
    (tmp_path / "c.csv").write_text(f"mentor_id,capacity\nx,{capacity}\n")
    code = main(
        [
            "--pairs",
            str(tmp_path / "p.csv"),
            "--capacities",
            str(tmp_path / "c.csv"),
            "--out",
            str(tmp_path / "out.csv"),
        ]
    )
    assert code == 2
    assert f"c.csv: row 2, column capacity, value '{capacity}'" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_an_existing_output_is_left_untouched_when_input_is_bad(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("previous run\n")
    (tmp_path / "p.csv").write_text("mentee_id,mentor_id,score\na,x,oops\n")
    assert main(["--pairs", str(tmp_path / "p.csv"), "--out", str(out)]) == 2
    assert out.read_text() == "previous run\n"


def _pairs_run(tmp_path: Path, *extra: str) -> int:
    (tmp_path / "p.csv").write_text("mentee_id,mentor_id,score\na,x,5\na,y,3\nb,x,4\nc,y,-2\n")
    return main(["--pairs", str(tmp_path / "p.csv"), "--out", str(tmp_path / "out.csv"), *extra])


def test_a_file_that_is_not_utf8_is_refused_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mentees.csv").write_bytes(b"id\ne1\n\xff\n")
    (tmp_path / "mentors.csv").write_text("id\nm1\n")
    args = ["--mentees", str(tmp_path / "mentees.csv"), "--mentors", str(tmp_path / "mentors.csv")]
    assert main([*args, "--out", str(tmp_path / "out.csv")]) == 2
    assert "mentees.csv: row 3" in capsys.readouterr().err
    (tmp_path / "policy.toml").write_bytes(b"\xff\xfe[matching]\n")
    assert _pairs_run(tmp_path, "--policy", str(tmp_path / "policy.toml")) == 2
    assert "policy.toml: row 1" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_a_policy_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / "policy.toml").write_bytes('\ufeff[matching]\nmode = "stable"\n'.encode())
    assert _pairs_run(tmp_path, "--policy", str(tmp_path / "policy.toml")) == 0


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (("--seed", "-5"), "--seed"),
        (("--report", "{out}"), "--report"),
        (("--report", "{tmp}"), "--report"),
        (("--report", "{tmp}/missing/report.json"), "--report"),
    ],
)
def test_bad_options_exit_2_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, str], option: str
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("previous run\n")
    filled = [e.format(out=out, tmp=tmp_path) for e in extra]
    assert _pairs_run(tmp_path, *filled) == 2
    assert f"column {option}" in capsys.readouterr().err
    assert out.read_text() == "previous run\n"


@pytest.mark.parametrize(
    ("files", "option"),
    [
        ({"pairs": "mentee_id,mentor_id,score\na,x,1\n", "people": "id,manager_id\n"}, "--people"),
        (
            {
                "pairs": "mentee_id,mentor_id,score\na,x,1\n",
                "competitors": "organisation_a,organisation_b\n",
            },
            "--competitors",
        ),
        (
            {"mentees": "id\ne1\n", "mentors": "id\nm1\n", "capacities": "mentor_id,capacity\n"},
            "--capacities",
        ),
    ],
)
def test_options_that_would_be_ignored_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], option: str
) -> None:
    args = []
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text)
        args += [f"--{name}", str(tmp_path / f"{name}.csv")]
    assert main([*args, "--out", str(tmp_path / "out.csv")]) == 2
    assert f"column {option}" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("locks", "row", "value", "reason"),
    [
        ("mentee_id,mentor_id\nb,y\n", "row 2", "'y'", "not a candidate pair"),
        ("mentee_id,mentor_id\na,x\nb,x\n", "row 3", "'x'", "capacity 1 but 2 locked"),
    ],
)
def test_a_lock_the_engine_cannot_honour_is_located_in_the_locks_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    locks: str,
    row: str,
    value: str,
    reason: str,
) -> None:
    (tmp_path / "locks.csv").write_text(locks)
    assert _pairs_run(tmp_path, "--locks", str(tmp_path / "locks.csv")) == 2
    message = capsys.readouterr().err
    assert f"locks.csv: row {row[4:]}, column mentor_id, value {value}" in message
    assert reason in message


def test_suggest_mode_keeps_a_locked_mentee_on_their_fixed_mentor(tmp_path: Path) -> None:
    (tmp_path / "locks.csv").write_text("mentee_id,mentor_id\nc,y\n")
    report = tmp_path / "report.json"
    extra = ("--locks", str(tmp_path / "locks.csv"), "--mode", "suggest", "--report", str(report))
    assert _pairs_run(tmp_path, *extra) == 0
    rows = [r for r in _out(tmp_path) if r["mentee_id"] == "c"]
    assert [(r["mentor_id"], r["rank"]) for r in rows] == [("y", "")]
    assert rows[0]["explanation"].startswith("locked")
    assert json.loads(report.read_text())["violations"] == 0


def test_output_files_get_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        assert _pairs_run(tmp_path) == 0
        assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o644
        (tmp_path / "out.csv").chmod(0o640)
        assert _pairs_run(tmp_path) == 0
        assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o640
    finally:
        os.umask(umask)


@pytest.mark.parametrize("mode", ["optimal", "stable", "suggest", "groups"])
def test_every_mode_reports_the_same_fields(tmp_path: Path, mode: str) -> None:
    paths = _files(tmp_path)
    assert main(_args(paths, tmp_path, "--mode", mode)) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    for key in REPORT_KEYS:
        assert key in report
    assert report["violations"] == 0
    assert (report["blocking_pairs"] is None) == (mode != "stable")


def test_formula_like_ids_are_written_as_quoted_text_and_scores_as_numbers(
    tmp_path: Path,
) -> None:
    hostile = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)"]
    pairs = io.StringIO()
    writer = csv.writer(pairs)
    writer.writerow(["mentee_id", "mentor_id", "score"])
    writer.writerows([[hostile[0], hostile[1], "-1.5"], [hostile[2], hostile[3], "-2"]])
    (tmp_path / "p.csv").write_text(pairs.getvalue())
    (tmp_path / "c.csv").write_text(f'mentor_id,capacity\n"{hostile[1]}",1\n{hostile[3]},1\n')
    args = ["--pairs", str(tmp_path / "p.csv"), "--capacities", str(tmp_path / "c.csv")]
    assert main([*args, "--out", str(tmp_path / "out.csv")]) == 0
    with (tmp_path / "out.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows[1:] for cell in row]
    assert {"'" + value for value in hostile} <= set(cells)
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    # A negative score is a number, so it keeps its minus sign and no quote.
    assert sorted(row[2] for row in rows[1:]) == ["-1.5", "-2"]


def _fairness_files(tmp_path: Path) -> dict[str, Path]:
    """Ten Acme mentors in team tm; eight Acme mentees in teams of their own, and six Beta
    mentees of whom four share team tm with every mentor, so no mentor may take them."""
    mentors = "id,organisation,team,level,themes,capacity\n" + "".join(
        f"m{k},Acme,tm,6,leadership,1\n" for k in range(10)
    )
    mentees = "id,organisation,team,level,themes\n"
    mentees += "".join(f"a{k},Acme,t{k},2,leadership\n" for k in range(8))
    mentees += "".join(f"b{k},Beta,{'tm' if k < 4 else f'u{k}'},2,leadership\n" for k in range(6))
    return _files(tmp_path, mentees=mentees, mentors=mentors, people="id,manager_id\n", policy="")


def test_the_report_carries_the_fairness_figures_and_the_order_check(tmp_path: Path) -> None:
    paths = _fairness_files(tmp_path)
    assert main(_args(paths, tmp_path)) == 0
    fairness = json.loads((tmp_path / "report.json").read_text())["fairness"]
    assert fairness["minimum_group"] == 5
    assert set(fairness["by"]) == {"organisation", "department", "location", "level_band", "gender"}
    # Recounted from the result file, independently of the report's own arithmetic.
    rows = _out(tmp_path)
    matched = {"Acme": 0, "Beta": 0}
    for row in rows:
        if row["mentor_id"]:
            matched["Acme" if row["mentee_id"].startswith("a") else "Beta"] += 1
    groups = {g["group"]: g for g in fairness["by"]["organisation"]["groups"]}
    assert {k: (g["mentees"], g["matched"]) for k, g in groups.items()} == {
        "Acme": (8, matched["Acme"]),
        "Beta": (6, matched["Beta"]),
    }
    assert matched == {"Acme": 8, "Beta": 2}
    [finding] = [f for f in fairness["findings"] if f["attribute"] == "organisation"]
    assert (finding["group"], finding["measure"], finding["driver"]) == (
        "Beta",
        "matched_share",
        "no_feasible_mentor",
    )
    # Every mentor took exactly one mentee.
    assert fairness["mentor_load"] == [
        {"low": 1, "high": 1, "mentors": 10},
    ]
    check = fairness["order_check"]
    assert check["same_objective"] is True and check["matched"] == 10


def test_the_fairness_breakdowns_can_be_chosen_and_the_order_check_left_out(
    tmp_path: Path,
) -> None:
    paths = _fairness_files(tmp_path)
    assert main(_args(paths, tmp_path, "--fairness-by", "organisation", "--no-order-check")) == 0
    fairness = json.loads((tmp_path / "report.json").read_text())["fairness"]
    assert list(fairness["by"]) == ["organisation"] and fairness["order_check"] is None


def test_an_unknown_fairness_attribute_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _fairness_files(tmp_path)
    assert main(_args(paths, tmp_path, "--fairness-by", "shoe_size")) == 2
    assert "--fairness-by" in capsys.readouterr().err
    assert not (tmp_path / "report.json").exists()
