"""Normalisation: header synonyms, vocabulary synonyms, booleans, dates, NFD text."""

from __future__ import annotations

import unicodedata
from datetime import date

import polars as pl
import pytest

from cadre_analytics.ingest import read_inputs
from cadre_analytics.ingest.normalise import parse_date_expr, parse_float_expr, parse_int_expr
from cadre_analytics.ingest.spec import fold, load_contract_spec
from tests.ingest.helpers import append_row, clean_copy, read_rows, write_rows

BASE = {
    "Năm báo cáo": "2025",
    "Mã cán bộ": "900",
    "Ngày sinh": "01/01/1980",
    "Giới tính": "Nam",
    "Đơn vị": "PNV",
    "Loại cán bộ": "Công chức",
    "Trình độ chuyên môn": "Đại học",
}


def _value(folder, row, column):
    staff = read_inputs(folder).tables["staff"]
    return staff.values.filter(pl.col("_source_row") == row)[column].item()


def _values_of(tmp_path, column_header, spellings, column):
    """Append one staff row per spelling; return the parsed values in order."""
    folder = clean_copy(tmp_path)
    rows = [
        append_row(folder, "staff", {**BASE, "Mã cán bộ": f"9{i:02d}", column_header: s})
        for i, s in enumerate(spellings)
    ]
    staff = read_inputs(folder).tables["staff"].values
    return [staff.filter(pl.col("_source_row") == r)[column].item() for r in rows]


# Each synonym family: spellings from the issue and common exports -> the code, by hand.
SYNONYMS = {
    ("Giới tính", "gender"): [
        ("Nam", "male"),
        ("NỮ", "female"),
        ("nữ ", "female"),
        ("Nu", "female"),
    ],
    ("Loại cán bộ", "staff_type"): [
        ("Cán bộ", "cadre"),
        ("Công chức", "civil_servant"),
        ("Viên chức", "public_employee"),
        ("Hợp đồng", "contract"),
        ("Người lao động", "contract"),
        ("Hợp đồng / Người lao động", "contract"),
    ],
    ("Cấp lãnh đạo", "leadership"): [
        ("", "none"),
        ("Lãnh đạo huyện", "district"),
        ("Lãnh đạo cấp phòng", "division"),
    ],
    ("Trình độ chuyên môn", "education"): [
        ("Sơ cấp", "below_intermediate"),
        ("Trung cấp", "intermediate"),
        ("Cao đẳng", "college"),
        ("Đại học", "university"),
        ("ĐH", "university"),
        ("Cử nhân", "university"),
        ("Kỹ sư", "university"),
        ("Bác sĩ", "university"),
        ("Dược sĩ", "university"),
        ("Thạc sĩ", "master"),
        ("Thạc sỹ", "master"),
        ("ThS", "master"),
        ("Tiến sĩ", "doctor"),
        ("Tiến sỹ", "doctor"),
        ("TS", "doctor"),
        ("TSKH", "doctor"),
        ("BSCKI", "specialist_1"),
        ("Chuyên khoa I", "specialist_1"),
        ("BSCKII", "specialist_2"),
        ("Chuyên khoa II", "specialist_2"),
    ],
    ("Lý luận chính trị", "political_theory"): [
        ("", "none"),
        ("Chưa qua", "none"),
        ("Sơ cấp", "elementary"),
        ("Trung cấp", "intermediate"),
        ("TC LLCT", "intermediate"),
        ("Cao cấp", "advanced"),
        ("CC LLCT", "advanced"),
        ("Cử nhân chính trị", "advanced"),
        ("Cao cấp LLCT-HC", "advanced"),
    ],
    ("Quản lý nhà nước", "state_management"): [
        ("", "none"),
        ("Chuyên viên", "specialist"),
        ("Chuyên viên chính", "principal"),
        ("Chuyên viên cao cấp", "senior"),
    ],
    ("Ngoại ngữ", "foreign_language"): [
        ("", "none"),
        ("A2", "A2"),
        ("b1", "B1"),
        ("Bậc 3", "B1"),
        ("Bậc 4", "B2"),
        ("Bậc 5", "C1"),
        ("Bậc 6", "C2"),
    ],
}


@pytest.mark.parametrize(("family", "cases"), list(SYNONYMS.items()), ids=lambda x: str(x))
def test_vocabulary_synonyms(tmp_path, family, cases):
    header, column = family
    got = _values_of(tmp_path, header, [s for s, _ in cases], column)
    assert got == [code for _, code in cases]


def test_booleans(tmp_path):
    spellings = ["x", "X", "Có", "có", "1", "true", "yes", "Không", "0", "false", "no", ""]
    expected = [True] * 7 + [False] * 5  # empty is false for a non-required flag
    assert _values_of(tmp_path, "Cán bộ chủ chốt", spellings, "key_leader") == expected


def test_empty_position_fit_stays_unknown(tmp_path):
    got = _values_of(
        tmp_path,
        "Chuyên môn phù hợp vị trí việc làm",
        ["x", "Không", ""],
        "education_fits_position",
    )
    assert got == [True, False, None]


def test_unit_by_code_name_alias_and_tone_placement(tmp_path):
    spellings = [
        "XA01",
        "xã hòa bắc",
        "Xã Hoà Bắc",
        "Hoà Bắc",
        "UBND xã Hòa Bắc",
        "PNV",
        "Phòng Nội vụ",
        "Phòng Tư pháp",
    ]
    expected = ["XA01"] * 5 + ["PNV", "PNV", None]
    assert _values_of(tmp_path, "Đơn vị", spellings, "unit") == expected


