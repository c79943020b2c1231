"""Units with a life, as read: epoch keys for the units table, and each staff row's unit
resolved against the epochs valid on its snapshot date (31 December of its year).

Only used when the units table gives a validity date or a successor somewhere; a table without
them is resolved exactly as before (one lookup for every year, :func:`normalise.unit_lookup`).
A spelling is looked up among the epochs of the row's own date, with the same rules as always
(code before name before alias; a spelling two units share there is left out), so new Bảo
Thuận (25018, from 1/7/2025) and old Đinh Lạc (25018, until 30/6/2025) never meet.
"""

from __future__ import annotations

import polars as pl

from cadre_analytics.ingest.normalise import TableData, _lookup, unit_lookup
from cadre_analytics.ingest.spec import fold, fold_expr, strip_marks, strip_marks_expr
from cadre_analytics.units import OFFICIAL_CODE, has_life, keyed, valid_on_expr, year_end


def with_epoch_keys(units: TableData) -> TableData:
    """The units table with ``code`` = epoch key and ``official_code`` (when it has a life)."""
    if not has_life(units.values):
        return units
    return TableData(
        raw=units.raw,
        values=keyed(units.values),
        headers=units.headers,
        ignored=units.ignored,
        kinds=units._kinds,
    )


def _lookup_frame(units: TableData, mask: pl.Series | None = None) -> pl.DataFrame:
    """The units' spellings as text (official code, name, aliases) with the epoch key."""
    frame = units.raw.select(
        pl.col("code").cast(pl.Utf8),
        pl.col("name").cast(pl.Utf8),
        pl.col("aliases").cast(pl.Utf8),
        units.values["code"].alias("_key"),
    )
    return frame.filter(mask) if mask is not None else frame


def resolve_staff_units(staff: TableData, units: TableData) -> TableData:
    """Staff ``unit`` = the key of the epoch its cell names on 31/12 of the row's year; null
    when none does (the contracts then say whether the unit exists at another date)."""
    text = staff.raw.get_column("unit").cast(pl.Utf8)
    years = staff.values.get_column("snapshot_year")
    pairs = pl.DataFrame({"t": text, "y": years})
    distinct = pairs.unique(maintain_order=True).drop_nulls()
    resolved = []
    for (year,), part in distinct.group_by("y", maintain_order=True):
        mask = units.values.select(valid_on_expr(year_end(int(year)))).to_series()
        lookup = unit_lookup(_lookup_frame(units, mask), key_column="_key")
        resolved.append(
            part.with_columns(_lookup(fold_expr(pl.col("t")), *lookup.pairs()).alias("_unit"))
        )
    if resolved:
        table = pl.concat(resolved)
    else:
        table = distinct.with_columns(pl.lit(None, pl.Utf8).alias("_unit"))
    unit = pairs.join(table, on=["t", "y"], how="left", maintain_order="left")["_unit"]
    values = staff.values.with_columns(unit.alias("unit"))
    return TableData(
        raw=staff.raw,
        values=values,
        headers=staff.headers,
        ignored=staff.ignored,
        kinds=staff._kinds,
    )


def unit_spelled_expr(units: pl.DataFrame, text: pl.Expr) -> pl.Expr:
    """True where ``text`` is the code, name or an alias of any epoch, at whatever date
    (``units``: accepted units, with ``official_code`` when they have a life)."""
    code = OFFICIAL_CODE if OFFICIAL_CODE in units.columns else "code"
    spellings: set[str] = set()
    for official, name, aliases in units.select(code, "name", "aliases").iter_rows():
        for spelling in [official, name, *(aliases or [])]:
            if spelling:
                spellings.add(fold(spelling))
    loose = {strip_marks(s) for s in spellings}
    key = fold_expr(text)
    return key.is_in(list(spellings)) | strip_marks_expr(key).is_in(list(loose))
