"""The spellings ingest read as another value: a list for the user, never a stop.

A vocabulary cell is read when its folded text is one of the value's spellings in
``vocabularies.yaml`` ('ĐH' -> Đại học), or, failing that, when the text without diacritics
points at a single value ('dai hoc', 'Đai học' -> Đại học). A unit cell is read by the unit's
code, name or aliases, likewise. Both are right, but a file that needs them needs cleaning, so
every such spelling is listed with the value it was read as and how many cells hold it.

Only vocabulary and unit columns are looked at: their spellings are words of a list or unit
names, never a person's name, ID or birth date, so the list may go into the public
data-quality page.
"""

from __future__ import annotations

import polars as pl

from cadre_analytics.ingest.normalise import TableData
from cadre_analytics.ingest.spec import ContractSpec, fold
from cadre_analytics.schema import OUTPUT_TABLES

# table, column (the template's header), written (the cell as written, cleaned), read_as (the
# value in words), code, how (synonym: a listed spelling or alias | loose: without diacritics),
# cells
SPELLINGS_SCHEMA = OUTPUT_TABLES["spellings"]


def _unit_words(units: TableData | None) -> dict[str, tuple[str, set[str], set[str]]]:
    """Unit code -> (name, folded code and name, folded aliases)."""
    if units is None:
        return {}
    out = {}
    # with units that have a life, ``code`` is the epoch key and the code as written is kept
    official = "official_code" if "official_code" in units.values.columns else "code"
    columns = units.values.select("code", pl.col(official).alias("_written"), "name", "aliases")
    for code, written, name, aliases in columns.iter_rows():
        if code is None:
            continue
        exact = {fold(written or code), fold(name or "")}
        out[code] = (name or code, exact, {fold(a) for a in (aliases or [])})
    return out


def _distinct_cells(data: TableData, name: str) -> pl.DataFrame:
    """(written, code, cells) for every non-empty cell of ``name`` that was read as a value."""
    return (
        pl.DataFrame(
            [
                data.raw.get_column(name).cast(pl.Utf8).alias("written"),
                data.values.get_column(name).cast(pl.Utf8).alias("code"),
            ]
        )
        .drop_nulls()
        .group_by("written", "code")
        .agg(pl.len().cast(pl.Int64).alias("cells"))
    )


def normalised_spellings(tables: dict[str, TableData], spec: ContractSpec) -> pl.DataFrame:
    """Every spelling read by a synonym or a loose match, with its value and its count."""
    units = _unit_words(tables.get("units"))
    rows = []
    for table_name, data in tables.items():
        for name, col in spec.tables[table_name].columns.items():
            if col.kind not in ("vocab", "unit") or name not in data.raw.columns:
                continue
            vocab = spec.vocabularies.get(col.vocabulary or "")
            for written, code, cells in _distinct_cells(data, name).iter_rows():
                key = fold(written)
                if col.kind == "unit":
                    words, exact, synonyms = units.get(code, (code, {fold(code)}, set()))
                else:
                    words = vocab.labels.get(code, code)
                    # the code itself ('B1', 'A2') is as canonical as its first spelling
                    exact, synonyms = {fold(words), fold(code)}, vocab.synonyms
                if key in exact:
                    continue
                how = "synonym" if key in synonyms else "loose"
                rows.append((table_name, col.primary_header, written, words, code, how, cells))
    frame = pl.DataFrame(rows, schema=SPELLINGS_SCHEMA, orient="row")
    return frame.sort(
        ["table", "column", "cells", "written"], descending=[False, False, True, False]
    )
