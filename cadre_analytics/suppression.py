"""Small-cell suppression of the equity breakdowns: no count of 1..min_cell-1 people can be read,
or worked back by subtraction, from what leaves the machine.

A breakdown cell is (people in the group, of whom meeting the quota). A reader knows more than
the cells: each dimension's groups add up to the total the summary shows, and the two ethnic
dimensions are nested (the majority group is one cell of both; the minority cell is the sum of
the minority groups). Each such sum is an *equation*; a cell is safe only when no equation has
it as its single unknown. So:

- primary: a group of 1..min_cell-1 people hides its whole cell; a count meeting the quota of
  1..min_cell-1, or a count NOT meeting it of 1..min_cell-1 (the complement gives that back),
  hides the count and the share;
- secondary: while some equation has exactly one hidden member in a column, one more member
  is hidden (the smallest non-zero visible part; the sum itself if no part is left).

Primary cells carry the true bound ("fewer than min_cell"); a cell hidden only to protect
another carries none, because its own value may be large.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

KEYS = ("indicator", "unit", "year")
NESTED_DIMENSION = "ethnic_majority"
NESTED_PARTS = "ethnicity"
UNKNOWN = "unknown"
COLUMNS = ("denominator", "numerator")

Cell = tuple[str, str]  # (dimension, group)


def equations(cells: Iterable[Cell], majority_group: str) -> list[tuple[Cell | None, list[Cell]]]:
    """(sum, parts) pairs a reader can use; a sum of None is the published total."""
    cells = list(cells)
    by_dimension: dict[str, list[Cell]] = {}
    for cell in cells:
        by_dimension.setdefault(cell[0], []).append(cell)
    found: list[tuple[Cell | None, list[Cell]]] = [(None, parts) for parts in by_dimension.values()]
    parts = by_dimension.get(NESTED_PARTS, [])
    majority = [c for c in parts if c[1].casefold() == majority_group.casefold()]
    unknown = [c for c in parts if c[1] == UNKNOWN]
    minority = [c for c in parts if c not in majority and c not in unknown]
    for group, members in (("majority", majority), ("minority", minority), (UNKNOWN, unknown)):
        whole = (NESTED_DIMENSION, group)
        if whole in cells or members:
            found.append((whole if whole in cells else None, members))
    return [(whole, members) for whole, members in found if whole is not None or members]


def _primary(values: dict[Cell, tuple[int, int]], min_cell: int) -> dict[str, set[Cell]]:
    small = range(1, min_cell)
    den = {c for c, (_, d) in values.items() if d in small}
    num = den | {c for c, (n, d) in values.items() if n in small or (d - n) in small}
    return {"denominator": den, "numerator": num}


def _cover(
    whole: Cell | None, parts: list[Cell], hidden: set[Cell], values: dict, column: str
) -> Cell | None:
    """The member to hide so that this equation has two unknowns, or None if it has not one."""
    members = [*parts, *([whole] if whole is not None else [])]
    if sum(m in hidden for m in members) != 1:
        return None
    index = COLUMNS.index(column)
    visible = [p for p in parts if p not in hidden]
    nonzero = [p for p in visible if values[p][1 - index] > 0] or visible
    if nonzero:
        return min(nonzero, key=lambda p: (values[p][1 - index], p))
    return whole if whole is not None and whole not in hidden else None


def suppress_block(
    values: dict[Cell, tuple[int, int]], min_cell: int, majority_group: str
) -> tuple[dict[str, set[Cell]], dict[str, set[Cell]]]:
    """For one (indicator, unit, year): the hidden cells per column, and the primary ones.

    ``values`` maps (dimension, group) to (numerator, denominator)."""
    primary = _primary(values, min_cell)
    hidden = {column: set(cells) for column, cells in primary.items()}
    system = equations(values, majority_group)
    changed = True
    while changed:
        changed = False
        for column in COLUMNS:
            for whole, parts in system:
                pick = _cover(whole, parts, hidden[column], values, column)
                if pick is None:
                    continue
                hidden[column].add(pick)
                if column == "denominator":
                    hidden["numerator"].add(pick)
                changed = True
    return hidden, primary


def suppress_breakdowns(frame: pl.DataFrame, min_cell: int, majority_group: str) -> pl.DataFrame:
    """The breakdowns with hidden values set to null, flags ``den_suppressed`` /
    ``num_suppressed``, and ``den_below`` / ``num_below``: a true upper bound (min_cell) where
    the cell itself is small, null where it is hidden to protect another cell."""
    pieces = []
    for _, part in frame.group_by(list(KEYS), maintain_order=True):
        rows = part.to_dicts()
        values = {
            (r["dimension"], r["group"] or UNKNOWN): (r["numerator"] or 0, r["denominator"] or 0)
            for r in rows
        }
        hidden, primary = suppress_block(values, min_cell, majority_group)
        cells = [(r["dimension"], r["group"] or UNKNOWN) for r in rows]
        small = range(1, min_cell)
        pieces.append(
            part.with_columns(
                pl.Series("den_suppressed", [c in hidden["denominator"] for c in cells]),
                pl.Series("num_suppressed", [c in hidden["numerator"] for c in cells]),
                pl.Series(
                    "den_below",
                    [min_cell if c in primary["denominator"] else None for c in cells],
                    dtype=pl.Int64,
                ),
                pl.Series(
                    "num_below",
                    [
                        min_cell if c in primary["numerator"] and r["numerator"] in small else None
                        for c, r in zip(cells, rows, strict=True)
                    ],
                    dtype=pl.Int64,
                ),
            )
        )
    if not pieces:
        return frame.with_columns(
            pl.lit(False).alias("den_suppressed"),
            pl.lit(False).alias("num_suppressed"),
            pl.lit(None, pl.Int64).alias("den_below"),
            pl.lit(None, pl.Int64).alias("num_below"),
        )
    out = pl.concat(pieces)
    hide_share = pl.col("den_suppressed") | pl.col("num_suppressed")
    return out.with_columns(
        pl.when(pl.col("den_suppressed"))
        .then(None)
        .otherwise(pl.col("denominator"))
        .alias("denominator"),
        pl.when(pl.col("num_suppressed"))
        .then(None)
        .otherwise(pl.col("numerator"))
        .alias("numerator"),
        pl.when(hide_share).then(None).otherwise(pl.col("share")).alias("share"),
    )


def public_breakdowns(
    breakdowns: pl.DataFrame, min_cell: int, majority_group: str, all_units: str = "ALL"
) -> pl.DataFrame:
    """What may sit beside the report: the whole scope's breakdowns, suppressed. Per-unit
    breakdowns add up to the whole scope's, which would undo the suppression of either; they
    stay with the person-level files in ``restricted/``."""
    return suppress_breakdowns(
        breakdowns.filter(pl.col("unit") == all_units), min_cell, majority_group
    )
