"""Grading failed expectations by their rule in ``rules.yaml``.

* **stop**        -> :class:`InputStop` with one bilingual line (file, row, column, value, fix);
* **quarantine**  -> the row is set aside, one entry per failed rule, with the user's own text;
* **warn**        -> the row is kept and listed.
"""

from __future__ import annotations

import polars as pl

from cadre_analytics.contracts.checks import Outcome
from cadre_analytics.contracts.messages import choices, header_for, rows_where, short, template
from cadre_analytics.contracts.result import IDX, ISSUE_SCHEMA
from cadre_analytics.errors import InputStop
from cadre_analytics.ingest import TableData
from cadre_analytics.ingest.spec import ContractSpec, Rule
from cadre_analytics.ingest.years import years_present_text
from cadre_analytics.schema import SOURCE_FILE, SOURCE_ROW


def _entries(
    table: str,
    data: TableData,
    check: pl.DataFrame,
    rows: pl.Series,
    exp: dict,
    rule: Rule,
    spec: ContractSpec,
) -> pl.DataFrame:
    """Quarantine / warning entries for the failing rows of one expectation."""
    kwargs = exp.get("kwargs", {})
    column = exp["meta"].get("column") or kwargs.get("column") or kwargs["column_list"][0]
    gx_column = kwargs.get("column") or column
    picked = rows.cast(pl.UInt32).alias(IDX)
    # rows are sorted and unique: gather them rather than join two full-height frames
    base = data.raw.with_row_index(IDX)[picked]
    detail = pl.DataFrame([picked, check[gx_column].gather(picked).alias("_detail")])
    headers = data.headers.filter(pl.col("column") == column).select(
        pl.col("source_file").alias(SOURCE_FILE), pl.col("header").alias("_header")
    )
    headers = headers.unique(SOURCE_FILE, keep="first")
    frame = base.join(detail, on=IDX, how="left").join(headers, on=SOURCE_FILE, how="left")
    header = header_for(spec.tables[table], column)
    value = pl.col(column).cast(pl.Utf8) if column in data.raw.columns else pl.lit(None, pl.Utf8)
    fields = {
        "file": pl.col(SOURCE_FILE),
        "row": pl.col(SOURCE_ROW),
        "column": header,
        "value": value,
        "detail": pl.col("_detail") if gx_column != column else pl.lit(""),
        "min": pl.lit(str(kwargs.get("min_value", ""))),
        "max": pl.lit(str(kwargs.get("max_value", ""))),
    }
    if rule.rule == "unknown_value":
        fields["detail"] = pl.lit(choices(spec, table, column))
    vi = template(rule.message_vi, fields) + pl.lit(" ") + template(rule.fix_vi, fields)
    en = template(rule.message_en, fields) + pl.lit(" ") + template(rule.fix_en, fields)
    return frame.select(
        pl.col(IDX),
        pl.lit(table).alias("table"),
        pl.col(SOURCE_FILE).alias("source_file"),
        pl.col(SOURCE_ROW).alias("source_row"),
        header.alias("column"),
        value.alias("raw_value"),
        pl.lit(rule.rule).alias("rule"),
        vi.alias("message_vi"),
        en.alias("message_en"),
    )


def _files_of(data: TableData, table: str) -> str:
    """The files a table came from; a header-only file has no rows but has its headers."""
    files = data.raw[SOURCE_FILE].unique(maintain_order=True).to_list()
    files = files or data.headers["source_file"].unique(maintain_order=True).to_list()
    return ", ".join(files) or table


def ignored_entries(table: str, data: TableData, spec: ContractSpec) -> tuple[pl.DataFrame, dict]:
    """Warnings (and the rule-result row) for columns outside the template: kept in the file,
    never read, and listed so a renamed template column is noticed."""
    rule = spec.rules["unknown_column"]
    ignored = getattr(data, "ignored", None)
    if ignored is None:
        ignored = pl.DataFrame(
            schema={"source_file": pl.Utf8, "source_row": pl.Int64, "header": pl.Utf8}
        )
    fields = {"value": pl.col("header")}
    entries = ignored.select(
        pl.lit(table).alias("table"),
        pl.col("source_file"),
        pl.col("source_row").cast(pl.Int64),
        pl.col("header").alias("column"),
        pl.col("header").alias("raw_value"),
        pl.lit(rule.rule).alias("rule"),
        (template(rule.message_vi, fields) + pl.lit(" ") + template(rule.fix_vi, fields)).alias(
            "message_vi"
        ),
        (template(rule.message_en, fields) + pl.lit(" ") + template(rule.fix_en, fields)).alias(
            "message_en"
        ),
    )
    result = {
        "table": table,
        "rule": rule.rule,
        "grade": rule.grade,
        "expectation": "columns_match_template",
        "rows_failed": entries.height,
        "success": entries.height == 0,
        "title_vi": rule.title_vi,
        "title_en": rule.title_en,
    }
    return entries.cast(ISSUE_SCHEMA), result


