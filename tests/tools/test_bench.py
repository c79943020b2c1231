"""Smoke tests of the bench helpers. Nothing here is timed."""

from __future__ import annotations

import json

import pytest

from tools import bench, synth
from tools.bench import measure


def test_peak_rss_sees_an_allocation_and_resets():
    rss = bench.PeakRss(on_guard=None)
    try:
        rss.reset()
        block = bytearray(200 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])  # touch every page so it is resident
        during = rss.peak_mib()
        del block
        rss.reset()
        after = rss.peak_mib()
    finally:
        rss.close()
    assert during - after >= 150  # 200 MiB were resident, then released


def test_plan_skips_uses_cost_per_row_of_the_largest_smaller_size():
    # 40,000 staff x 5 years = 200,000 rows; projection 100 us/row.
    results = {
        "sizes": {
            "40000": {
                "stages": {
                    "stages": {
                        "read": {"seconds": 2.0, "peak_rss_mib": 1, "us_per_row": 10.0},
                        "projection": {"seconds": 20.0, "peak_rss_mib": 1, "us_per_row": 100.0},
                        "charts": {"seconds": 1.0, "peak_rss_mib": 1, "us_per_row": 5.0},
                    }
                }
            }
        }
    }
    # 1,000,000 staff = 5,000,000 rows: read 10 * 1.3 * 5 = 65 s, projection 650 s, charts
    # 32.5 s: 747.5 s in all.
    assert bench.plan_skips(results, 1_000_000, available=800.0) == {}
    skip = bench.plan_skips(results, 1_000_000, available=600.0)
    assert set(skip) == {"projection", "charts"}
    assert "650 s" in skip["projection"] and "535 s left" in skip["projection"]
    assert bench.plan_skips(results, 3_000, available=1.0) == {}  # nothing smaller measured


def test_summary_ratios_and_growth():
    stages = {
        name: {"seconds": 1.0, "peak_rss_mib": 100.0, "us_per_row": 4.0} for name in bench.STAGES
    }
    big = {name: dict(v, us_per_row=2.0) for name, v in stages.items()}
    results = {
        "floor_notebooks": {
            "seconds": 6.0,
            "notebooks": 4,
            "papermill_seconds": 5.0,
            "nbconvert_seconds": 1.0,
        },  # fmt: skip
        "sizes": {
            "40000": {
                "floor_read": {"seconds": 2.0},
                "stages": {"stages": stages, "sections_html_bytes": 1000},
                "report": {"cold": {"seconds": 24.0}, "html_bytes": 5000},
            },
            "2500000": {
                "floor_read": {"seconds": 4.0},
                "stages": {"stages": big},
                "report": {"skipped": "no"},
            },  # fmt: skip
        },
    }
    summary = bench.summarise(results)
    assert summary["overhead_ratio"] == {"40000": {"cold": 3.0}}  # 24 / (2 + 6)
    assert summary["per_row_growth"]["validate"] == {"40000": 4.0, "2500000": 2.0, "ratio": 0.5}
    assert summary["html_bytes"] == {"40000": 5000}
    # a stage missing at 2.5M (stopped there) is compared at the largest size that has it
    results["sizes"]["1000000"] = {"stages": {"stages": {"validate": {"us_per_row": 3.0}}}}
    del big["validate"]
    summary = bench.summarise(results)
    assert summary["per_row_growth"]["validate"] == {"40000": 4.0, "1000000": 3.0, "ratio": 0.75}
    text = bench.table(results)
    assert "validate" in text and "2,500,000" in text


@pytest.fixture()
def tiny_data(tmp_path, monkeypatch):
    monkeypatch.setattr(measure, "DATA_DIR", tmp_path / "data")
    monkeypatch.setattr(measure, "OUT_DIR", tmp_path / "out")
    synth.write_generated(
        bench.data_dir_for(200), people=200, years=bench.YEARS, seed=3, fmt="parquet", dirt=False
    )
    return tmp_path


