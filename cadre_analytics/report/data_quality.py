"""OUT/data_quality.html: the contracts' per-rule results as one self-contained page.

Counts, files and row numbers only, never a cell value of a person (names, birth dates and ids
stay out): those are in quarantine.csv and warnings.csv, for the Board only. The one exception
is the list of spellings read as another value, whose cells are words of a vocabulary or unit
names (``ingest.spellings``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl

from cadre_analytics.contracts.messages import rows_where
from cadre_analytics.contracts.result import TABLE_NAMES

if TYPE_CHECKING:
    from cadre_analytics.contracts import ValidationResult

_CSS = """
body{font-family:system-ui,"Segoe UI",Arial,sans-serif;margin:2em;color:#222;max-width:70em}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}td.n{text-align:right}
.stop{color:#a00}.quarantine{color:#b35c00}.warn{color:#666}.ok{color:#070}
"""
Text = Callable[[str, str], str]


def data_quality_page(result: ValidationResult, lang: str = "vi") -> str:
    """Self-contained HTML: row reconciliation, per-rule results, input files."""
    vi = lang == "vi"

    def t(vi_text: str, en_text: str) -> str:
        return html.escape(f"{vi_text} / {en_text}" if vi else en_text)

    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"vi" if vi else "en"}"><head><meta charset="utf-8">',
        f"<title>{t('Chất lượng dữ liệu', 'Data quality')} {result.year}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{t('Chất lượng dữ liệu đầu vào', 'Input data quality')} — {result.year}</h1>",
        *_reconciliation(result, t),
        *_rules(result, t),
        *_spellings(result, t),
        *_files(result, t),
    ]
    note = t(
        "Trang này chỉ ghi số đếm, tệp, số dòng và cách viết của danh mục, tên đơn vị; giá trị "
        "từng ô nằm trong quarantine.csv và warnings.csv (chỉ dành cho Ban Tổ chức).",
        "This page shows counts, files, row numbers and the spellings of list values and unit "
        "names only; cell values are in quarantine.csv and warnings.csv (for the Board only).",
    )
    out.append(f"<p>{note}</p></body></html>")
    return "\n".join(out)


def _header_row(*headers: str) -> str:
    return "<table><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr>"


def _table_name(table: str, t: Text) -> str:
    return t(*TABLE_NAMES.get(table, (table, table)))


def _reconciliation(result: ValidationResult, t: Text) -> list[str]:
    out = [
        f"<h2>{t('Đối chiếu số dòng', 'Row reconciliation')}</h2>",
        _header_row(
            t("Bảng", "Table"), t("Đọc", "Read"), t("Nhận", "Accepted"), t("Cách ly", "Quarantined")
        ),
    ]
    for row in result.reconciliation.iter_rows(named=True):
        out.append(
            f"<tr><td>{_table_name(row['table'], t)}</td><td class=n>{row['rows_read']}</td>"
            f"<td class=n>{row['rows_accepted']}</td>"
            f"<td class=n>{row['rows_quarantined']}</td></tr>"
        )
    out.append("</table>")
    return out


def _rules(result: ValidationResult, t: Text) -> list[str]:
    grade_text = {
        "stop": t("dừng", "stop"),
        "quarantine": t("cách ly", "quarantine"),
        "warn": t("cảnh báo", "warn"),
    }
    out = [
        f"<h2>{t('Kết quả từng quy tắc', 'Per-rule results')}</h2>",
        _header_row(
            t("Bảng", "Table"),
            t("Quy tắc", "Rule"),
            t("Mức", "Grade"),
            t("Cột", "Column"),
            t("Số dòng lỗi", "Rows failing"),
            t("Vị trí (tệp: dòng)", "Where (file: rows)"),
        ),
    ]
    issues = pl.concat([result.quarantine, result.warnings])
    for row in result.rule_results.iter_rows(named=True):
        where = row.get("where")
        if where is None and not row["success"]:
            # a check of its own rule (whole-file and across-year checks): its rule's entries
            where = rows_where(
                issues.filter((pl.col("table") == row["table"]) & (pl.col("rule") == row["rule"]))
            )
        status = "ok" if row["success"] else row["grade"]
        out.append(
            f"<tr><td>{_table_name(row['table'], t)}</td>"
            f"<td>{t(row['title_vi'], row['title_en'])}</td>"
            f"<td class={status}>{grade_text.get(row['grade'], html.escape(row['grade']))}</td>"
            f"<td>{html.escape(row.get('column') or '—')}</td>"
            f"<td class=n>{row['rows_failed']}</td>"
            f"<td>{html.escape(where or '').replace(chr(10), '<br>')}</td></tr>"
        )
    out.append("</table>")
    return out


def _spellings(result: ValidationResult, t: Text) -> list[str]:
    """Cells read as another value: right, but the file needs cleaning (a warning)."""
    out = [
        f"<h2>{t('Cách viết đã được chuẩn hoá', 'Spellings read as another value')}</h2>",
        "<p>"
        + t(
            "Các ô dưới đây được hiểu theo giá trị bên phải (cảnh báo, không dừng); nên sửa "
            "trong tệp gốc. Cách viết được chấp nhận ghi ở data_contracts/vocabularies.yaml; tên "
            "khác của đơn vị ở cột tên khác của bảng đơn vị.",
            "The cells below were read as the value on the right (a warning, never a stop); "
            "better fix them in the source file. Accepted spellings are listed in "
            "data_contracts/vocabularies.yaml; other names of a unit in the units table's "
            "aliases column.",
        )
        + "</p>",
    ]
    if result.spellings.height == 0:
        out.append(f"<p class=ok>{t('Không có.', 'None.')}</p>")
        return out
    how_text = {
        "synonym": t("cách viết khác có trong danh mục", "another listed spelling"),
        "loose": t("khớp khi bỏ dấu", "matched without diacritics"),
    }
    out.append(
        _header_row(
            t("Bảng", "Table"),
            t("Cột", "Column"),
            t("Cách viết", "As written"),
            t("Hiểu là", "Read as"),
            t("Cách khớp", "How"),
            t("Số ô", "Cells"),
        )
    )
    for row in result.spellings.iter_rows(named=True):
        out.append(
            f"<tr><td>{_table_name(row['table'], t)}</td><td>{html.escape(row['column'])}</td>"
            f"<td>{html.escape(row['written'])}</td><td>{html.escape(row['read_as'])}</td>"
            f"<td class=warn>{how_text.get(row['how'], html.escape(row['how']))}</td>"
            f"<td class=n>{row['cells']}</td></tr>"
        )
    out.append("</table>")
    return out


def _files(result: ValidationResult, t: Text) -> list[str]:
    out = [
        f"<h2>{t('Tệp đầu vào', 'Input files')}</h2>",
        _header_row(t("Bảng", "Table"), t("Tệp", "File"), "SHA-256", t("Số dòng", "Rows")),
    ]
    for row in result.input_files.iter_rows(named=True):
        out.append(
            f"<tr><td>{html.escape(row['table'])}</td><td>{html.escape(row['path'])}</td>"
            f"<td><code>{html.escape(row['sha256'][:16])}…</code></td>"
            f"<td class=n>{row['rows']}</td></tr>"
        )
    out.append("</table>")
    return out
