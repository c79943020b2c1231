"""Dates as cells hold them, and the day/month order of each date column of each file.

Vietnamese exports write dd/mm/yyyy, but an Excel or web export set to the US convention writes
mm/dd/yyyy, and both look alike until the day passes 12.  The order is therefore decided per
column and per file from the column's own values: a first part over 12 can only be a day, a
second part over 12 can only be a day too.  A column holding both kinds is a stop naming the
file and the column (nothing would say which rows to swap); a column with no telling value is
read day-first, the national convention.  A date is never swapped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

DAY_FIRST = "dmy"
MONTH_FIRST = "mdy"
# Excel's day 0 (its serials count from here; the 1900 leap-year bug only shifts dates before
# March 1900, which no roster holds).
EXCEL_EPOCH = (1899, 12, 30)
EXCEL_MAX_SERIAL = 2_958_465  # 31/12/9999
_SHORT_FORM = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T][0-9:.]*)?$"


@dataclass(frozen=True)
class ColumnOrder:
    """What one column's values say about its day/month order."""

    order: str  # DAY_FIRST or MONTH_FIRST
    day_first_example: str | None = None  # a value whose first part is over 12
    month_first_example: str | None = None  # a value whose second part is over 12

    @property
    def mixed(self) -> bool:
        return self.day_first_example is not None and self.month_first_example is not None


def column_order(texts: pl.Series) -> ColumnOrder:
    """The day/month order of a column of date texts (any order, repeats allowed).

    A value with both parts over 12 is no evidence: it is an impossible date either way."""
    parts = (
        pl.DataFrame({"t": texts.cast(pl.Utf8)})
        .select(
            pl.col("t"),
            pl.col("t").str.extract(_SHORT_FORM, 1).cast(pl.Int32).alias("a"),
            pl.col("t").str.extract(_SHORT_FORM, 2).cast(pl.Int32).alias("b"),
        )
        .drop_nulls()
    )
    day_first = parts.filter((pl.col("a") > 12) & (pl.col("b") <= 12))["t"].head(1).to_list()
    month_first = parts.filter((pl.col("b") > 12) & (pl.col("a") <= 12))["t"].head(1).to_list()
    return ColumnOrder(
        order=MONTH_FIRST if month_first and not day_first else DAY_FIRST,
        day_first_example=day_first[0] if day_first else None,
        month_first_example=month_first[0] if month_first else None,
    )


def _iso(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    text = pl.concat_str([y, m.str.zfill(2), d.str.zfill(2)], separator="-")
    return text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def parse_date_expr(text: pl.Expr, order: str = DAY_FIRST) -> pl.Expr:
    """ISO (yyyy-mm-dd, optional time), dd/mm/yyyy (/ - .) or, for a column found to be
    month-first, mm/dd/yyyy; a bare year (1 January), or an Excel serial.  Within one order
    nothing is guessed: 03/14/1975 read day-first is an impossible date, not 14 March."""
    iso = text.str.extract_groups(
        r"^(?<y>\d{4})[-/.](?<m>\d{1,2})[-/.](?<d>\d{1,2})(?:[ T][0-9:.]*)?$"
    )
    first, second = ("d", "m") if order == DAY_FIRST else ("m", "d")
    short = text.str.extract_groups(
        rf"^(?<{first}>\d{{1,2}})[-/.](?<{second}>\d{{1,2}})[-/.](?<y>\d{{4}})(?:[ T][0-9:.]*)?$"
    )
    year = text.str.extract(r"^(\d{4})(?:\.0+)?$", 1)
    serial = (
        pl.when(text.str.contains(r"^\d{1,7}(?:\.\d+)?$") & year.is_null())
        .then(text.cast(pl.Float64, strict=False).floor().cast(pl.Int64, strict=False))
        .otherwise(None)
    )
    serial_date = (
        pl.when((serial >= 1) & (serial <= EXCEL_MAX_SERIAL))
        .then(pl.date(*EXCEL_EPOCH) + pl.duration(days=serial))
        .otherwise(None)
    )
    return pl.coalesce(
        _iso(iso.struct.field("y"), iso.struct.field("m"), iso.struct.field("d")),
        _iso(short.struct.field("y"), short.struct.field("m"), short.struct.field("d")),
        _iso(year, pl.lit("1"), pl.lit("1")),
        serial_date.cast(pl.Date),
    )


def month_first_notes(tables: dict, spec) -> list[dict]:
    """A warning row for each file's date column that was read month first (the reading
    itself is done per file by ``normalise.parse_table``, with the same :func:`column_order`).
    ``tables``: name -> TableData; rows follow ``identity.NOTE_SCHEMA``."""
    from cadre_analytics.schema import SOURCE_FILE, SOURCE_ROW

    rule = spec.rules["date_month_first"]
    notes = []
    for name, data in tables.items():
        for col in spec.tables[name].columns.values():
            if col.kind != "date" or col.name not in data.raw.columns:
                continue
            # distinct (file, text) pairs first: the text is Categorical, a cast per row is not
            texts = data.raw.select(SOURCE_FILE, col.name).unique()
            texts = texts.with_columns(pl.col(col.name).cast(pl.Utf8))
            for (label,), group in texts.group_by(SOURCE_FILE, maintain_order=True):
                found = column_order(group.get_column(col.name))
                if found.order != MONTH_FIRST:
                    continue
                example = found.month_first_example
                row = data.raw.filter(
                    (pl.col(SOURCE_FILE) == label) & (pl.col(col.name).cast(pl.Utf8) == example)
                )[SOURCE_ROW][0]
                header = data.headers.filter(
                    (pl.col("source_file") == label) & (pl.col("column") == col.name)
                )
                header = header["header"][0] if header.height else col.primary_header
                fields = {"column": header, "value": example}
                notes.append(
                    {
                        "table": name,
                        "source_file": label,
                        "source_row": row,
                        "column": header,
                        "raw_value": example,
                        "rule": rule.rule,
                        "message_vi": f"{rule.message_vi} {rule.fix_vi}".format(**fields),
                        "message_en": f"{rule.message_en} {rule.fix_en}".format(**fields),
                    }
                )
    return notes