@pytest.mark.slow
def test_stage_worker_runs_the_real_stages_on_200_people(tiny_data):
    path = tiny_data / "stages.json"
    skip = {"projection": "not in this test", "charts": "not in this test"}
    bench.run_stages(200, path, skip)
    found = json.loads(path.read_text(encoding="utf-8"))
    stages = found["stages"]
    for name in ("read", "normalise", "validate", "write_outputs", "indicators"):
        assert stages[name]["seconds"] >= 0 and stages[name]["peak_rss_mib"] > 0, name
    assert stages["projection"] == {"skipped": "not in this test"}
    assert found["accepted_staff_rows"] == 200 * 5  # clean data: every row accepted
    assert found["finished"] is True
    floor = bench.run_floor_read(200)
    assert floor["rows"] > 1000  # staff rows plus training and units


def test_targets_read_the_measured_numbers():
    results = {
        "bench_seconds": 700.0,
        "sizes": {
            "3000": {"floor_seconds": 4.0, "report": {"cold": {"seconds": 9.0}}},
            "80000": {
                "report": {"cold": {"seconds": 50.0}, "kernel_peak_rss_mib": 1024},
                "stages": {"stages": {"validate": {"peak_rss_mib": 5 * 1024}}},
            },
            "2500000": {
                "report": {
                    "cold": {"seconds": 130.0},
                    "newest_changed": {"seconds": 25.0},
                    "kernel_peak_rss_mib": 6 * 1024,
                },
                "stages": {"stages": {"read": {"peak_rss_mib": 9 * 1024}}},
            },
        },
    }
    summary = {"html_bytes": {"3000": 800_000, "40000": 810_000}}
    found = bench.targets(results, summary)
    assert found["district_cold<=1.5x_floor"] == {"value": 2.25, "met": False}  # 9 / 4
    assert found["province_cold_s<=60"] == {"value": 50.0, "met": True}
    assert found["province_peak_rss_GiB<=4"] == {"value": 5.0, "met": False}  # stage peak 5 GiB
    assert found["national_cold_s<=120"] == {"value": 130.0, "met": False}
    assert found["national_peak_rss_GiB<=8"] == {"value": 9.0, "met": False}  # stage peak 9 GiB
    assert found["national_newest_year_changed_s<=30"] == {"value": 25.0, "met": True}
    assert found["bench_s<900"] == {"value": 700.0, "met": True}
    assert found["html_bytes_spread"] == {"value": [800_000, 810_000]}
    assert bench.targets({"sizes": {}}, {"html_bytes": {}})["national_cold_s<=120"]["met"] is None
    # a stage stopped by the 10 GiB memory guard: the peak was at least the guard
    stopped = {"sizes": {"2500000": {"stages": {"stopped": "guard", "stages": {}}}}}
    found = bench.targets(stopped, {"html_bytes": {}})["national_peak_rss_GiB<=8"]
    assert found == {"value": 10.0, "met": False}


def test_newest_year_changed_copies_all_but_the_newest_staff_file(tmp_path, monkeypatch):
    import polars as pl

    monkeypatch.setattr(measure, "DATA_DIR", tmp_path / "data")
    monkeypatch.setattr(measure, "OUT_DIR", tmp_path / "out")
    source = bench.data_dir_for(10)
    source.mkdir(parents=True)
    for year in (2024, 2025):
        pl.DataFrame({"id": [f"{year}-{i}" for i in range(200)]}).write_parquet(
            source / f"staff_{year}.parquet"
        )
    (source / "units.parquet").write_bytes(b"units")
    changed = bench.newest_year_changed(10)
    assert (changed / "units.parquet").read_bytes() == b"units"
    assert (changed / "staff_2024.parquet").read_bytes() == (
        source / "staff_2024.parquet"
    ).read_bytes()
    newest = pl.read_parquet(changed / "staff_2025.parquet")
    assert newest.height == 198  # the last 1 % (2 of 200) left
    assert newest["id"].to_list() == [f"2025-{i}" for i in range(198)]
