"""Orchestration: typed notebook parameters, atomic publishing, the up-to-date key."""

import json
import os
from pathlib import Path

import pytest

from cadre_analytics import output_folder, pipeline


def _settings(tmp_path: Path, **kw) -> pipeline.RunSettings:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    return pipeline.RunSettings(year=2025, data_dir=data, out_dir=tmp_path / "out", **kw)


def test_notebook_parameters_are_typed(tmp_path):
    settings = _settings(tmp_path)
    params = pipeline.notebook_parameters("01_ingest_validate", settings, tmp_path / "stage")
    assert params["year"] == 2025 and isinstance(params["year"], int)
    assert params["data_dir"] == str((tmp_path / "data").resolve())
    assert params["out_dir"] == str(tmp_path / "stage")
    assert pipeline.notebook_parameters("03_projection", settings, tmp_path)["seed"] == 2025
    assert set(params) == {"out_dir", "year", "lang", "data_dir", "crosswalk"}
    assert params["crosswalk"] == ""  # no crosswalk: the notebook reads the units as written


def test_a_crosswalk_reaches_notebook_01_and_the_run_key(tmp_path):
    crosswalk = tmp_path / "cw.csv"
    crosswalk.write_text("Mã ĐVHC cũ,Tên ĐVHC cũ,Mã ĐVHC mới,Tên ĐVHC mới,Ngày hiệu lực\n")
    plain, given = _settings(tmp_path), _settings(tmp_path, crosswalk=crosswalk)
    params = pipeline.notebook_parameters("01_ingest_validate", given, tmp_path / "stage")
    assert params["crosswalk"] == str(crosswalk.resolve())
    key = pipeline.run_key(plain, [], "p")
    assert pipeline.run_key(given, [], "p") != key
    crosswalk.write_text(crosswalk.read_text() + "1,A,2,B,01/07/2025\n")  # a changed file too
    assert pipeline.run_key(given, [], "p") != pipeline.run_key(
        _settings(tmp_path, crosswalk=crosswalk), [], "q"
    )


def test_a_missing_crosswalk_is_one_line(tmp_path):
    from cadre_analytics.errors import UserError

    with pytest.raises(UserError) as caught:
        pipeline.check_settings(_settings(tmp_path, crosswalk=tmp_path / "none.csv"))
    assert caught.value.where.startswith("CROSSWALK=")


def test_publish_replaces_old_output_only_at_the_end(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("old")
    (out / "manifest.json").write_text(json.dumps({"run_key": "old"}))
    staging = tmp_path / ".out.tmp-1"
    staging.mkdir()
    (staging / "report.html").write_text("new")
    output_folder.publish(staging, out)
    assert (out / "report.html").read_text() == "new"
    assert not staging.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no leftover old copy


def test_failed_run_leaves_previous_output_untouched(tmp_path, monkeypatch):
    settings = _settings(tmp_path, force=True)
    settings.out_dir.mkdir()
    (settings.out_dir / "report.html").write_text("previous report")
    (settings.out_dir / "manifest.json").write_text(json.dumps({"run_key": "earlier"}))

    def failing(name, settings, staging, **_):
        (staging / "half.csv").write_text("half-written")
        raise RuntimeError("kernel died")

    monkeypatch.setattr(pipeline, "execute_notebook", failing)
    try:
        pipeline.run_report(settings)
    except RuntimeError:
        pass
    assert (settings.out_dir / "report.html").read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_up_to_date_key_changes_with_inputs(tmp_path):
    settings = _settings(tmp_path)
    (settings.data_dir / "staff.csv").write_text("a\n1\n")
    first = pipeline.run_key(settings, pipeline.input_fingerprint(settings.data_dir), "p")
    (settings.data_dir / "staff.csv").write_text("a\n2\n")
    second = pipeline.run_key(settings, pipeline.input_fingerprint(settings.data_dir), "p")
    assert first != second
    settings.out_dir.mkdir()
    (settings.out_dir / "report.html").write_text("x")
    (settings.out_dir / "manifest.json").write_text(json.dumps({"run_key": second}))
    assert pipeline.is_up_to_date(settings.out_dir, second)
    assert not pipeline.is_up_to_date(settings.out_dir, first)


def test_relative_paths_reach_the_notebooks_absolute(tmp_path, monkeypatch):
    # Notebooks run with notebooks/ as working directory: a relative OUT would land there.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    settings = pipeline.RunSettings(
        year=2025, data_dir=Path("data"), out_dir=Path("reports/2025"), notebooks=("01",)
    )
    seen = {}

    def record(name, settings, staging, **_):
        seen.update(pipeline.notebook_parameters("01_ingest_validate", settings, staging))
        raise RuntimeError("stop here")

    monkeypatch.setattr(pipeline, "execute_notebook", record)
    try:
        pipeline.run_report(settings)
    except RuntimeError:
        pass
    assert Path(seen["out_dir"]).is_absolute()
    assert Path(seen["out_dir"]).parent == tmp_path / "reports"
    assert seen["data_dir"] == str(tmp_path / "data")


