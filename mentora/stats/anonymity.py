"""Small-cell suppression for survey reports.

No result is shown for a group of fewer than ``minimum`` respondents (primary
suppression), and no hidden group may be recoverable by arithmetic from what is shown
(complementary suppression). Totals are treated as published: a report always states how
many people answered, so a table whose total is shown must not leave one hidden cell that
``total - shown cells`` gives away.

One-way tables (group -> count) form a single line: the groups and their total. Two-way
tables (row -> column -> count) are extended with row totals, column totals and the grand
total, and every row and column of that extended table is a line whose cells add up to
its total. A hidden cell can be worked out exactly if and only if it is not on a cycle of
hidden cells that alternates between a row and a column of the extended table (the only
changes to hidden cells that leave every published total intact are additions and
subtractions around such cycles). :func:`suppress` therefore hides further cells, the
cheapest first, until every hidden cell lies on such a cycle. In particular no line has
exactly one hidden cell. The guarantee is that no hidden count can be derived exactly; a
determined reader can still bound it (it is at least 0 and at most the line total).
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "MINIMUM_GROUP",
    "TOTAL",
    "Cell",
    "Suppression",
    "can_show",
    "merge_small_groups",
    "merge_small_levels",
    "nested_sets_safe",
    "protect_bounds",
    "suppress",
    "too_alike",
]


# A result of fewer people than this is never shown: the one threshold of every report.
MINIMUM_GROUP = 5


class _Total:
    """The key of a total in a suppression result (a singleton)."""

    _instance: _Total | None = None

    def __new__(cls) -> _Total:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "TOTAL"

    def __reduce__(self) -> str:
        return "TOTAL"


TOTAL: Any = _Total()
"""Stands for a total: ``TOTAL`` in a one-way table, ``(row, TOTAL)``, ``(TOTAL, column)``
and ``(TOTAL, TOTAL)`` in a two-way table."""

Status = Literal["shown", "primary", "complementary"]


@dataclass(frozen=True)
class Cell:
    """One count of a table and whether the report may show it.

    ``status`` is ``shown``, ``primary`` (fewer than the minimum respondents) or
    ``complementary`` (hidden so that a primary cell cannot be worked out); ``reason`` is a
    sentence for the report.
    """

    key: Hashable
    count: int
    status: Status
    reason: str

    @property
    def shown(self) -> bool:
        return self.status == "shown"


@dataclass(frozen=True)
class Suppression:
    """The decision for every cell of a table, totals included."""

    minimum: int
    cells: Mapping[Hashable, Cell]

    def shown(self, key: Hashable) -> bool:
        return self.cells[key].shown

    def value(self, key: Hashable) -> int | None:
        """The count to print, or ``None`` where it must be hidden."""
        cell = self.cells[key]
        return cell.count if cell.shown else None

    @property
    def suppressed(self) -> tuple[Hashable, ...]:
        return tuple(key for key, cell in self.cells.items() if not cell.shown)


def can_show(n: int, minimum: int = 5) -> bool:
    """Whether a result based on ``n`` respondents may be shown on its own (n >= minimum).

    Zero counts as fewer than the minimum: an empty group has no result to show.
    """
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    return n >= minimum


def too_alike(counts: Sequence[int], minimum: int = 5) -> bool:
    """Whether a distribution says too much about each respondent in it (dominance rule).

    When all answers, or all but fewer than ``minimum``, fall in one category, the reader
    learns (nearly) every respondent's answer from the distribution alone: five people who
    all answered 5 are five disclosed answers. Such a distribution is hidden; its n is not.
    """
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    return sum(counts) - max(counts, default=0) < minimum


def nested_sets_safe(larger: int, smaller: int, minimum: int = 5) -> bool:
    """Whether figures about a group and about a subset of it may both be published.

    Their difference describes the people in one but not the other: the two may stand
    side by side only when that difference is empty or itself at least ``minimum`` people
    (secondary suppression across tables that share respondents).
    """
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    difference = abs(larger - smaller)
    return difference == 0 or difference >= minimum


def merge_small_groups(
    counts: Mapping[Hashable, int], *, minimum: int = MINIMUM_GROUP, other: Hashable
) -> dict[Hashable, Hashable]:
    """Where each group of a breakdown is published: under its own key when it has at least
    ``minimum`` people, otherwise merged into one group ``other``.

    While ``other`` holds people but fewer than ``minimum``, the smallest group still on
    its own joins it (ties: the later key), so every published group, ``other`` included,
    has at least ``minimum`` people, or everyone ends up in ``other``; a caller checks
    ``can_show`` on the total before publishing a breakdown of fewer people than that.
    Empty groups are left out. Since no published group is small, no hidden count needs a
    complementary suppression: what the merged group holds is its own published figure.
    """
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    sizes = {key: _count(n) for key, n in counts.items() if n}
    if other in sizes:
        raise ValueError(f"{other!r} is the merged group's key and cannot be a group")
    place: dict[Hashable, Hashable] = {
        key: key if can_show(n, minimum) else other for key, n in sizes.items()
    }
    merged = sum(n for key, n in sizes.items() if place[key] == other)
    while 0 < merged < minimum:
        alone = [key for key in sizes if place[key] != other]
        if not alone:
            break
        smallest = min(reversed(alone), key=lambda key: sizes[key])
        place[smallest] = other
        merged += sizes[smallest]
    return place


def merge_small_levels(counts: Sequence[int], *, minimum: int = MINIMUM_GROUP) -> list[range]:
    """Adjacent levels of an ordered count (``counts[k]`` people at level ``k``) joined into
    bands of at least ``minimum`` people each, from the top down: a small top level joins
    the one below it, and a small lowest band joins the one above. A band runs from its
    lowest to its highest level that has anyone, so levels with no one belong to no band.
    Returns the bands as ranges of levels, lowest first; one band of everything when the
    total itself is small."""
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    sizes = [_count(n) for n in counts]
    bands: list[list[int]] = []  # [first level, last level, people], top band first
    for level in range(len(sizes) - 1, -1, -1):
        if not sizes[level]:
            continue
        if bands and bands[-1][2] < minimum:
            bands[-1][0] = level
            bands[-1][2] += sizes[level]
        else:
            bands.append([level, level, sizes[level]])
    if len(bands) > 1 and bands[-1][2] < minimum:
        low = bands.pop()
        bands[-1][0] = low[0]
        bands[-1][2] += low[2]
    return [range(first, last + 1) for first, last, _n in reversed(bands)]


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"counts must be non-negative integers, not {value!r}")
    return value


def suppress(
    table: Mapping[Hashable, int] | Mapping[Hashable, Mapping[Hashable, int]],
    *,
    minimum: int = 5,
) -> Suppression:
    """Decide which counts of a one- or two-way table a report may show.

    ``table`` maps group -> count, or row -> column -> count (a column missing from a row
    counts as 0). Totals are computed as sums of the cells, so a published total that
    includes people outside every group (e.g. "not stated") needs that group as a cell.

    Primary suppression hides every count (cells and totals) below ``minimum``.
    Complementary suppression then hides the smallest further counts that stop any hidden
    count from being derived from the shown ones and the totals.
    """
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    values = list(table.values())
    if values and all(isinstance(v, Mapping) for v in values):
        return _two_way(table, minimum)  # type: ignore[arg-type]
    if any(isinstance(v, Mapping) for v in values):
        raise ValueError("mix of counts and nested tables")
    return _one_way(table, minimum)  # type: ignore[arg-type]


def protect_bounds(pattern: Suppression, upper: Mapping[Hashable, int]) -> Suppression:
    """Hide the total of a one-way table too where it and the groups' known upper bounds
    (say, how many were invited) pin a hidden group's count.

    With the total shown, the hidden groups share ``total - shown groups`` between them;
    each lies between 0 and its bound. When that share leaves a hidden group one possible
    value (everyone in the hidden groups answered, or no one did) the count is disclosed,
    so the total is hidden as well; then a hidden group is only known to lie in
    ``0..bound``.
    """
    cells = dict(pattern.cells)
    if TOTAL not in cells or not cells[TOTAL].shown:
        return pattern
    hidden = [key for key, cell in cells.items() if key is not TOTAL and not cell.shown]
    if not hidden:
        return pattern
    shown = sum(cell.count for key, cell in cells.items() if key is not TOTAL and cell.shown)
    share = cells[TOTAL].count - shown
    capacity = sum(upper[key] for key in hidden)
    if not any(max(0, share - (capacity - upper[key])) == min(upper[key], share) for key in hidden):
        return pattern
    cells[TOTAL] = Cell(
        TOTAL,
        cells[TOTAL].count,
        "complementary",
        "hidden so that the hidden groups cannot be worked out from the total and their bounds",
    )
    return Suppression(pattern.minimum, cells)


def _primary_reason(minimum: int) -> str:
    return f"fewer than {minimum} respondents"


def _one_way(table: Mapping[Hashable, int], minimum: int) -> Suppression:
    counts: dict[Hashable, int] = {key: _count(value) for key, value in table.items()}
    counts[TOTAL] = sum(counts.values())
    status: dict[Hashable, Status] = {
        key: "shown" if can_show(n, minimum) else "primary" for key, n in counts.items()
    }
    reasons = {key: _primary_reason(minimum) for key, s in status.items() if s == "primary"}
    hidden = [key for key, s in status.items() if s != "shown"]
    if len(hidden) == 1 and hidden[0] is not TOTAL:
        # One hidden group under a shown total is total minus the rest: hide the smallest
        # other count too (the total itself only if nothing else is left).
        (target,) = hidden
        candidates = sorted(
            (key for key in counts if status[key] == "shown" and key is not TOTAL),
            key=lambda key: counts[key],
        )
        partner = candidates[0] if candidates else TOTAL
        status[partner] = "complementary"
        reasons[partner] = f"hidden so that {target!r} cannot be worked out from the total"
    cells = {key: Cell(key, counts[key], status[key], reasons.get(key, "shown")) for key in counts}
    return Suppression(minimum, cells)


def _two_way(table: Mapping[Hashable, Mapping[Hashable, int]], minimum: int) -> Suppression:
    rows = list(table)
    columns: list[Hashable] = []
    for row in rows:
        for column in table[row]:
            if column not in columns:
                columns.append(column)
    if not columns:
        raise ValueError("a two-way table needs at least one column")
    if TOTAL in rows or TOTAL in columns:
        raise ValueError("TOTAL is reserved for the totals")
    grid = [[_count(table[row].get(column, 0)) for column in columns] for row in rows]
    # The extended table: the last row holds the column totals, the last column the row
    # totals, the corner the grand total.
    extended = [line + [sum(line)] for line in grid]
    extended.append([sum(line[j] for line in extended) for j in range(len(columns) + 1)])
    row_keys = [*rows, TOTAL]
    column_keys = [*columns, TOTAL]
    r, c = len(row_keys), len(column_keys)

    hidden: set[tuple[int, int]] = {
        (i, j) for i in range(r) for j in range(c) if not can_show(extended[i][j], minimum)
    }
    status: dict[tuple[int, int], Status] = dict.fromkeys(hidden, "primary")
    reasons = {cell: _primary_reason(minimum) for cell in hidden}

    while True:
        exposed = _first_bridge(hidden, r, c)
        if exposed is None:
            break
        for cell in _cheapest_cycle(exposed, hidden, extended, r, c):
            hidden.add(cell)
            status[cell] = "complementary"
            target = (row_keys[exposed[0]], column_keys[exposed[1]])
            reasons[cell] = f"hidden so that {target!r} cannot be worked out from the totals"

    cells: dict[Hashable, Cell] = {}
    for i, row_key in enumerate(row_keys):
        for j, column_key in enumerate(column_keys):
            key = (row_key, column_key)
            cells[key] = Cell(
                key,
                extended[i][j],
                status.get((i, j), "shown"),
                reasons.get((i, j), "shown"),
            )
    return Suppression(minimum, cells)


def _first_bridge(hidden: set[tuple[int, int]], r: int, c: int) -> tuple[int, int] | None:
    """A hidden cell on no cycle of hidden cells (its count is derivable), if any.

    Cells are edges between their row and column; a cell is on a cycle exactly when its row
    and column stay connected through the other hidden cells.
    """
    neighbours: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for i, j in hidden:
        neighbours.setdefault(("r", i), []).append(("c", j))
        neighbours.setdefault(("c", j), []).append(("r", i))
    for cell in sorted(hidden):
        start, goal = ("r", cell[0]), ("c", cell[1])
        seen = {start}
        frontier = [start]
        connected = False
        while frontier and not connected:
            node = frontier.pop()
            for other in neighbours[node]:
                if node == start and other == goal:
                    continue  # the cell itself
                if other == goal:
                    connected = True
                    break
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
        if not connected:
            return cell
    return None


def _cheapest_cycle(
    exposed: tuple[int, int],
    hidden: set[tuple[int, int]],
    extended: list[list[int]],
    r: int,
    c: int,
) -> list[tuple[int, int]]:
    """The shown cells whose hiding closes a cycle through ``exposed`` at least cost.

    A path from the exposed cell's row to its column through other cells; hidden cells are
    free, a shown cell costs its count (then one per cell to break ties), so the cells
    given up are the smallest siblings, as a manual complementary suppression would pick.
    """
    start, goal = ("r", exposed[0]), ("c", exposed[1])
    best: dict[tuple[str, int], tuple[int, int]] = {start: (0, 0)}
    previous: dict[tuple[str, int], tuple[tuple[str, int], tuple[int, int]]] = {}
    queue: list[tuple[tuple[int, int], tuple[str, int]]] = [((0, 0), start)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == goal:
            break
        if cost > best.get(node, cost):
            continue
        side, index = node
        others = range(c) if side == "r" else range(r)
        for other in others:
            cell = (index, other) if side == "r" else (other, index)
            if cell == exposed:
                continue
            step = (0, 0) if cell in hidden else (extended[cell[0]][cell[1]], 1)
            candidate = (cost[0] + step[0], cost[1] + step[1])
            target = ("c", other) if side == "r" else ("r", other)
            if candidate < best.get(target, (1 << 62, 0)):
                best[target] = candidate
                previous[target] = (node, cell)
                heapq.heappush(queue, (candidate, target))
    added: list[tuple[int, int]] = []
    node = goal
    while node != start:
        node, cell = previous[node]
        if cell not in hidden:
            added.append(cell)
    return added
