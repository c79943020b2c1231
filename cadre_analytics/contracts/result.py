"""What the contracts stage returns, and the columns of its frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cadre_analytics.ingest.spellings import SPELLINGS_SCHEMA

ISSUE_SCHEMA = {
    "table": pl.Utf8,
    "source_file": pl.Utf8,
    "source_row": pl.Int64,
    "column": pl.Utf8,
    "raw_value": pl.Utf8,
    "rule": pl.Utf8,
    "message_vi": pl.Utf8,
    "message_en": pl.Utf8,
}
RECONCILIATION_SCHEMA = {
    "table": pl.Utf8,
    "rows_read": pl.Int64,
    "rows_accepted": pl.Int64,
    "rows_quarantined": pl.Int64,
}
RULE_RESULTS_SCHEMA = {
    "table": pl.Utf8,
    "rule": pl.Utf8,
    "grade": pl.Utf8,
    "expectation": pl.Utf8,
    "rows_failed": pl.Int64,
    "success": pl.Boolean,
    "title_vi": pl.Utf8,
    "title_en": pl.Utf8,
    "column": pl.Utf8,  # the column checked, by its header in the template (null: whole table)
    "where": pl.Utf8,  # the failing rows of this check: "file: 3, 7, 12 …"
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
