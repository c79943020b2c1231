"""Where a level's staff went when the level ended (the district level after 1/7/2025): the
people of its last snapshot, counted by the unit they are in at the next snapshot, or out of
the data's scope. Part of the indicators stage; counts only, never a person.
"""

from __future__ import annotations

import polars as pl

from cadre_analytics.schema import OUTPUT_TABLES
from cadre_analytics.units import closed_levels, current_units

CLOSURES_SCHEMA = OUTPUT_TABLES["closures"]


def level_closures(staff: pl.DataFrame, units: pl.DataFrame, year: int) -> pl.DataFrame:
    """One row per (closed level, destination): ``level``, ``closed_on``, ``from_year`` (its
    last snapshot with staff), ``to_year`` (the next snapshot up to ``year``), ``unit`` and
    ``unit_name`` (null: no longer in the data), ``own_unit`` (true: the unit they were in,
    carried on under another level, e.g. a school now run by the commune), ``people``. Empty
    when no level closed; without destinations (``to_year`` null) when no later snapshot
    shows them."""
    rows = []
    for level, day in closed_levels(units, year).items():
        keys = units.filter(pl.col("level") == level)["code"]
        before = staff.filter(
            pl.col("unit").is_in(keys.implode()) & (pl.col("snapshot_year") <= year)
        )
        if before.is_empty():
            continue
        last = before["snapshot_year"].max()
        later = staff.filter((pl.col("snapshot_year") > last) & (pl.col("snapshot_year") <= year))
        head = {"level": level, "closed_on": day, "from_year": last}
        if later.is_empty():
            rows.append(
                {**head, "to_year": None, "unit": None, "unit_name": None, "own_unit": None}
                | {"people": None}
            )
            continue
        after_year = later["snapshot_year"].min()
        own = current_units(units, after_year)
        people = before.filter(pl.col("snapshot_year") == last).select(
            "staff_id",
            pl.col("unit")
            .replace_strict(list(own), list(own.values()), default=None, return_dtype=pl.Utf8)
            .alias("_own"),
        )
        after = later.filter(pl.col("snapshot_year") == after_year).select("staff_id", "unit")
        went = (
            people.join(after, on="staff_id", how="left")
            .with_columns((pl.col("unit") == pl.col("_own")).fill_null(False).alias("own_unit"))
            .group_by("unit", "own_unit")
            .agg(pl.len().alias("people"))
            .join(
                units.select(pl.col("code").alias("unit"), pl.col("name").alias("unit_name")),
                on="unit",
                how="left",
            )
            .sort(pl.col("unit").is_null(), pl.col("people"), descending=[False, True])
        )
        rows += [{**head, "to_year": after_year, **r} for r in went.to_dicts()]
    return pl.DataFrame(rows, schema=CLOSURES_SCHEMA)
