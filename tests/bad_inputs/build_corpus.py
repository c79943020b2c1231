"""Builds the data files of the bad-input corpus from the clean ingest fixture.

Run ``.venv/bin/python tests/bad_inputs/build_corpus.py`` after changing the clean fixture; the
files it writes are committed.  Each case folder's ``expected.yaml`` is written BY HAND (this
script never touches it): the outcome a user must see, worked out from the rules.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import openpyxl.chart

HERE = Path(__file__).resolve().parent
CLEAN = HERE.parent / "fixtures" / "ingest" / "clean"
TABLES = ("units", "staff", "training_updates")

# TCVN3 (ABC, the ".VnTime" fonts): one byte per precomposed lower-case letter.  Upper-case
# accented letters live in the ".VnTimeH" fonts under the same codes, so they map to the
# lower-case code here too.
_TCVN3 = dict(
    zip(
        "ăâêôơưđĂÂÊÔƠƯĐàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ",
        [
            *range(0xA8, 0xAF),
            *range(0xA1, 0xA8),
            0xB5,
            0xB6,
            0xB7,
            0xB8,
            0xB9,
            0xBB,
            0xBC,
            0xBD,
            0xBE,
            0xC6,
            0xC7,
            0xC8,
            0xC9,
            0xCA,
            0xCB,
            0xCC,
            0xCE,
            0xCF,
            0xD0,
            0xD1,
            0xD2,
            0xD3,
            0xD4,
            0xD5,
            0xD6,
            0xD7,
            0xD8,
            0xDC,
            0xDD,
            0xDE,
            0xDF,
            0xE1,
            0xE2,
            0xE3,
            0xE4,
            0xE5,
            0xE6,
            0xE7,
            0xE8,
            0xE9,
            0xEA,
            0xEB,
            0xEC,
            0xED,
            0xEE,
            0xEF,
            0xF1,
            0xF2,
            0xF3,
            0xF4,
            0xF5,
            0xF6,
            0xF7,
            0xF8,
            0xF9,
            0xFA,
            0xFB,
            0xFC,
            0xFD,
            0xFE,
        ],
        strict=True,
    )
)


def tcvn3_bytes(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TCVN3:
            out.append(_TCVN3[ch])
        elif ch.lower() in _TCVN3:
            out.append(_TCVN3[ch.lower()])
        else:
            out.extend(ch.encode("ascii"))
    return bytes(out)


def tcvn3_text(text: str) -> str:
    """What a cell typed in a .VnTime font holds once saved as .xlsx (bytes read as Latin-1)."""
    return tcvn3_bytes(text).decode("latin-1")


def cp1258_bytes(text: str) -> bytes:
    """What Excel on a Vietnamese Windows writes for "CSV (Comma delimited)": cp1258 has
    ă â ê ô ơ ư đ as letters and the five tones as combining marks after them."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.extend(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.extend((base + tones).encode("cp1258"))
    return bytes(out)


