"""The snapshot years in the staff table(s), read cheaply before a run starts.

A YEAR without a single staff row cannot give a report, and the full read and validation
(Great Expectations alone takes seconds to import) would only find that out at its end.  Here
each staff file's header row is located from its first lines and only the year column is read,
so the run can stop in well under a second, naming the years that are there.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest.normalise import locate_header, parse_int_expr
from cadre_analytics.ingest.readers import HEADER_SCAN_ROWS, Source, find_sources, read_cells
from cadre_analytics.ingest.spec import ContractSpec, clean_expr, load_contract_spec
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR

YEAR_COLUMN = "snapshot_year"


def years_present_text(years: list[int]) -> str:
    """' (các năm có trong dữ liệu / years present: 2021, 2022)': what YEAR could have been."""
    shown = ", ".join(str(y) for y in sorted(years)) or "—"
    return f" (các năm có trong dữ liệu / years present: {shown})"


def snapshot_years(
    data_dir: Path | str, contracts_dir: Path | str = DEFAULT_CONTRACTS_DIR
) -> tuple[list[int], list[str]] | None:
    """(years with at least one staff row, the staff files read), or None when the files
    cannot be looked at this way (unreadable, no header row, no year column): the full read
    then says what is wrong, in its own words."""
    spec = load_contract_spec(contracts_dir)
    try:
        sources = find_sources(Path(data_dir), spec)["staff"]
        found: set[int] = set()
        for source in sources:
            years = _source_years(source, spec)
            if years is None:
                return None
            found |= years
    except InputStop:
        return None
    if not sources:
        return None
    return sorted(found), [s.label for s in sources]


def _source_years(source: Source, spec: ContractSpec) -> set[int] | None:
    table = spec.tables["staff"]
    head = read_cells(source, spec, rows=HEADER_SCAN_ROWS)
    if head.frame.width == 0:
        return None
    index, mapping = locate_header(head, table, spec)
    positions = [pos for pos, name in mapping.items() if name == YEAR_COLUMN]
    if len(positions) != 1:
        return None
    column = read_cells(source, spec, columns=(positions[0],)).frame.to_series(0)
    # the same cleaning and parsing as the full read, once per distinct cell text
    distinct = column.slice(index + 1).cast(pl.Utf8).unique().to_frame("text")
    parsed = distinct.select(parse_int_expr(clean_expr(pl.col("text")))).to_series()
    return set(parsed.drop_nulls().to_list())


def stop_unless_year_present(
    year: int, data_dir: Path | str, contracts_dir: Path | str = DEFAULT_CONTRACTS_DIR
) -> None:
    """InputStop, with the years present, when no staff row is for ``year``."""
    found = snapshot_years(data_dir, contracts_dir)
    if found is None or year in found[0]:
        return
    years, files = found
    rule = load_contract_spec(contracts_dir).rules["no_staff_for_year"]
    raise InputStop(
        rule.message_vi.format(value=year),
        rule.message_en.format(value=year),
        where=", ".join(files) + years_present_text(years),
        fix_vi=rule.fix_vi,
        fix_en=rule.fix_en,
    )
