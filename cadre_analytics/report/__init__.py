"""The leadership report: aggregated frames -> sections (tables, inline SVG charts, sentences)
-> notebook 04_report -> one offline HTML file (``render_html``).

Only aggregated frames come in; names, birth dates and IDs never do (asserted in code).
"""

from pathlib import Path

from cadre_analytics.report import _lean_imports  # noqa: F401 (first: before altair loads)
from cadre_analytics.report.inputs import ReportInputs, load_report_inputs
from cadre_analytics.report.render import assert_offline, render_html
from cadre_analytics.report.sections import (
    all_sections,
    section_change,
    section_communes,
    section_data_quality,
    section_district,
    section_equity,
    section_method,
    section_provenance,
    section_summary,
    section_what_it_takes,
    sections_by_name,
    title_block,
)
from cadre_analytics.report.strings import t


def write_workbooks(out_dir: Path, lang: str) -> tuple[Path, Path]:
    """``report.workbook.write_workbooks``, imported on first use: openpyxl takes about half a
    second to import, which a report that writes no workbook should not pay."""
    from cadre_analytics.report.workbook import write_workbooks as write

    return write(out_dir, lang)


__all__ = [
    "ReportInputs",
    "all_sections",
    "assert_offline",
    "load_report_inputs",
    "render_html",
    "section_change",
    "section_communes",
    "section_data_quality",
    "section_district",
    "section_equity",
    "section_method",
    "section_provenance",
    "section_summary",
    "section_what_it_takes",
    "sections_by_name",
    "t",
    "title_block",
    "write_workbooks",
]
