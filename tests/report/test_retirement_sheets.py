"""Who retires when: the projection stage's list and counts, and the two sheets of the Board's
restricted workbook, on a hand-built roster.

Retirement dates worked by hand from params/retirement.yaml (the age in force is the one of the
calendar year in which the person reaches it; the date is the end of that month):
- A man 15/03/1964: 2025 age 61y3m -> June 2025 -> 30/06/2025 (report year itself: not listed)
- B man 10/01/1965: 2025 age 61y3m -> April 2026, not 2025; 2026 age 61y6m -> July 2026
  -> 31/07/2026
- I woman 15/07/1969: 2025 age 56y8m -> March 2026, not 2025; 2026 age 57y0m -> July 2026
  -> 31/07/2026
- H woman 10/02/1970: 2026 age 57y0m -> Feb 2027, not 2026; 2027 age 57y4m -> June 2027
  -> 30/06/2027
- C woman 20/11/1970: 2027 age 57y4m -> March 2028, not 2027; 2028 age 57y8m -> July 2028
  -> 31/07/2028
- E man 01/12/1968: 2029 age 62y -> Dec 2030, not 2029; 2030 age 62y -> Dec 2030 -> 31/12/2030
- F man 31/01/1969: 62y -> January 2031: after 2030, not listed
- D woman 05/06/1975: 2030 age 58y4m -> Oct 2033; later ages later still: not listed
- G man 01/02/1964 is on the 2024 roster only; J has no gender: neither is listed.
"""

from __future__ import annotations

import datetime as dt
import stat

import polars as pl
from openpyxl import load_workbook

from cadre_analytics import outputs, retirement
from cadre_analytics.params import load_retirement_schedule
from cadre_analytics.report.restricted_workbook import write_restricted_workbook

D = dt.date
ROSTER = [
    # snapshot_year, staff_id, full_name, birth_date, gender, unit, staff_type, position
    (2025, "A", "Lê Văn A", D(1964, 3, 15), "male", "X01", "civil_servant", "Văn phòng"),
    (2025, "B", "Trần Văn B", D(1965, 1, 10), "male", "X01", "cadre", "Chủ tịch UBND"),
    (2025, "I", "Phạm Thị I", D(1969, 7, 15), "female", "X01", "civil_servant", "Tư pháp"),
    (2025, "H", "Võ Thị H", D(1970, 2, 10), "female", "X02", "cadre", "Bí thư"),
    (2025, "C", "Ngô Thị C", D(1970, 11, 20), "female", "X02", "public_employee", "Giáo viên"),
    (2025, "E", "Đỗ Văn E", D(1968, 12, 1), "male", "X01", "civil_servant", "Địa chính"),
    (2025, "F", "Hồ Văn F", D(1969, 1, 31), "male", "X02", "civil_servant", "Tài chính"),
    (2025, "D", "Lý Thị D", D(1975, 6, 5), "female", "X02", "cadre", "Phó Chủ tịch"),
    (2024, "G", "Bùi Văn G", D(1964, 2, 1), "male", "X01", "cadre", "Bí thư"),
    (2025, "J", "Mai J", D(1964, 5, 5), None, "X02", "cadre", "Văn phòng"),
]
COLUMNS = [
    "snapshot_year", "staff_id", "full_name", "birth_date", "gender", "unit", "staff_type",
    "position",
]  # fmt: skip


def _roster() -> pl.DataFrame:
    return pl.DataFrame(ROSTER, schema=COLUMNS, orient="row").with_columns(
        pl.col("snapshot_year").cast(pl.Int32)
    )


def _retiring() -> pl.DataFrame:
    return retirement.retirements(_roster(), load_retirement_schedule(), 2025, 2030)


def test_who_retires_when_by_year_and_unit():
    people = _retiring()
    assert people.select("retirement_year", "unit", "staff_id", "retirement_date").rows() == [
        (2026, "X01", "B", D(2026, 7, 31)),
        (2026, "X01", "I", D(2026, 7, 31)),
        (2027, "X02", "H", D(2027, 6, 30)),
        (2028, "X02", "C", D(2028, 7, 31)),
        (2030, "X01", "E", D(2030, 12, 31)),
    ]
    assert people.columns == list(retirement.RETIREMENT_LIST_COLUMNS)


def test_counts_by_year_and_unit_with_the_whole_district_first():
    counts = retirement.retirement_counts(_retiring())
    assert counts.rows() == [
        (2026, "ALL", 2),
        (2026, "X01", 2),
        (2027, "ALL", 1),
        (2027, "X02", 1),
        (2028, "ALL", 1),
        (2028, "X02", 1),
        (2030, "ALL", 1),
        (2030, "X01", 1),
    ]


def test_restricted_workbook_sheets(tmp_path):
    out = tmp_path / "out"
    people = _retiring()
    outputs.write_restricted(people, out, "retirements")
    outputs.write_restricted(retirement.retirement_counts(people), out, "retirement_counts")
    outputs.write_restricted(
        pl.DataFrame({"code": ["X01", "X02"], "name": ["Xã Hòa Bắc", "Xã Sơn Điền"]}), out, "units"
    )
    path = write_restricted_workbook(out, "vi", 2025)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    wb = load_workbook(path)
    ws = wb["Nghỉ hưu theo năm"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "Năm nghỉ hưu", "Đơn vị", "Mã đơn vị", "Mã cán bộ", "Họ và tên", "Loại cán bộ",
        "Chức vụ", "Ngày nghỉ hưu",
    )  # fmt: skip
    assert rows[1][:7] == (2026, "Xã Hòa Bắc", "X01", "B", "Trần Văn B", "Cán bộ", "Chủ tịch UBND")
    assert rows[1][7].date() == D(2026, 7, 31)
    assert [r[3] for r in rows[1:]] == ["B", "I", "H", "C", "E"]
    assert rows[3][5] == "Cán bộ" and rows[4][5] == "Viên chức"
    assert ws["H2"].number_format == "DD/MM/YYYY" and ws.freeze_panes == "A2"
    counts = list(wb["Số người nghỉ hưu"].iter_rows(values_only=True))
    assert counts[0] == ("Đơn vị", "Mã đơn vị", "2026", "2027", "2028", "2030", "Cộng")
    assert counts[1:] == [
        ("Toàn huyện", None, 2, 1, 1, 1, 5),
        ("Xã Hòa Bắc", "X01", 2, 0, 0, 1, 3),
        ("Xã Sơn Điền", "X02", 0, 1, 1, 0, 2),
    ]
    notes = [r[0] for r in wb["Ghi chú"].iter_rows(values_only=True)]
    assert any("Nghị định 135/2020" in line for line in notes)


def test_english_edition_names_staff_groups_in_words(tmp_path):
    out = tmp_path / "out"
    outputs.write_restricted(_retiring(), out, "retirements")
    wb = load_workbook(write_restricted_workbook(out, "en", 2025))
    rows = list(wb["Retirements by year"].iter_rows(values_only=True))
    assert rows[0][5] == "Staff group" and rows[1][5] == "cadre"
