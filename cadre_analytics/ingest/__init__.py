"""Ingest: the only code that reads DATA.  ``read_inputs(data_dir)`` -> :class:`RawInputs`.

Finds each table's files (``NAME.csv|xlsx|parquet``, ``NAME*.ext`` concatenated, or sheets named
after the tables in one workbook), reads every cell as text, finds the header row, maps headers
(with synonyms from ``data_contracts/columns.yaml``) to canonical columns, and parses values
(NFC, trimming, case-folding, vocabularies, booleans, dates).  Judging the rows is left to
:mod:`cadre_analytics.contracts`; here a cell that cannot be parsed is kept, marked, never lost.

Each file is read and parsed on its own and the tables are put together at the end (chunks
appended, nothing copied), so the text of one file is the largest transient.  With
``cache=open_cache(path)`` the result for each file is kept, keyed by the file's SHA-256, its
name, the data_contracts files, the unit names (for staff) and the package and library
versions: a rerun where only the newest year's file changed reads only that file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest.dates import month_first_notes
from cadre_analytics.ingest.identity import NOTE_SCHEMA, unify_ids
from cadre_analytics.ingest.normalise import (
    CANONICAL,
    HEADERS_SCHEMA,
    IGNORED_SCHEMA,
    TableData,
    UnitLookup,
    parse_table,
    raw_dtype,
    to_canonical,
    unit_lookup,
)
from cadre_analytics.ingest.readers import (
    EXCEL_EXT,
    Source,
    find_sources,
    read_cells,
    unrecognised_inputs,
)
from cadre_analytics.ingest.spec import ContractSpec, TableSpec, load_contract_spec
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR
from cadre_analytics.provenance import sha256_file
from cadre_analytics.schema import SOURCE_FILE, SOURCE_ROW

if TYPE_CHECKING:
    from cadre_analytics.cache import Cache

__all__ = ["DEFAULT_CONTRACTS_DIR", "RawInputs", "TableData", "read_inputs"]

log = logging.getLogger(__name__)

INPUT_FILES_SCHEMA = {"table": pl.Utf8, "path": pl.Utf8, "sha256": pl.Utf8, "rows": pl.Int64}
CACHE_NAMESPACE = "ingest"
# Bumped when what a cache entry holds changes shape (on top of the package version in the key).
CACHE_FORMAT = 2
CONTRACT_FILES = ("columns.yaml", "vocabularies.yaml", "rules.yaml")


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


# --- the per-file cache ---------------------------------------------------------------------
# One entry per source: a frame with the values (``v:`` columns) and the cell text that is not
# the value (``r:``, Categorical), plus a JSON manifest (headers, ignored columns).  Provenance
# is stored once; ``check`` is not stored, it is rebuilt from values and text when needed.


def _shared(col) -> bool:
    """Whether the column's cell text is its value (one Series for raw and values)."""
    return col.kind in ("id", "text")


def _encode(part: _Part, table: TableSpec) -> tuple[pl.DataFrame, dict]:
    data = part.data
    names = list(table.columns)
    columns = [data.values.get_column(c).alias(f"v:{c}") for c in names]
    columns += [
        data.raw.get_column(c).alias(f"r:{c}") for c in names if not _shared(table.columns[c])
    ]
    columns += [data.values.get_column(SOURCE_FILE), data.values.get_column(SOURCE_ROW)]
    manifest = {
        "format": CACHE_FORMAT,
        "rows": data.values.height,
        "names": names,
        "headers": data.headers.rows(),
        "ignored": part.ignored,
    }
    return pl.DataFrame(columns), manifest


def _decode(frame: pl.DataFrame, manifest: dict, table: TableSpec) -> _Part:
    """The cached part, rebuilt with the same sharing; KeyError/ValueError if it does not fit."""
    if manifest.get("format") != CACHE_FORMAT or frame.height != manifest["rows"]:
        raise ValueError("cache entry does not match its manifest")
    names = list(manifest["names"])
    if names != list(table.columns):
        raise ValueError("cache entry has other columns")
    schema = CANONICAL[table.name]
    provenance = [frame.get_column(SOURCE_FILE), frame.get_column(SOURCE_ROW)]
    values, raw = {}, {}
    for name in names:
        col = table.columns[name]
        values[name] = frame.get_column(f"v:{name}").alias(name)
        raw[name] = values[name] if _shared(col) else frame.get_column(f"r:{name}").alias(name)
        if (values[name].dtype, raw[name].dtype) != (schema[name], raw_dtype(col)):
            raise ValueError(f"cache entry has other dtypes for {name}")
    headers = pl.DataFrame(
        [tuple(row) for row in manifest["headers"]], schema=HEADERS_SCHEMA, orient="row"
    )
    ignored = [
        {
            "source_file": str(r["source_file"]),
            "source_row": int(r["source_row"]),
            "header": r["header"],
        }
        for r in manifest["ignored"]
    ]
    data = TableData(
        raw=pl.DataFrame([*raw.values(), *provenance]),
        values=pl.DataFrame([*values.values(), *provenance]),
        headers=headers,
        kinds=_kinds(table),
    )
    return _Part(data, ignored)


def _cache_get(cache: Cache, key: str, table: TableSpec) -> _Part | None:
    manifest = cache.get_json(CACHE_NAMESPACE, key)
    if not isinstance(manifest, dict):
        return None
    frame = cache.get_frame(CACHE_NAMESPACE, key)
    if frame is None:
        return None
    try:
        return _decode(frame, manifest, table)
    except (KeyError, TypeError, ValueError, pl.exceptions.PolarsError):
        # a damaged or foreign entry is a miss; the fresh result replaces it
        return None


