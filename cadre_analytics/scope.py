"""The report's scope as a set of units: which staff rows the indicators and the projection count.

A scope (``params/report.yaml``, :class:`cadre_analytics.params.Scope`) is every unit of the data
(the default), today's units with their history, or a former area's units with every unit that
took them over. Units may have lives (``valid_from``, ``valid_to``, ``successor``): a code names
one unit per epoch, and codes are reused for other places, so a staff row belongs to the unit
epoch of its code that was valid on its snapshot's date (31 December), never to the code alone.
A units table without those columns has one epoch per unit, valid throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cadre_analytics.params import Scope

_EPOCH = ("valid_from", "valid_to", "successor")
_DATE_TYPES = {"valid_from": pl.Date, "valid_to": pl.Date, "successor": pl.Utf8}


@dataclass(frozen=True)
class Scoped:
    staff: pl.DataFrame  # staff rows whose unit, on their snapshot date, is in scope
    training: pl.DataFrame  # knowledge-update courses of the people on those rows
    units: pl.DataFrame  # the unit epochs in scope (the input's columns)


def _epochs(units: pl.DataFrame) -> pl.DataFrame:
    """code, valid_from, valid_to, successor, the code as the Board writes it (``_official``)
    and the row number of every unit epoch."""
    missing = [pl.lit(None, _DATE_TYPES[c]).alias(c) for c in _EPOCH if c not in units.columns]
    # Where a code was reused, ``code`` is an epoch key and ``official_code`` the code as written:
    # a scope lists codes as written.
    official = pl.col("official_code") if "official_code" in units.columns else pl.col("code")
    return (
        units.with_row_index("_row")
        .with_columns(missing)
        .select("_row", "code", *_EPOCH, official.fill_null(pl.col("code")).alias("_official"))
    )


def _next_epochs(epochs: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """The epochs that took over ``rows``: the successor's epoch valid the day after the end."""
    ended = rows.filter(pl.col("successor").is_not_null() & pl.col("valid_to").is_not_null())
    day = ended.select(
        "_row", code=pl.col("successor"), day=pl.col("valid_to") + pl.duration(days=1)
    )
    return _valid_on(epochs, day)


def _previous_epochs(epochs: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """The epochs ``rows`` took over: those whose successor was valid the day after they ended."""
    ended = epochs.filter(pl.col("successor").is_not_null() & pl.col("valid_to").is_not_null())
    took = _next_epochs(epochs, ended).select("_row", "_from")
    mine = took.filter(pl.col("_row").is_in(rows["_row"].implode()))["_from"]
    return epochs.filter(pl.col("_row").is_in(mine.implode()))


def _valid_on(epochs: pl.DataFrame, wanted: pl.DataFrame) -> pl.DataFrame:
    """For each (code, day) in ``wanted``, the epoch of that code valid on that day (+ ``_from``,
    the row of ``wanted``'s epoch when it has one)."""
    if "_row" in wanted.columns:
        wanted = wanted.rename({"_row": "_from"})
    elif "_from" not in wanted.columns:
        wanted = wanted.with_columns(_from=pl.lit(None, pl.UInt32))
    joined = wanted.join(epochs, on="code", how="inner")
    valid = (pl.col("valid_from").is_null() | (pl.col("valid_from") <= pl.col("day"))) & (
        pl.col("valid_to").is_null() | (pl.col("valid_to") >= pl.col("day"))
    )
    return joined.filter(valid).drop("day")


def _closure(epochs: pl.DataFrame, start: pl.DataFrame, step) -> pl.Series:
    """Rows of ``start`` and of every epoch reached from them by ``step``, repeatedly."""
    seen = set(start["_row"].to_list())
    frontier = start
    # Each epoch is taken once, so even a cycle in unchecked data ends.
    for _ in range(epochs.height):
        nxt = step(epochs, frontier).select(*epochs.columns)
        nxt = nxt.filter(~pl.col("_row").is_in(list(seen)))
        if nxt.is_empty():
            break
        seen.update(nxt["_row"].to_list())
        frontier = nxt
    return pl.Series("_row", sorted(seen), dtype=pl.UInt32)


def scope_rows(units: pl.DataFrame, scope: Scope) -> pl.Series:
    """Row numbers of ``units`` (one row per unit epoch) that the scope covers."""
    epochs = _epochs(units)
    if scope.codes is None:
        return epochs["_row"]
    listed = epochs.filter(pl.col("_official").is_in(list(scope.codes)))
    if scope.successors:
        # Each listed code as it was first: its earliest epoch.
        first = listed.sort("valid_from", nulls_last=False).unique(
            "_official", keep="first", maintain_order=True
        )
        return _closure(epochs, first, _next_epochs)
    # Each listed code as it is now: its latest epoch.
    last = listed.sort("valid_to", nulls_last=True).unique(
        "_official", keep="last", maintain_order=True
    )
    return _closure(epochs, last, _previous_epochs)


def restrict(
    staff: pl.DataFrame, training: pl.DataFrame, units: pl.DataFrame, scope: Scope
) -> Scoped:
    """The staff rows, courses and units within ``scope``; the inputs are not changed.

    The default scope (every unit) returns the frames as they are.
    """
    if scope.codes is None:
        return Scoped(staff, training, units)
    rows = scope_rows(units, scope)
    epochs = _epochs(units).filter(pl.col("_row").is_in(rows.implode()))
    dated = staff.with_row_index("_staff").select(
        "_staff",
        code=pl.col("unit"),
        day=pl.date(pl.col("snapshot_year"), 12, 31),
    )
    keep = _valid_on(epochs, dated)["_staff"].unique()
    kept = staff.with_row_index("_staff").filter(pl.col("_staff").is_in(keep.implode()))
    kept = kept.drop("_staff")
    courses = training.filter(pl.col("staff_id").is_in(kept["staff_id"].unique().implode()))
    in_scope = units.with_row_index("_row").filter(pl.col("_row").is_in(rows.implode()))
    return Scoped(kept, courses, in_scope.drop("_row"))
