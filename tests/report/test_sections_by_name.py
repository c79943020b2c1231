"""Notebook 04 shows one section per cell, by name."""

import re

from cadre_analytics import report
from cadre_analytics.report.sections import SECTION_NAMES
from tests.report import aggregates


def test_sections_by_name_are_all_sections_in_report_order(tmp_path):
    aggregates.write(tmp_path, aggregates.build())
    inputs = report.load_report_inputs(tmp_path, 2025)
    named = report.sections_by_name(inputs, "en")
    assert list(named) == list(SECTION_NAMES)
    ordered = report.all_sections(inputs, "en")

    # the provenance footer carries the time it was made, and gradient ids count up per process
    # (as vl-convert's do); everything else is identical
    def same(parts):
        return [re.sub(r"gradient_\d+", "gradient_N", p) for p in parts[:-1]]

    assert same(list(named.values())) == same(ordered)
    assert "Provenance" in named["provenance"]
    assert "<svg" in named["district"] and "<svg" not in named["summary"]
