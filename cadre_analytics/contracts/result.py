"""What the contracts stage returns, and the columns of its frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cadre_analytics.ingest.spellings import SPELLINGS_SCHEMA
from cadre_analytics.schema import OUTPUT_TABLES

# One declaration of each output frame's columns, shared with its writer and readers.
ISSUE_SCHEMA = OUTPUT_TABLES["quarantine"]
RECONCILIATION_SCHEMA = OUTPUT_TABLES["reconciliation"]
RULE_RESULTS_SCHEMA = OUTPUT_TABLES["rule_results"]
# Person-level (restricted/ only): the staff ID each quarantined row names.
QUARANTINED_IDS_SCHEMA = {
    "table": pl.Utf8,
    "source_file": pl.Utf8,
    "source_row": pl.Int64,
    "staff_id": pl.Utf8,
}
TABLE_ORDER = ("units", "staff", "training_updates")  # units first: staff refer to them
TABLE_NAMES = {
    "staff": ("Cán bộ, công chức, viên chức", "Staff"),
    "training_updates": ("Bồi dưỡng cập nhật kiến thức", "Training updates"),
    "units": ("Đơn vị", "Units"),
}
# The row's position in its table, carried by issue entries until rows are set aside.
IDX = "_idx"


@dataclass
class ValidationResult:
    year: int
    staff: pl.DataFrame  # accepted rows, all snapshot years, STAFF_COLUMNS + provenance
    training: pl.DataFrame
    units: pl.DataFrame
    quarantine: pl.DataFrame  # ISSUE_SCHEMA
    warnings: pl.DataFrame  # ISSUE_SCHEMA
    reconciliation: pl.DataFrame  # RECONCILIATION_SCHEMA
    rule_results: pl.DataFrame  # RULE_RESULTS_SCHEMA
    input_files: pl.DataFrame  # table, path, sha256, rows
    # spellings read by a synonym or without diacritics (SPELLINGS_SCHEMA): listed, kept
    spellings: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SPELLINGS_SCHEMA))
    # the staff ID of each quarantined row (QUARANTINED_IDS_SCHEMA): restricted/ only
    quarantined_ids: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=QUARANTINED_IDS_SCHEMA)
    )
