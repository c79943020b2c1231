"""Where a notebook opened on its own writes, and which earlier stages it runs first."""

from __future__ import annotations

from pathlib import Path

import pytest

from cadre_analytics import workspace


@pytest.fixture
def calls(monkeypatch, tmp_path):
    """Stage runners replaced by a log of (stage, folder): these tests check the order only."""
    log: list[tuple[str, Path]] = []
    monkeypatch.setenv(workspace.LAB_DIR_VARIABLE, str(tmp_path / "lab"))
    fakes = {
        stage: (lambda folder, year, lang, seed, stage=stage: log.append((stage, folder)))
        for stage in workspace.RUNNERS
    }
    monkeypatch.setattr(workspace, "RUNNERS", fakes)
    return log


def test_a_given_folder_is_used_as_it_is(calls, tmp_path):
    assert workspace.scratch(str(tmp_path / "out"), "03_projection", 2025) == tmp_path / "out"
    assert calls == []


def test_the_first_notebook_needs_nothing_before_it(calls, tmp_path):
    assert workspace.scratch("", "01_ingest_validate", 2025) == tmp_path / "lab"
    assert calls == []
    assert (tmp_path / "lab").is_dir()


def test_an_empty_scratch_folder_gets_every_earlier_stage_in_order(calls, tmp_path, capsys):
    workspace.scratch("", "04_report", 2025)
    lab = tmp_path / "lab"
    assert calls == [
        ("01_ingest_validate", lab),
        ("02_indicators", lab),
        ("03_projection", lab),
        ("05_plan", lab),  # the report reads the plan's tables: it runs before 04
    ]
    assert capsys.readouterr().out.count("\n") == 1  # one line says so


def test_stages_already_in_the_scratch_folder_are_not_run_again(calls, tmp_path):
    lab = tmp_path / "lab"
    (lab / "restricted").mkdir(parents=True)
    (lab / "restricted" / "units.parquet").write_bytes(b"")  # notebook 01 finished here
    workspace.scratch("", "03_projection", 2025)
    assert calls == [("02_indicators", lab)]


def test_data_folder_defaults_to_the_bundled_sample():
    assert workspace.data_folder("") == workspace.SAMPLE_DATA_DIR
    assert (workspace.SAMPLE_DATA_DIR / "sample_district.xlsx").exists()
    assert workspace.data_folder("mine") == Path("mine")
