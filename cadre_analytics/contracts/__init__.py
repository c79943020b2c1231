"""Data contracts: judges every row read by ingest against the Great Expectations suites.

One GX suite per table lives in ``data_contracts/<table>.json``; each expectation names its rule
in ``meta.rule`` and ``data_contracts/rules.yaml`` grades the rule stop, quarantine or warn
(:mod:`.grading`).  GX sees the ``check`` frame built by ingest (parsed value as text, or ``!`` +
cell text where parsing failed) plus a few derived columns starting with ``_`` (:mod:`.derived`),
so every decision, parse failures included, comes from GX's unexpected-index lists.  GX judges
each column group's distinct values, in one call per table (:mod:`.checks`).

    result = validate_inputs(raw, year)        # ValidationResult; raises InputStop
    print(format_reconciliation(result))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from cadre_analytics.contracts.checks import run_suite
from cadre_analytics.contracts.derived import derive_staff, derive_training
from cadre_analytics.contracts.epochs import check_unit_life
from cadre_analytics.contracts.grading import ignored_entries, judge, years_present
from cadre_analytics.contracts.messages import format_reconciliation
from cadre_analytics.contracts.result import (
    IDX,
    ISSUE_SCHEMA,
    QUARANTINED_IDS_SCHEMA,
    RECONCILIATION_SCHEMA,
    RULE_RESULTS_SCHEMA,
    TABLE_NAMES,
    TABLE_ORDER,
    ValidationResult,
)
from cadre_analytics.contracts.suites import load_suite
from cadre_analytics.errors import InputStop
from cadre_analytics.ingest import RawInputs, TableData
from cadre_analytics.ingest.consistency import review
from cadre_analytics.ingest.spec import ContractSpec, load_contract_spec
from cadre_analytics.ingest.spellings import normalised_spellings
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR
from cadre_analytics.schema import SOURCE_FILE, SOURCE_ROW
from cadre_analytics.units import with_successor_keys

__all__ = [
    "ISSUE_SCHEMA",
    "RECONCILIATION_SCHEMA",
    "RULE_RESULTS_SCHEMA",
    "TABLE_NAMES",
    "ValidationResult",
    "format_reconciliation",
    "load_suite",
    "validate_inputs",
]


def validate_inputs(
    raw: RawInputs,
    year: int,
    contracts_dir: Path | str = DEFAULT_CONTRACTS_DIR,
    *,
    schedule=None,
    today: date | None = None,
) -> ValidationResult:
    """Judge every row read; raise InputStop for a stop-graded failure.  ``raw`` is not
    changed.

    ``schedule`` defaults to ``params/retirement.yaml``; ``today`` (for 'training dated in the
    future') defaults to the system date and exists so tests are reproducible.
    """
    contracts_dir = Path(contracts_dir)
    spec = load_contract_spec(contracts_dir)
    if schedule is None:
        from cadre_analytics.params import load_retirement_schedule

        schedule = load_retirement_schedule()
    parameters = _expectation_parameters(spec, year)
    accepted: dict[str, pl.DataFrame] = {}
    judged: list[_Judged] = []
    for table in TABLE_ORDER:
        data = raw.tables[table]
        if table == "staff":
            check_unit_life(accepted["units"], spec)
            accepted["units"] = with_successor_keys(accepted["units"])
            unit_codes = accepted["units"]["code"].drop_nulls().unique()
            check = derive_staff(data, schedule, unit_codes, spec, accepted["units"])
        elif table == "training_updates":
            staff_ids = raw.tables["staff"].values["staff_id"].drop_nulls().unique()
            check = derive_training(data, today or date.today(), staff_ids)
        else:
            check = data.check
        done = _judge_table(table, data, check, contracts_dir, spec, parameters, year)
        del check  # the check text of a national roster is gigabytes
        accepted[table] = done.accepted
        judged.append(done)
    _stop_without_staff_for(year, accepted["staff"], raw, spec)
    quarantine = pl.concat([j.quarantine for j in judged])
    across = review(raw, accepted["staff"], quarantine, year, spec)  # files and years together
    result = _result(year, accepted, judged, raw, across)
    result.spellings = normalised_spellings(raw.tables, spec)
    return result


@dataclass
class _Judged:
    """One table judged: accepted rows, issues, rule results, reconciliation row."""

    accepted: pl.DataFrame
    quarantine: pl.DataFrame
    quarantined_ids: pl.DataFrame  # QUARANTINED_IDS_SCHEMA: the person each set-aside row names
    warnings: list[pl.DataFrame]
    rule_rows: list[dict]
    reconciliation: dict


def _judge_table(
    table: str,
    data: TableData,
    check: pl.DataFrame,
    contracts_dir: Path,
    spec: ContractSpec,
    parameters: dict[str, Any],
    year: int,
) -> _Judged:
    suite, expectations = load_suite(contracts_dir / f"{table}.json", spec.rules)
    frame = check.drop(SOURCE_FILE, SOURCE_ROW)
    results = run_suite(table, frame, suite, expectations, parameters)
    del frame
    q, w, rule_rows = judge(table, data, check, results, expectations, spec, year)
    bad = q[IDX].unique()
    keep = data.values  # shared, not copied, when nothing is set aside
    if bad.len():
        keep = keep.filter(~pl.int_range(pl.len(), dtype=pl.UInt32).is_in(bad.implode()))
    ignored, ignored_result = ignored_entries(table, data, spec)
    return _Judged(
        accepted=keep,
        quarantine=q.drop(IDX),
        quarantined_ids=_quarantined_ids(table, data.values, bad),
        # warnings are listed only for rows that were accepted
        warnings=[w.filter(~pl.col(IDX).is_in(bad.implode())).drop(IDX), ignored],
        rule_rows=[*rule_rows, ignored_result],
        reconciliation={
            "table": table,
            "rows_read": data.raw.height,
            "rows_accepted": keep.height,
            "rows_quarantined": bad.len(),
        },
    )


def _quarantined_ids(table: str, values: pl.DataFrame, bad: pl.Series) -> pl.DataFrame:
    """(table, file, row, staff ID) of each set-aside row: records are fixed in the HR software,
    by person.  The ID is the row's own ID cell, normalised like an accepted one (null where
    the cell is empty); units rows name no person."""
    if "staff_id" not in values.columns or not bad.len():
        return pl.DataFrame(schema=QUARANTINED_IDS_SCHEMA)
    picked = values.select(SOURCE_FILE, SOURCE_ROW, "staff_id")[bad.sort().cast(pl.UInt32)]
    return picked.select(
        pl.lit(table).alias("table"),
        pl.col(SOURCE_FILE).alias("source_file"),
        pl.col(SOURCE_ROW).alias("source_row"),
        pl.col("staff_id").cast(pl.Utf8),
    ).cast(QUARANTINED_IDS_SCHEMA)


def _expectation_parameters(spec: ContractSpec, year: int) -> dict[str, Any]:
    """What the suites' ``$PARAMETER`` references read: vocabularies and the report year."""
    parameters: dict[str, Any] = {
        f"vocab_{name}": list(v.codes) for name, v in spec.vocabularies.items()
    }
    parameters["report_year"] = [str(year)]
    return parameters


