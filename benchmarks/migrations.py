"""Time the migrations of this release on a 180,000-person database.

Usage:  .venv/bin/python benchmarks/migrations.py [--people 180000] [--since a376ed0] [--reuse]
        [--database postgres://postgres@127.0.0.1:5432/mentora_bench_migrations]

The database named is dropped and created afresh (with `--reuse`, kept when it holds the
demo organisation at that size already), migrated and seeded with the demo organisation
at `--people` (`seed_demo`). It is then taken back to the migrations of an earlier release
point, the commit `--since` (every migration added since is unapplied, each timed), and
migrated forward to the latest again, each migration timed, as `manage.py migrate` does
after an upgrade. The rows stay: what the seed wrote is there when the newer migrations
run again. The last line printed is JSON: {"people": n, "since": ref, "backward_s": s,
"forward_s": s, "migrations": {"app.name": seconds, ...}}.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from typing import Any

from harness import REPO, add_database_argument, start_django

# The release before this one: no tags yet, so its commit.
RELEASE_POINT = "a376ed0"
TARGET_S = 120


def _names_at(ref: str, app: str) -> set[str]:
    """The migrations of `app` (its label, a folder under mentora/) in commit `ref`."""
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", ref, f"mentora/{app}/migrations/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        path.rsplit("/", 1)[1].removesuffix(".py")
        for path in listing
        if path.endswith(".py") and not path.endswith("__init__.py")
    }


def _added_since(graph: Any, ref: str) -> list[tuple[str, str]]:
    """The migrations of Mentora's apps that commit `ref` did not have, in the order
    `migrate` applies them."""
    apps = {app for app, _name in graph.nodes if (REPO / "mentora" / app / "migrations").is_dir()}
    old = {(app, name) for app in apps for name in _names_at(ref, app)}
    ordered: list[tuple[str, str]] = []
    for leaf in graph.leaf_nodes():
        ordered += [node for node in graph.forwards_plan(leaf) if node not in ordered]
    return [node for node in ordered if node[0] in apps and node not in old]


class _Clock:
    """The seconds of each migration applied or unapplied, from the executor's reports."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._began = 0.0

    def __call__(self, action: str, migration: Any = None, fake: bool = False) -> None:
        if action in ("apply_start", "unapply_start"):
            self._began = time.perf_counter()
        elif action in ("apply_success", "unapply_success"):
            name = f"{migration.app_label}.{migration.name}"
            self.seconds[name] = round(time.perf_counter() - self._began, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=180_000)
    parser.add_argument("--since", default=RELEASE_POINT)
    parser.add_argument("--reuse", action="store_true")
    add_database_argument(parser, "mentora_bench_migrations")
    args = parser.parse_args()
    start_django(args.database, fresh=not args.reuse)
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from mentora.demo.seed import ORGANISATION_SLUG, seed_demo
    from mentora.people.models import Person

    people = Person.objects.filter(organisation__slug=ORGANISATION_SLUG).count()
    if people < args.people:
        began = time.perf_counter()
        seed_demo(people=args.people)
        print(f"seeded {args.people} people in {time.perf_counter() - began:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    back = _Clock()
    executor = MigrationExecutor(connection, progress_callback=back)
    graph = executor.loader.graph
    added = _added_since(graph, args.since)
    print(f"{len(added)} migrations since {args.since}:", ", ".join(f"{a}.{n}" for a, n in added))
    # Unapplied newest first, so that nothing is unapplied before what depends on it.
    plan = [(graph.nodes[node], True) for node in reversed(added)]
    began = time.perf_counter()
    executor.migrate(added, plan=plan)
    backward_s = time.perf_counter() - began
    for name, seconds in back.seconds.items():
        print(f"  unapplied {name:70} {seconds:7.2f} s")

    forward = _Clock()
    executor = MigrationExecutor(connection, progress_callback=forward)
    began = time.perf_counter()
    executor.migrate(executor.loader.graph.leaf_nodes())
    forward_s = time.perf_counter() - began
    for name, seconds in forward.seconds.items():
        print(f"  applied   {name:70} {seconds:7.2f} s")
    verdict = "ok" if forward_s <= TARGET_S else "OVER"
    print(
        f"{len(forward.seconds)} migrations since {args.since}: back in {backward_s:.1f} s, "
        f"forward in {forward_s:.1f} s (target {TARGET_S} s) {verdict}"
    )
    print(
        json.dumps(
            {
                "people": Person.objects.filter(organisation__slug=ORGANISATION_SLUG).count(),
                "since": args.since,
                "backward_s": round(backward_s, 2),
                "forward_s": round(forward_s, 2),
                "migrations": forward.seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
