"""Ingest: the only code that reads DATA.  ``read_inputs(data_dir)`` -> :class:`RawInputs`.

Finds each table's files (``NAME.csv|xlsx|parquet``, ``NAME*.ext`` concatenated, or sheets named
after the tables in one workbook), reads every cell as text, finds the header row, maps headers
(with synonyms from ``data_contracts/columns.yaml``) to canonical columns, and parses values
(NFC, trimming, case-folding, vocabularies, booleans, dates).  Judging the rows is left to
:mod:`cadre_analytics.contracts`; here a cell that cannot be parsed is kept, marked, never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest.normalise import (
    IGNORED_SCHEMA,
    TableData,
    parse_table,
    to_canonical,
    unit_lookup,
)
from cadre_analytics.ingest.readers import (
    find_sources,
    read_cells,
    unrecognised_inputs,
)
from cadre_analytics.ingest.spec import ContractSpec, load_contract_spec
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR
from cadre_analytics.provenance import sha256_file

__all__ = ["DEFAULT_CONTRACTS_DIR", "RawInputs", "TableData", "read_inputs"]

INPUT_FILES_SCHEMA = {"table": pl.Utf8, "path": pl.Utf8, "sha256": pl.Utf8, "rows": pl.Int64}


@dataclass
class RawInputs:
    """Everything read from DATA, before any row is judged."""

    data_dir: Path
    spec: ContractSpec
    tables: dict[str, TableData]  # staff, training_updates, units
    input_files: pl.DataFrame  # table, path, sha256, rows


def _read_table(
    sources, table, spec
) -> tuple[pl.DataFrame, pl.DataFrame, list[dict], pl.DataFrame]:
    frames, headers, files, ignored = [], [], [], []
    for source in sources:
        cells = read_cells(source, spec)
        frame, header = to_canonical(cells, table, spec, ignored)
        frames.append(frame)
        headers.append(header)
        files.append({"table": table.name, "path": source.label, "rows": frame.height})
    return (
        pl.concat(frames, how="vertical"),
        pl.concat(headers, how="vertical"),
        files,
        pl.DataFrame(ignored, schema=IGNORED_SCHEMA),
    )


def read_inputs(
    data_dir: Path | str, contracts_dir: Path | str = DEFAULT_CONTRACTS_DIR
) -> RawInputs:
    """Read the three tables from ``data_dir``; raises InputStop for unreadable input."""
    spec = load_contract_spec(contracts_dir)
    data_dir = Path(data_dir)
    sources = find_sources(data_dir, spec)
    for name, found in sources.items():
        if not found:
            rule = spec.rules["missing_table"]
            raise InputStop(
                rule.message_vi.format(detail=name),
                rule.message_en.format(detail=name),
                where=f"{data_dir}{unrecognised_inputs(data_dir, spec, sources)}",
                fix_vi=rule.fix_vi.format(detail=name),
                fix_en=rule.fix_en.format(detail=name),
            )
    raw: dict[str, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]] = {}
    file_rows: list[dict] = []
    hashes: dict[Path, str] = {}
    for name in ("units", "staff", "training_updates"):
        frame, header, files, ignored = _read_table(sources[name], spec.tables[name], spec)
        raw[name] = (frame, header, ignored)
        for source, row in zip(sources[name], files, strict=True):
            if source.path not in hashes:
                hashes[source.path] = sha256_file(source.path)
            row["sha256"] = hashes[source.path]
            file_rows.append(row)
    units = unit_lookup(raw["units"][0])
    tables = {}
    for name, (frame, header, ignored) in raw.items():
        values, check = parse_table(frame, spec.tables[name], spec, units)
        tables[name] = TableData(
            raw=frame, values=values, check=check, headers=header, ignored=ignored
        )
    input_files = pl.DataFrame(file_rows, schema=INPUT_FILES_SCHEMA)
    return RawInputs(data_dir=data_dir, spec=spec, tables=tables, input_files=input_files)