def years_present(staff: pl.DataFrame) -> str:
    """' (các năm có trong dữ liệu / years present: 2021, 2022)': what YEAR could have been."""
    return years_present_text(staff["snapshot_year"].drop_nulls().unique().to_list())


def _stop_from(
    table: str,
    data: TableData,
    rule: Rule,
    entries: pl.DataFrame,
    check: pl.DataFrame,
    exp: dict,
    year: int,
) -> InputStop:
    """One clear line for a stop-graded failure: the first offending row, and its partners."""
    if entries.height == 0:  # a table-level expectation (no row to point at)
        fields = {"value": str(year), "detail": "", "rows": ""}
        where = _files_of(data, table)
        if rule.rule == "no_staff_for_year":
            where += years_present(data.values)
        return InputStop(
            rule.message_vi.format(**fields),
            rule.message_en.format(**fields),
            where=where,
            fix_vi=rule.fix_vi,
            fix_en=rule.fix_en,
        )
    entries = entries.sort("source_file", "source_row")
    first = entries.row(0, named=True)
    key_cols = exp.get("kwargs", {}).get("column_list") or [exp["kwargs"].get("column")]
    keyed = entries.join(
        check.with_row_index(IDX).select(
            IDX, *[pl.col(c).alias(f"_k{i}") for i, c in enumerate(key_cols)]
        ),
        on=IDX,
    )
    first_key = keyed.filter(pl.col(IDX) == first[IDX]).select(pl.selectors.starts_with("_k"))
    partners = keyed.join(first_key, on=first_key.columns, how="semi")
    partners = partners.sort("source_file", "source_row")
    several_files = partners["source_file"].n_unique() > 1
    rows = ", ".join(
        f"{r['source_row']} ({r['source_file']})" if several_files else f"{r['source_row']}"
        for r in partners.iter_rows(named=True)
    )
    detail = str(first_key.row(0)[1]) if len(key_cols) > 1 else ""
    fields = {"value": short(first["raw_value"] or ""), "detail": detail, "rows": short(rows)}
    where = (
        f"{first['source_file']}, dòng {first['source_row']} / row {first['source_row']}, "
        f"cột '{first['column']}'"
    )
    return InputStop(
        rule.message_vi.format(**fields),
        rule.message_en.format(**fields),
        where=where,
        fix_vi=rule.fix_vi,
        fix_en=rule.fix_en,
    )


def _describe(exp: dict) -> str:
    kwargs = exp.get("kwargs", {})
    target = kwargs.get("column") or ",".join(kwargs.get("column_list", []))
    return f"{exp['type']}({target})"


def _checked_column(spec: ContractSpec, table: str, exp: dict) -> str | None:
    """The column a check is about, by its template header (a derived '_' column by the column
    its message points at, a check of several columns by the first); None for the whole table."""
    kwargs = exp.get("kwargs", {})
    column = exp["meta"].get("column") or kwargs.get("column") or kwargs.get("column_list", [""])[0]
    columns = spec.tables[table].columns
    return columns[column].primary_header if column in columns else None


def judge(
    table: str,
    data: TableData,
    check: pl.DataFrame,
    results: dict[int, Outcome],
    expectations: list[dict],
    spec: ContractSpec,
    year: int,
) -> tuple[pl.DataFrame, pl.DataFrame, list[dict]]:
    """Quarantine entries, warning entries (rows kept) and rule results for one table."""
    quarantine, warnings, rule_rows = [], [], []
    stop: InputStop | None = None
    for index, exp in enumerate(expectations):
        rule = spec.rules[exp["meta"]["rule"]]
        outcome = results[index]
        rows = outcome.rows
        rows_failed = rows.len() if rows.len() else (0 if outcome.success else 1)
        entries = None if outcome.success else _entries(table, data, check, rows, exp, rule, spec)
        rule_rows.append(
            {
                "table": table,
                "rule": rule.rule,
                "grade": rule.grade,
                "expectation": _describe(exp),
                "rows_failed": rows_failed,
                "success": bool(outcome.success),
                "title_vi": rule.title_vi,
                "title_en": rule.title_en,
                "column": _checked_column(spec, table, exp),
                "where": None if entries is None else rows_where(entries),
            }
        )
        if entries is None:
            continue
        if rule.grade == "stop":
            stop = stop or _stop_from(table, data, rule, entries, check, exp, year)
        elif rule.grade == "quarantine":
            quarantine.append(entries)
        else:
            warnings.append(entries)
    if stop is not None:
        raise stop
    empty = pl.DataFrame(schema={IDX: pl.UInt32, **ISSUE_SCHEMA})
    return (
        pl.concat([empty, *quarantine], how="vertical"),
        pl.concat([empty, *warnings], how="vertical"),
        rule_rows,
    )