def rows(table: str) -> list[list[str]]:
    with open(CLEAN / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return [list(r) for r in csv.reader(handle)]


def csv_text(data: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(data)
    return buffer.getvalue()


def write_csv(folder: Path, table: str, data: list[list[str]], **kw) -> None:
    (folder / f"{table}.csv").write_text(csv_text(data, **kw), encoding="utf-8", newline="")


def col(data: list[list[str]], header: str) -> int:
    return data[0].index(header)


def setcell(data: list[list[str]], row: int, header: str, value: str) -> None:
    """Spreadsheet row numbering: row 1 is the header."""
    data[row - 1][col(data, header)] = value


def case(name: str, *, copy: tuple[str, ...] = TABLES) -> Path:
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    for path in folder.iterdir():
        if path.name != "expected.yaml":
            path.unlink()
    for table in copy:
        shutil.copy(CLEAN / f"{table}.csv", folder / f"{table}.csv")
    return folder


def workbook(sheets: dict[str, list[list]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, data in sheets.items():
        sheet = book.create_sheet(title)
        for row in data:
            sheet.append(row)
    return book


def save(book: openpyxl.Workbook, path: Path) -> None:
    book.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite the archive with fixed timestamps so rebuilding gives identical bytes."""
    with zipfile.ZipFile(path) as src:
        members = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", data)
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)


def build() -> None:
    # --- empty / structural ---------------------------------------------------------------
    folder = case("01_empty_file")
    (folder / "staff.csv").write_bytes(b"")

    folder = case("02_header_only")
    write_csv(folder, "staff", rows("staff")[:1])

    folder = case("03_xlsx_title_merged_header_row3", copy=("units", "training_updates"))
    staff = rows("staff")
    setcell(staff, 3, "Giới tính", "Trai")  # accepted synonym of male
    setcell(staff, 4, "Giới tính", "Không rõ")  # unknown: Excel row 4 + 2 = row 6
    book = workbook({"Sheet1": [["DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC NĂM 2025"], [], *staff]})
    book["Sheet1"].merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(staff[0]))
    save(book, folder / "staff.xlsx")

    folder = case("04_cp1258_csv")
    (folder / "staff.csv").write_bytes(cp1258_bytes(csv_text(rows("staff"))))
    (folder / "units.csv").write_bytes(cp1258_bytes(csv_text(rows("units"))))

    folder = case("05_utf16_tab_unicode_text")
    # Excel "Unicode Text (*.txt)": UTF-16 LE with BOM, tab-separated.
    (folder / "staff.csv").unlink()
    (folder / "staff.txt").write_bytes(
        b"\xff\xfe" + csv_text(rows("staff"), delimiter="\t").encode("utf-16-le")
    )

    folder = case("06_utf8_bom")
    (folder / "staff.csv").write_bytes(b"\xef\xbb\xbf" + csv_text(rows("staff")).encode())

    folder = case("07_semicolon_csv")
    write_csv(folder, "staff", rows("staff"), delimiter=";")
    write_csv(folder, "training_updates", rows("training_updates"), delimiter=";")

    folder = case("08_decomposed_unicode")
    for table in TABLES:
        text = unicodedata.normalize("NFD", csv_text(rows(table)))
        (folder / f"{table}.csv").write_text(text, encoding="utf-8", newline="")

    folder = case("09_tcvn3_csv")
    (folder / "staff.csv").write_bytes(tcvn3_bytes(csv_text(rows("staff"))))

    folder = case("10_tcvn3_xlsx", copy=("units", "training_updates"))
    staff = [[tcvn3_text(v) for v in r] for r in rows("staff")]
    save(workbook({"Cán bộ": staff}), folder / "staff.xlsx")

    folder = case("11_excel_serial_and_text_dates", copy=("units", "training_updates"))
    import datetime as dt

    staff = rows("staff")
    sheet_rows: list[list] = [staff[0]]
    for r in staff[1:]:
        sheet_rows.append(list(r))
    b = col(staff, "Ngày sinh")
    sheet_rows[1][b] = dt.datetime(1975, 3, 14)  # a real date cell
    sheet_rows[2][b] = 27467  # 14/03/1975 as a bare serial number (cell formatted General)
    sheet_rows[3][b] = "1980"  # a bare year as text
    sheet_rows[4][b] = "01/07/1970"  # text, day first
    book = workbook({"staff": sheet_rows})
    book["staff"].cell(row=2, column=b + 1).number_format = "dd/mm/yyyy"
    save(book, folder / "staff.xlsx")

    folder = case("12_two_digit_years")
    staff = rows("staff")
    setcell(staff, 3, "Ngày sinh", "14/03/75")
    setcell(staff, 5, "Năm tốt nghiệp dự kiến", "27")
    write_csv(folder, "staff", staff)

    folder = case("13_birth_date_in_future")
    staff = rows("staff")
    setcell(staff, 4, "Ngày sinh", "01/01/2031")
    write_csv(folder, "staff", staff)

    folder = case("14_duplicate_staff_id")
    staff = rows("staff")
    setcell(staff, 4, "Mã cán bộ", "003")  # row 4 (002) now also says 003, as row 5 does
    write_csv(folder, "staff", staff)

    folder = case("15_exact_duplicate_row")
    staff = rows("staff")
    staff.append(list(staff[3]))  # row 6 repeats row 4
    write_csv(folder, "staff", staff)

    folder = case("16_id_in_training_only")
    training = rows("training_updates")
    training.append(["999", "2025-03-01", "Pháp luật", "", "4"])
    write_csv(folder, "training_updates", training)

    folder = case("17_unknown_unit")
    staff = rows("staff")
    setcell(staff, 4, "Đơn vị", "Phòng Tài chính")
    write_csv(folder, "staff", staff)

    folder = case("18_unknown_degree_spelling")
    staff = rows("staff")
    setcell(staff, 3, "Trình độ chuyên môn", "Đại học từ xa")
    setcell(staff, 4, "Trình độ chuyên môn", "THAC SI")  # no marks, upper case: accepted
    write_csv(folder, "staff", staff)

    folder = case("19_year_with_no_rows")
    staff = rows("staff")
    write_csv(folder, "staff", [staff[0], staff[1]])  # only the 2024 row

    folder = case("20_two_files_different_columns", copy=("units", "training_updates"))
    staff = rows("staff")
    keep = [i for i, h in enumerate(staff[0]) if h not in ("Dân tộc", "Chức vụ")]
    write_csv(folder, "staff_2024", [staff[0], staff[1]])
    write_csv(folder, "staff_2025", [[r[i] for i in keep] for r in [staff[0], *staff[2:]]])

    folder = case("21_two_files_required_column_missing", copy=("units", "training_updates"))
    staff = rows("staff")
    keep = [i for i, h in enumerate(staff[0]) if h != "Giới tính"]
    write_csv(folder, "staff_2024", [staff[0], staff[1]])
    write_csv(folder, "staff_2025", [[r[i] for i in keep] for r in [staff[0], *staff[2:]]])

    folder = case("22_zero_byte_xlsx", copy=("units", "training_updates"))
    (folder / "staff.xlsx").write_bytes(b"")

    folder = case("23_corrupt_xlsx", copy=("units", "training_updates"))
    save(workbook({"staff": rows("staff")}), folder / "staff.xlsx")
    data = (folder / "staff.xlsx").read_bytes()
    (folder / "staff.xlsx").write_bytes(data[: len(data) // 2])  # cut off mid-download

    folder = case("24_encrypted_xlsx", copy=("units", "training_updates"))
    # A password-protected workbook is an OLE compound file, not a zip: its first 8 bytes
    # are the OLE signature.  The body here is filler; no reader gets past the signature.
    (folder / "staff.xlsx").write_bytes(
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le") * 16
    )

    folder = case("25_extra_unknown_columns")
    staff = rows("staff")
    for r, (note, phone) in zip(
        staff,
        [("Ghi chú", "Số điện thoại"), ("", "0901"), ("nghỉ phép", ""), ("", ""), ("", "")],
        strict=True,
    ):
        r.extend([note, phone])
    write_csv(folder, "staff", staff)

    folder = case("26_formula_cells", copy=("units", "training_updates"))
    staff = rows("staff")
    data_rows: list[list] = [staff[0], *[list(r) for r in staff[1:]]]
    y, h = col(staff, "Năm báo cáo"), col(staff, "Năm tốt nghiệp dự kiến")
    data_rows[2][y] = "=2000+24"  # cached value below says 2025: we must show 2025
    data_rows[4][h] = "=YEAR(TODAY())+1"  # no cached value: the cell reads as empty
    save(workbook({"staff": data_rows}), folder / "staff.xlsx")
    _set_cached_value(folder / "staff.xlsx", f"{_letter(y)}3", "2025")

    folder = case("27_very_long_text")
    staff = rows("staff")
    setcell(staff, 3, "Họ và tên", "Nguyễn " * 3_000)  # 21 000 characters
    setcell(staff, 4, "Đơn vị", "Phòng " + "Nội vụ " * 500)
    write_csv(folder, "staff", staff)

    folder = case("28_sheets_named_in_vietnamese", copy=())
    save(
        workbook(
            {
                "Hướng dẫn": [["Sổ dữ liệu của Ban Tổ chức"]],
                "Đơn vị": rows("units"),
                "Danh sách cán bộ": rows("staff"),
                "Bồi dưỡng": rows("training_updates"),
            }
        ),
        folder / "du_lieu_2025.xlsx",
    )

    folder = case("29_sheet_not_recognised", copy=("units", "training_updates"))
    save(workbook({"DS nhân sự": rows("staff")}), folder / "du_lieu.xlsx")

    folder = case("30_script_in_unit_name")
    units = rows("units")
    setcell(units, 3, "Tên đơn vị", "<script>alert('x')</script> Phòng Nội vụ")
    write_csv(folder, "units", units)

    folder = case("31_missing_table", copy=("units", "staff"))

    folder = case("32_ambiguous_columns")
    staff = rows("staff")
    for r in staff:
        r.append(r[col(staff, "Họ và tên")])
    staff[0][-1] = "Họ tên"
    write_csv(folder, "staff", staff)

    folder = case("33_excel_lock_file_ignored")
    (folder / "~$staff.xlsx").write_bytes(b"\x0bOwner name" + b"\x00" * 40)

    folder = case("34_utf16_without_bom")
    (folder / "staff.csv").write_bytes(csv_text(rows("staff")).encode("utf-16-le"))  # no BOM

    folder = case("35_long_value_in_a_stop_message")
    staff = rows("staff")
    setcell(staff, 4, "Mã cán bộ", "0" * 500)  # a pasted column of zeros, twice in 2025
    setcell(staff, 5, "Mã cán bộ", "0" * 500)
    write_csv(folder, "staff", staff)

    folder = case("36_bare_cr_line_endings")
    text = csv_text(rows("staff")).replace("\r\n", "\r")  # old Mac / some web exports
    (folder / "staff.csv").write_text(text, encoding="utf-8", newline="")

    folder = case("37_chart_sheet_named_units", copy=())
    book = workbook(
        {
            "units": rows("units"),
            "staff": rows("staff"),
            "training_updates": rows("training_updates"),
        }
    )
    chart = openpyxl.chart.BarChart()
    chart.add_data(openpyxl.chart.Reference(book["units"], min_col=1, min_row=1, max_row=3))
    book.create_chartsheet("units chart", 0).add_chart(chart)  # the first tab
    save(book, folder / "du_lieu.xlsx")

    folder = case("38_age_17_at_the_snapshot")
    staff = rows("staff")
    setcell(staff, 4, "Ngày sinh", "2008")  # 17 on 31/12/2025
    setcell(staff, 5, "Ngày sinh", "31/12/2007")  # 18 on 31/12/2025
    write_csv(folder, "staff", staff)

    folder = case("39_month_first_dates")
    staff = rows("staff")
    setcell(staff, 2, "Ngày sinh", "03/14/1975")  # 14 is no month: the column is month first
    setcell(staff, 3, "Ngày sinh", "03/14/1975")
    setcell(staff, 5, "Ngày sinh", "07/01/1970")  # so this is 1 July, not 7 January
    write_csv(folder, "staff", staff)

    folder = case("40_both_date_orders_in_one_column")
    staff = rows("staff")
    setcell(staff, 5, "Ngày sinh", "07/25/1970")  # rows 2-3 say 14/03/1975 (day first)
    write_csv(folder, "staff", staff)

    folder = case("41_ids_as_numbers_in_one_year", copy=("units", "training_updates"))
    staff = rows("staff")
    at = col(staff, "Mã cán bộ")
    old_year: list[list] = [staff[0], [*staff[1][:at], 1, *staff[1][at + 1 :]]]  # 001 as 1
    book = workbook({"staff": old_year})
    book["staff"].cell(row=2, column=at + 1).number_format = "000"  # Excel shows 001
    save(book, folder / "staff_2024.xlsx")
    write_csv(folder, "staff_2025", [staff[0], *staff[2:]])

    folder = case("42_invisible_and_full_width_ids")
    training = rows("training_updates")
    training[1][0] = "\u200e001"  # left-to-right mark pasted from a web form
    training[2][0] = "００３"  # full-width digits
    training[3][0] = "002\u2060"  # word joiner
    write_csv(folder, "training_updates", training)

    folder = case("43_ids_changed_between_years")
    staff = rows("staff")
    setcell(staff, 2, "Mã cán bộ", "CB-001")  # 2024 used another ID scheme
    write_csv(folder, "staff", staff)

    folder = case("44_gender_and_birth_date_change")
    staff = rows("staff")
    setcell(staff, 3, "Giới tính", "Nữ")  # 2024 row 2 says Nam
    setcell(staff, 3, "Ngày sinh", "15/03/1975")  # 2024 row 2 says 14/03/1975
    write_csv(folder, "staff", staff)

    folder = case("45_report_year_mostly_quarantined")
    staff = rows("staff")
    for number in range(4, 16):  # 12 more 2025 rows, all in a unit the units table lacks
        extra = list(staff[3])
        extra[col(staff, "Mã cán bộ")] = f"{number:03d}"
        extra[col(staff, "Đơn vị")] = "Phòng Tài chính"
        staff.append(extra)
    write_csv(folder, "staff", staff)

    folder = case("46_required_header_renamed")
    staff = rows("staff")
    staff[0][col(staff, "Giới tính")] = "Phái tính"  # a header the template does not know
    write_csv(folder, "staff", staff)


def _letter(index: int) -> str:
    return openpyxl.utils.get_column_letter(index + 1)


def _set_cached_value(path: Path, ref: str, value: str) -> None:
    """openpyxl saves formulas without the value Excel would cache; add one as Excel would."""
    with zipfile.ZipFile(path) as src:
        members = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            if info.filename.startswith("xl/worksheets/sheet"):
                pattern = rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?'.encode()
                data, count = re.subn(pattern, rb"\1<f>\2</f><v>" + value.encode() + b"</v>", data)
                assert count == 1, "formula cell not found"
            dst.writestr(info, data)


if __name__ == "__main__":
    build()
