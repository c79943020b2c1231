"""Data contracts: one hand-built fixture per rule, expected outcomes worked out by hand.

The clean fixture (tests/fixtures/ingest/clean) has staff rows 2 (2024, id 001), 3 (2025, 001),
4 (2025, 002, public employee, PNV), 5 (2025, 003, cadre, PNV); training rows 2 (001), 3 (003),
4 (002); unit rows 2 (XA01) and 3 (PNV).  Each case changes one cell and states what must
happen to which row.
"""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest

from cadre_analytics import contracts
from cadre_analytics.errors import InputStop, ParamsError
from cadre_analytics.ingest import read_inputs
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR
from cadre_analytics.schema import (
    PROVENANCE,
    STAFF_COLUMNS,
    TRAINING_COLUMNS,
    UNIT_COLUMNS,
    UNIT_LIFE_COLUMNS,
)
from tests.ingest.helpers import TODAY, clean_copy, copy_row, edit_cell


def _validate(folder, year=2025, **kwargs):
    return contracts.validate_inputs(read_inputs(folder), year, today=TODAY, **kwargs)


def _issues(frame):
    return sorted(frame.select("table", "source_row", "column", "raw_value", "rule").rows())


def _counts(result):
    return {r["table"]: r for r in result.reconciliation.iter_rows(named=True)}


def test_clean_fixture_passes_with_canonical_dtypes(tmp_path):
    result = _validate(clean_copy(tmp_path))
    assert result.quarantine.height == 0
    assert result.warnings.height == 0
    assert result.rule_results["success"].all()
    assert result.staff.schema == pl.Schema({**STAFF_COLUMNS, **PROVENANCE})
    assert result.training.schema == pl.Schema({**TRAINING_COLUMNS, **PROVENANCE})
    assert result.units.schema == pl.Schema({**UNIT_COLUMNS, **UNIT_LIFE_COLUMNS, **PROVENANCE})
    # all snapshot years are kept, not only YEAR
    assert sorted(result.staff["snapshot_year"].unique().to_list()) == [2024, 2025]
    assert result.reconciliation.rows() == [
        ("units", 2, 2, 0),
        ("staff", 4, 4, 0),
        ("training_updates", 3, 3, 0),
    ]


# (edits, expected quarantine entries (table, row, column header, raw value, rule))
QUARANTINE_CASES = {
    "missing_value": (
        [("staff", 4, "Giới tính", "")],
        [("staff", 4, "Giới tính", None, "missing_value")],
    ),
    "unknown_value_vocabulary": (
        [("staff", 5, "Trình độ chuyên môn", "Đại học văn bằng hai")],
        [("staff", 5, "Trình độ chuyên môn", "Đại học văn bằng hai", "unknown_value")],
    ),
    "unknown_value_boolean": (
        [("staff", 5, "Cán bộ chủ chốt", "có lẽ")],
        [("staff", 5, "Cán bộ chủ chốt", "có lẽ", "unknown_value")],
    ),
    "invalid_date": (
        [("staff", 4, "Ngày sinh", "30/02/1980")],
        [("staff", 4, "Ngày sinh", "30/02/1980", "invalid_date")],
    ),
    "invalid_number": (
        [("staff", 5, "Năm tốt nghiệp dự kiến", "hai nghìn")],
        [("staff", 5, "Năm tốt nghiệp dự kiến", "hai nghìn", "invalid_number")],
    ),
    "unknown_unit": (
        [("staff", 4, "Đơn vị", "Phòng Tư pháp")],
        [("staff", 4, "Đơn vị", "Phòng Tư pháp", "unknown_unit")],
    ),
    "age_under_18": (
        # born 2012: 2025 - 2012 = 13 at the 31/12/2025 snapshot
        [("staff", 4, "Ngày sinh", "2012")],
        [("staff", 4, "Ngày sinh", "2012", "age_out_of_range")],
    ),
    "age_over_75": (
        # born 14/03/1948: 77 at the snapshot
        [("staff", 4, "Ngày sinh", "14/03/1948")],
        [("staff", 4, "Ngày sinh", "14/03/1948", "age_out_of_range")],
    ),
    "training_unknown_staff": (
        [("training_updates", 4, "Mã cán bộ", "099")],
        [("training_updates", 4, "Mã cán bộ", "099", "training_unknown_staff")],
    ),
    "training_in_future": (
        # 'today' is 15/01/2026 in these tests
        [("training_updates", 3, "Ngày", "01/02/2026")],
        [("training_updates", 3, "Ngày", "01/02/2026", "training_in_future")],
    ),
    "unit_level_unknown_cascades_to_its_staff": (
        # PNV is set aside, so the two staff rows in PNV have an unknown unit
        [("units", 3, "Cấp", "Cấp tỉnh")],
        [
            ("staff", 4, "Đơn vị", "PNV", "unknown_unit"),
            ("staff", 5, "Đơn vị", "PNV", "unknown_unit"),
            ("units", 3, "Cấp", "Cấp tỉnh", "unknown_value"),
        ],
    ),
}


