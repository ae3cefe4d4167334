"""Small-cell suppression: explicit subtraction attacks and properties of random tables."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentora.stats.anonymity import (
    TOTAL,
    Cell,
    Suppression,
    can_show,
    nested_sets_safe,
    protect_bounds,
    suppress,
    too_alike,
)

Table = dict[str, dict[str, int]]


def lines(table: Table) -> list[list[tuple[Hashable, Hashable]]]:
    """Every row and column of the table extended with its totals, as lists of keys."""
    rows = [*table, TOTAL]
    columns = [*next(iter(table.values())), TOTAL]
    return [[(r, c) for c in columns] for r in rows] + [[(r, c) for r in rows] for c in columns]


def derivable(result: Suppression, table: Table) -> set[tuple[Hashable, Hashable]]:
    """Hidden cells an attacker can compute exactly from everything shown.

    Every line says: its cells add up to its total. Moving the shown counts to the right-hand
    side leaves a linear system in the hidden counts; a hidden count is determined exactly
    when every solution of the homogeneous system is zero in its position.
    """
    hidden = list(result.suppressed)
    if not hidden:
        return set()
    position = {key: i for i, key in enumerate(hidden)}
    equations = []
    for line in lines(table):
        row = np.zeros(len(hidden))
        for key in line[:-1]:
            if key in position:
                row[position[key]] += 1
        if line[-1] in position:
            row[position[line[-1]]] -= 1
        equations.append(row)
    matrix = np.array(equations)
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null_space = vt[rank:].T
    return {key for key in hidden if np.linalg.norm(null_space[position[key]]) < 1e-9}


def hidden_per_line(result: Suppression, table: Table) -> list[int]:
    return [sum(1 for key in line if not result.shown(key)) for line in lines(table)]


# --- one-way tables -----------------------------------------------------------------------


def test_can_show_needs_the_minimum_number_of_respondents() -> None:
    assert can_show(5) and not can_show(4) and not can_show(0)
    assert can_show(10, minimum=10) and not can_show(9, minimum=10)
    with pytest.raises(ValueError):
        can_show(3, minimum=0)


def test_one_small_group_under_a_shown_total_hides_the_next_smallest_group() -> None:
    table = {"Sales": 3, "Finance": 9, "Engineering": 40, "People": 12}
    result = suppress(table)
    assert result.value(TOTAL) == 64
    assert result.cells["Sales"].status == "primary"
    assert result.cells["Finance"].status == "complementary"
    assert "Sales" in result.cells["Finance"].reason
    assert result.suppressed == ("Sales", "Finance")
    # The subtraction attack: total minus every shown group leaves the two hidden together.
    shown = sum(result.value(g) or 0 for g in table)
    assert result.value(TOTAL) is not None and result.value(TOTAL) - shown == 3 + 9


def test_two_small_groups_protect_each_other() -> None:
    result = suppress({"a": 2, "b": 4, "c": 30})
    assert result.suppressed == ("a", "b")
    assert {result.cells[k].status for k in ("a", "b")} == {"primary"}


def test_groups_at_the_minimum_are_shown() -> None:
    result = suppress({"a": 5, "b": 6}, minimum=5)
    assert result.suppressed == () and result.value("a") == 5 and result.value(TOTAL) == 11


def test_a_lone_small_group_hides_its_total_as_well() -> None:
    result = suppress({"only": 3})
    assert set(result.suppressed) == {"only", TOTAL}
    assert suppress({}).suppressed == (TOTAL,)


def test_zero_counts_are_suppressed_like_any_small_group() -> None:
    result = suppress({"a": 0, "b": 20, "c": 25})
    assert result.cells["a"].status == "primary"
    assert result.cells["b"].status == "complementary"


@given(
    counts=st.lists(st.integers(0, 40), min_size=1, max_size=12),
    minimum=st.sampled_from([3, 5, 10]),
)
@settings(max_examples=300, deadline=None)
def test_one_way_tables_never_leave_a_single_hidden_group(counts: list[int], minimum: int) -> None:
    table = {f"g{i}": n for i, n in enumerate(counts)}
    result = suppress(table, minimum=minimum)
    for key, cell in result.cells.items():
        assert cell.count == (sum(counts) if key is TOTAL else table[key])
        assert not (cell.shown and cell.count < minimum)
        assert (cell.status == "primary") == (cell.count < minimum)
    assert len(result.suppressed) != 1


# --- two-way tables -----------------------------------------------------------------------


def test_one_small_cell_in_a_cross_tab_hides_a_rectangle() -> None:
    table = {
        "Mentors": {"< 1 year": 10, "1-5 years": 3, "> 5 years": 12},
        "Mentees": {"< 1 year": 8, "1-5 years": 9, "> 5 years": 15},
        "Alumni": {"< 1 year": 20, "1-5 years": 11, "> 5 years": 7},
    }
    result = suppress(table)
    assert result.cells[("Mentors", "1-5 years")].status == "primary"
    hidden = set(result.suppressed)
    assert hidden == {
        ("Mentors", "1-5 years"),
        ("Mentors", "< 1 year"),
        ("Mentees", "< 1 year"),
        ("Mentees", "1-5 years"),
    }
    assert all(n in (0, 2) for n in hidden_per_line(result, table))
    assert derivable(result, table) == set()
    # Every total is still published.
    assert all(result.shown(key) for key in result.cells if TOTAL in key)


def test_a_row_subtraction_alone_does_not_reveal_the_small_cell() -> None:
    table = {"A": {"x": 2, "y": 30, "z": 40}, "B": {"x": 25, "y": 26, "z": 27}}
    result = suppress(table)
    row_total = result.value(("A", TOTAL))
    column_total = result.value((TOTAL, "x"))
    assert row_total is not None and column_total is not None
    shown_in_row = [result.value(("A", c)) for c in "xyz"]
    shown_in_column = [result.value((r, "x")) for r in "AB"]
    assert shown_in_row.count(None) >= 2 and shown_in_column.count(None) >= 2


def test_a_small_row_total_is_hidden_and_protected_by_the_other_totals() -> None:
    table = {"Small team": {"yes": 1, "no": 2}, "Big team": {"yes": 30, "no": 40}}
    result = suppress(table)
    assert result.cells[("Small team", TOTAL)].status == "primary"
    assert derivable(result, table) == set()
    assert all(n in (0, 2) or n > 2 for n in hidden_per_line(result, table))
    assert 1 not in hidden_per_line(result, table)


def test_suppression_repeats_across_rows_and_columns_until_nothing_is_derivable() -> None:
    # Two small cells in different rows and columns: protecting the first with its row
    # neighbour exposes a column, and so on; the result must close every line.
    table = {
        "r1": {"c1": 2, "c2": 50, "c3": 60, "c4": 70},
        "r2": {"c1": 40, "c2": 45, "c3": 3, "c4": 80},
        "r3": {"c1": 55, "c2": 65, "c3": 75, "c4": 85},
    }
    result = suppress(table)
    assert 1 not in hidden_per_line(result, table)
    assert derivable(result, table) == set()
    assert result.cells[("r1", "c1")].status == "primary"
    assert result.cells[("r2", "c3")].status == "primary"


def test_a_cell_joining_two_hidden_blocks_is_protected_beyond_the_line_rule() -> None:
    # Every row and column already has 0 or at least 2 small cells, yet ("a", "w") links
    # two hidden blocks: adding the rows "a" and "b" and subtracting the columns "u" and "v"
    # gives it away. Suppression must hide more than the one-per-line rule asks.
    table = {
        "a": {"u": 1, "v": 2, "w": 3, "x": 90},
        "b": {"u": 2, "v": 1, "w": 80, "x": 70},
        "c": {"u": 60, "v": 50, "w": 2, "x": 1},
        "d": {"u": 40, "v": 30, "w": 1, "x": 2},
        "e": {"u": 35, "v": 45, "w": 55, "x": 65},
    }
    primary_only = suppress(table, minimum=4)
    keys = [k for k, c in primary_only.cells.items() if c.status == "primary"]
    assert len(keys) == 9
    line_rule_pattern = Suppression(
        4,
        {
            k: Cell(k, c.count, "primary" if k in keys else "shown", "")
            for k, c in primary_only.cells.items()
        },
    )
    assert 1 not in hidden_per_line(line_rule_pattern, table)
    assert ("a", "w") in derivable(line_rule_pattern, table)
    assert derivable(primary_only, table) == set()
    assert any(c.status == "complementary" for c in primary_only.cells.values())


def test_complementary_cells_say_which_cell_they_protect() -> None:
    result = suppress({"r1": {"c1": 2, "c2": 20}, "r2": {"c1": 30, "c2": 40}})
    complementary = [c for c in result.cells.values() if c.status == "complementary"]
    assert complementary and all("('r1', 'c1')" in c.reason for c in complementary)
    assert result.cells[("r1", "c1")].reason == "fewer than 5 respondents"


def test_missing_columns_count_as_zero_and_bad_counts_are_rejected() -> None:
    result = suppress({"r1": {"c1": 10, "c2": 12}, "r2": {"c1": 20}})
    assert result.cells[("r2", "c2")].count == 0 and not result.shown(("r2", "c2"))
    with pytest.raises(ValueError):
        suppress({"a": -1})
    with pytest.raises(ValueError):
        suppress({"a": 2.5})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        suppress({"a": 3, "b": {"x": 1}})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        suppress({"a": 3}, minimum=0)


tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda columns: st.lists(
            st.lists(
                st.one_of(st.integers(0, 6), st.integers(0, 60)),
                min_size=columns,
                max_size=columns,
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@given(grid=tables, minimum=st.sampled_from([3, 5, 10]))
@settings(max_examples=300, deadline=None)
def test_random_cross_tabs_leave_no_hidden_cell_recoverable(
    grid: list[list[int]], minimum: int
) -> None:
    table = {f"r{i}": {f"c{j}": n for j, n in enumerate(row)} for i, row in enumerate(grid)}
    result = suppress(table, minimum=minimum)
    for cell in result.cells.values():
        assert not (cell.shown and cell.count < minimum)
        assert (cell.status == "primary") == (cell.count < minimum)
    # No line (row or column with its total) has exactly one hidden entry ...
    assert 1 not in hidden_per_line(result, table)
    # ... and no combination of lines pins down a hidden count either.
    assert derivable(result, table) == set()
    # Totals are the sums of the cells.
    for row, values in table.items():
        assert result.cells[(row, TOTAL)].count == sum(values.values())


def _shown_values(result: Suppression) -> Mapping[Hashable, int | None]:
    return {key: result.value(key) for key in result.cells}


def test_suppression_is_deterministic() -> None:
    table = {"r1": {"c1": 2, "c2": 9, "c3": 9}, "r2": {"c1": 9, "c2": 9, "c3": 2}}
    assert _shown_values(suppress(table)) == _shown_values(suppress(table))


def test_a_distribution_with_all_but_fewer_than_the_minimum_in_one_category_is_too_alike() -> None:
    assert too_alike([0, 0, 0, 0, 5])  # five people, all answered 5
    assert too_alike([0, 1, 0, 3, 20])  # 20 of 24 in one category, only 4 elsewhere
    assert not too_alike([0, 2, 3, 0, 20])  # five answers outside the largest category
    assert too_alike([])


def test_nested_groups_may_differ_by_nobody_or_by_at_least_the_minimum() -> None:
    assert nested_sets_safe(26, 26)
    assert not nested_sets_safe(26, 23)  # the three people in between would be disclosed
    assert not nested_sets_safe(8, 7)
    assert nested_sets_safe(26, 21)
    assert nested_sets_safe(21, 26)


def test_a_total_that_with_the_numbers_invited_pins_a_hidden_group_is_hidden_too() -> None:
    # 20 of 20 mentees and 3 of 3 mentors answered: mentors (3) are hidden and mentees with
    # them, but a total of 23 with 20 and 3 invited says everyone answered.
    pattern = protect_bounds(suppress({"mentee": 20, "mentor": 3}), {"mentee": 20, "mentor": 3})
    assert pattern.suppressed == ("mentee", "mentor", TOTAL)
    # With 25 mentees invited, the mentors could have been 0 to 3: the total may stand.
    pattern = protect_bounds(suppress({"mentee": 20, "mentor": 3}), {"mentee": 25, "mentor": 3})
    assert pattern.suppressed == ("mentee", "mentor")
    # No one in the hidden groups answered: also a disclosure.
    pattern = protect_bounds(
        suppress({"mentee": 12, "mentor": 0, "lm": 0}), {"mentee": 12, "mentor": 3, "lm": 2}
    )
    assert not pattern.shown(TOTAL)


def test_small_groups_are_merged_until_every_published_group_is_large_enough() -> None:
    from mentora.stats.anonymity import merge_small_groups

    place = merge_small_groups({"a": 10, "b": 3, "c": 2, "d": 6, "e": 0}, minimum=5, other="*")
    assert place == {"a": "a", "b": "*", "c": "*", "d": "d"}
    # The merged group alone would be small: the smallest group on its own joins it.
    assert merge_small_groups({"a": 10, "b": 7, "c": 3}, minimum=5, other="*") == {
        "a": "a",
        "b": "*",
        "c": "*",
    }
    assert merge_small_groups({"a": 5, "b": 5}, minimum=5, other="*") == {"a": "a", "b": "b"}
    with pytest.raises(ValueError, match="merged group"):
        merge_small_groups({"*": 9}, other="*")


def test_ordered_levels_are_merged_into_bands_from_the_top_down() -> None:
    from mentora.stats.anonymity import merge_small_levels

    assert merge_small_levels([7, 12, 3, 1, 1], minimum=5) == [
        range(0, 1),
        range(1, 2),
        range(2, 5),
    ]
    assert merge_small_levels([2, 12, 6], minimum=5) == [range(0, 2), range(2, 3)]
    assert merge_small_levels([6, 0, 0, 5], minimum=5) == [range(0, 1), range(3, 4)]
    assert merge_small_levels([3], minimum=5) == [range(0, 1)]
