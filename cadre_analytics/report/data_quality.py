"""OUT/data_quality.html: the contracts' per-rule results as one self-contained page.

Counts, files and row numbers only, never a cell value of a person (names, birth dates and ids
stay out): those are in quarantine.csv and warnings.csv, for the Board only. The one exception
is the list of spellings read as another value, whose cells are words of a vocabulary or unit
names (``ingest.spellings``).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import polars as pl

from cadre_analytics.contracts.messages import rows_where
from cadre_analytics.report import strings

if TYPE_CHECKING:
    from cadre_analytics.contracts import ValidationResult

_CSS = """
body{font-family:system-ui,"Segoe UI",Arial,sans-serif;margin:2em;color:#222;max-width:70em}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}td.n{text-align:right}
.stop{color:#a00}.quarantine{color:#b35c00}.warn{color:#666}.ok{color:#070}
"""
# The page's words: catalogue keys under ``data_quality_page`` (report/strings/*.yaml).
KEY = "data_quality_page."
TABLES = ("staff", "training_updates", "units")
GRADES = ("stop", "quarantine", "warn")
HOWS = ("synonym", "loose")


class Text:
    """The page's phrase for a catalogue key, escaped (both languages in the Vietnamese
    edition)."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str) -> str:
        return _both(strings.t(KEY + key, "vi"), strings.t(KEY + key, "en"), self.lang)


def _both(vi_text: str, en_text: str, lang: str) -> str:
    """Escaped; the Vietnamese edition gives each phrase in both languages, as the command
    line's messages do."""
    return html.escape(f"{vi_text} / {en_text}" if lang == "vi" else en_text)


def data_quality_page(result: ValidationResult, lang: str = "vi") -> str:
    """Self-contained HTML: row reconciliation, per-rule results, input files."""
    vi = lang == "vi"
    t = Text(lang)

    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"vi" if vi else "en"}"><head><meta charset="utf-8">',
        f"<title>{t('title')} {result.year}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{t('heading')} — {result.year}</h1>",
        *_reconciliation(result, t),
        *_rules(result, t),
        *_spellings(result, t),
        *_files(result, t),
    ]
    out.append(f"<p>{t('note')}</p></body></html>")
    return "\n".join(out)


def _header_row(*headers: str) -> str:
    return "<table><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr>"


def _table_name(table: str, t: Text) -> str:
    return t(f"table_{table}") if table in TABLES else html.escape(table)


def _reconciliation(result: ValidationResult, t: Text) -> list[str]:
    out = [
        f"<h2>{t('reconciliation')}</h2>",
        _header_row(t("col_table"), t("col_read"), t("col_accepted"), t("col_quarantined")),
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
    out = [
        f"<h2>{t('rules')}</h2>",
        _header_row(
            t("col_table"),
            t("col_rule"),
            t("col_grade"),
            t("col_column"),
            t("col_rows_failed"),
            t("col_where"),
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
        grade = t(f"grade_{row['grade']}") if row["grade"] in GRADES else html.escape(row["grade"])
        out.append(
            f"<tr><td>{_table_name(row['table'], t)}</td>"
            # the rule's own title, in both languages, from data_contracts/rules.yaml
            f"<td>{_both(row['title_vi'], row['title_en'], t.lang)}</td>"
            f"<td class={status}>{grade}</td>"
            f"<td>{html.escape(row.get('column') or '—')}</td>"
            f"<td class=n>{row['rows_failed']}</td>"
            f"<td>{html.escape(where or '').replace(chr(10), '<br>')}</td></tr>"
        )
    out.append("</table>")
    return out


def _spellings(result: ValidationResult, t: Text) -> list[str]:
    """Cells read as another value: right, but the file needs cleaning (a warning)."""
    out = [f"<h2>{t('spellings')}</h2>", f"<p>{t('spellings_intro')}</p>"]
    if result.spellings.height == 0:
        out.append(f"<p class=ok>{t('none')}</p>")
        return out
    out.append(
        _header_row(
            t("col_table"),
            t("col_column"),
            t("col_written"),
            t("col_read_as"),
            t("col_how"),
            t("col_cells"),
        )
    )
    for row in result.spellings.iter_rows(named=True):
        how = t(f"how_{row['how']}") if row["how"] in HOWS else html.escape(row["how"])
        out.append(
            f"<tr><td>{_table_name(row['table'], t)}</td><td>{html.escape(row['column'])}</td>"
            f"<td>{html.escape(row['written'])}</td><td>{html.escape(row['read_as'])}</td>"
            f"<td class=warn>{how}</td>"
            f"<td class=n>{row['cells']}</td></tr>"
        )
    out.append("</table>")
    return out


def _files(result: ValidationResult, t: Text) -> list[str]:
    out = [
        f"<h2>{t('files')}</h2>",
        _header_row(t("col_table"), t("col_file"), "SHA-256", t("col_rows")),
    ]
    for row in result.input_files.iter_rows(named=True):
        out.append(
            f"<tr><td>{html.escape(row['table'])}</td><td>{html.escape(row['path'])}</td>"
            f"<td><code>{html.escape(row['sha256'][:16])}…</code></td>"
            f"<td class=n>{row['rows']}</td></tr>"
        )
    out.append("</table>")
    return out
