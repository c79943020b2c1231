"""The shipped Di Linh crosswalk applied from a file (tests/fixtures/crosswalk: the merger
fixture's people on a units table without validity columns), its conflicts, and the hint."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from cadre_analytics import contracts, indicators
from cadre_analytics.errors import InputStop
from cadre_analytics.ingest import read_inputs
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR, load_quota_rules
from tests.ingest.helpers import TODAY, append_row, clean_copy, read_rows, write_rows

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DI_LINH = DEFAULT_CONTRACTS_DIR / "crosswalks" / "di_linh_2025.csv"


def _copy(tmp_path) -> Path:
    shutil.copytree(FIXTURES / "crosswalk", tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_shipped_crosswalk_lists_the_19_old_units_of_di_linh():
    rows = read_rows(DI_LINH)
    assert len(rows) == 1 + 19
    new = {r[2]: r[3] for r in rows[1:]}
    # 7 new xã; the reused codes name the new places
    assert len(new) == 7
    assert new["25018"] == "Xã Bảo Thuận" and new["25051"] == "Xã Sơn Điền"


def test_crosswalk_fills_ends_successors_and_starts(tmp_path):
    folder = _copy(tmp_path)
    result = contracts.validate_inputs(read_inputs(folder, crosswalk=DI_LINH), 2025, today=TODAY)
    assert result.quarantine.height == 0
    units = result.units.select("code", "name", "valid_from", "valid_to", "successor")
    lives = {r[0]: r[2:] for r in units.iter_rows()}
    from datetime import date

    end, start = date(2025, 6, 30), date(2025, 7, 1)
    assert lives == {
        "25012": (None, end, "25018"),  # Tân Nghĩa -> new Bảo Thuận
        "25018@2025-06-30": (None, end, "25018"),  # Đinh Lạc, whose code the new xã takes
        "25033": (None, end, "25018"),  # old Bảo Thuận
        "25018": (start, None, None),  # new Bảo Thuận
        "25015": (None, None, None),  # Gia Hiệp continues (one row, same code and place)
        "H01": (None, None, None),  # no crosswalk row: left as it is
    }
    # counted as in the merger fixture: new Bảo Thuận 3/5, 4/5, 4/6, 4/5 (see test_unit_history)
    table = indicators.compute_indicators(
        result.staff, result.training, result.units, load_quota_rules(), 2025
    )
    got = table.filter(
        (pl.col("indicator") == "c_university")
        & (pl.col("unit") == "25018")
        & (pl.col("target_year") == 2025)
    ).sort("year")
    assert got.select("year", "numerator", "denominator").rows() == [
        (2022, 3, 5),
        (2023, 4, 5),
        (2024, 4, 6),
        (2025, 4, 5),
    ]
    files = result.input_files.filter(pl.col("table") == "crosswalk")
    assert files.select("path", "rows").rows() == [("di_linh_2025.csv", 19)]


def test_without_the_crosswalk_the_reused_code_is_a_duplicate(tmp_path):
    folder = _copy(tmp_path)
    with pytest.raises(InputStop) as caught:
        contracts.validate_inputs(read_inputs(folder), 2025, today=TODAY)
    assert "25018" in caught.value.one_line()


def test_crosswalk_never_overrides_a_value_of_the_file(tmp_path):
    folder = _copy(tmp_path)
    rows = read_rows(folder / "units.csv")
    rows[0].append("Hiệu lực đến")
    for row in rows[1:]:
        row.append("")
    rows[1][-1] = "31/05/2025"  # Tân Nghĩa (row 2) ends a month earlier in the file
    write_rows(folder / "units.csv", rows)
    with pytest.raises(InputStop) as caught:
        read_inputs(folder, crosswalk=DI_LINH)
    line = caught.value.one_line()
    assert "units.csv, dòng 2 / row 2, cột 'Hiệu lực đến'" in line
    assert (
        "'31/05/2025'" in line and "'30/06/2025'" in line and "di_linh_2025.csv (dòng 11)" in line
    )


def test_crosswalk_that_matches_no_unit_stops(tmp_path):
    with pytest.raises(InputStop) as caught:
        read_inputs(clean_copy(tmp_path), crosswalk=DI_LINH)
    assert "CROSSWALK=di_linh_2025.csv" in caught.value.one_line()


def test_units_naming_the_old_communes_are_told_which_crosswalk_applies(tmp_path):
    folder = clean_copy(tmp_path)
    # six of the twelve Di Linh communes that end (half), with the Board's own codes
    for i, name in enumerate(
        ["Xã Tân Châu", "Liên Đầm", "Xã Gung Ré", "Tân Thượng", "Tân Lâm", "Tam Bố"]
    ):
        append_row(folder, "units", {"Mã đơn vị": f"X{i}", "Tên đơn vị": name, "Cấp": "Cấp xã"})
    notes = read_inputs(folder).notes.filter(pl.col("rule") == "crosswalk_available")
    assert notes.height == 1
    assert "CROSSWALK=data_contracts/crosswalks/di_linh_2025.csv" in notes["message_vi"][0]
    assert notes.select("source_row").item() == 4  # the first of them, Tân Châu
    # five are not enough to name it
    rows = read_rows(folder / "units.csv")
    write_rows(folder / "units.csv", rows[:-1])
    assert read_inputs(folder).notes.filter(pl.col("rule") == "crosswalk_available").is_empty()