@pytest.mark.parametrize("case", list(QUARANTINE_CASES), ids=list(QUARANTINE_CASES))
def test_quarantine_rule(tmp_path, case):
    edits, expected = QUARANTINE_CASES[case]
    folder = clean_copy(tmp_path)
    for table, row, header, value in edits:
        edit_cell(folder, table, row, header, value)
    result = _validate(folder)
    assert _issues(result.quarantine) == sorted(expected)
    assert result.warnings.height == 0
    # the quarantined rows are gone from the accepted frames, nothing else is
    counts = _counts(result)
    for table in ("staff", "training_updates", "units"):
        n_bad = len({(t, r) for t, r, *_ in expected if t == table})
        c = counts[table]
        assert c["rows_quarantined"] == n_bad
        assert c["rows_read"] == c["rows_accepted"] + c["rows_quarantined"]
    for entry in result.quarantine.iter_rows(named=True):
        assert entry["source_file"].endswith(".csv")
        assert entry["message_vi"] and entry["message_en"]
        if entry["raw_value"]:
            assert entry["raw_value"] in entry["message_vi"] or entry["rule"] == "unknown_unit"


def test_quarantine_message_names_column_and_value(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Ngày sinh", "30/02/1980")
    entry = _validate(folder).quarantine.row(0, named=True)
    assert entry["message_vi"].startswith("Ngày '30/02/1980' ở cột 'Ngày sinh' không hợp lệ.")
    assert "Date '30/02/1980' in column 'Ngày sinh'" in entry["message_en"]


def test_age_message_gives_age_and_bounds(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Ngày sinh", "2012")
    entry = _validate(folder).quarantine.row(0, named=True)
    assert "13" in entry["message_en"] and "18–75" in entry["message_en"]


def test_exact_duplicate_row_is_quarantined_not_a_stop(tmp_path):
    folder = clean_copy(tmp_path)
    copy_row(folder, "staff", 4)  # row 6 repeats row 4 exactly
    result = _validate(folder)
    assert _issues(result.quarantine) == [("staff", 6, "Mã cán bộ", "002", "exact_duplicate_row")]
    assert "4 (staff.csv)" in result.quarantine["message_en"].item()
    assert _counts(result)["staff"]["rows_accepted"] == 4


# (edits, expected warning entries)
WARN_CASES = {
    "past_retirement": (
        # woman born 01/1960: 55 in 01/2015, before the 2021 reform -> retired 31/01/2015
        [("staff", 5, "Ngày sinh", "1960-01-01")],
        [("staff", 5, "Ngày sinh", "1960-01-01", "past_retirement")],
        "2015-01-31",
    ),
    "past_retirement_november": (
        # woman born 03/1969: 2025 age 56y8m -> retires 30/11/2025, before 31/12/2025
        [("staff", 5, "Ngày sinh", "1969-03-15")],
        [("staff", 5, "Ngày sinh", "1969-03-15", "past_retirement")],
        "2025-11-30",
    ),
    "fit_position_missing": (
        [("staff", 4, "Chuyên môn phù hợp vị trí việc làm", "")],
        [("staff", 4, "Chuyên môn phù hợp vị trí việc làm", None, "fit_position_missing")],
        "Public employee",
    ),
    "qualification_down": (
        # 001 had a university degree in 2024; 2025 says college
        [("staff", 3, "Trình độ chuyên môn", "Cao đẳng")],
        [("staff", 3, "Trình độ chuyên môn", "Cao đẳng", "qualification_down")],
        "'Trình độ chuyên môn' went down since the previous snapshot: Đại học (2024) → 'Cao đẳng'",
    ),
    "political_theory_down": (
        # 001 had "Cao cấp" (advanced) in 2024; 2025 says "TC LLCT" (intermediate): the warning
        # names the political-theory column and both levels in words, not education's
        [
            ("staff", 2, "Lý luận chính trị", "Cao cấp"),
            ("staff", 3, "Lý luận chính trị", "TC LLCT"),
        ],
        [("staff", 3, "Lý luận chính trị", "TC LLCT", "qualification_down")],
        "'Lý luận chính trị' went down since the previous snapshot: Cao cấp (2024) → 'TC LLCT'",
    ),
}


@pytest.mark.parametrize("case", list(WARN_CASES), ids=list(WARN_CASES))
def test_warn_rule(tmp_path, case):
    edits, expected, text = WARN_CASES[case]
    folder = clean_copy(tmp_path)
    for table, row, header, value in edits:
        edit_cell(folder, table, row, header, value)
    result = _validate(folder)
    assert result.quarantine.height == 0
    assert _issues(result.warnings) == expected
    assert text in result.warnings["message_en"].item()
    assert _counts(result)["staff"]["rows_accepted"] == 4  # warned rows are kept


def test_retiring_on_31_december_is_on_that_roster(tmp_path):
    # woman born 04/1969: 2025 age 56y8m -> retires 31/12/2025, so she serves that day and
    # the 2025 roster (31/12/2025) is right to list her: no warning
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 5, "Ngày sinh", "1969-04-15")
    assert _validate(folder).warnings.height == 0


def test_position_fit_missing_only_warns_for_public_employees(tmp_path):
    # rows 3 and 5 (civil servant, cadre) leave the flag empty in the clean fixture: no warning
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Loại cán bộ", "Công chức")
    edit_cell(folder, "staff", 4, "Chuyên môn phù hợp vị trí việc làm", "")
    assert _validate(folder).warnings.height == 0


def test_warnings_are_not_listed_for_quarantined_rows(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Chuyên môn phù hợp vị trí việc làm", "")
    edit_cell(folder, "staff", 4, "Giới tính", "")
    result = _validate(folder)
    assert [r[4] for r in _issues(result.quarantine)] == ["missing_value"]
    assert result.warnings.height == 0


def _stop(folder, year=2025):
    with pytest.raises(InputStop) as info:
        _validate(folder, year=year)
    line = info.value.one_line()
    assert "\n" not in line and "Traceback" not in line
    return line


def test_stop_duplicate_staff_id_in_a_year(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 5, "Mã cán bộ", "002")  # differs from row 4 in other cells
    line = _stop(folder)
    assert line.startswith("staff.csv, dòng 4 / row 4, cột 'Mã cán bộ': ")
    assert "'002'" in line and "2025" in line and "4, 5" in line
    assert "Cách sửa:" in line and "Fix:" in line


def test_stop_duplicate_across_two_files_names_both(tmp_path):
    from tests.ingest.helpers import read_rows, write_rows

    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    (folder / "staff.csv").unlink()
    write_rows(folder / "staff_a.csv", [rows[0], rows[3]])  # 2025, 002 on row 2
    changed = list(rows[3])
    changed[rows[0].index("Trình độ chuyên môn")] = "Tiến sĩ"
    write_rows(folder / "staff_b.csv", [rows[0], rows[1], rows[2], rows[4], changed])
    line = _stop(folder)
    assert line.startswith("staff_a.csv, dòng 2 / row 2")
    assert "2 (staff_a.csv), 5 (staff_b.csv)" in line


def test_same_id_in_different_years_is_fine(tmp_path):
    # rows 2 and 3 are 001 in 2024 and 2025: not a duplicate
    assert _validate(clean_copy(tmp_path)).quarantine.height == 0


def test_stop_duplicate_unit_code(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "units", 3, "Mã đơn vị", "XA01")
    line = _stop(folder)
    assert line.startswith("units.csv, dòng 2 / row 2, cột 'Mã đơn vị': ")
    assert "'XA01'" in line and "2, 3" in line


def test_stop_no_staff_rows_for_year(tmp_path):
    line = _stop(clean_copy(tmp_path), year=2023)
    # the clean fixture holds the 2024 and 2025 snapshots: the stop says which years there are
    assert line.startswith("staff.csv (các năm có trong dữ liệu / years present: 2024, 2025): ")
    assert "2023" in line


def test_header_only_tables(tmp_path):
    folder = clean_copy(tmp_path)
    header = (folder / "training_updates.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / "training_updates.csv").write_text(header + "\n,,,,\n\n", encoding="utf-8")
    result = _validate(folder)
    assert result.reconciliation.row(2) == ("training_updates", 0, 0, 0)
    assert result.training.height == 0
    header = (folder / "staff.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / "staff.csv").write_text(header + "\n", encoding="utf-8")
    assert "2025" in _stop(folder)


def test_stop_when_every_row_of_the_year_is_quarantined(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 2, "Giới tính", "")  # the only 2024 row
    assert "2024" in _stop(folder, year=2024)


def test_reconciliation_identity_on_a_dirty_folder(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Ngày sinh", "30/02/1980")  # quarantine
    edit_cell(folder, "staff", 4, "Giới tính", "Khác")  # same row, second reason
    edit_cell(folder, "staff", 5, "Đơn vị", "Phòng Tư pháp")  # quarantine
    copy_row(folder, "staff", 3)  # row 6: exact copy -> quarantine
    edit_cell(folder, "training_updates", 2, "Nội dung", "Tin học")  # quarantine
    result = _validate(folder)
    assert result.reconciliation.rows() == [
        ("units", 2, 2, 0),
        ("staff", 5, 2, 3),  # rows 4, 5, 6 (row 4 counted once for two reasons)
        ("training_updates", 3, 2, 1),
    ]
    assert result.quarantine.height == 5  # one entry per reason
    text = contracts.format_reconciliation(result)
    assert "đọc 5 = nhận 2 + cách ly 3" in text
    assert "read 3 = accepted 2 + quarantined 1" in text
    assert "read 5 = accepted 2 + quarantined 3" in contracts.format_reconciliation(
        result, lang="en"
    )


def test_validation_writes_nothing_to_the_working_folder(tmp_path, monkeypatch):
    folder = clean_copy(tmp_path / "data")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    _validate(folder)
    assert list(work.iterdir()) == []


def _contracts_copy(tmp_path):
    target = tmp_path / "contracts"
    shutil.copytree(DEFAULT_CONTRACTS_DIR, target)
    return target


def test_suite_with_a_dropped_expectation_is_refused(tmp_path):
    target = _contracts_copy(tmp_path)
    path = target / "units.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["expectations"].append(
        {
            "type": "expect_column_values_to_be_nonsense",
            "kwargs": {"column": "code"},
            "meta": {"rule": "missing_value"},
        }
    )
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        _validate(clean_copy(tmp_path / "d"), contracts_dir=target)
    assert "units.json" in info.value.one_line()


def test_suite_expectation_without_a_graded_rule_is_refused(tmp_path):
    target = _contracts_copy(tmp_path)
    path = target / "units.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["expectations"][0]["meta"]["rule"] = "no_such_rule"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        _validate(clean_copy(tmp_path / "d"), contracts_dir=target)
    assert "no_such_rule" in info.value.one_line()


def test_every_rule_in_the_suites_is_graded_and_suites_load_fully():
    from cadre_analytics.ingest.spec import load_contract_spec

    spec = load_contract_spec()
    for table in ("staff", "training_updates", "units"):
        suite, expectations = contracts.load_suite(
            DEFAULT_CONTRACTS_DIR / f"{table}.json", spec.rules
        )
        assert len(suite.expectations) == len(expectations) > 0


def test_validation_leaves_its_input_unchanged(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Ngày sinh", "30/02/1980")  # one row set aside
    raw = read_inputs(folder)
    before = {name: (t.raw.clone(), t.values.clone()) for name, t in raw.tables.items()}
    result = contracts.validate_inputs(raw, 2025, today=TODAY)
    assert result.quarantine.height == 1
    for name, (text, values) in before.items():
        assert raw.tables[name].raw.equals(text), name
        assert raw.tables[name].values.equals(values), name
    # the quarantined row 4 is in the input still: 4 staff rows read, 3 accepted
    assert raw.tables["staff"].values.height == 4 and result.staff.height == 3


def test_quarantined_rows_carry_their_own_staff_id(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Ngày sinh", "30/02/1980")  # row 4 is 002: quarantined
    edit_cell(folder, "staff", 5, "Mã cán bộ", "００３")  # full-width digits, read as 003
    edit_cell(folder, "staff", 5, "Giới tính", "")  # row 5 quarantined too (missing value)
    edit_cell(folder, "training_updates", 2, "Ngày", "31/13/2025")  # training row of 001
    result = _validate(folder)
    assert sorted(result.quarantined_ids.rows()) == [
        ("staff", "staff.csv", 4, "002"),
        ("staff", "staff.csv", 5, "003"),  # normalised like an accepted ID
        ("training_updates", "training_updates.csv", 2, "001"),
    ]
    # the ID stays out of the frames written beside the report
    assert "staff_id" not in result.quarantine.columns


def test_quarantined_row_without_an_id_cell_has_no_id(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 2, "Mã cán bộ", "")  # 001's 2024 row; its 2025 row keeps the ID
    result = _validate(folder)
    assert result.quarantined_ids.rows() == [("staff", "staff.csv", 2, None)]


def test_quarantined_ids_are_written_only_to_restricted(tmp_path):
    import stat

    from cadre_analytics.outputs import read_restricted, write_validation_outputs

    folder = clean_copy(tmp_path / "data")
    edit_cell(folder, "staff", 4, "Ngày sinh", "30/02/1980")
    out = tmp_path / "out"
    write_validation_outputs(_validate(folder), out)
    assert read_restricted(out, "quarantined_ids").rows() == [("staff", "staff.csv", 4, "002")]
    path = out / "restricted" / "quarantined_ids.parquet"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    header = (out / "quarantine.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "staff_id" not in header