def test_stale_staging_of_a_killed_run_is_removed_but_a_live_one_is_kept(tmp_path):
    out = tmp_path / "out"
    dead = tmp_path / ".out.tmp-dead"
    dead.mkdir()
    (dead / output_folder.STAGING_PID).write_text("999999999")  # no such process
    (dead / "quarantine.csv").write_text("personal rows")
    no_pid = tmp_path / ".out.tmp-nopid"
    no_pid.mkdir()
    old = tmp_path / ".out.old-999999999"
    old.mkdir()
    live = tmp_path / ".out.tmp-live"
    live.mkdir()
    (live / output_folder.STAGING_PID).write_text(str(os.getppid()))  # a running process
    other = tmp_path / ".other.tmp-x"
    other.mkdir()
    removed = output_folder.remove_stale_staging(out)
    assert sorted(p.name for p in removed) == [
        ".out.old-999999999",
        ".out.tmp-dead",
        ".out.tmp-nopid",
    ]
    assert live.exists() and other.exists()


def test_staged_output_publishes_without_the_pid_file(tmp_path):
    out = tmp_path / "out"
    with output_folder.staged_output(out) as staging:
        (staging / "a.csv").write_text("1")
    # the manifest lists what was written, so the next run recognises the folder as its own
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "manifest.json"]
    assert json.loads((out / "manifest.json").read_text())["files"] == ["a.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _notebook(path: Path, *sources: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {
        "name": pipeline.KERNEL_NAME,
        "display_name": "Python",
        "language": "python",
    }
    nbformat.write(nb, str(path))


@pytest.mark.slow
def test_notebook_runs_on_its_own_kernel_in_the_notebooks_folder(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    monkeypatch.setattr(pipeline, "NOTEBOOKS_DIR", notebooks)
    _notebook(
        notebooks / "first.ipynb",
        f"import os\nassert os.getcwd() == {str(notebooks)!r}\nprint('ran')",
    )
    monkeypatch.setattr(pipeline, "notebook_parameters", lambda *_: {})
    staging = tmp_path / "stage"
    pipeline.execute_notebook("first", _settings(tmp_path), staging)
    done = json.loads((staging / "notebooks" / "first.ipynb").read_text(encoding="utf-8"))
    assert done["cells"][-1]["outputs"][0]["text"] == ["ran\n"]


def test_plan_log_line_gives_status_time_and_gap_or_why_there_is_no_plan():
    solves = [
        {"stage": "a", "status": "time_limit", "mip_gap": 0.073, "seconds": 30.0},
        {"stage": "b", "status": "optimal", "mip_gap": 0.0, "seconds": 2.5},
    ]
    # 30 + 2.5 = 32.5 s; the larger gap of the two passes, 7.3 %.
    assert pipeline.plan_log_line(solves) == (
        "Kế hoạch cử đi học / Nomination plan: time_limit, optimal (32.5 s, gap 7.3%)"
    )
    error = [{"stage": "plan", "status": "error", "mip_gap": None, "seconds": 0.0,
              "message": "no year is left"}]  # fmt: skip
    assert pipeline.plan_log_line(error).endswith("none (no year is left)")
    assert pipeline.plan_log_line(None) is None
