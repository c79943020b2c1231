"""Reading: formats, file discovery, header rows, row numbers, stops for unreadable input."""

from __future__ import annotations

import shutil

import openpyxl
import polars as pl
import pytest

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest import read_inputs
from tests.ingest.helpers import CLEAN, clean_copy, read_rows, write_rows


def _staff(raw):
    return raw.tables["staff"]


def test_clean_csv_folder_reads_every_row_with_provenance(tmp_path):
    raw = read_inputs(clean_copy(tmp_path))
    staff = _staff(raw).values
    assert staff.height == 4
    # header is row 1, so records are rows 2..5 as Excel shows them
    assert staff["_source_row"].to_list() == [2, 3, 4, 5]
    assert set(staff["_source_file"]) == {"staff.csv"}
    # ids keep their leading zeros
    assert staff["staff_id"].to_list() == ["001", "001", "002", "003"]
    files = raw.input_files.sort("table")
    assert files["table"].to_list() == ["staff", "training_updates", "units"]
    assert files["rows"].to_list() == [4, 3, 2]
    assert all(len(h) == 64 for h in files["sha256"])


def _to_workbook(folder, path, *, offset_rows=0, title=None):
    """One workbook with a sheet per table, cells as text (as typed in Excel)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in ("staff", "training_updates", "units"):
        ws = wb.create_sheet(table)
        rows = read_rows(folder / f"{table}.csv")
        if title:
            ws.cell(row=1 + offset_rows, column=1, value=title)
            offset = offset_rows + 2
        else:
            offset = offset_rows
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value != "":
                    ws.cell(row=r + 1 + offset, column=c + 1, value=value)
        (folder / f"{table}.csv").unlink()
    wb.save(path)


def test_workbook_with_sheets_named_after_tables(tmp_path):
    folder = clean_copy(tmp_path)
    _to_workbook(folder, folder / "du_lieu.xlsx")
    raw = read_inputs(folder)
    staff = _staff(raw).values
    assert staff.height == 4
    assert set(staff["_source_file"]) == {"du_lieu.xlsx [staff]"}
    assert staff["_source_row"].to_list() == [2, 3, 4, 5]
    assert staff["staff_id"].to_list() == ["001", "001", "002", "003"]
    assert raw.tables["units"].values["code"].to_list() == ["XA01", "PNV"]


def test_workbook_row_numbers_count_leading_blank_rows_and_title(tmp_path):
    # Two blank rows, a title on row 3, a blank row 4, the header on row 5: the first record
    # is on Excel row 6 even though calamine starts its range at the title.
    folder = clean_copy(tmp_path)
    _to_workbook(folder, folder / "data.xlsx", offset_rows=2, title="DANH SÁCH CÁN BỘ")
    staff = _staff(read_inputs(folder)).values
    assert staff["_source_row"].to_list() == [6, 7, 8, 9]


def test_excel_typed_cells_dates_and_numbers(tmp_path):
    import datetime

    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    (folder / "staff.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "staff"
    for c, value in enumerate(rows[0]):
        ws.cell(row=1, column=c + 1, value=value)
    body = rows[1:2]
    for c, value in enumerate(body[0]):
        ws.cell(row=2, column=c + 1, value=value or None)
    # a real Excel date cell, a numeric year cell, a numeric serial in a text column
    ws.cell(row=2, column=rows[0].index("Ngày sinh") + 1, value=datetime.date(1975, 3, 14))
    ws.cell(row=2, column=rows[0].index("Năm báo cáo") + 1, value=2025)
    wb.save(folder / "staff.xlsx")
    staff = _staff(read_inputs(folder)).values
    assert staff["birth_date"].to_list() == [datetime.date(1975, 3, 14)]
    assert staff["snapshot_year"].to_list() == [2025]


def test_parquet_and_several_csv_files_are_concatenated(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    (folder / "staff.csv").unlink()
    write_rows(folder / "staff_2024.csv", [rows[0], rows[1]])
    write_rows(folder / "staff_2025.csv", [rows[0], *rows[2:]])
    units = pl.read_csv(CLEAN / "units.csv", infer_schema=False)
    (folder / "units.csv").unlink()
    units.write_parquet(folder / "units.parquet")
    raw = read_inputs(folder)
    staff = _staff(raw).values
    assert staff.height == 4
    assert staff["_source_file"].to_list() == ["staff_2024.csv"] + ["staff_2025.csv"] * 3
    assert staff["_source_row"].to_list() == [2, 2, 3, 4]
    assert raw.tables["units"].values["code"].to_list() == ["XA01", "PNV"]
    assert sorted(raw.input_files.filter(pl.col("table") == "staff")["path"]) == [
        "staff_2024.csv",
        "staff_2025.csv",
    ]


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8"), ("\t", "utf-16"), (",", "utf-8-sig")],
)
def test_csv_dialects_and_encodings(tmp_path, delimiter, encoding):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    write_rows(folder / "staff.csv", rows, delimiter=delimiter, encoding=encoding)
    staff = _staff(read_inputs(folder)).values
    assert staff["staff_id"].to_list() == ["001", "001", "002", "003"]
    assert staff["full_name"][2] == "Ka Điểu"


def test_title_line_above_header_in_csv(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    write_rows(folder / "staff.csv", [["UBND HUYỆN DI LINH"], [], *rows])
    staff = _staff(read_inputs(folder)).values
    assert staff["_source_row"].to_list() == [4, 5, 6, 7]


def test_blank_rows_are_not_records(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    write_rows(folder / "staff.csv", [rows[0], rows[1], [""] * len(rows[0]), *rows[2:], []])
    staff = _staff(read_inputs(folder)).values
    assert staff["_source_row"].to_list() == [2, 4, 5, 6]


def test_not_utf8_csv_stops_naming_the_file(tmp_path):
    folder = clean_copy(tmp_path)
    # "Mã số" as an ANSI (Windows-1258) export writes it
    (folder / "staff.csv").write_bytes(b"M\xe3 s\xf4,Ng\xe0y sinh\n1,2\n")
    with pytest.raises(InputStop) as info:
        read_inputs(folder)
    assert "staff.csv" in info.value.one_line()
    assert "UTF-8" in info.value.one_line()


def test_corrupt_workbook_stops_naming_the_file(tmp_path):
    folder = clean_copy(tmp_path)
    (folder / "staff.csv").unlink()
    (folder / "staff.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputStop) as info:
        read_inputs(folder)
    assert "staff.xlsx" in info.value.one_line()


def test_missing_required_column_stops_naming_the_column(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    drop = rows[0].index("Ngày sinh")
    write_rows(folder / "staff.csv", [r[:drop] + r[drop + 1 :] for r in rows])
    with pytest.raises(InputStop) as info:
        read_inputs(folder)
    line = info.value.one_line()
    assert "staff.csv" in line
    assert "'Ngày sinh'" in line
    assert "\n" not in line


def test_a_renamed_required_header_is_named_with_where_synonyms_go(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    rows[0][rows[0].index("Giới tính")] = "Phái"  # not among the accepted headers
    rows[0].append("Ghi chú")  # another header outside the template
    for row in rows[1:]:
        row.append("")
    write_rows(folder / "staff.csv", rows)
    with pytest.raises(InputStop) as info:
        read_inputs(folder)
    line = info.value.one_line()
    # the two headers of the file that map to no column, in file order
    assert "headers in the file not recognised: 'Phái', 'Ghi chú'" in line
    assert "cột trong tệp không nhận ra: 'Phái', 'Ghi chú'" in line
    assert "'Giới tính', 'Giới', 'Nam/Nữ', 'Gender', 'Sex'" in line  # the accepted headers
    assert "data_contracts/columns.yaml" in line and "\n" not in line


def test_a_dropped_required_column_says_every_header_was_recognised(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    drop = rows[0].index("Giới tính")
    write_rows(folder / "staff.csv", [r[:drop] + r[drop + 1 :] for r in rows])
    with pytest.raises(InputStop) as info:
        read_inputs(folder)
    assert "headers in the file not recognised: —" in info.value.one_line()


def test_two_columns_with_the_same_meaning_stop(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    rows[0].append("Mã đơn vị")  # a second 'unit' column next to 'Đơn vị'
    for row in rows[1:]:
        row.append("PNV")
    write_rows(folder / "staff.csv", rows)
    with pytest.raises(InputStop) as info:
        read_inputs(folder)
    assert "'Đơn vị'" in info.value.one_line() and "'Mã đơn vị'" in info.value.one_line()


def test_missing_table_stops(tmp_path):
    folder = clean_copy(tmp_path)
    (folder / "units.csv").unlink()
    with pytest.raises(InputStop) as info:
        read_inputs(folder)
    assert "units" in info.value.one_line()


def test_no_header_row_stops(tmp_path):
    folder = clean_copy(tmp_path)
    write_rows(folder / "staff.csv", [["a", "b", "c"], ["1", "2", "3"]])
    with pytest.raises(InputStop) as info:
        read_inputs(folder)
    assert "staff.csv" in info.value.one_line()


def test_lock_files_and_unrelated_files_are_ignored(tmp_path):
    folder = clean_copy(tmp_path)
    (folder / "~$staff.xlsx").write_bytes(b"\x00lock")
    (folder / "ghi_chu.csv").write_text("nothing to see\n", encoding="utf-8")
    shutil.copy(CLEAN / "staff.csv", folder / "README.txt")
    assert _staff(read_inputs(folder)).values.height == 4


def test_a_cell_over_the_csv_modules_field_limit_is_read(tmp_path):
    """The csv module refuses fields over 128 KB; sniffing the delimiter must not trip on
    one in the first lines, and the limit is back afterwards."""
    import csv

    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    rows[2][rows[0].index("Họ và tên")] = "An " * 50_000  # 150,000 characters, row 3
    write_rows(folder / "staff.csv", rows)
    before = csv.field_size_limit()
    staff = _staff(read_inputs(folder)).values
    assert csv.field_size_limit() == before
    assert staff.height == 4
    # cleaning trims the trailing space: 50,000 words of 2 letters + 49,999 spaces
    assert len(staff["full_name"][1]) == 149_999


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_every_line_ending_gives_one_row_per_record(tmp_path, ending):
    folder = clean_copy(tmp_path)
    text = (folder / "staff.csv").read_text(encoding="utf-8")
    lines = text.replace("\r\n", "\n").split("\n")
    (folder / "staff.csv").write_bytes(ending.join(lines).encode("utf-8"))
    staff = _staff(read_inputs(folder)).values
    # header is row 1; 4 records in rows 2..5 whatever ends the lines
    assert staff["_source_row"].to_list() == [2, 3, 4, 5]
    assert staff["staff_id"].to_list() == ["001", "001", "002", "003"]
