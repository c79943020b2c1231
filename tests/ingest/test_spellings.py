"""The spellings read as another value: listed with the value and the count, never a stop.

Clean fixture (tests/fixtures/ingest/clean): staff rows 2 and 3 (001, Xã Hòa Bắc, Đại học,
Nam), 4 (002, PNV, Thạc sĩ, Nữ), 5 (003, PNV, Đại học, Nữ); unit XA01 "Xã Hòa Bắc" has the
aliases "Hoà Bắc" and "UBND xã Hòa Bắc".
"""

from __future__ import annotations

from cadre_analytics import contracts
from cadre_analytics.ingest import read_inputs
from cadre_analytics.ingest.spec import load_contract_spec
from cadre_analytics.ingest.spellings import normalised_spellings
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR
from tests.ingest.helpers import TODAY, clean_copy, edit_cell


def _spellings(folder) -> list[tuple]:
    frame = normalised_spellings(
        read_inputs(folder).tables, load_contract_spec(DEFAULT_CONTRACTS_DIR)
    )
    return [tuple(r) for r in frame.drop("table").iter_rows()]


def test_the_clean_fixture_needs_no_cleaning(tmp_path):
    # every cell is a value's first spelling, a code or the unit's code or name
    assert _spellings(clean_copy(tmp_path)) == []


def test_synonyms_and_loose_matches_are_listed_with_value_and_count(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Giới tính", "Nư")  # 'nu' without marks -> female
    edit_cell(folder, "staff", 2, "Trình độ chuyên môn", "dai hoc")  # no marks -> university
    edit_cell(folder, "staff", 3, "Trình độ chuyên môn", "dai hoc")
    edit_cell(folder, "staff", 5, "Trình độ chuyên môn", "Đai học")  # mark lost -> university
    edit_cell(folder, "staff", 2, "Lý luận chính trị", "TC LLCT")  # a listed spelling
    edit_cell(folder, "staff", 3, "Đơn vị", "UBND xa Hoa Bac")  # the alias without marks
    edit_cell(folder, "staff", 2, "Đơn vị", "Hoà Bắc")  # an alias as listed
    assert _spellings(folder) == [
        ("Giới tính", "Nư", "Nữ", "female", "loose", 1),
        ("Lý luận chính trị", "TC LLCT", "Trung cấp", "intermediate", "synonym", 1),
        # two cells of 'dai hoc' come first (most cells), then the one 'Đai học'
        ("Trình độ chuyên môn", "dai hoc", "Đại học", "university", "loose", 2),
        ("Trình độ chuyên môn", "Đai học", "Đại học", "university", "loose", 1),
        ("Đơn vị", "Hoà Bắc", "Xã Hòa Bắc", "XA01", "synonym", 1),
        ("Đơn vị", "UBND xa Hoa Bac", "Xã Hòa Bắc", "XA01", "loose", 1),
    ]


def test_the_list_is_a_warning_not_a_stop_and_travels_with_the_result(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 4, "Giới tính", "Nư")
    result = contracts.validate_inputs(read_inputs(folder), 2025, today=TODAY)
    assert result.quarantine.height == 0  # the row is read as Nữ and kept
    assert result.spellings.select("written", "read_as", "cells").rows() == [("Nư", "Nữ", 1)]
