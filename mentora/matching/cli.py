"""``mentora-match``: run the engine on CSV files.

Exit status 0 on success, 2 on bad input (the message on stderr names file, row, column
and value). Output files are written only after everything succeeded, each through a
temporary file and an atomic rename.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from mentora.core.spreadsheets import csv_writer
from mentora.matching.engine import match
from mentora.matching.fairness import (
    ATTRIBUTES,
    ORDER_CHECK_MODES,
    facts_from_result,
    fairness_report,
    order_check,
)
from mentora.matching.io import (
    InputError,
    Located,
    check_references,
    check_reporting,
    read_capacities,
    read_competitors,
    read_locks,
    read_pairs,
    read_people,
    read_persons,
    read_policy,
)
from mentora.matching.model import LockError, MatchResult, Person, Problem, ProblemError
from mentora.matching.policy import MODES, Policy, PolicyError
from mentora.matching.report import build_report, count_violations


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mentora-match", description="Match mentees with mentors from CSV files."
    )
    p.add_argument("--pairs", type=Path, help="mentee_id,mentor_id,score candidate pairs")
    p.add_argument("--capacities", type=Path, help="mentor_id,capacity (with --pairs)")
    p.add_argument("--mentees", type=Path, help="mentee profiles")
    p.add_argument("--mentors", type=Path, help="mentor profiles")
    p.add_argument("--people", type=Path, help="id,manager_id: the whole reporting tree")
    p.add_argument("--competitors", type=Path, help="organisation_a,organisation_b")
    p.add_argument("--locks", type=Path, help="mentee_id,mentor_id pairs fixed by a manager")
    p.add_argument("--policy", type=Path, help="policy TOML")
    p.add_argument("--mode", choices=MODES, help="overrides [matching] mode")
    p.add_argument("--seed", type=int, help="overrides [matching] seed")
    p.add_argument("--out", type=Path, required=True, help="result CSV")
    p.add_argument("--report", type=Path, help="report JSON")
    p.add_argument("--progress", action="store_true", help="print progress on stderr")
    p.add_argument(
        "--fairness-by",
        default=",".join(ATTRIBUTES),
        help=f"attributes of the report's fairness breakdowns (default {','.join(ATTRIBUTES)})",
    )
    p.add_argument(
        "--no-order-check",
        action="store_true",
        help="leave out the report's re-solve in a shuffled order (it doubles the run time)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``mentora-match`` and ``python -m mentora.matching``."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return _run(args)
    except InputError as exc:
        print(f"mentora-match: {exc}", file=sys.stderr)
        return 2
    except ProblemError as exc:
        print(f"mentora-match: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"mentora-match: cannot write output: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    policy = read_policy(args.policy) if args.policy else Policy()
    changes: dict[str, object] = {}
    if args.mode:
        changes["mode"] = args.mode
    if args.seed is not None:
        changes["seed"] = args.seed
    if changes:
        policy = dataclasses.replace(
            policy,
            matching=dataclasses.replace(policy.matching, **changes),  # type: ignore[arg-type]
        )
        try:
            policy.validate()
        except PolicyError as exc:
            option = "--" + exc.key.rsplit(".", 1)[-1]
            raise InputError("-", "-", option, exc.value, exc.reason) from None
    outputs = [args.out] + ([args.report] if args.report else [])
    _check_outputs(outputs)
    attributes = _attributes(args.fairness_by)
    problem, lock_rows = _problem(args, policy)
    read_seconds = time.perf_counter() - started

    def progress(stage: str, fraction: float) -> None:
        if args.progress:
            print(f"{stage}: {fraction:.0%}", file=sys.stderr)

    try:
        result = match(problem=problem, policy=policy, progress=progress)
    except LockError as exc:
        value = exc.lock[0] if exc.column == "mentee_id" else exc.lock[1]
        raise InputError(args.locks, lock_rows[exc.lock], exc.column, value, exc.reason) from None
    violations = count_violations(problem=problem, policy=policy, result=result)
    report = build_report(problem=problem, result=result, violations=violations)
    report["fairness"] = None
    if args.report and result.mode in ORDER_CHECK_MODES:
        fairness = fairness_report(facts_from_result(problem, result, attributes)).to_dict()
        fairness["order_check"] = (
            None
            if args.no_order_check
            else order_check(problem=problem, policy=policy, result=result).to_dict()
        )
        report["fairness"] = fairness
    report["seconds"] = {"read": round(read_seconds, 6), **report["seconds"]}
    report["seconds"]["total"] = round(time.perf_counter() - started, 6)
    texts = [_result_csv(problem, result)]
    if args.report:
        texts.append(json.dumps(report, indent=2, sort_keys=True) + "\n")
    _write_atomically(list(zip(outputs, texts, strict=True)))
    return 0


def _attributes(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(a.strip() for a in value.split(",") if a.strip()))
    for attribute in chosen:
        if attribute not in ATTRIBUTES:
            raise InputError(
                "-", "-", "--fairness-by", attribute, f"not one of {','.join(ATTRIBUTES)}"
            )
    return chosen


def _usage(option: str, reason: str) -> InputError:
    return InputError("-", "-", option, "", reason)


def _problem(
    args: argparse.Namespace, policy: Policy
) -> tuple[Problem, dict[tuple[str, str], int]]:
    """The problem, and the row of each lock in the locks file."""
    if args.pairs and (args.mentees or args.mentors):
        raise _usage("--pairs", "use either --pairs or --mentees/--mentors, not both")
    if args.pairs and (args.people or args.competitors):
        option = "--people" if args.people else "--competitors"
        raise _usage(option, "applies to profiles; with --pairs the pairs file is the only rule")
    if args.capacities and not args.pairs:
        raise _usage(
            "--capacities", "only with --pairs; profiles give capacity in the mentors file"
        )
    people: list[tuple[str, str]] = []
    people_rows: dict[str, int] = {}
    if args.people:
        people, people_rows = read_people(args.people)
    competitors = read_competitors(args.competitors) if args.competitors else []
    if args.pairs:
        mentee_ids, mentor_ids, pairs = read_pairs(args.pairs)
        capacities = read_capacities(args.capacities) if args.capacities else {}
        for mid in capacities:
            if mid not in mentor_ids:
                mentor_ids.append(mid)
        mentees = tuple(Person(id=i) for i in mentee_ids)
        mentors = tuple(Person(id=j, capacity=capacities.get(j, 1)) for j in mentor_ids)
        locks = _locks(args, mentees, mentors)
        return Problem(mentees, mentors, locks=tuple(locks), pairs=pairs), locks
    if policy.matching.mode == "groups":
        if not (args.mentees or args.mentors):
            raise InputError("-", 0, "--mentees", "", "groups mode needs --mentees or --mentors")
    elif not (args.mentees and args.mentors):
        raise InputError(
            "-", 0, "--mentees/--mentors", "", "give --pairs, or both --mentees and --mentors"
        )
    mentee_list: list[Person] = []
    mentor_list: list[Person] = []
    where_a: dict[str, Located] = {}
    where_b: dict[str, Located] = {}
    if args.mentees:
        mentee_list, where_a = read_persons(args.mentees, side="mentee")
    if args.mentors:
        mentor_list, where_b = read_persons(args.mentors, side="mentor")
    if args.mentees and args.mentors:
        check_references(args.mentees, mentee_list, where_a, other_ids=where_b, other_side="mentor")
        check_references(args.mentors, mentor_list, where_b, other_ids=where_a, other_side="mentee")
    elif args.mentees:
        check_references(args.mentees, mentee_list, where_a, other_ids=where_a, other_side="member")
    else:
        check_references(args.mentors, mentor_list, where_b, other_ids=where_b, other_side="member")
    located = [(p, where_a[p.id]) for p in mentee_list] + [(p, where_b[p.id]) for p in mentor_list]
    check_reporting(people, people_rows, args.people, located)
    mentees, mentors = tuple(mentee_list), tuple(mentor_list)
    locks = _locks(args, mentees, mentors)
    return Problem(mentees, mentors, tuple(people), tuple(competitors), tuple(locks)), locks


def _locks(
    args: argparse.Namespace, mentees: tuple[Person, ...], mentors: tuple[Person, ...]
) -> dict[tuple[str, str], int]:
    """Locked pairs in file order, each with its row (the engine checks rules and room)."""
    if not args.locks:
        return {}
    rows = read_locks(args.locks, {p.id for p in mentees}, {p.id for p in mentors})
    return {(a, b): number for number, a, b in rows}


def _result_csv(problem: Problem, result: MatchResult) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    if result.mode == "groups":
        writer.writerow(["group_id", "member_id", "explanation"])
        for g in result.groups:
            for member in g.member_ids:
                writer.writerow([g.group_id, member, g.explanation])
        for u in result.ungrouped:
            writer.writerow(["", u.mentee_id, u.reason])
        return buffer.getvalue()
    if result.mode == "suggest":
        writer.writerow(["mentee_id", "mentor_id", "score", "explanation", "rank"])
        for m in result.matches:  # locked pairs: fixed, so nothing is suggested for them
            writer.writerow([m.mentee_id, m.mentor_id, _fmt(m.score), m.explanation, ""])
        for s in result.suggestions:
            writer.writerow([s.mentee_id, s.mentor_id, _fmt(s.score), s.explanation, s.rank])
        for u in result.unmatched:
            writer.writerow([u.mentee_id, "", "", u.reason, ""])
        return buffer.getvalue()
    writer.writerow(["mentee_id", "mentor_id", "score", "explanation"])
    matched = {m.mentee_id: m for m in result.matches}
    unmatched = {u.mentee_id: u for u in result.unmatched}
    for p in problem.mentees:
        if p.id in matched:
            m = matched[p.id]
            writer.writerow([p.id, m.mentor_id, _fmt(m.score), m.explanation])
        else:
            missing = unmatched.get(p.id)
            writer.writerow([p.id, "", "", missing.reason if missing else "not matched"])
    return buffer.getvalue()


def _fmt(value: float) -> int | float:
    # A number, not its text, so that a negative score stays a number in the file.
    number = float(value)
    return int(number) if number.is_integer() else round(number, 9)


def _check_outputs(paths: list[Path]) -> None:
    """Refuse, before any work, output paths that could fail after another was replaced."""
    if len(paths) == 2 and paths[0].resolve() == paths[1].resolve():
        raise _usage("--report", f"names the same file as --out ({paths[0]})")
    for option, path in zip(("--out", "--report"), paths, strict=False):
        if path.is_dir():
            raise InputError("-", "-", option, str(path), "is a folder, not a file")
        if not path.resolve().parent.is_dir():
            raise InputError("-", "-", option, str(path), "its folder does not exist")


def _write_atomically(outputs: list[tuple[Path, str]]) -> None:
    """Each file through a temporary file and a rename, with the mode a new file would get
    (or the one it had)."""
    umask = os.umask(0)
    os.umask(umask)
    temps: list[tuple[str, Path]] = []
    try:
        for path, text in outputs:
            directory = path.resolve().parent
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask
            os.chmod(tmp, mode)
            temps.append((tmp, path))
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


if __name__ == "__main__":
    raise SystemExit(main())
