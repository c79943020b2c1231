"""End to end: the real `make report` path (CLI -> papermill -> nbconvert) on a tiny district.

The fixture (tests/fixtures/e2e_district) is hand-built; every expected number below is worked
out by hand from the rules in params/quotas.yaml, with the arithmetic in the comment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "e2e_district"

pytestmark = pytest.mark.e2e

# indicator -> (numerator, denominator) for the whole district (unit ALL) in 2025.
# D-CCS 2025 = ZQX90001, 02 (civil servants), 03 (cadre); 04 is contract staff, never counted.
# D-PE 2025 = ZQX90005, 06, 07. C-CCS 2025 = ZQX90008, 09 (X01), 10, 11 (X02).
EXPECTED_2025 = {
    "d_university": (3, 3),  # 01 university, 02 master, 03 university
    "d_postgraduate": (1, 3),  # only 02 (master)
    "d_key_postgraduate": (0, 1),  # the one key leader (01) holds a university degree
    "d_pt_intermediate": (2, 3),  # 01 advanced + 02 intermediate (cumulative); 03 elementary
    "d_pt_advanced": (1, 3),  # 01
    "d_annual_update": (1, 3),  # 01 has law+SM+ethics in 2025; 02 only law in 2025; 03 none
    "d_planned_qualified": (0, 1),  # 03 is planned: SM specialist ok, political theory elementary
    "d_pe_fit": (2, 3),  # 05 and 06 marked x; 07 left empty -> false
    "d_pe_postgraduate": (1, 3),  # 06 master
    "d_lead_international": (1, 1),  # 01, district leadership, B2
    "d_division_international": (0, 1),  # 02, division leadership, B1 < B2
    "c_university": (3, 4),  # 08 university, 10 master, 11 university; 09 intermediate
    "c_postgraduate": (1, 4),  # 10 (upgraded to master in 2025)
    "c_pt_intermediate": (3, 4),  # 08 Trung cấp, 10 Cao cấp (cumulative), 11 "TC LLCT"
    "c_pt_advanced": (1, 4),  # 10
    "c_annual_update": (1, 4),  # 08 has all three topics in 2025
    "c_it_use": (3, 4),  # 08, 10, 11 marked x; 09 empty
    "o_pe_headcount": (3, 4),  # D-PE 2025 = 3 / D-PE 2021 = 4 (ZQX90012 left after 2021)
}
# (indicator, target_year) -> people short, by hand
EXPECTED_GAPS = {
    ("d_key_postgraduate", 2025): 1,  # 40% of 1 -> 1 person
    ("d_annual_update", 2025): 2,  # 100% of 3 -> 3, have 1
    ("d_division_international", 2030): 1,  # > 30% of 1 -> 1
    ("c_university", 2025): 0,  # 75% >= 70%
    ("c_university", 2030): 1,  # 90% of 4 = 3.6 -> 4 people, have 3
    ("c_it_use", 2025): 1,
    ("o_pe_headcount", 2025): 0,  # 75% <= 90%
}
PERSONAL_VALUES = [
    "Zephyrine",
    "Oksana",
    "Xerxes",
    "Wilhelmina",
    "Brểu",
    "Quinlan",
    "Percival",
    "ZQX9000",
    "14/03/1975",
    "1975-03-14",
    "1985-06-02",
    "05/05/1970",
    "1970-05-05",
]


def _make_report(data: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "report", "YEAR=2025", f"DATA={data}", f"OUT={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "REPORT_LANG": "vi"},
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("data")
    for path in FIXTURE.glob("*.csv"):
        shutil.copy(path, data / path.name)
    return data


@pytest.fixture(scope="module")
def report_run(tmp_path_factory, data_dir) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("e2e") / "out"
    done = _make_report(data_dir, out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out, done


@pytest.fixture(scope="module")
def report_dir(report_run) -> Path:
    return report_run[0]


def test_terminal_shows_only_the_one_line_result(report_run):
    # no kernel transport notices or shutdown noise reach the user's terminal
    done = report_run[1]
    assert done.stderr == ""
    assert done.stdout.strip().splitlines()[-1].startswith("Đã tạo báo cáo / Report written:")


def _indicators(report_dir: Path) -> pl.DataFrame:
    return pl.read_csv(report_dir / "indicators.csv", infer_schema_length=None)


def test_report_and_audit_notebooks_are_written(report_dir):
    assert (report_dir / "report.html").stat().st_size > 10_000
    for name in ("01_ingest_validate", "02_indicators", "03_projection", "05_plan", "04_report"):
        assert (report_dir / "notebooks" / f"{name}.ipynb").exists()
    for name in ("indicators.csv", "breakdowns.csv", "projection.csv", "manifest.json"):
        assert (report_dir / name).exists(), name
    # The plan ran: its tables are beside the report, the named list only in restricted/.
    for name in ("plan_outcome.csv", "plan_bottlenecks.csv", "plan_solver.csv"):
        assert (report_dir / name).exists(), name
    assert (report_dir / "restricted" / "plan_nominations.csv").exists()
    assert 'id="plan"' in (report_dir / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("indicator", sorted(EXPECTED_2025))
def test_district_values_match_hand_computation(report_dir, indicator):
    table = _indicators(report_dir).filter(
        (pl.col("indicator") == indicator) & (pl.col("unit") == "ALL") & (pl.col("year") == 2025)
    )
    assert table.height >= 1, f"no 2025 row for {indicator}"
    numerator, denominator = EXPECTED_2025[indicator]
    assert table["numerator"].to_list()[0] == numerator
    assert table["denominator"].to_list()[0] == denominator
    assert table["share"].to_list()[0] == pytest.approx(numerator / denominator)


@pytest.mark.parametrize(("indicator", "target_year"), sorted(EXPECTED_GAPS))
def test_people_short_match_hand_computation(report_dir, indicator, target_year):
    row = _indicators(report_dir).filter(
        (pl.col("indicator") == indicator)
        & (pl.col("unit") == "ALL")
        & (pl.col("year") == 2025)
        & (pl.col("target_year") == target_year)
    )
    assert row["gap_persons"].to_list() == [EXPECTED_GAPS[(indicator, target_year)]]


def test_each_commune_has_its_own_row(report_dir):
    rows = _indicators(report_dir).filter(
        (pl.col("indicator") == "c_university")
        & (pl.col("year") == 2025)
        & (pl.col("target_year") == 2025)
    )
    shares = dict(zip(rows["unit"].to_list(), rows["numerator"].to_list(), strict=True))
    # X01: 08 university, 09 intermediate -> 1 of 2; X02: 10 master, 11 university -> 2 of 2
    assert shares["X01"] == 1 and shares["X02"] == 2 and shares["ALL"] == 3


def test_no_personal_data_in_the_report(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    for value in PERSONAL_VALUES:
        assert value not in html, f"personal value {value!r} leaked into report.html"


def test_report_is_self_contained(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", html)
    assert "<script src=" not in html


def test_second_run_is_up_to_date(report_dir, data_dir):
    done = _make_report(data_dir, report_dir)
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
