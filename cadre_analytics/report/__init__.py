"""The leadership report: aggregated frames -> sections (tables, inline SVG charts, sentences)
-> notebook 04_report -> one offline HTML file (``render_html``).

Only aggregated frames come in; names, birth dates and IDs never do (asserted in code).
"""

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
]
