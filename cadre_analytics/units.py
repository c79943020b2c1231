"""Units with a life: each row of the units table is one unit *epoch* (a code, a name, a level,
the days it existed, and the unit that took it over on the next day).

Communes merge, districts end and codes are reused (after 1/7/2025 new Bảo Thuận carries old
Đinh Lạc's code 25018), so a code alone does not name a place: a staff row of snapshot Y belongs
to the epoch of its code (or name, or alias) valid on 31 December of Y.

Keys. Every later stage joins on one text, the unit *key*, held in the units frame's ``code``
column and in the staff frame's ``unit`` column. A code used by one epoch is its own key; when a
code returns, its latest epoch keeps the plain code and each earlier one becomes
``code@valid_to`` (``25018@2025-06-30`` is old Đinh Lạc). The code as written stays in
``official_code`` and the name in ``name``, for display. A table without life columns keeps its
codes as keys, exactly as before.

History on today's units (:func:`current_units`): an epoch that ended hands its people, for
counting, to its successor, and so on until a unit valid on the report date; an epoch whose
line ends without successor (its staff left the scope) belongs to no unit of today.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from cadre_analytics.schema import UNIT_LIFE_COLUMNS

KEY_SEPARATOR = "@"
OFFICIAL_CODE = "official_code"


def year_end(year: int) -> date:
    """The snapshot date of a staff row of ``year`` (rosters are taken on 31 December)."""
    return date(year, 12, 31)


def with_life(units: pl.DataFrame) -> pl.DataFrame:
    """``units`` with the life columns (null where absent) and ``official_code``."""
    missing = [
        pl.lit(None, dtype).alias(name)
        for name, dtype in UNIT_LIFE_COLUMNS.items()
        if name not in units.columns
    ]
    if OFFICIAL_CODE not in units.columns:
        missing.append(pl.col("code").alias(OFFICIAL_CODE))
    return units.with_columns(missing) if missing else units


def has_life(units: pl.DataFrame) -> bool:
    """True when any unit row gives a validity date or a successor."""
    present = [c for c in UNIT_LIFE_COLUMNS if c in units.columns]
    if not present or not units.height:
        return False
    return bool(units.select(pl.any_horizontal(pl.col(present).is_not_null()).any()).item())


def valid_on_expr(day: date | pl.Expr) -> pl.Expr:
    """The epoch existed on ``day`` (bounds inclusive; an empty bound is open)."""
    day = pl.lit(day) if isinstance(day, date) else day
    after_start = pl.col("valid_from").is_null() | (pl.col("valid_from") <= day)
    before_end = pl.col("valid_to").is_null() | (pl.col("valid_to") >= day)
    return after_start & before_end


def valid_on(units: pl.DataFrame, day: date) -> pl.DataFrame:
    """The unit epochs that existed on ``day``."""
    return with_life(units).filter(valid_on_expr(day))


def epoch_keys(units: pl.DataFrame) -> pl.Series:
    """One unique key per row (see the module docstring); ``units`` holds official codes.

    Rows of one code are ordered by their start (an empty start first); the last keeps the
    code. An earlier row without an end date (an overlap the contracts will stop) is told apart
    by its row number, so two rows never share a key by accident."""
    frame = with_life(units).with_row_index("_i")
    ordered = frame.sort(["code", "valid_from", "_i"], nulls_last=False).with_columns(
        pl.int_range(pl.len()).over("code").alias("_n"),
        pl.len().over("code").alias("_count"),
    )
    row_tag = pl.format("row{}", pl.col("_i") + 1)
    suffix = pl.coalesce(pl.col("valid_to").dt.strftime("%Y-%m-%d"), row_tag)
    keyed = ordered.with_columns(
        pl.when(pl.col("code").is_null() | (pl.col("_n") == pl.col("_count") - 1))
        .then(pl.col("code"))
        .otherwise(pl.col("code") + pl.lit(KEY_SEPARATOR) + suffix)
        .alias("_key")
    )
    return keyed.sort("_i")["_key"].alias("code")


def keyed(units: pl.DataFrame) -> pl.DataFrame:
    """The units with ``code`` = the epoch key and ``official_code`` = the code as written."""
    if OFFICIAL_CODE in units.columns:
        return units
    units = with_life(units)
    return units.with_columns(epoch_keys(units))


def successor_epoch(units: pl.DataFrame) -> dict[str, str | None]:
    """Epoch key -> key of its successor epoch: the epoch of the successor's code valid on the
    day after this one ended (for an epoch that has not ended: the successor's open epoch).
    ``successor`` may hold the code as written or, once judged (:func:`with_successor_keys`),
    the successor's key: a key is taken when that epoch is valid then, else the code is
    looked up. None where no successor is given or none matches (the contracts stop on those).
    """
    units = with_life(units)
    by_code: dict[str, list[tuple[date | None, date | None, str]]] = {}
    by_key: dict[str, tuple[date | None, date | None, str]] = {}
    for code, start, end, key in units.select(
        OFFICIAL_CODE, "valid_from", "valid_to", "code"
    ).iter_rows():
        by_code.setdefault(code, []).append((start, end, key))
        by_key[key] = (start, end, key)
    out: dict[str, str | None] = {}
    for key, end, successor in units.select("code", "valid_to", "successor").iter_rows():
        out[key] = None
        if successor is None:
            continue
        candidates = [by_key[successor]] if successor in by_key else []
        for s_start, s_end, s_key in [*candidates, *by_code.get(successor, [])]:
            if _takes_over(end, s_start, s_end):
                out[key] = s_key
                break
    return out


def _takes_over(end: date | None, start: date | None, s_end: date | None) -> bool:
    """An epoch (start..s_end) exists on the day after ``end`` (an open end: it is open too)."""
    if end is None:
        return s_end is None
    day = end + timedelta(days=1)
    return (start is None or start <= day) and (s_end is None or s_end >= day)


def with_successor_keys(units: pl.DataFrame) -> pl.DataFrame:
    """``successor`` as the key of the epoch that took each unit over (null where none), so
    that a later stage joins it on ``code`` like every other unit reference."""
    if OFFICIAL_CODE not in units.columns:
        return units
    mapping = successor_epoch(units)
    return units.with_columns(
        pl.col("code")
        .replace_strict(list(mapping), list(mapping.values()), default=None, return_dtype=pl.Utf8)
        .alias("successor")
    )


def current_units(units: pl.DataFrame, year: int) -> dict[str, str | None]:
    """Epoch key -> the key of the unit valid on 31/12/``year`` that its people are counted in
    when history is told on today's units (itself when it is valid then; None when its line
    of successors ends before, or it begins after)."""
    units = with_life(units)
    day = year_end(year)
    valid = set(valid_on(units, day)["code"].to_list())
    successor = successor_epoch(units)
    out: dict[str, str | None] = {}
    for key in units["code"].to_list():
        seen, current = set(), key
        while current is not None and current not in valid and current not in seen:
            seen.add(current)
            current = successor.get(current)
        out[key] = current if current in valid else None
    return out


def rebase_expr(units: pl.DataFrame, year: int, column: str = "unit") -> pl.Expr:
    """``column`` (epoch keys) mapped to today's unit keys (null: in no unit of today)."""
    mapping = current_units(units, year)
    return pl.col(column).replace_strict(
        list(mapping), list(mapping.values()), default=None, return_dtype=pl.Utf8
    )


