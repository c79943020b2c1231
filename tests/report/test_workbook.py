"""The analyst's workbook and the Board's restricted list, written from a tiny hand-built OUT.

The OUT folder holds one quota (c_university, communes) for the whole district and two
communes, one of them named like a spreadsheet formula. Every number below is written into
the frames by hand; the tests check that the workbooks carry them, in words and formats.
"""

from __future__ import annotations

import json
import stat
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from cadre_analytics import outputs
from cadre_analytics.report import write_workbooks
from cadre_analytics.report.workbook import read_frames
from cadre_analytics.suppression import public_breakdowns

FORMULA_NAME = '=HYPERLINK("x")'
Q = "c_university"

IND_COLUMNS = [
    "indicator", "level", "unit", "unit_name", "year", "numerator", "denominator", "share",
    "target_year", "target", "comparator", "met", "gap_persons",
]  # fmt: skip


def _indicator_rows() -> list[tuple]:
    rows = []
    # (unit, name, year, numerator, denominator, {target_year: (target, met, gap)})
    # gaps by hand, gap = ceil(target x denominator) - numerator, at least 0:
    #   ALL 2025: 7/10 = 70%;   2025 >= 70%: 7 - 7 = 0, met;  2030 >= 90%: 9 - 7 = 2
    #   X01 2025: 3/4  = 75%;   2025: ceil(2.8) = 3 -> 0, met; 2030: ceil(3.6) = 4 -> 1
    #   X02 2025: 4/6  = 66.7%; 2025: ceil(4.2) = 5 -> 1;     2030: ceil(5.4) = 6 -> 2
    #   ALL 2024: 6/10 = 60%  (change to 2025: +10 points, +1 person)
    cells = [
        ("ALL", "Toàn huyện", 2025, 7, 10, {2025: (0.7, True, 0), 2030: (0.9, False, 2)}),
        ("X01", FORMULA_NAME, 2025, 3, 4, {2025: (0.7, True, 0), 2030: (0.9, False, 1)}),
        ("X02", "Xã Bảo Thuận", 2025, 4, 6, {2025: (0.7, False, 1), 2030: (0.9, False, 2)}),
        ("ALL", "Toàn huyện", 2024, 6, 10, {2025: (0.7, False, 1), 2030: (0.9, False, 3)}),
    ]
    for unit, name, year, num, den, targets in cells:
        for ty, (target, met, gap) in targets.items():
            rows.append(
                (Q, "commune", unit, name, year, num, den, num / den, ty, target, ">=", met, gap)
            )
    return rows


