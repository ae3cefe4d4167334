"""The reporting forest: Euler-tour intervals answer "same reporting line?" in O(1).

Person ``a`` is above ``b`` (at any depth) exactly when ``entry[a] <= entry[b]`` and
``exit[b] <= exit[a]``. Chains run through people outside the programme, so the forest is
built from the whole people table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from mentora.matching.model import ProblemError


@dataclass(frozen=True, eq=False)
class ReportingForest:
    index: Mapping[str, int]
    managers: Mapping[str, str]
    entry: np.ndarray
    exit: np.ndarray

    def interval(self, person_id: str) -> tuple[int, int]:
        i = self.index.get(person_id)
        if i is None:
            return (-1, -1)
        return (int(self.entry[i]), int(self.exit[i]))

    def related(self, a: str, b: str) -> bool:
        """True when one of the two is anywhere in the other's management chain."""
        ea, xa = self.interval(a)
        eb, xb = self.interval(b)
        if ea < 0 or eb < 0:
            return False
        return (ea <= eb and xb <= xa) or (eb <= ea and xa <= xb)


def managers_map(
    people: Iterable[tuple[str, str]], extra: Iterable[tuple[str, str]] = ()
) -> dict[str, str]:
    """Merge the people table with managers given on profiles: a profile fills a gap in
    the table, and a profile that names another manager than the table is an error."""
    managers: dict[str, str] = {}
    for person_id, manager_id in people:
        managers[person_id] = manager_id
    for person_id, manager_id in extra:
        if person_id not in managers or not managers[person_id]:
            managers[person_id] = manager_id
        elif manager_id and manager_id != managers[person_id]:
            raise ProblemError(
                f"manager_id {manager_id!r} of {person_id!r} conflicts with the reporting "
                f"table, which gives {managers[person_id]!r}"
            )
    return managers


def build_forest(managers: Mapping[str, str]) -> ReportingForest:
    """Euler-tour the forest; raises ProblemError on an unknown manager or a cycle."""
    ids = sorted(set(managers) | {m for m in managers.values() if m})
    index = {pid: i for i, pid in enumerate(ids)}
    n = len(ids)
    parent = np.full(n, -1, dtype=np.int64)
    for pid, mid in managers.items():
        if mid:
            if mid not in managers:
                raise ProblemError(f"manager_id {mid!r} of {pid!r} is not a known person")
            if mid == pid:
                raise ProblemError(f"reporting cycle: {pid!r} is their own manager")
            parent[index[pid]] = index[mid]
    # Children in CSR form, ordered by index so the tour is deterministic.
    order = np.argsort(parent, kind="stable")
    has_parent = parent[order] >= 0
    children = order[has_parent]
    counts = np.bincount(parent[parent >= 0], minlength=n)
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    entry = np.full(n, -1, dtype=np.int64)
    exit_ = np.full(n, -1, dtype=np.int64)
    clock = 0
    roots = np.flatnonzero(parent < 0)
    children_list = children.tolist()
    start_list = start.tolist()
    entry_list = [-1] * n
    exit_list = [-1] * n
    for root in roots.tolist():
        stack = [(root, start_list[root])]
        entry_list[root] = clock
        clock += 1
        while stack:
            node, pos = stack[-1]
            if pos < start_list[node + 1]:
                stack[-1] = (node, pos + 1)
                child = children_list[pos]
                entry_list[child] = clock
                clock += 1
                stack.append((child, start_list[child]))
            else:
                exit_list[node] = clock
                clock += 1
                stack.pop()
    entry[:] = entry_list
    exit_[:] = exit_list
    unvisited = np.flatnonzero(entry < 0)
    if unvisited.size:
        # Everyone reachable from a root was toured; the rest hang off a cycle.
        raise ProblemError(f"reporting cycle involving {ids[int(unvisited[0])]!r}")
    return ReportingForest(index=index, managers=dict(managers), entry=entry, exit=exit_)


def chain(managers: Mapping[str, str], person_id: str) -> list[str]:
    """The management chain above a person, nearest first (a plain walk, for re-checks)."""
    seen: list[str] = []
    current = managers.get(person_id, "")
    guard = len(managers) + 1
    while current and guard > 0:
        seen.append(current)
        current = managers.get(current, "")
        guard -= 1
    return seen


def reporting_loops(managers: Mapping[str, str], starts: Iterable[str]) -> Iterator[list[str]]:
    """Each loop in the reporting lines once, walking up from every one of ``starts``: the
    people on it, from the one where the walk came into it ("" means no manager)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = known to end at a root
    for start in starts:
        path: list[str] = []
        node = start
        while node and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = managers.get(node, "")
        if node and state.get(node) == 1:
            yield path[path.index(node) :]
        for visited in path:
            state[visited] = 2
