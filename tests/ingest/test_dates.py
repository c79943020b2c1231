"""Each date column's day/month order is decided from its own values in one file."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from cadre_analytics.errors import InputStop
from cadre_analytics.ingest import read_inputs
from cadre_analytics.ingest.dates import DAY_FIRST, MONTH_FIRST, column_order, parse_date_expr
from tests.ingest.helpers import clean_copy, edit_cell


def test_a_first_part_over_12_means_day_first():
    found = column_order(pl.Series(["01/02/1980", "25/03/1975", "1975-03-14", None]))
    assert (found.order, found.day_first_example, found.mixed) == (DAY_FIRST, "25/03/1975", False)


def test_a_second_part_over_12_means_month_first():
    found = column_order(pl.Series(["01/02/1980", "03/25/1975"]))
    assert (found.order, found.month_first_example) == (MONTH_FIRST, "03/25/1975")


def test_no_telling_value_reads_day_first_and_impossible_values_are_no_evidence():
    # 13/13 is impossible either way; 01/02 could be either: the national convention holds
    found = column_order(pl.Series(["01/02/1980", "13/13/1980", "1980"]))
    assert (found.order, found.mixed) == (DAY_FIRST, False)


def test_both_kinds_in_one_column_is_mixed():
    assert column_order(pl.Series(["25/03/1975", "03/25/1975"])).mixed


def test_month_first_parse():
    frame = pl.DataFrame({"t": ["03/25/1975", "12/01/1980", "25/03/1975", "1975-03-14"]})
    got = frame.select(parse_date_expr(pl.col("t"), MONTH_FIRST).alias("d"))["d"].to_list()
    # 25/03 read month first has month 25: impossible, never swapped back
    assert got == [date(1975, 3, 25), date(1980, 12, 1), None, date(1975, 3, 14)]


def test_month_first_column_of_one_file_is_read_month_first(tmp_path):
    folder = clean_copy(tmp_path)
    # the clean staff.csv has 14/03/1975 in rows 2-3: replace them so the file is month first
    edit_cell(folder, "staff", 2, "Ngày sinh", "03/14/1975")
    edit_cell(folder, "staff", 3, "Ngày sinh", "03/14/1975")
    edit_cell(folder, "staff", 5, "Ngày sinh", "07/01/1970")  # 1 July read month first
    staff = read_inputs(folder).tables["staff"].values
    assert staff["birth_date"].to_list() == [
        date(1975, 3, 14),
        date(1975, 3, 14),
        date(1980, 1, 1),
        date(1970, 7, 1),
    ]
    # training's own dates (12/06/2025 = 12 June) are still read day first
    training = read_inputs(folder).tables["training_updates"].values
    assert training["date"][1] == date(2025, 6, 12)


def test_both_orders_in_one_column_stop_naming_file_and_column(tmp_path):
    folder = clean_copy(tmp_path)
    edit_cell(folder, "staff", 5, "Ngày sinh", "07/25/1970")  # rows 2-3 say 14/03/1975
    with pytest.raises(InputStop) as stop:
        read_inputs(folder)
    line = stop.value.one_line()
    assert "staff.csv" in line and "Ngày sinh" in line
    assert "14/03/1975" in line and "07/25/1970" in line
