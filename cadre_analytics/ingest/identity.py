"""One identity per person: the staff IDs of the staff and training tables, made comparable.

Yearly files are typed by different people in different tools, so the same person's ID reaches
us as "00000123" (a text cell, a CSV), as 123 (a number cell that lost its zeros, shown by the
number format 00000000), with an invisible mark pasted from a web form, or in full-width
digits.  Every ID is canonicalised once here (Unicode NFKC, format characters such as U+200E,
U+200B, U+2060 and U+FEFF removed, spaces trimmed).  A file whose IDs are all numbers without
leading zeros is padded with zeros when there is evidence of the width: its own cells' number
format, or else the one width the zero-padded IDs of the other files use.  Each padding is
reported as a warning row; nothing is padded on a guess.
"""

from __future__ import annotations

import polars as pl

from cadre_analytics.ingest.normalise import TableData, map_distinct
from cadre_analytics.ingest.readers import Source, zero_pad_widths
from cadre_analytics.ingest.spec import ContractSpec
from cadre_analytics.schema import OUTPUT_TABLES, SOURCE_FILE, SOURCE_ROW

ID = "staff_id"
ID_TABLES = ("staff", "training_updates")
NOTE_SCHEMA = OUTPUT_TABLES["warnings"]  # notes on whole files are warnings
_PLAIN_ASCII = r"^[!-~]+$"  # text NFKC and the removals cannot change
_DIGITS = r"^[0-9]+$"


def canonical_id_expr(text: pl.Expr) -> pl.Expr:
    """The canonical form of an ID text (empty -> null)."""
    out = text.str.normalize("NFKC").str.replace_all(r"\p{Cf}", "").str.strip_chars()
    return pl.when(out.str.len_bytes() > 0).then(out)


def canonical_ids(ids: pl.Series) -> pl.Series:
    """:func:`canonical_id_expr` on a column, once per distinct value, none when plain ASCII."""
    if ids.str.contains(_PLAIN_ASCII).all(ignore_nulls=True):
        return ids
    return map_distinct(ids, canonical_id_expr)


def _file_stats(tables: dict[str, TableData]) -> pl.DataFrame:
    """Per (table, file): how its all-digit IDs look."""
    frames = []
    for name in ID_TABLES:
        values = tables[name].values
        frames.append(
            values.select(pl.lit(name).alias("table"), SOURCE_FILE, SOURCE_ROW, ID)
            .filter(pl.col(ID).is_not_null())
            .group_by("table", SOURCE_FILE, maintain_order=True)
            .agg(
                pl.col(ID).str.contains(_DIGITS).all().alias("all_digits"),
                pl.col(ID).str.starts_with("0").any().alias("zeros"),
                pl.col(ID).str.len_chars().min().alias("shortest"),
                pl.col(ID).str.len_chars().max().alias("longest"),
                pl.col(ID).first().alias("example"),
                pl.col(SOURCE_ROW).first().alias("row"),
            )
        )
    return pl.concat(frames)


def _header(data: TableData, label: str, spec: ContractSpec, table: str) -> str:
    found = data.headers.filter((pl.col("source_file") == label) & (pl.col("column") == ID))
    return found["header"][0] if found.height else spec.tables[table].columns[ID].primary_header


def _widths(stats: pl.DataFrame, sources: dict[str, Source]) -> dict[str, tuple[int, str, str]]:
    """File -> (width, evidence vi, evidence en) for each file whose IDs lost their zeros."""
    padded = stats.filter(pl.col("all_digits") & pl.col("zeros"))
    # files with zero-padded IDs of one fixed width each; their common width, if only one
    uniform = padded.filter(pl.col("shortest") == pl.col("longest"))
    others = uniform["longest"].unique().to_list() if uniform.height == padded.height else []
    reference = others[0] if len(others) == 1 else None
    files = ", ".join(uniform[SOURCE_FILE].unique(maintain_order=True).to_list()[:3])
    out = {}
    lost = stats.filter(pl.col("all_digits") & ~pl.col("zeros"))
    for row in lost.iter_rows(named=True):
        source = sources.get(row[SOURCE_FILE])
        formats = set()
        if source is not None and source.sheet is not None:
            formats = {w for w in zero_pad_widths(source.path, source.sheet) if w >= row["longest"]}
        if len(formats) == 1:
            width = formats.pop()
            code = "0" * width
            found = (
                width,
                f"định dạng số '{code}' của ô trong tệp",
                f"the cells' own number format '{code}' shows",
            )
        elif reference is not None and row["longest"] <= reference:
            found = (
                reference,
                f"mã dạng chữ ở các tệp khác ({files})",
                f"the text IDs of the other files ({files}) have",
            )
        else:
            continue
        if found[0] > row["shortest"]:  # else every ID already has the width
            out[row[SOURCE_FILE]] = found
    return out


def _note(table, label, row, header, example, width, basis, spec) -> dict:
    rule = spec.rules["id_zero_padded"]
    fields = {"value": example, "width": width}
    return {
        "table": table,
        "source_file": label,
        "source_row": row,
        "column": header,
        "raw_value": example,
        "rule": rule.rule,
        "message_vi": rule.message_vi.format(**fields, basis=basis[0])
        + " "
        + rule.fix_vi.format(**fields),
        "message_en": rule.message_en.format(**fields, basis=basis[1])
        + " "
        + rule.fix_en.format(**fields),
    }


def unify_ids(
    tables: dict[str, TableData], sources: dict[str, list[Source]], spec: ContractSpec
) -> tuple[dict[str, TableData], list[dict]]:
    """The tables with canonical staff IDs, and a warning row (NOTE_SCHEMA) per file padded."""
    out = dict(tables)
    for name in ID_TABLES:
        data = tables[name]
        ids = canonical_ids(data.values.get_column(ID))
        if ids is not data.values.get_column(ID):
            out[name] = _with_ids(data, ids)
    by_label = {s.label: s for found in sources.values() for s in found}
    stats = _file_stats(out)
    widths = _widths(stats, by_label)
    notes = []
    for name in ID_TABLES:
        here = stats.filter((pl.col("table") == name) & pl.col(SOURCE_FILE).is_in(list(widths)))
        if not here.height:
            continue
        data = out[name]
        width = pl.col(SOURCE_FILE).replace_strict(
            {f: w[0] for f, w in widths.items()}, default=None, return_dtype=pl.Int64
        )
        ids = data.values.select(
            pl.when(width.is_not_null() & pl.col(ID).str.contains(_DIGITS))
            .then(pl.col(ID).str.pad_start(width.fill_null(0), "0"))
            .otherwise(pl.col(ID))
            .alias(ID)
        ).to_series()
        out[name] = _with_ids(data, ids)
        for row in here.iter_rows(named=True):
            label = row[SOURCE_FILE]
            header = _header(data, label, spec, name)
            width_, *basis = widths[label]
            notes.append(
                _note(name, label, row["row"], header, row["example"], width_, basis, spec)
            )
    return out, notes


def _with_ids(data: TableData, ids: pl.Series) -> TableData:
    """A copy of ``data`` whose ID column (one Series in raw and values) is ``ids``."""
    return TableData(
        raw=data.raw.with_columns(ids),
        values=data.values.with_columns(ids),
        check=None if data._kinds else data.check.with_columns(ids),
        headers=data.headers,
        ignored=data.ignored,
        kinds=data._kinds,
    )
