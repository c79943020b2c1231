"""The words a user reads: message templates filled per row, and the reconciliation text."""

from __future__ import annotations

import string

import polars as pl

from cadre_analytics.contracts.result import TABLE_NAMES, ValidationResult
from cadre_analytics.ingest.spec import ContractSpec


def template(text: str, fields: dict[str, pl.Expr]) -> pl.Expr:
    """A message template from rules.yaml as one vectorised string expression."""
    parts: list[pl.Expr] = []
    for literal, field, _spec, _conv in string.Formatter().parse(text):
        if literal:
            parts.append(pl.lit(literal))
        if field is not None:
            parts.append(fields.get(field, pl.lit("")).cast(pl.Utf8).fill_null(""))
    return pl.concat_str(parts) if parts else pl.lit("")


def header_for(table_spec, column: str) -> pl.Expr:
    primary = table_spec.columns[column].primary_header if column in table_spec.columns else column
    return pl.col("_header").fill_null(pl.lit(primary))


def choices(spec: ContractSpec, table: str, column: str) -> str:
    """': Sơ cấp, Trung cấp, ...' -- the spellings a user may write, for the message."""
    col = spec.tables[table].columns.get(column)
    if col is None:
        return ""
    if col.kind == "bool":
        return ": x, Không"
    vocab = spec.vocabularies.get(col.vocabulary or "")
    return ": " + ", ".join(vocab.labels.values()) if vocab else ""


# Row numbers listed per file before the list is cut short.
ROWS_SHOWN = 20


def rows_where(entries: pl.DataFrame) -> str:
    """'staff.csv: 3, 7, 12 …' per file holding one of the rows (source_file, source_row)."""
    where = []
    for (file,), group in entries.group_by("source_file", maintain_order=True):
        rows = group["source_row"].unique().sort().to_list()
        shown = ", ".join(str(r) for r in rows[:ROWS_SHOWN])
        where.append(f"{file}: {shown}{' …' if len(rows) > ROWS_SHOWN else ''}")
    return "\n".join(where)


def short(text: str, limit: int = 120) -> str:
    """A cell quoted in a one-line stop message: a pasted paragraph must not flood the line."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} ký tự / characters)"


def format_reconciliation(result: ValidationResult, lang: str = "vi") -> str:
    """The text `make validate` prints: rows read = accepted + quarantined, per table."""
    lines = []
    if lang == "vi":
        lines.append(
            "Đối chiếu số dòng (đọc = nhận + cách ly) / Row reconciliation "
            "(read = accepted + quarantined)"
        )
    else:
        lines.append("Row reconciliation (read = accepted + quarantined)")
    for row in result.reconciliation.iter_rows(named=True):
        vi, en = TABLE_NAMES.get(row["table"], (row["table"], row["table"]))
        read, ok, bad = row["rows_read"], row["rows_accepted"], row["rows_quarantined"]
        if lang == "vi":
            lines.append(
                f"  {vi} ({en}): đọc {read} = nhận {ok} + cách ly {bad} "
                f"/ read {read} = accepted {ok} + quarantined {bad}"
            )
        else:
            lines.append(f"  {en}: read {read} = accepted {ok} + quarantined {bad}")
    n_warn = result.warnings.height
    ignored = result.warnings.filter(pl.col("rule") == "unknown_column")
    for (file,), group in ignored.group_by("source_file", maintain_order=True):
        names = ", ".join(f"'{h}'" for h in group["column"].to_list())
        if lang == "vi":
            lines.append(
                f"  Cột ngoài mẫu, bỏ qua / Columns ignored (not in the template): {file}: {names}"
            )
        else:
            lines.append(f"  Columns ignored (not in the template): {file}: {names}")
    if lang == "vi":
        lines.append(f"  Cảnh báo (giữ lại, có liệt kê) / Warnings (kept, listed): {n_warn}")
    else:
        lines.append(f"  Warnings (kept, listed): {n_warn}")
    return "\n".join(lines)
