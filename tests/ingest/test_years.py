"""The cheap look at the snapshot years before a run: a YEAR without rows stops at once."""

from __future__ import annotations

import time

import openpyxl
import pytest

from cadre_analytics import cli, pipeline
from cadre_analytics.errors import InputStop
from cadre_analytics.ingest.years import snapshot_years, stop_unless_year_present
from tests.ingest.helpers import clean_copy, read_rows, write_rows


def test_years_of_the_clean_fixture(tmp_path):
    # staff.csv holds one 2024 row and three 2025 rows.
    years, files = snapshot_years(clean_copy(tmp_path))
    assert years == [2024, 2025]
    assert files == ["staff.csv"]


def test_years_from_a_workbook_with_a_title_above_the_header(tmp_path):
    rows = read_rows(clean_copy(tmp_path / "csv") / "staff.csv")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "staff"
    ws.append(["Danh sách cán bộ năm 2023"])  # a title row: not a year of any record
    ws.append([])
    for row in rows:
        ws.append(row)
    folder = tmp_path / "xlsx"
    folder.mkdir()
    wb.save(folder / "du_lieu.xlsx")
    assert snapshot_years(folder) == ([2024, 2025], ["du_lieu.xlsx [staff]"])


def test_year_column_found_by_its_synonym_and_read_like_the_full_read(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    rows[0][0] = "Năm số liệu"  # a synonym in data_contracts/columns.yaml
    rows[1][0] = " 2023 "  # padded text, cleaned as in the full read
    rows[2][0] = "hai nghìn"  # unreadable: not a year (the full read quarantines it)
    write_rows(folder / "staff.csv", rows)
    assert snapshot_years(folder)[0] == [2023, 2025]


def test_missing_year_stops_naming_the_years_present(tmp_path):
    folder = clean_copy(tmp_path)
    with pytest.raises(InputStop) as stop:
        stop_unless_year_present(2030, folder)
    line = stop.value.one_line()
    assert "years present: 2024, 2025" in line and "2030" in line and "staff.csv" in line
    stop_unless_year_present(2024, folder)  # a year with a row: no stop


def test_files_it_cannot_look_at_are_left_to_the_full_read(tmp_path):
    folder = clean_copy(tmp_path)
    rows = read_rows(folder / "staff.csv")
    write_rows(folder / "staff.csv", [[c for c in r[1:]] for r in rows])  # no year column
    assert snapshot_years(folder) is None
    stop_unless_year_present(2030, folder)  # the full read names the missing column


def test_report_stops_before_any_notebook_runs(tmp_path, monkeypatch, capsys):
    def never(*_args, **_kw):
        raise AssertionError("a notebook started")

    monkeypatch.setattr(pipeline, "execute_notebook", never)
    folder = clean_copy(tmp_path / "data")
    started = time.perf_counter()
    code = cli.main(
        ["report", "--year", "2030", "--data", str(folder), "--out", str(tmp_path / "o")]
    )
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err
    assert code == cli.EXIT_USER_ERROR
    assert err.count("LỖI / ERROR") == 1 and "years present: 2024, 2025" in err
    assert elapsed < 5  # in-process, imports done: a fraction of a second; generous under load
    assert not (tmp_path / "o").exists()


def test_years_from_a_parquet_file(tmp_path):
    import polars as pl

    folder = clean_copy(tmp_path / "csv")
    rows = read_rows(folder / "staff.csv")
    (folder / "staff.csv").unlink()
    frame = pl.DataFrame({h: [r[i] for r in rows[1:]] for i, h in enumerate(rows[0])})
    frame.with_columns(pl.col("Năm báo cáo").cast(pl.Int32)).write_parquet(folder / "staff.parquet")
    assert snapshot_years(folder) == ([2024, 2025], ["staff.parquet"])
