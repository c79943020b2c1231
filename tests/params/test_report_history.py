"""``history`` in params/report.yaml: on which units past years are told when units merged."""

from __future__ import annotations

import pytest

from cadre_analytics.errors import ParamsError
from cadre_analytics.params.report import REPORT_PARAMS, load_report_settings


def _with(tmp_path, line: str | None):
    text = "\n".join(
        row
        for row in REPORT_PARAMS.read_text(encoding="utf-8").splitlines()
        if not row.startswith("history:")
    )
    path = tmp_path / "report.yaml"
    path.write_text(text + ("\n" + line if line else "") + "\n", encoding="utf-8")
    return path


def test_history_defaults_to_todays_units(tmp_path):
    assert load_report_settings().history == "today"  # the shipped file
    assert load_report_settings(_with(tmp_path, None)).history == "today"  # key left out


def test_history_as_they_were(tmp_path):
    assert load_report_settings(_with(tmp_path, "history: as_they_were")).history == "as_they_were"


def test_unknown_history_is_one_clear_error(tmp_path):
    with pytest.raises(ParamsError) as caught:
        load_report_settings(_with(tmp_path, "history: sometimes"))
    assert "history" in caught.value.one_line()
