"""The per-file ingest cache: a file whose bytes, contracts and unit names are unchanged is not
read again, and what comes back is exactly what reading it gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import cadre_analytics.ingest as ingest
from cadre_analytics.cache import open_cache
from cadre_analytics.errors import InputStop
from cadre_analytics.ingest import read_inputs
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR
from tests.ingest.helpers import clean_copy, read_rows, write_rows


def _split_years(folder: Path) -> Path:
    """staff.csv -> staff_2024.csv + staff_2025.csv (one file per snapshot year)."""
    rows = read_rows(folder / "staff.csv")
    for year in ("2024", "2025"):
        write_rows(folder / f"staff_{year}.csv", [rows[0], *(r for r in rows[1:] if r[0] == year)])
    (folder / "staff.csv").unlink()
    return folder


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return _split_years(clean_copy(tmp_path / "data"))


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """Labels of the sources actually read and parsed (not served from the cache)."""
    seen: list[str] = []
    read_cells, parse_table = ingest.read_cells, ingest.parse_table

    def counting_read(source, spec):
        seen.append(source.label)
        return read_cells(source, spec)

    def counting_parse(raw, table, spec, units=None):
        seen.append(f"parse {table.name}")
        return parse_table(raw, table, spec, units)

    monkeypatch.setattr(ingest, "read_cells", counting_read)
    monkeypatch.setattr(ingest, "parse_table", counting_parse)
    return seen


def _same(a, b) -> None:
    """Two RawInputs hold the same tables (raw compared as text) and the same file list."""
    assert a.tables.keys() == b.tables.keys()
    for name in a.tables:
        x, y = a.tables[name], b.tables[name]
        assert_frame_equal(x.values, y.values)
        assert_frame_equal(x.check, y.check)
        assert_frame_equal(x.raw.cast(pl.Utf8), y.raw.cast(pl.Utf8))
        assert_frame_equal(x.headers, y.headers)
        assert_frame_equal(x.ignored, y.ignored)
    assert_frame_equal(a.input_files, b.input_files)


def test_second_read_of_unchanged_files_comes_from_the_cache(data, tmp_path, counted):
    cache = open_cache(tmp_path / "cache")
    uncached = read_inputs(data)
    counted.clear()
    first = read_inputs(data, cache=cache)
    # 4 files (units, staff_2024, staff_2025, training_updates), each read and parsed once
    assert sorted(c for c in counted if not c.startswith("parse")) == [
        "staff_2024.csv",
        "staff_2025.csv",
        "training_updates.csv",
        "units.csv",
    ]
    assert len([c for c in counted if c.startswith("parse")]) == 4
    counted.clear()
    second = read_inputs(data, cache=open_cache(tmp_path / "cache"))
    assert counted == []  # nothing read, nothing parsed
    _same(second, uncached)
    _same(first, uncached)
    # the clean fixture: 2 units; staff 1 row in 2024, 3 in 2025; 3 training rows
    assert second.tables["staff"].values["snapshot_year"].to_list() == [2024, 2025, 2025, 2025]
    assert second.tables["staff"].values["unit"].to_list() == ["XA01", "XA01", "PNV", "PNV"]
    assert second.input_files["rows"].to_list() == [2, 1, 3, 3]


def test_changing_one_file_rereads_only_that_file(data, tmp_path, counted):
    read_inputs(data, cache=open_cache(tmp_path / "cache"))
    rows = read_rows(data / "staff_2025.csv")
    rows[1][rows[0].index("Trình độ chuyên môn")] = "Thạc sĩ"
    write_rows(data / "staff_2025.csv", rows)
    counted.clear()
    again = read_inputs(data, cache=open_cache(tmp_path / "cache"))
    assert counted == ["staff_2025.csv", "parse staff"]
    staff = again.tables["staff"].values  # 001 in 2024 kept; 001 in 2025 now a master
    assert staff["education"].to_list() == ["university", "master", "master", "university"]
    _same(again, read_inputs(data))


def test_renaming_a_file_rereads_it_because_rows_name_their_file(data, tmp_path, counted):
    read_inputs(data, cache=open_cache(tmp_path / "cache"))
    (data / "staff_2025.csv").rename(data / "staff_2025_v2.csv")
    counted.clear()
    again = read_inputs(data, cache=open_cache(tmp_path / "cache"))
    assert counted == ["staff_2025_v2.csv", "parse staff"]
    assert again.tables["staff"].values["_source_file"].to_list() == [
        "staff_2024.csv",
        "staff_2025_v2.csv",
        "staff_2025_v2.csv",
        "staff_2025_v2.csv",
    ]


def test_changing_unit_names_reparses_staff_but_not_training(data, tmp_path, counted):
    read_inputs(data, cache=open_cache(tmp_path / "cache"))
    rows = read_rows(data / "units.csv")
    rows[1][rows[0].index("Tên đơn vị")] = "Xã Hòa Nam"  # staff still say "Xã Hòa Bắc"
    rows[1][rows[0].index("Tên khác")] = ""
    write_rows(data / "units.csv", rows)
    counted.clear()
    again = read_inputs(data, cache=open_cache(tmp_path / "cache"))
    assert sorted(c for c in counted if not c.startswith("parse")) == [
        "staff_2024.csv",
        "staff_2025.csv",
        "units.csv",
    ]
    # "Xã Hòa Bắc" no longer names a unit: unparsed, marked in check with the user's text
    assert again.tables["staff"].values["unit"].to_list() == [None, None, "PNV", "PNV"]
    check = again.tables["staff"].check["unit"].to_list()
    assert check == ["!Xã Hòa Bắc", "!Xã Hòa Bắc", "PNV", "PNV"]


def test_editing_a_contract_file_invalidates_every_entry(data, tmp_path, counted):
    contracts = tmp_path / "contracts"
    shutil.copytree(DEFAULT_CONTRACTS_DIR, contracts)
    read_inputs(data, contracts, cache=open_cache(tmp_path / "cache"))
    vocab = contracts / "vocabularies.yaml"
    text = vocab.read_text(encoding="utf-8")
    assert '"Đại học chính quy"' in text
    new = text.replace('"Đại học chính quy"', '"Đại học chính quy", "Đại học từ xa"', 1)
    vocab.write_text(new, encoding="utf-8")
    counted.clear()
    again = read_inputs(data, contracts, cache=open_cache(tmp_path / "cache"))
    assert sorted(c for c in counted if not c.startswith("parse")) == [
        "staff_2024.csv",
        "staff_2025.csv",
        "training_updates.csv",
        "units.csv",
    ]
    _same(again, read_inputs(data, contracts))
    # and the new synonym is used: a 2024 cell spelled that way is now a university degree
    rows = read_rows(data / "staff_2024.csv")
    rows[1][rows[0].index("Trình độ chuyên môn")] = "Đại học từ xa"
    write_rows(data / "staff_2024.csv", rows)
    staff = read_inputs(data, contracts, cache=open_cache(tmp_path / "cache")).tables["staff"]
    assert staff.values["education"][0] == "university"


@pytest.mark.parametrize("kind", ["parquet", "json"])
def test_a_damaged_cache_entry_is_a_miss(data, tmp_path, counted, kind):
    cache_dir = tmp_path / "cache"
    read_inputs(data, cache=open_cache(cache_dir))
    entries = sorted((cache_dir / "ingest").glob(f"*.{kind}"))
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:40])  # truncated, as by a full disk
    counted.clear()
    again = read_inputs(data, cache=open_cache(cache_dir))
    assert sorted(c for c in counted if not c.startswith("parse")) == [
        "staff_2024.csv",
        "staff_2025.csv",
        "training_updates.csv",
        "units.csv",
    ]
    _same(again, read_inputs(data))
    counted.clear()
    read_inputs(data, cache=open_cache(cache_dir))  # the damaged entries were replaced
    assert counted == []


def test_an_entry_with_other_columns_is_a_miss(data, tmp_path, counted):
    cache_dir = tmp_path / "cache"
    read_inputs(data, cache=open_cache(cache_dir))
    for entry in (cache_dir / "ingest").glob("*.parquet"):
        pl.DataFrame({"x": [1]}).write_parquet(entry)
    counted.clear()
    _same(read_inputs(data, cache=open_cache(cache_dir)), read_inputs(data))
    assert "staff_2025.csv" in counted


def test_a_file_that_stops_is_never_cached(data, tmp_path, counted):
    cache_dir = tmp_path / "cache"
    rows = read_rows(data / "staff_2025.csv")
    column = rows[0].index("Mã cán bộ")  # a required column
    write_rows(data / "staff_2025.csv", [[c for i, c in enumerate(r) if i != column] for r in rows])
    with pytest.raises(InputStop) as stop:
        read_inputs(data, cache=open_cache(cache_dir))
    assert "staff_2025.csv" in stop.value.where
    assert counted == [
        "units.csv",
        "parse units",
        "staff_2024.csv",
        "parse staff",
        "staff_2025.csv",
    ]
    counted.clear()
    with pytest.raises(InputStop) as again:
        read_inputs(data, cache=open_cache(cache_dir))
    # the good files come from the cache; the bad one is read (and stops) again
    assert counted == ["staff_2025.csv"]
    assert again.value.one_line() == stop.value.one_line()
    assert len(list((cache_dir / "ingest").glob("*.parquet"))) == 2  # units, staff_2024


def test_no_cache_and_an_unwritable_cache_work_like_before(data, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    _same(read_inputs(data, cache=open_cache(blocked / "cache")), read_inputs(data))
    _same(read_inputs(data, cache=None), read_inputs(data))


def test_check_is_rebuilt_from_values_and_text_exactly_as_parsing_gives_it(data, monkeypatch):
    """``TableData.check`` is not held; rebuilt on access it equals what parse_table produced,
    unparsed cells included."""
    rows = read_rows(data / "staff_2025.csv")
    header = rows[0]
    rows[1][header.index("Ngày sinh")] = "31/02/1980"  # impossible date
    rows[1][header.index("Giới tính")] = "Khác"  # not in the vocabulary
    rows[1][header.index("Cán bộ chủ chốt")] = "có lẽ"  # not a yes/no spelling
    rows[2][header.index("Năm tốt nghiệp dự kiến")] = "2026.0"  # Excel's number as text
    write_rows(data / "staff_2025.csv", rows)
    parsed = []
    original = ingest.parse_table

    def keep(raw, table, spec, units=None):
        values, check = original(raw, table, spec, units)
        parsed.append((table.name, check))
        return values, check

    monkeypatch.setattr(ingest, "parse_table", keep)
    staff = read_inputs(data).tables["staff"]
    expected = pl.concat([check for name, check in parsed if name == "staff"])
    assert_frame_equal(staff.check, expected)
    row = staff.check.filter(pl.col("_source_file") == "staff_2025.csv").row(0, named=True)
    assert row["birth_date"] == "!31/02/1980"
    assert row["gender"] == "!Khác"
    assert row["key_leader"] == "!có lẽ"
    assert row["snapshot_year"] == "2025"
    second = staff.check.filter(pl.col("_source_file") == "staff_2025.csv").row(1, named=True)
    assert second["studying_education_until"] == "2026"
    assert second["key_leader"] == "false"  # empty means no (columns.yaml: empty: false)
