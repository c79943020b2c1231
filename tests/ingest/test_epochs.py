"""Units with a life, as read and judged: the merger fixture (tests/fixtures/merger, see its
README) and one bad case per rule, each changing one cell of a copy of it.

Units rows: 2 Tân Nghĩa 25012, 3 Đinh Lạc 25018 (until 30/06/2025), 4 Bảo Thuận 25033, 5 new
Bảo Thuận 25018 (from 01/07/2025), 6 Gia Hiệp 25015, 7 Phòng Nội vụ H01 (until 30/06/2025).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cadre_analytics import contracts
from cadre_analytics.errors import InputStop
from cadre_analytics.ingest import read_inputs
from tests.ingest.helpers import TODAY, edit_cell

MERGER = Path(__file__).resolve().parent.parent / "fixtures" / "merger"


def merger_copy(target: Path) -> Path:
    shutil.copytree(MERGER, target, dirs_exist_ok=True)
    return target


def _validate(folder, year=2025):
    return contracts.validate_inputs(read_inputs(folder), year, today=TODAY)


def _units_of(result, staff_id):
    rows = result.staff.filter(result.staff["staff_id"] == staff_id).sort("snapshot_year")
    return dict(rows.select("snapshot_year", "unit").iter_rows())


def test_code_reuse_trap_each_row_in_the_unit_of_its_date(tmp_path):
    result = _validate(merger_copy(tmp_path))
    assert result.quarantine.height == 0
    # "25018" is old Đinh Lạc on 31/12/2022-2024 and new Bảo Thuận on 31/12/2025
    assert _units_of(result, "P03") == {
        2022: "25018@2025-06-30",
        2023: "25018@2025-06-30",
        2024: "25018@2025-06-30",
        2025: "25018",
    }
    # the name "Xã Bảo Thuận" is old Bảo Thuận 25033 before, the new xã after
    assert _units_of(result, "P05") == {2022: "25033", 2023: "25033", 2024: "25033", 2025: "25018"}
    keyed = dict(result.units.select("code", "official_code").iter_rows())
    assert keyed == {
        "25012": "25012",
        "25018@2025-06-30": "25018",
        "25033": "25033",
        "25018": "25018",
        "25015": "25015",
        "H01": "H01",
    }


def test_staff_row_whose_unit_had_ended_is_quarantined(tmp_path):
    folder = merger_copy(tmp_path)
    # staff rows 2-8: 2022, 9-15: 2023, 16-23: 2024, 24-30: 2025; row 24 is P01 in 2025.
    # "Xã Đinh Lạc" ended on 30/06/2025: on 31/12/2025 no unit is called so
    edit_cell(folder, "staff", 24, "Đơn vị", "Xã Đinh Lạc")
    result = _validate(folder)
    issues = result.quarantine.select("source_row", "column", "raw_value", "rule").rows()
    assert issues == [(24, "Đơn vị", "Xã Đinh Lạc", "unit_not_valid_on_date")]
    assert result.reconciliation.filter(result.reconciliation["table"] == "staff").row(0)[1:] == (
        29,
        28,
        1,
    )


def test_unknown_spelling_is_still_unknown_unit(tmp_path):
    folder = merger_copy(tmp_path)
    edit_cell(folder, "staff", 24, "Đơn vị", "Xã Không Có")
    result = _validate(folder)
    assert result.quarantine["rule"].to_list() == ["unknown_unit"]


def _stop(folder) -> str:
    with pytest.raises(InputStop) as caught:
        _validate(folder)
    return caught.value.one_line()


def test_overlapping_periods_of_one_code_stop(tmp_path):
    folder = merger_copy(tmp_path)
    # old Đinh Lạc ends 30/06/2025, new Bảo Thuận (same code) starts 01/06/2025: 30 days twice
    edit_cell(folder, "units", 5, "Hiệu lực từ", "01/06/2025")
    line = _stop(folder)
    assert "units.csv, dòng 5 / row 5, cột 'Hiệu lực từ'" in line
    assert "'25018'" in line and "3, 5" in line


def test_successor_missing_on_the_next_day_stops(tmp_path):
    folder = merger_copy(tmp_path)
    # Gia Hiệp's row (6) says it went into 25099, which no row names
    edit_cell(folder, "units", 6, "Hiệu lực đến", "30/06/2025")
    edit_cell(folder, "units", 6, "Đơn vị kế thừa", "25099")
    line = _stop(folder)
    assert "units.csv, dòng 6 / row 6, cột 'Đơn vị kế thừa'" in line
    assert "'25099'" in line and "01/07/2025" in line


def test_successor_that_starts_later_than_the_next_day_stops(tmp_path):
    folder = merger_copy(tmp_path)
    # new Bảo Thuận starts 02/07/2025: on 01/07/2025 there is no 25018 (a day with no unit)
    edit_cell(folder, "units", 5, "Hiệu lực từ", "02/07/2025")
    line = _stop(folder)
    assert "dòng 2 / row 2" in line and "01/07/2025" in line


def test_successors_in_a_ring_stop(tmp_path):
    folder = merger_copy(tmp_path)
    # Gia Hiệp (still open) names the new xã, and the new xã (still open) names Gia Hiệp
    edit_cell(folder, "units", 6, "Đơn vị kế thừa", "25018")
    edit_cell(folder, "units", 5, "Đơn vị kế thừa", "25015")
    line = _stop(folder)
    # found from row 2 (Tân Nghĩa -> 25018), the ring itself is named from its first member
    assert "units.csv, dòng 5 / row 5" in line and "25018 → 25015 → 25018" in line


def test_split_between_two_successors_stops(tmp_path):
    folder = merger_copy(tmp_path)
    edit_cell(folder, "units", 2, "Đơn vị kế thừa", "25018; 25015")
    line = _stop(folder)
    assert "units.csv, dòng 2 / row 2, cột 'Đơn vị kế thừa'" in line
    assert "'25012'" in line and "25018; 25015" in line


def test_units_without_life_columns_keep_their_codes(tmp_path):
    from tests.ingest.helpers import clean_copy

    result = _validate(clean_copy(tmp_path))
    assert "official_code" not in result.units.columns
    assert sorted(result.units["code"].to_list()) == ["PNV", "XA01"]
    assert result.units["valid_to"].null_count() == 2


def test_successor_is_the_key_of_the_epoch_that_took_over(tmp_path):
    from cadre_analytics.units import current_units
    from tests.ingest.helpers import append_row

    folder = merger_copy(tmp_path)
    # xã Cũ 25099 merged into 25018 on 1/1/2023: then 25018 was Đinh Lạc, not new Bảo Thuận
    append_row(
        folder,
        "units",
        {
            "Mã đơn vị": "25099",
            "Tên đơn vị": "Xã Cũ",
            "Cấp": "Cấp xã",
            "Hiệu lực đến": "31/12/2022",
            "Đơn vị kế thừa": "25018",
        },
    )
    result = _validate(folder)
    successors = dict(result.units.select("code", "successor").iter_rows())
    assert successors["25099"] == "25018@2025-06-30"  # old Đinh Lạc
    assert successors["25018@2025-06-30"] == "25018"  # then new Bảo Thuận
    assert successors["25015"] is None
    # today (2025) xã Cũ is counted, through Đinh Lạc, in new Bảo Thuận; in 2024 in Đinh Lạc
    assert current_units(result.units, 2025)["25099"] == "25018"
    assert current_units(result.units, 2024)["25099"] == "25018@2025-06-30"