def _stop_without_staff_for(
    year: int, staff: pl.DataFrame, raw: RawInputs, spec: ContractSpec
) -> None:
    if staff.filter(pl.col("snapshot_year") == year).height:
        return
    rule = spec.rules["no_staff_for_year"]
    files = ", ".join(raw.input_files.filter(pl.col("table") == "staff")["path"].to_list())
    raise InputStop(
        rule.message_vi.format(value=year),
        rule.message_en.format(value=year),
        where=files + years_present(staff),
        fix_vi=rule.fix_vi,
        fix_en=rule.fix_en,
    )


def _result(
    year: int,
    accepted: dict[str, pl.DataFrame],
    judged: list[_Judged],
    raw: RawInputs,
    across: tuple[pl.DataFrame, list[dict]],
) -> ValidationResult:
    across_warnings, across_rules = across
    order = ["table", "source_file", "source_row", "rule"]
    return ValidationResult(
        year=year,
        staff=accepted["staff"],
        training=accepted["training_updates"],
        units=accepted["units"],
        quarantine=pl.concat([j.quarantine for j in judged]).sort(order, maintain_order=True),
        quarantined_ids=pl.concat([j.quarantined_ids for j in judged]),
        warnings=pl.concat([*(w for j in judged for w in j.warnings), across_warnings]).sort(
            order, maintain_order=True
        ),
        reconciliation=pl.DataFrame(
            [j.reconciliation for j in judged], schema=RECONCILIATION_SCHEMA
        ),
        rule_results=pl.DataFrame(
            [*(r for j in judged for r in j.rule_rows), *across_rules], schema=RULE_RESULTS_SCHEMA
        ),
        input_files=raw.input_files,
    )
