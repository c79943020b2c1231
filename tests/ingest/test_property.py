"""Property: whatever lands in DATA, the loader either loads with read = accepted + quarantined
for every table, or stops with a UserError (one clear line) -- never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadre_analytics import contracts
from cadre_analytics.errors import UserError
from cadre_analytics.ingest import read_inputs
from tests.ingest.helpers import TODAY, clean_copy, read_rows, write_rows

# Hypothesis runs each property on many generated folders: seconds each, so not in the edit loop.
pytestmark = pytest.mark.slow

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    database=None,  # no .hypothesis folder left behind
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Cells mixing valid spellings, near misses, dates in every form, and hostile text.
CELL = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "2025",
            "2024",
            "001",
            "002",
            "x",
            "Không",
            "Nam",
            "Nữ",
            "Nu\u0303",
            "Công chức",
            "Viên chức",
            "Đại học",
            "ThS",
            "Bậc 3",
            "PNV",
            "Xã Hoà Bắc",
            "14/03/1975",
            "31/02/1980",
            "1975",
            "27467",
            "1975-03-14 00:00:00",
            "-1",
            "9" * 30,
            "1e309",
            "NaN",
            "inf",
            "=SUM(A1)",
            "\x00",
            "\u200b",
            "\ud7ff",
            '"',
            "a;b",
            "\n",
            "Lãnh đạo cấp phòng",
            "Cao cấp",
            "2012",
            "1940",
        ]
    ),
    st.text(max_size=12),
)


def _check(folder: Path) -> None:
    try:
        result = contracts.validate_inputs(read_inputs(folder), 2025, today=TODAY)
    except UserError as exc:
        line = exc.one_line()
        assert line.strip() and "\n" not in line  # the CLI prints it as one line
        assert "Traceback" not in line
        return
    for row in result.reconciliation.iter_rows(named=True):
        assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"]
    assert result.staff.height == result.reconciliation.row(1, named=True)["rows_accepted"]
    assert result.quarantine.select(pl.col("source_row").is_not_null().all()).item()


@SETTINGS
@given(
    data=st.binary(max_size=400),
    name=st.sampled_from(["staff.csv", "staff.xlsx", "staff.parquet", "units.csv"]),
)
def test_random_bytes(data, name):
    with tempfile.TemporaryDirectory() as tmp:
        folder = clean_copy(Path(tmp))
        (folder / name.split(".")[0]).with_suffix(".csv").unlink()
        (folder / name).write_bytes(data)
        _check(folder)


# Each example that gets past reading runs the three GX suites (~1.5 s): fewer examples here.
@settings(SETTINGS, max_examples=20)
@given(
    cells=st.lists(st.lists(CELL, min_size=22, max_size=22), min_size=0, max_size=6),
    table=st.sampled_from(["staff", "training_updates", "units"]),
)
def test_random_cells(cells, table):
    with tempfile.TemporaryDirectory() as tmp:
        folder = clean_copy(Path(tmp))
        header = read_rows(folder / f"{table}.csv")[0]
        rows = [[c.replace("\x00", "") for c in r[: len(header)]] for r in cells]
        write_rows(folder / f"{table}.csv", [header, *rows])
        _check(folder)


@settings(SETTINGS, max_examples=10)
@given(data=st.data())
def test_shuffled_and_dropped_columns(data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = clean_copy(Path(tmp))
        rows = read_rows(folder / "staff.csv")
        order = data.draw(st.permutations(range(len(rows[0]))))
        keep = data.draw(st.integers(min_value=len(order) - 3, max_value=len(order)))
        picked = list(order)[:keep]
        write_rows(folder / "staff.csv", [[r[i] for i in picked] for r in rows])
        _check(folder)