def _projection() -> pl.DataFrame:
    # baseline at 2030: ALL 80% (not met), X01 90% (met), X02 50%; another scenario for ALL
    rows = [
        ("ALL", "baseline", 2030, 8.0, 10.0, 0.8, False),
        ("X01", "baseline", 2030, 4.0, 4.0, 0.9, True),
        ("X02", "baseline", 2030, 3.0, 6.0, 0.5, False),
        ("ALL", "history_rates", 2030, 8.5, 10.0, 0.85, False),
        ("ALL", "baseline", 2026, 7.0, 10.0, 0.7, False),
    ]
    return pl.DataFrame(
        [
            {
                "indicator": Q,
                "level": "commune",
                "unit": u,
                "year": y,
                "scenario": s,
                "numerator": n,
                "denominator": d,
                "share": sh,
                "share_p10": sh - 0.05,
                "share_p50": sh,
                "share_p90": sh + 0.05,
                "target_year": 2030,
                "target": 0.9,
                "met": m,
                # people short of 90 %: ALL ceil(9.0) - 8 = 1, X01 0, X02 ceil(5.4) - 3 = 3
                "gap_persons": max(0, -(-int(d) * 9 // 10) - int(n)),
                "headline": s == "baseline",  # the headline scenario here
            }  # fmt: skip
            for u, s, y, n, d, sh, m in rows
        ]
    )


def _breakdowns() -> pl.DataFrame:
    # majority 10/20 shown; minority 2/3 hidden (3 people < 5); unknown 5/6: its 1 person not
    # meeting the quota hides the count, and its 6 people hide as well (the smallest other
    # group), else 20 + 6 = 26 minus the total would give the 3 back. Written the way the
    # indicators stage writes it: suppressed before it leaves the machine.
    groups = [("majority", 10, 20), ("minority", 2, 3), ("unknown", 5, 6)]
    return pl.DataFrame(
        [
            {
                "indicator": Q,
                "level": "commune",
                "unit": "ALL",
                "unit_name": "Toàn huyện",
                "year": 2025,
                "dimension": "ethnic_majority",
                "group": g,
                "numerator": n,
                "denominator": d,
                "share": n / d,
            }  # fmt: skip
            for g, n, d in groups
        ]
    )


def _issue(row: int, column: str, value: str | None, rule: str, message: str) -> dict:
    return {
        "table": "staff", "source_file": "staff.csv", "source_row": row, "column": column,
        "raw_value": value, "rule": rule, "message_vi": message, "message_en": message + " (en)",
    }  # fmt: skip


def build_out(out: Path, *, projection: bool = True) -> Path:
    """A finished report folder, written through the same helpers the notebooks use."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(json.dumps({"year": 2025}), encoding="utf-8")
    outputs.write_table(
        pl.DataFrame(_indicator_rows(), schema=IND_COLUMNS, orient="row"), out, "indicators"
    )
    outputs.write_table(public_breakdowns(_breakdowns(), 5, "Kinh"), out, "breakdowns")
    if projection:
        outputs.write_table(_projection(), out, "projection", parquet=True)
    outputs.write_table(
        pl.DataFrame(
            {
                "indicator": [Q],
                "unit": ["ALL"],
                "target_year": [2030],
                "extra_completions_total": [5.0],
                "extra_completions_per_year": [1.25],
                "eligible_people": [3],
            }  # fmt: skip
        ),
        out,
        "requirements",
    )
    outputs.write_table(
        pl.DataFrame(
            {
                "table": ["units", "staff"],
                "rows_read": [2, 12],
                "rows_accepted": [2, 11],
                "rows_quarantined": [0, 1],
            }
        ),
        out,
        "reconciliation",
    )
    outputs.write_table(
        pl.DataFrame(
            {
                "table": ["staff", "staff"],
                "rule": ["unknown_value", "missing_value"],
                "grade": ["quarantine", "quarantine"],
                "expectation": ["e1", "e2"],
                "rows_failed": [1, 0],
                "success": [False, True],
                "title_vi": ["Giá trị ngoài danh mục", "Ô bắt buộc bị trống"],
                "title_en": ["Value not in the list", "Required cell empty"],
            }  # fmt: skip
        ),
        out,
        "rule_results",
    )
    tu_tai = "Giá trị 'Tú tài' không có trong danh mục. Sửa theo danh mục."
    outputs.write_table(
        pl.DataFrame([_issue(5, "Trình độ chuyên môn", "Tú tài", "unknown_value", tu_tai)]),
        out,
        "quarantine",
    )
    outputs.write_table(
        pl.DataFrame([_issue(3, "Ngoại ngữ", "B", "vague_language", "Ghi rõ bậc.")]),
        out,
        "warnings",
    )
    outputs.write_table(
        pl.DataFrame(
            {
                "table": ["staff", "staff"],
                "column": ["Trình độ chuyên môn", "Đơn vị"],
                "written": ["dai hoc", "UBND xa Bao Thuan"],
                "read_as": ["Đại học", "Xã Bảo Thuận"],
                "code": ["university", "X02"],
                "how": ["loose", "loose"],
                "cells": [12, 3],
            }  # fmt: skip
        ),
        out,
        "spellings",
    )
    outputs.write_restricted(
        pl.DataFrame(
            {
                "snapshot_year": [2024, 2025],
                "staff_id": ["CB1", "CB1"],
                "full_name": ["Nguyễn Văn An", "Nguyễn Văn An"],
                "unit": ["X02", "X02"],
                "_source_file": ["staff.csv", "staff.csv"],
                "_source_row": [2, 3],
            }  # fmt: skip
        ),
        out,
        "accepted_staff",
    )
    outputs.write_restricted(
        pl.DataFrame(
            {
                "table": ["staff"],
                "source_file": ["staff.csv"],
                "source_row": [5],
                "staff_id": ["CB7"],
            }
        ),
        out,
        "quarantined_ids",
    )
    outputs.write_restricted(
        pl.DataFrame(
            {
                "code": ["X01", "X02"],
                "name": [FORMULA_NAME, "Xã Bảo Thuận"],
                "level": ["commune", "commune"],
            }  # fmt: skip
        ),
        out,
        "units",
    )
    outputs.write_restricted(
        pl.DataFrame(
            {
                "indicator": [Q],
                "unit": ["X02"],
                "target_year": [2030],
                "course": ["university"],
                "course_label_vi": ["Đại học"],
                "attribute": ["education"],
                "current_level": ["college"],
                "staff_id": ["CB1"],
                "full_name": ["Nguyễn Văn An"],
                "retirement_date": [date(2040, 5, 31)],
            }  # fmt: skip
        ),
        out,
        "eligible",
        csv=True,
    )
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> tuple[Path, Path]:
    out = build_out(tmp_path_factory.mktemp("book_out"))
    return write_workbooks(out, "vi")


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _find(ws, first: object) -> int:
    """The row number whose first cell is ``first``."""
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if row[0] == first:
            return i
    raise AssertionError(f"{first!r} not in sheet {ws.title}")


def test_paths_and_restricted_mode(books):
    public, restricted = books
    assert public.name == "bang_so_lieu.xlsx" and public.parent.name != "restricted"
    assert restricted.name == "danh_sach.xlsx" and restricted.parent.name == "restricted"
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o600
    assert stat.S_IMODE(restricted.parent.stat().st_mode) == 0o700


def test_public_sheets_headers_and_frozen_rows(books):
    wb = load_workbook(books[0])
    assert wb.sheetnames == [
        "Tổng hợp", "Theo đơn vị", "Dự báo", "Cần làm gì", "Thay đổi", "Cơ cấu",
        "Đối chiếu số dòng", "Quy tắc kiểm tra", "Ghi chú",
    ]  # fmt: skip
    assert _rows(wb["Tổng hợp"])[0] == (
        "Chỉ tiêu", "Mã chỉ tiêu", "Phạm vi", "Tỷ lệ năm 2025", "Số người đạt",
        "Tổng số người", "Mục tiêu 2025", "Tình trạng 2025", "Còn thiếu 2025 (người)",
        "Mục tiêu 2030", "Tình trạng 2030", "Còn thiếu đến 2030 theo dự báo (người)",
        "Dự báo 2030 (kịch bản chính)",
    )  # fmt: skip
    for name in wb.sheetnames[:-1]:
        assert wb[name].freeze_panes == "A2", name
        assert wb[name].auto_filter.ref.startswith("A1:"), name
    # columns sized to their content: the quota label is wider than the 2-digit count column
    summary = wb["Tổng hợp"]
    assert summary.column_dimensions["A"].width > summary.column_dimensions["E"].width


def test_summary_values_formats_and_outlook(books):
    ws = load_workbook(books[0])["Tổng hợp"]
    row = _rows(ws)[1]
    # ALL: 7/10 = 70%, 2025 target met (gap 0); the baseline (headline) projects 8/10 = 80% at
    # 2030 against 90% (not met) -> off track, short by ceil(0.9 * 10) - 8 = 1 in 2030
    assert row[0] == "Xã: CB, CC có trình độ đại học trở lên"
    assert row[3] == pytest.approx(0.7) and row[4:6] == (7, 10)
    assert row[6:9] == ("≥70%", "Đã đạt", 0)
    assert row[9:12] == ("≥90%", "Chưa đúng hướng", 1)
    assert row[12] == pytest.approx(0.8)
    assert row[2] == "1 / 2 xã đạt"  # X01 met the next (2025) target, X02 did not
    assert ws["D2"].number_format == "0.0%" and ws["M2"].number_format == "0.0%"
    assert ws["E2"].number_format == "#,##0" and ws["L2"].number_format == "#,##0"


def test_units_sheet_names_levels_and_formula_text(books):
    public = books[0]
    ws = load_workbook(public)["Theo đơn vị"]
    body = _rows(ws)[1:]
    assert [r[0] for r in body] == [FORMULA_NAME, "Xã Bảo Thuận"]  # sorted by name
    assert {r[2] for r in body} == {"Cấp xã"}
    x01, x02 = body
    # X01: 75% now; 2030 short 1 but the baseline reaches 90% -> on track
    assert x01[4] == pytest.approx(0.75) and x01[10:13] == ("≥90%", "Đúng hướng", 1)
    assert x01[13] == pytest.approx(0.9)
    # X02: 2025 target already passed and not met; 2030 short 2, baseline 50% -> off track
    assert x02[7:10] == ("≥70%", "Chưa đạt", 1) and x02[11:13] == ("Chưa đúng hướng", 2)
    cell = ws["A2"]
    assert cell.value == FORMULA_NAME and cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(public) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode("utf-8") for n in sheets)


def test_projection_requirements_change(books):
    wb = load_workbook(books[0])
    proj = _rows(wb["Dự báo"])
    # ALL only (X01/X02 rows are per unit): baseline first, then by year; the other scenario
    assert [(r[1], r[3]) for r in proj[1:]] == [
        ("Chỉ nhân sự hiện có", 2026), ("Chỉ nhân sự hiện có", 2030), ("Theo tỷ lệ lịch sử", 2030),
    ]  # fmt: skip
    assert proj[2][4:7] == pytest.approx((0.8, 0.75, 0.85)) and proj[2][10] == "Không"
    req_ws = wb["Cần làm gì"]
    req = _rows(req_ws)[1]
    # requirements.csv names no course: the quota's usual course from the catalogue, as the report
    assert req[1:5] == ("Toàn huyện", "ALL", "Đào tạo đại học", 2030)
    assert req[5:8] == (5, 1.25, 3)
    assert req_ws["F2"].number_format == "#,##0" and req_ws["G2"].number_format == "#,##0.0"
    ch_ws = wb["Thay đổi"]
    ch = _rows(ch_ws)
    assert ch[0][1:3] == ("Tỷ lệ năm 2024", "Tỷ lệ năm 2025")
    # 70% - 60% = +10 points; 7 - 6 = +1 person
    assert ch[1][3] == pytest.approx(0.1) and ch[1][4] == 1
    assert ch_ws["D2"].number_format == "+0.0%;-0.0%;0.0%"


def test_breakdowns_hide_small_cells(books):
    ws = load_workbook(books[0])["Cơ cấu"]
    by_group = {r[2]: r for r in _rows(ws)[1:]}
    assert by_group["Dân tộc đa số"][3:5] == (10, 20)
    assert by_group["Dân tộc đa số"][5] == pytest.approx(10 / 20)
    assert by_group["Dân tộc thiểu số"][3:6] == ("<5", "<5", "ẩn")
    # hidden to protect the minority cell, and for its complement: no bound is claimed
    assert by_group["Không rõ"][3:6] == ("ẩn", "ẩn", "ẩn")


def test_data_quality_sheets(books):
    wb = load_workbook(books[0])
    rec = _rows(wb["Đối chiếu số dòng"])
    assert rec[-1] == ("Tổng", 14, 13, 1)  # 2 + 12 read, 2 + 11 accepted, 0 + 1 quarantined
    rules = _rows(wb["Quy tắc kiểm tra"])
    assert rules[1] == (
        "Cán bộ, công chức, viên chức", "Giá trị ngoài danh mục", "unknown_value", "Cách ly", 1,
    )  # fmt: skip


def test_public_workbook_holds_no_person(books):
    with zipfile.ZipFile(books[0]) as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    for personal in ("CB1", "Nguyễn Văn An", "Tú tài", "staff.csv"):
        assert personal not in text


def test_a_personal_column_in_an_aggregate_is_refused(tmp_path):
    out = build_out(tmp_path / "out")
    leaked = pl.read_csv(out / "requirements.csv").with_columns(pl.lit("CB1").alias("staff_id"))
    leaked.write_csv(out / "requirements.csv")
    with pytest.raises(AssertionError, match="staff_id"):
        read_frames(out)


def test_restricted_lists(books):
    wb = load_workbook(books[1])
    assert wb.sheetnames == [
        "Đủ điều kiện học",
        "Dòng bị cách ly",
        "Dòng có cảnh báo",
        "Cách viết đã chuẩn hoá",
        "Ghi chú",
    ]
    elig_ws = wb["Đủ điều kiện học"]
    elig = _rows(elig_ws)
    assert elig[0][:3] == ("Mã cán bộ", "Họ và tên", "Đơn vị")
    assert elig[1][:4] == ("CB1", "Nguyễn Văn An", "Xã Bảo Thuận", "X02")
    assert elig[1][5:8] == ("Đại học (liên thông, vừa làm vừa học)", 2030, "Cao đẳng")
    assert elig[1][8].date() == date(2040, 5, 31)
    assert elig_ws["I2"].number_format == "DD/MM/YYYY" and elig_ws.freeze_panes == "A2"
    quarantine = _rows(wb["Dòng bị cách ly"])
    # the quarantined staff.csv row 5 carries the ID its own cell gave (restricted/ only)
    assert quarantine[0][:3] == ("Mã cán bộ", "Bảng", "Tệp")
    assert quarantine[1][:1] + quarantine[1][2:7] == (
        "CB7",
        "staff.csv",
        5,
        "Trình độ chuyên môn",
        "Tú tài",
        "Giá trị ngoài danh mục",
    )
    assert quarantine[1][7].startswith("Giá trị 'Tú tài'")
    # the warning on staff.csv row 3 belongs to the accepted row of CB1 (2025 snapshot)
    warning = _rows(wb["Dòng có cảnh báo"])[1]
    assert warning[:3] == ("CB1", "Nguyễn Văn An", "Xã Bảo Thuận") and warning[5] == 3
    notes = [r[0] for r in _rows(wb["Ghi chú"])]
    assert any("nghỉ hưu" in line for line in notes)  # why there is no retirements sheet
    spellings = _rows(wb["Cách viết đã chuẩn hoá"])
    assert spellings[0][2:4] == ("Cách viết trong tệp", "Được hiểu là")
    assert spellings[1] == (
        "Cán bộ, công chức, viên chức",
        "Trình độ chuyên môn",
        "dai hoc",
        "Đại học",
        "university",
        "Khớp khi bỏ dấu",
        12,
    )
    assert spellings[2][2:4] == ("UBND xa Bao Thuan", "Xã Bảo Thuận")


def test_english_edition_and_missing_projection(tmp_path):
    out = build_out(tmp_path / "out", projection=False)
    public, _ = write_workbooks(out, "en")
    wb = load_workbook(public)
    assert "Projection" not in wb.sheetnames
    assert wb.sheetnames[:2] == ["Summary", "By unit"]
    assert _rows(wb["Summary"])[0][:4] == ("Quota", "Quota code", "Scope", "Share 2025")
    notes = [r[0] for r in _rows(wb["Notes"])]
    assert "No «Projection» sheet: the file projection.csv is missing." in notes


def test_quarantine_and_warnings_csv_open_in_excel(tmp_path):
    out = build_out(tmp_path / "out")
    for name in ("quarantine.csv", "warnings.csv"):
        assert (out / name).read_bytes().startswith(b"\xef\xbb\xbf"), name  # UTF-8 BOM
    assert not (out / "indicators.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_list_longer_than_excel_allows_is_cut_and_said(tmp_path, monkeypatch):
    from cadre_analytics.report import workbook, xlsx

    # Excel's limit made 1 row: the units sheet (2 communes) keeps X01 and the notes say so
    monkeypatch.setattr(workbook, "cap_rows", lambda sheet: xlsx.cap_rows(sheet, limit=1))
    out = build_out(tmp_path / "out")
    wb = load_workbook(write_workbooks(out, "vi")[0])
    assert [r[1] for r in _rows(wb["Theo đơn vị"])[1:]] == ["X01"]
    notes = [r[0] for r in _rows(wb["Ghi chú"])]
    assert "Trang «Theo đơn vị» chỉ có 1 dòng đầu" in " ".join(notes)
    assert any("indicators.csv" in line and "Excel" in line for line in notes)
