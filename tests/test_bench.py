"""Smoke tests of the bench helpers (issue 7). Nothing here is timed."""

from __future__ import annotations

import json

import pytest

from cadre_analytics import bench, synth


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
    text = bench.table(results)
    assert "validate" in text and "2,500,000" in text


@pytest.fixture()
def tiny_data(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "DATA_DIR", tmp_path / "data")
    monkeypatch.setattr(bench, "OUT_DIR", tmp_path / "out")
    synth.write_generated(
        bench.data_dir_for(200), people=200, years=bench.YEARS, seed=3, fmt="parquet", dirt=False
    )
    return tmp_path


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
