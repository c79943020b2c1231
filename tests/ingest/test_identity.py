"""One identity per person: canonical staff IDs, and zeros restored where the evidence says."""

from __future__ import annotations

import openpyxl
import polars as pl

from cadre_analytics.ingest import read_inputs
from cadre_analytics.ingest.identity import canonical_ids
from tests.ingest.helpers import clean_copy, edit_cell, read_rows


def test_invisible_marks_full_width_digits_and_spaces_are_folded():
    ids = pl.Series(["\u200e001", "００２", "003\u2060", " 004 ", "\ufeff005\u200b", "CB-01", None])
    assert canonical_ids(ids).to_list() == ["001", "002", "003", "004", "005", "CB-01", None]


def _staff_year_as_numbers(folder, year, number_format=None):
    """Move the rows of ``year`` from staff.csv into staff_YEAR.xlsx with IDs as number cells
    (what Excel keeps when the column was General: 001 becomes 1)."""
    rows = read_rows(folder / "staff.csv")
    header, body = rows[0], rows[1:]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "staff"
    sheet.append(header)
    at = header.index("Mã cán bộ")
    for row in [r for r in body if r[0] == str(year)]:
        cells = list(row)
        cells[at] = int(cells[at])
        sheet.append(cells)
        if number_format:
            sheet.cell(row=sheet.max_row, column=at + 1).number_format = number_format
    book.save(folder / f"staff_{year}.xlsx")
    with open(folder / "staff.csv", "w", encoding="utf-8", newline="") as handle:
        import csv

        csv.writer(handle).writerows([header, *[r for r in body if r[0] != str(year)]])


def test_numbers_padded_to_the_width_the_other_files_use(tmp_path):
    folder = clean_copy(tmp_path)
    _staff_year_as_numbers(folder, 2024)  # 001 -> 1, no number format
    raw = read_inputs(folder)
    staff = raw.tables["staff"].values.sort("_source_file", "_source_row")
    # staff.csv (2025: 001, 002, 003) and training (001, 003, 002) are 3-digit text IDs
    assert staff.filter(pl.col("snapshot_year") == 2024)["staff_id"].to_list() == ["001"]
    note = raw.notes.row(0, named=True)
    assert raw.notes.height == 1
    assert (note["source_file"], note["source_row"], note["rule"]) == (
        "staff_2024.xlsx [staff]",
        2,
        "id_zero_padded",
    )
    assert note["raw_value"] == "1" and "3 digits" in note["message_en"]


def test_numbers_padded_to_the_cells_own_number_format(tmp_path):
    folder = clean_copy(tmp_path)
    _staff_year_as_numbers(folder, 2024, number_format="00000")  # shown as 00001
    for row, value in ((2, "00001"), (3, "00003"), (4, "00002")):
        edit_cell(folder, "training_updates", row, "Mã cán bộ", value)
    raw = read_inputs(folder)
    staff = raw.tables["staff"].values
    assert "00001" in staff["staff_id"].to_list()
    assert "the cells' own number format '00000'" in raw.notes["message_en"][0]


def test_a_file_of_numbers_is_padded_but_not_a_file_with_zeros_of_mixed_widths(tmp_path):
    folder = clean_copy(tmp_path)
    for row in range(2, 6):
        edit_cell(folder, "staff", row, "Mã cán bộ", str(row * 7))  # 14, 21, 28, 35
    raw = read_inputs(folder)
    # training's 001/003/002 are 3 digits, and 14..35 fit: padded to 014..035 as training has
    assert raw.tables["staff"].values["staff_id"].to_list() == ["014", "021", "028", "035"]
    folder = clean_copy(tmp_path / "mixed")
    edit_cell(folder, "training_updates", 2, "Mã cán bộ", "0001")  # widths 4 and 3: no width
    edit_cell(folder, "staff", 5, "Mã cán bộ", "3")
    raw = read_inputs(folder)
    assert raw.tables["staff"].values["staff_id"].to_list() == ["001", "001", "002", "3"]
    assert raw.notes.height == 0
