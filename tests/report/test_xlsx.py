"""The small sheet writer: text never a formula, formats per kind, widths, row cap, 0600."""

import stat

import pytest
from openpyxl import load_workbook

from cadre_analytics.report.xlsx import Column, Sheet, cap_rows, save_workbook

COLUMNS = [Column("Tên"), Column("Số", "count"), Column("Tỷ lệ", "percent")]


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    texts = ["=1+1", "+84 912", "-5", "@SUM(A1)", "Xã Bảo Thuận"]
    sheet = Sheet("a", COLUMNS, [[text, 1, 0.5] for text in texts])
    ws = load_workbook(save_workbook([sheet], tmp_path / "a.xlsx"))["a"]
    for i, text in enumerate(texts, start=2):
        cell = ws.cell(row=i, column=1)
        assert cell.value == text and cell.data_type == "s"
        assert cell.quotePrefix == text.startswith(("=", "+", "-", "@"))


def test_formats_widths_and_frozen_header(tmp_path):
    long_name = "Ủy ban nhân dân xã Đinh Trang Thượng"  # 36 characters
    sheet = Sheet("a", COLUMNS, [[long_name, 2, 0.25], ["X", 1.5, None]])
    ws = load_workbook(save_workbook([sheet], tmp_path / "a.xlsx"))["a"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:C3"
    assert ws["B2"].number_format == "#,##0" and ws["B3"].number_format == "#,##0.0"
    assert ws["C2"].number_format == "0.0%" and ws["C3"].value is None
    assert ws.column_dimensions["A"].width == 36 + 2  # content plus a margin
    assert ws["A1"].font.bold


def test_booleans_must_be_words(tmp_path):
    with pytest.raises(TypeError):
        save_workbook([Sheet("a", COLUMNS, [["x", True, 0.1]])], tmp_path / "a.xlsx")


def test_cap_rows_keeps_the_first_rows_and_counts_the_rest():
    sheet = Sheet("a", COLUMNS, [[str(i), i, 0.0] for i in range(5)])
    kept, cut = cap_rows(sheet, limit=3)
    assert [r[0] for r in kept.rows] == ["0", "1", "2"] and cut == 2
    assert len(sheet.rows) == 5  # the input is left as it was
    assert cap_rows(sheet, limit=5) == (sheet, 0)


def test_owner_only_file_even_over_an_older_readable_one(tmp_path):
    path = tmp_path / "b.xlsx"
    path.write_bytes(b"old")
    path.chmod(0o644)
    save_workbook([Sheet("a", COLUMNS, [])], path, owner_only=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_workbook(path).sheetnames == ["a"]
