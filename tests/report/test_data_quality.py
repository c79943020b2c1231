"""OUT/data_quality.html: counts, files and row numbers, never a cell value."""

from __future__ import annotations

import polars as pl

from cadre_analytics import contracts
from cadre_analytics.contracts import ISSUE_SCHEMA, RECONCILIATION_SCHEMA, RULE_RESULTS_SCHEMA
from cadre_analytics.ingest import read_inputs
from cadre_analytics.report.data_quality import data_quality_page
from tests.ingest.helpers import TODAY, clean_copy, edit_cell


def _validate(folder, year=2025):
    return contracts.validate_inputs(read_inputs(folder), year, today=TODAY)


def _result(rows_failing: int) -> contracts.ValidationResult:
    """A hand-built result: 25 failing staff rows 2..26 in staff.csv, holding a birth date."""
    issues = pl.DataFrame(
        [
            {
                "table": "staff",
                "source_file": "staff.csv",
                "source_row": row,
                "column": "Ngày sinh",
                "raw_value": "30/02/1980",
                "rule": "invalid_date",
                "message_vi": "Ngày 30/02/1980 không hợp lệ.",
                "message_en": "Date 30/02/1980 is not valid.",
            }
            for row in range(2, 2 + rows_failing)
        ],
        schema=ISSUE_SCHEMA,
    )
    empty = pl.DataFrame(schema={"a": pl.Int64})
    return contracts.ValidationResult(
        year=2025,
        staff=empty,
        training=empty,
        units=empty,
        quarantine=issues,
        warnings=issues.clear(),
        # read 30 = accepted 5 + quarantined 25
        reconciliation=pl.DataFrame(
            [("staff", 30, 5, 25)], schema=RECONCILIATION_SCHEMA, orient="row"
        ),
        rule_results=pl.DataFrame(
            [
                (
                    "staff",
                    "invalid_date",
                    "quarantine",
                    "x(birth_date)",
                    25,
                    False,
                    "Ngày sai",
                    "Bad date",
                    "Ngày sinh",
                    None,  # no rows of its own: the page lists the rule's entries
                )
            ],
            schema=RULE_RESULTS_SCHEMA,
            orient="row",
        ),
        input_files=pl.DataFrame(
            [("staff", "staff.csv", "ab" * 32, 30)],
            schema={"table": pl.Utf8, "path": pl.Utf8, "sha256": pl.Utf8, "rows": pl.Int64},
            orient="row",
        ),
    )


def test_rows_are_listed_up_to_twenty_then_cut_short():
    page = data_quality_page(_result(25), lang="en")
    # rows 2..21 are the first twenty of 2..26; 22 onwards are left out
    assert (
        "staff.csv: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 …"
        in page
    )
    assert "<td class=n>30</td>" in page and "<td class=n>25</td>" in page
    assert "30/02/1980" not in page  # the value stays in quarantine.csv
    assert "abababababababab…" in page  # the first 16 hex digits of the SHA-256
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page


def test_vietnamese_page_carries_both_languages():
    page = data_quality_page(_result(1), lang="vi")
    assert "Chất lượng dữ liệu / Data quality 2025" in page
    assert "Ngày sai / Bad date" in page
    assert "staff.csv: 2</td>" in page and "…" not in page.split("SHA-256")[0]


def test_data_quality_page_is_self_contained_and_has_no_personal_data(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Ngày sinh", "30/02/1980")
    edit_cell(folder, "staff", 5, "Ngày sinh", "1960-01-01")  # a warning too
    (folder / "staff.csv").rename(folder / "staff_<b>&.csv")
    result = _validate(folder)
    page = data_quality_page(result)
    assert page.startswith("<!DOCTYPE html>")
    assert "http" not in page and "<script" not in page and "<link" not in page
    for personal in (
        "Nguyễn Văn An",
        "Ka Điểu",
        "Trần Thị Bình",
        "30/02/1980",
        "1960-01-01",
        "14/03/1975",
        "1975-03-14",
    ):
        assert personal not in page
    assert "staff_&lt;b&gt;&amp;.csv" in page and "staff_<b>" not in page
    assert "Ngày không hợp lệ" in page  # rule title
    assert "staff_&lt;b&gt;&amp;.csv: 4" in page  # file and row, no value
    assert "Data quality" not in data_quality_page(result, lang="en")[:20]


def _rule_row(page: str, header: str) -> str:
    """The per-rule table's row of the vocabulary check on column ``header``."""
    rows = [
        r
        for r in page.split("<tr>")
        if f"<td>{header}</td>" in r and "Value not in vocabulary" in r
    ]
    assert len(rows) == 1, rows
    return rows[0]


def test_each_check_lists_only_its_own_rows_and_names_its_column_in_words(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Giới tính", "Khác")  # not a gender in the vocabulary
    edit_cell(folder, "staff", 5, "Trình độ chuyên môn", "Trung học")  # not an education level
    page = data_quality_page(_validate(folder), lang="en")
    # both checks belong to one rule ("Value not in vocabulary"); each failed on one row
    gender, education = _rule_row(page, "Giới tính"), _rule_row(page, "Trình độ chuyên môn")
    assert "Value not in vocabulary" in gender and "Value not in vocabulary" in education
    assert "staff.csv: 4</td>" in gender and "staff.csv: 5</td>" in education
    assert "<td class=n>1</td>" in gender and "<td class=n>1</td>" in education
    political = _rule_row(page, "Lý luận chính trị")
    assert "<td class=n>0</td>" in political and "staff.csv" not in political
    assert "expect_column" not in page  # no Great Expectations names


def test_spellings_read_as_another_value_are_listed_as_a_warning(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Giới tính", "Nư")  # read as Nữ without diacritics
    edit_cell(folder, "staff", 5, "Trình độ chuyên môn", "ĐH")  # a listed spelling of Đại học
    page = data_quality_page(_validate(folder), lang="en")
    section = page.split("Spellings read as another value")[1].split("Input files")[0]
    assert "<td>Giới tính</td><td>Nư</td><td>Nữ</td>" in section
    assert "matched without diacritics" in section
    assert "<td>ĐH</td><td>Đại học</td><td class=warn>another listed spelling" in section
    assert "Ka Điểu" not in page and "Trần Thị Bình" not in page  # rows 4 and 5's people


def test_no_spellings_to_clean_says_none(tmp_path):
    page = data_quality_page(_validate(clean_copy(tmp_path)), lang="en")
    assert "Spellings read as another value" in page and "<p class=ok>None.</p>" in page


def test_the_page_words_come_from_the_string_catalogue():
    import inspect
    import re

    from cadre_analytics.report import data_quality
    from cadre_analytics.report.strings import catalogue

    source = inspect.getsource(data_quality)
    # no Vietnamese word is written in the module (only the catalogue holds them)
    assert re.findall(r"[À-ỹĐđ]", source) == []
    keys = {k for k in catalogue("vi") if k.startswith("data_quality_page.")}
    assert keys and keys == {k for k in catalogue("en") if k.startswith("data_quality_page.")}
    literal = set(re.findall(r"\bt\([\"']([a-z_]+)[\"']\)", source))
    assert len(literal) > 20  # every literal key the page asks for is in the catalogue
    assert {f"data_quality_page.{k}" for k in literal} <= keys
