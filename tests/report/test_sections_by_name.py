"""Notebook 04 shows one section per cell, by name."""

from cadre_analytics import report
from cadre_analytics.report.sections import SECTION_NAMES
from tests.report import aggregates


def test_sections_by_name_are_all_sections_in_report_order(tmp_path):
    aggregates.write(tmp_path, aggregates.build())
    inputs = report.load_report_inputs(tmp_path, 2025)
    named = report.sections_by_name(inputs, "en")
    assert list(named) == list(SECTION_NAMES)
    assert "Provenance" in named["provenance"]
    assert "<svg" in named["district"] and "<svg" not in named["summary"]
    # 7 quotas in the hand-built aggregates: one district chart each
    assert named["district"].count("<figure") == 7
