"""Ingest: the only code that reads DATA.  ``read_inputs(data_dir)`` -> :class:`RawInputs`.

Finds each table's files (``NAME.csv|xlsx|parquet``, ``NAME*.ext`` concatenated, or sheets named
after the tables in one workbook), reads every cell as text, finds the header row, maps headers
(with synonyms from ``data_contracts/columns.yaml``) to canonical columns, and parses values
(NFC, trimming, case-folding, vocabularies, booleans, dates).  Judging the rows is left to
:mod:`cadre_analytics.contracts`; here a cell that cannot be parsed is kept, marked, never lost.

Each file is read and parsed on its own and the tables are put together at the end (chunks
appended, nothing copied), so the text of one file is the largest transient.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest.crosswalk import (
    Crosswalk,
    apply_crosswalk,
    crosswalk_hints,
    read_crosswalk,
)
from cadre_analytics.ingest.dates import month_first_notes
from cadre_analytics.ingest.epochs import resolve_staff_units, with_epoch_keys
from cadre_analytics.ingest.identity import NOTE_SCHEMA, unify_ids
from cadre_analytics.ingest.normalise import (
    IGNORED_SCHEMA,
    TableData,
    UnitLookup,
    parse_table,
    to_canonical,
    unit_lookup,
)
from cadre_analytics.ingest.readers import (
    Source,
    find_sources,
    read_cells,
    unrecognised_inputs,
)
from cadre_analytics.ingest.spec import ContractSpec, TableSpec, load_contract_spec
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR
from cadre_analytics.provenance import sha256_file
from cadre_analytics.units import OFFICIAL_CODE

__all__ = ["DEFAULT_CONTRACTS_DIR", "RawInputs", "TableData", "read_inputs"]

INPUT_FILES_SCHEMA = {"table": pl.Utf8, "path": pl.Utf8, "sha256": pl.Utf8, "rows": pl.Int64}


@dataclass
class RawInputs:
    """Everything read from DATA, before any row is judged."""

    data_dir: Path
    spec: ContractSpec
    tables: dict[str, TableData]  # staff, training_updates, units
    input_files: pl.DataFrame  # table, path, sha256, rows
    notes: pl.DataFrame | None = None  # warnings on whole files (IDs padded, dates month first)


@dataclass
class _Part:
    """One source's share of a table: its rows, parsed, with the headers it used."""

    data: TableData
    ignored: list[dict]


def _read_source(
    source: Source, table: TableSpec, spec: ContractSpec, units: dict[str, str] | None
) -> _Part:
    """Read one file (or sheet), map it to canonical columns and parse it; InputStop if bad."""
    cells = read_cells(source, spec)
    ignored: list[dict] = []
    frame, header = to_canonical(cells, table, spec, ignored)
    del cells  # every cell as text: the largest thing held here
    values, _check = parse_table(frame, table, spec, units)
    del _check  # rebuilt from values and raw when the contracts ask (TableData.check)
    data = TableData(raw=frame, values=values, headers=header, kinds=_kinds(table))
    return _Part(data, ignored)


def _kinds(table: TableSpec) -> dict[str, str]:
    return {name: col.kind for name, col in table.columns.items()}


def _concat(parts: list[_Part], table: TableSpec) -> TableData:
    """One table from its parts; chunks are appended, not copied (no rechunk)."""
    ignored = [row for part in parts for row in part.ignored]
    return TableData(
        raw=pl.concat([p.data.raw for p in parts], how="vertical"),
        values=pl.concat([p.data.values for p in parts], how="vertical"),
        headers=pl.concat([p.data.headers for p in parts], how="vertical"),
        ignored=pl.DataFrame(ignored, schema=IGNORED_SCHEMA),
        kinds=_kinds(table),
    )


def read_inputs(
    data_dir: Path | str,
    contracts_dir: Path | str = DEFAULT_CONTRACTS_DIR,
    *,
    crosswalk: Path | str | None = None,
) -> RawInputs:
    """Read the three tables from ``data_dir``; raises InputStop for unreadable input.

    Each file is read, mapped and parsed on its own and the tables are put together at the
    end. ``crosswalk`` (a conversion table of units, :mod:`.crosswalk`) fills the units' ends
    and successors before any staff row is resolved."""
    spec = load_contract_spec(contracts_dir)
    links = read_crosswalk(crosswalk, spec, Path(contracts_dir)) if crosswalk else None
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
    tables, file_rows = _read_tables(spec, sources, links)
    if crosswalk:
        rows = len(links.links) if links else 0
        path = Path(crosswalk)
        file_rows.append(
            {"table": "crosswalk", "path": path.name, "sha256": sha256_file(path), "rows": rows}
        )
    input_files = pl.DataFrame(file_rows, schema=INPUT_FILES_SCHEMA)
    tables, notes = unify_ids(tables, sources, spec)  # one ID per person across files
    notes += month_first_notes(tables, spec)
    if links is None:
        notes += crosswalk_hints(tables["units"], spec, Path(contracts_dir))
    return RawInputs(data_dir, spec, tables, input_files, pl.DataFrame(notes, schema=NOTE_SCHEMA))


def _read_tables(
    spec: ContractSpec, sources: dict[str, list[Source]], crosswalk: Crosswalk | None = None
) -> tuple[dict[str, TableData], list[dict]]:
    file_rows: list[dict] = []
    tables: dict[str, TableData] = {}
    units: UnitLookup | None = None
    living = False
    # units first: staff rows name their unit, resolved through the units table
    for name in ("units", "staff", "training_updates"):
        table = spec.tables[name]
        parts = []
        for source in sources[name]:
            # an unreadable file stops here with its own message
            part = _read_source(source, table, spec, units)
            parts.append(part)
            file_rows.append(
                {
                    "table": name,
                    "path": source.label,
                    "sha256": sha256_file(source.path),
                    "rows": part.data.values.height,
                }
            )
        tables[name] = _concat(parts, table)
        if name == "units":
            if crosswalk is not None:
                tables["units"] = apply_crosswalk(tables["units"], crosswalk, spec)
            tables["units"] = with_epoch_keys(tables["units"])
            living = OFFICIAL_CODE in tables["units"].values.columns
            # units with a life are resolved per snapshot date once every staff file is read
            units = UnitLookup() if living else unit_lookup(tables["units"].raw)
        elif name == "staff" and living:
            tables["staff"] = resolve_staff_units(tables["staff"], tables["units"])
    return tables, file_rows