def _cache_put(cache: Cache, key: str, part: _Part, table: TableSpec) -> None:
    try:
        frame, manifest = _encode(part, table)
        cache.put_frame(CACHE_NAMESPACE, key, frame)
        cache.put_json(CACHE_NAMESPACE, key, manifest)  # last: an entry counts once complete
    except Exception as exc:  # the cache only saves time; a failure to fill it never stops a run
        log.warning("ingest cache entry not written (%s)", exc)


def _contracts_hash(contracts_dir: Path) -> str:
    from cadre_analytics.cache import file_hash

    return file_hash([Path(contracts_dir) / name for name in CONTRACT_FILES])


def _units_hash(units: dict[str, str]) -> str:
    text = json.dumps(sorted(units.items()), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _source_key(
    cache: Cache,
    source: Source,
    sha256: str,
    table: TableSpec,
    contracts: str,
    units: str | None,
) -> str:
    """Everything the part depends on: the bytes, where they sit (the label is in every row),
    the contracts, the unit lookup when the table names units, and the readers' libraries."""
    uses_units = any(c.kind == "unit" for c in table.columns.values())
    libraries = {"polars": pl.__version__}
    if source.path.suffix.lower() in EXCEL_EXT:
        import fastexcel

        libraries["fastexcel"] = getattr(fastexcel, "__version__", "?")
    return cache.key(
        "ingest",
        CACHE_FORMAT,
        table.name,
        source.label,
        source.sheet,
        sha256,
        contracts,
        units if uses_units else None,
        libraries,
    )


def _unit_lookup(
    units_raw: pl.DataFrame, keys: list[str | None], cache: Cache | None
) -> UnitLookup:
    """The unit lookup, from the cache when the units files are unchanged (folding tens of
    thousands of names in Python costs seconds, on every run)."""
    key = None
    if cache is not None and keys and all(keys):
        key = cache.key("ingest_units", CACHE_FORMAT, keys)
        found = cache.get_json(CACHE_NAMESPACE, key)
        if (
            isinstance(found, dict)
            and isinstance(found.get("lookup"), dict)
            and isinstance(found.get("loose"), dict)
        ):
            lookup = UnitLookup(found["lookup"])
            lookup._loose = found["loose"]
            return lookup
    lookup = unit_lookup(units_raw)
    if key is not None:
        cache.put_json(CACHE_NAMESPACE, key, {"lookup": dict(lookup), "loose": lookup.loose})
    return lookup


def _hash(path: Path, hashes: dict[Path, str]) -> bool:
    """Fill ``hashes[path]``; False when the file cannot be read (reading it will say why)."""
    if path not in hashes:
        try:
            hashes[path] = sha256_file(path)
        except OSError:
            return False
    return True


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
    cache: Cache | None = None,
) -> RawInputs:
    """Read the three tables from ``data_dir``; raises InputStop for unreadable input.

    Each file is read, mapped and parsed on its own and the tables are put together at the
    end.  With a ``cache`` (:func:`cadre_analytics.cache.open_cache`), a file whose SHA-256 (and
    contracts, and for staff the unit names) are unchanged since an earlier run is not read
    again; a file that stops is never cached."""
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
    # Entries are written by one background thread (polars releases the GIL while encoding), so
    # filling the cache overlaps reading the next file; leaving the block waits for them.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-cache") as writer:
        tables, file_rows = _read_tables(spec, sources, contracts_dir, cache, writer)
    input_files = pl.DataFrame(file_rows, schema=INPUT_FILES_SCHEMA)
    tables, notes = unify_ids(tables, sources, spec)  # one ID per person across files
    notes += month_first_notes(tables, spec)
    return RawInputs(data_dir, spec, tables, input_files, pl.DataFrame(notes, schema=NOTE_SCHEMA))


def _read_tables(
    spec: ContractSpec,
    sources: dict[str, list[Source]],
    contracts_dir: Path | str,
    cache: Cache | None,
    writer: ThreadPoolExecutor,
) -> tuple[dict[str, TableData], list[dict]]:
    contracts = _contracts_hash(Path(contracts_dir)) if cache is not None else ""
    file_rows: list[dict] = []
    hashes: dict[Path, str] = {}
    tables: dict[str, TableData] = {}
    units: dict[str, str] | None = None
    units_hash: str | None = None
    # units first: staff rows name their unit, resolved through the units table
    for name in ("units", "staff", "training_updates"):
        table = spec.tables[name]
        parts, keys = [], []
        for source in sources[name]:
            key = part = None
            if cache is not None and _hash(source.path, hashes):
                key = _source_key(cache, source, hashes[source.path], table, contracts, units_hash)
                part = _cache_get(cache, key, table)
            if part is None:
                # an unreadable file stops here with its own message, before any hash is needed
                part = _read_source(source, table, spec, units)
                if cache is not None and key is not None:
                    writer.submit(_cache_put, cache, key, part, table)
            if source.path not in hashes:
                hashes[source.path] = sha256_file(source.path)
            parts.append(part)
            keys.append(key)
            file_rows.append(
                {
                    "table": name,
                    "path": source.label,
                    "sha256": hashes[source.path],
                    "rows": part.data.values.height,
                }
            )
        tables[name] = _concat(parts, table)
        if name == "units":
            units = _unit_lookup(tables["units"].raw, keys, cache)
            units_hash = _units_hash(units) if cache is not None else None
    return tables, file_rows
