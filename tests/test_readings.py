"""Readings of the programme that move a number, on a hand-built roster.

Roster (2025, district unit NV, commune unit GH; real params/quotas.yaml rules):
- district: 2 civil servants, one master's degree, one university; 2 public employees, one
  master's. d_postgraduate as read (cadres and civil servants) = 1/2; read literally with
  public employees pooled = (1 + 1) / (2 + 2) = 2/4.
- commune: 4 civil servants; A has law + state management + ethics courses in 2025, B has law
  only, C has law and ethics, D none. c_annual_update with all three topics = 1/4; with any
  topic = 3/4 (A, B, C).
- commune political theory: A advanced, B intermediate, C elementary, D none.
  c_pt_intermediate cumulative = 2/4 (A, B); exactly intermediate = 1/4 (B).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from cadre_analytics import indicators, readings
from cadre_analytics.errors import ParamsError
from cadre_analytics.params import load_quota_rules, load_readings
from tests.test_indicators import UNITS, person, staff_frame, training_frame

RULES = load_quota_rules()
D = dt.date(2025, 5, 1)


def _roster():
    rows = [
        person("NV", "civil_servant", staff_id="D1", education="master"),
        person("NV", "civil_servant", staff_id="D2", education="university"),
        person("NV", "public_employee", staff_id="E1", education="master"),
        person("NV", "public_employee", staff_id="E2", education="university"),
        person("GH", "civil_servant", staff_id="A", political_theory="advanced"),
        person("GH", "civil_servant", staff_id="B", political_theory="intermediate"),
        person("GH", "civil_servant", staff_id="C", political_theory="elementary"),
        person("GH", "civil_servant", staff_id="X", political_theory="none"),
    ]
    training = training_frame(
        [
            ("A", D, "law"),
            ("A", D, "state_management"),
            ("A", D, "ethics"),
            ("B", D, "law"),
            ("C", D, "law"),
            ("C", D, "ethics"),
        ]
    )
    return staff_frame(rows), training


def _effects():
    staff, training = _roster()
    table = indicators.compute_indicators(staff, training, UNITS, RULES, 2025)
    doc = load_readings(RULES)
    return readings.reading_effects(table, staff, training, UNITS, RULES, doc, 2025)


def _row(frame: pl.DataFrame, reading: str, indicator: str) -> dict:
    hit = frame.filter((pl.col("reading") == reading) & (pl.col("indicator") == indicator))
    assert hit.height == 1
    return hit.row(0, named=True)


def test_annual_update_with_any_topic():
    row = _row(_effects(), "annual_update_topics", "c_annual_update")
    assert (row["numerator"], row["denominator"]) == (1, 4)
    assert (row["alt_numerator"], row["alt_denominator"]) == (3, 4)
    assert row["alt_share"] == pytest.approx(0.75)


def test_political_theory_exactly_intermediate():
    row = _row(_effects(), "political_theory_cumulative", "c_pt_intermediate")
    assert (row["numerator"], row["alt_numerator"], row["alt_denominator"]) == (2, 1, 4)


def test_2030_district_sentence_read_literally_pools_public_employees():
    row = _row(_effects(), "district_2030_population", "d_postgraduate")
    assert (row["numerator"], row["denominator"]) == (1, 2)
    assert (row["alt_numerator"], row["alt_denominator"]) == (2, 4)


def test_a_stated_reading_has_no_second_number_and_carried_targets_are_listed():
    frame = _effects()
    stated = _row(frame, "commune_it_use", "c_it_use")
    assert stated["alt_share"] is None and stated["share"] is None
    assert "cán bộ và công chức" in stated["reading_vi"]
    carried = frame.filter(pl.col("kind") == "carried")
    # quotas.yaml carries four 2030 targets over from 2025 (the 2030 text does not restate them)
    assert sorted(carried["indicator"]) == [
        "d_pe_fit",
        "d_pe_postgraduate",
        "d_planned_qualified",
        "d_university",
    ]
    assert set(carried["carried_from"]) == {2025} and set(carried["target_year"]) == {2030}
    assert frame.filter(pl.col("kind") == "not_measured").height == 2


def test_a_reading_naming_an_unknown_quota_is_refused(tmp_path):
    bad = tmp_path / "readings.yaml"
    bad.write_text(
        "readings:\n  - id: x\n    indicators: [no_such_quota]\n"
        "    reading_vi: a\n    reading_en: b\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match="no_such_quota"):
        load_readings(RULES, bad)


def test_an_unknown_key_is_refused_with_its_path(tmp_path):
    bad = tmp_path / "readings.yaml"
    bad.write_text(
        "readings:\n  - id: x\n    indicators: [c_it_use]\n    reading_vi: a\n"
        "    reading_en: b\n    colour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match=r"'colour' in 'readings\.x'"):
        load_readings(RULES, bad)


def test_the_assumptions_log_in_docs_agrees_with_the_parameter_files():
    from pathlib import Path

    committed = Path(__file__).resolve().parent.parent / "docs" / "assumptions.md"
    expected = readings.assumptions_log(load_readings(RULES), RULES)
    assert committed.read_text(encoding="utf-8") == expected, "run `make assumptions`"


def test_the_report_section_shows_both_readings_in_words():
    from cadre_analytics.report.readings import section_readings

    staff, training = _roster()
    table = indicators.compute_indicators(staff, training, UNITS, RULES, 2025)
    frame = readings.reading_effects(
        table, staff, training, UNITS, RULES, load_readings(RULES), 2025
    )
    html = section_readings(frame, table, "vi")
    # c_annual_update: 1 of 4 with all topics (25,0%), 3 of 4 with any one (75,0%)
    assert "<b>25,0% (1/4 người)</b>; Nếu chỉ cần một trong ba nội dung: 75,0% (3/4 người)" in html
    assert "giữ mức mục tiêu năm 2025" in html and "Những nội dung chưa đo" in html
    assert "c_annual_update" not in html and "annual_update_rule" not in html
    english = section_readings(frame, table, "en")
    assert "If any one of the three topics were enough: 75.0% (3/4 people)" in english