def units_of_year(units: pl.DataFrame, year: int) -> pl.DataFrame:
    """The units that exist on 31/12/``year`` (a table without a life: every unit)."""
    if not has_life(units):
        return units
    return units.filter(valid_on_expr(year_end(year)))


def rebased_years(units: pl.DataFrame, year: int, years: list[int]) -> pl.DataFrame:
    """(unit, year) where today's unit pools another epoch: some epoch valid on 31/12 of that
    year, other than the unit itself, is counted in it (columns ``unit``, ``year``)."""
    units = with_life(units)
    mapping = current_units(units, year)
    rows = []
    for y in years:
        for key in valid_on(units, year_end(y))["code"].to_list():
            target = mapping.get(key)
            if target is not None and target != key:
                rows.append((target, y))
    return pl.DataFrame(rows, schema={"unit": pl.Utf8, "year": pl.Int32}, orient="row").unique()


def closed_levels(units: pl.DataFrame, year: int) -> dict[str, date]:
    """Unit level -> the last day any unit of it existed, for the levels that had units with
    a life and have none on 31/12/``year`` (the district level after 1/7/2025)."""
    if not has_life(units):
        return {}
    units = with_life(units)
    alive = set(valid_on(units, year_end(year))["level"].to_list())
    out = {}
    for (level,), part in units.group_by("level"):
        ends = part["valid_to"]
        if level not in alive and ends.null_count() == 0 and ends.len():
            out[level] = ends.max()
    return out