def test_decomposed_unicode_is_matched_and_stored_composed(tmp_path):
    folder = clean_copy(tmp_path)
    nfd = {k: unicodedata.normalize("NFD", v) for k, v in BASE.items()}
    nfd.update(
        {
            "Họ và tên": unicodedata.normalize("NFD", "Nguyễn  Thị   Hồng"),
            "Giới tính": unicodedata.normalize("NFD", "Nữ"),
            "Trình độ chuyên môn": unicodedata.normalize("NFD", "Thạc sỹ"),
            "Đơn vị": unicodedata.normalize("NFD", "Xã Hòa Bắc"),
        }
    )
    row = append_row(folder, "staff", nfd)
    staff = read_inputs(folder).tables["staff"].values.filter(pl.col("_source_row") == row)
    assert staff["full_name"].item() == "Nguyễn Thị Hồng"  # NFC, spaces collapsed
    assert unicodedata.is_normalized("NFC", staff["full_name"].item())
    assert staff["gender"].item() == "female"
    assert staff["education"].item() == "master"
    assert staff["unit"].item() == "XA01"


def test_headers_match_with_case_spacing_nfd_and_synonyms(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    renamed = {
        "Năm báo cáo": "NĂM  BÁO CÁO",
        "Ngày sinh": unicodedata.normalize("NFD", "Ngày sinh (dd/mm/yyyy)"),
        "Giới tính": "Giới tính:",
        "Trình độ chuyên môn": "Trình độ CM",
        "Lý luận chính trị": "LLCT",
        "Mã cán bộ": "mã cán bộ*",
    }
    rows[0] = [renamed.get(h, h) for h in rows[0]]
    write_rows(folder / "staff.csv", rows)
    staff = read_inputs(folder).tables["staff"]
    assert staff.values["snapshot_year"].to_list() == [2024, 2025, 2025, 2025]
    assert staff.values["education"].to_list() == [
        "university",
        "university",
        "master",
        "university",
    ]
    header = dict(staff.headers.select("column", "header").iter_rows())
    assert header["education"] == "Trình độ CM"  # messages quote the user's own header


def _dates(texts):
    return (
        pl.DataFrame({"t": texts}, schema={"t": pl.Utf8})
        .select(parse_date_expr(pl.col("t")).alias("t"))["t"]
        .to_list()
    )


def test_date_forms():
    texts = [
        "1975-03-14",  # ISO
        "1975-03-14 00:00:00",  # what calamine gives for an Excel date cell
        "14/03/1975",  # dd/mm/yyyy
        "4/3/1975",  # d/m/yyyy -> 4 March
        "14-03-1975",
        "14.03.1975",
        "1975",  # bare year -> 1 January
        "27467",  # Excel serial: 27467 days after 30/12/1899 = 14/03/1975
        "27467.5",  # serial with a time of day
        "45658",  # 01/01/2025
    ]
    assert _dates(texts) == [
        date(1975, 3, 14),
        date(1975, 3, 14),
        date(1975, 3, 14),
        date(1975, 3, 4),
        date(1975, 3, 14),
        date(1975, 3, 14),
        date(1975, 1, 1),
        date(1975, 3, 14),
        date(1975, 3, 14),
        date(2025, 1, 1),
    ]


def test_impossible_and_ambiguous_dates_are_not_guessed():
    texts = ["31/02/1980", "03/14/1975", "1975-13-01", "14/03/75", "ngày 14", "0", None]
    assert _dates(texts) == [None] * 7


def test_numbers():
    frame = pl.DataFrame({"t": ["2025", "2025.0", " 7", "x", "99999999999", "4,5", "4.5", "1.5.2"]})
    ints = frame.select(parse_int_expr(pl.col("t").str.strip_chars()).alias("t"))["t"].to_list()
    assert ints == [2025, 2025, 7, None, None, None, None, None]
    floats = frame.select(parse_float_expr(pl.col("t").str.strip_chars()).alias("t"))["t"].to_list()
    assert floats == [2025.0, 2025.0, 7.0, None, 99999999999.0, 4.5, 4.5, None]


def test_unparsed_cells_are_marked_in_the_check_frame_with_the_users_text(tmp_path):
    folder = clean_copy(tmp_path)
    row = append_row(folder, "staff", {**BASE, "Ngày sinh": "31/02/1980", "Giới tính": "Khác"})
    data = read_inputs(folder).tables["staff"]
    check = data.check.filter(pl.col("_source_row") == row)
    values = data.values.filter(pl.col("_source_row") == row)
    assert check["birth_date"].item() == "!31/02/1980"
    assert check["gender"].item() == "!Khác"
    assert values["birth_date"].item() is None and values["gender"].item() is None


def test_fold_handles_eth_and_invisible_characters():
    assert fold("\u00d0ại học\u200b") == fold("Đại học")
    assert fold("Thuý") == fold("Thúy")


def test_every_vocabulary_code_is_in_schema():
    from cadre_analytics import schema

    spec = load_contract_spec()
    expected = {
        "gender": schema.GENDER,
        "staff_type": schema.STAFF_TYPE,
        "leadership": schema.LEADERSHIP,
        "education": schema.EDUCATION,
        "political_theory": schema.POLITICAL_THEORY,
        "state_management": schema.STATE_MANAGEMENT,
        "foreign_language": schema.FOREIGN_LANGUAGE,
        "training_topic": schema.TRAINING_TOPIC,
        "unit_level": schema.UNIT_LEVEL,
    }
    for name, codes in expected.items():
        assert set(spec.vocabularies[name].codes) == set(codes), name
