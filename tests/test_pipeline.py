"""Orchestration: typed notebook parameters, atomic publishing, the up-to-date key."""

import json
import os
from pathlib import Path

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
    assert params["cache_dir"] == ""  # no cache unless asked for


def test_cache_folder_reaches_the_notebooks_that_use_it(tmp_path):
    settings = _settings(tmp_path, cache_dir=tmp_path / "c")
    for name in ("01_ingest_validate", "04_report"):
        assert pipeline.notebook_parameters(name, settings, tmp_path)["cache_dir"] == str(
            tmp_path / "c"
        )
    assert "cache_dir" not in pipeline.notebook_parameters("02_indicators", settings, tmp_path)
    # the cache never changes a result, so it is not part of what makes two runs identical
    plain = pipeline.run_key(_settings(tmp_path), [], "p")
    assert pipeline.run_key(settings, [], "p") == plain


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


def test_imports_of_a_notebook_are_found_in_order(tmp_path):
    _notebook(tmp_path / "a.ipynb", "import sys\nx = 1", "from pathlib import Path\nprint(x)")
    assert pipeline.notebook_imports(tmp_path / "a.ipynb") == [
        "import sys",
        "from pathlib import Path",
    ]


def test_kernel_started_ahead_has_its_imports_done_and_is_shut_down(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    monkeypatch.setattr(pipeline, "NOTEBOOKS_DIR", notebooks)
    # colorsys is imported by nothing else: seen before cell 2 only if the kernel pre-imported it
    _notebook(
        notebooks / "first.ipynb",
        "import os\nimport sys\n"
        "assert 'colorsys' in sys.modules, 'not imported ahead'\n"
        f"assert os.getcwd() == {str(notebooks)!r}",
        "import colorsys",
    )
    settings = _settings(tmp_path)
    staging = tmp_path / "stage"
    pool = pipeline.KernelPool(staging / "notebooks" / "kernel.log")
    try:
        pool.start("first")
        manager = pool._kernels["first"]
        pipeline.execute_notebook("first", settings, staging, kernels=pool)
        assert (staging / "notebooks" / "first.ipynb").exists()
        assert pool.take("first") is None  # taken and used
        from jupyter_core.utils import run_sync

        assert not run_sync(manager.is_alive)()  # shut down after its notebook
    finally:
        pool.close()


def test_papermill_loads_without_the_optional_iri_checker():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from cadre_analytics import pipeline\n"
        "pipeline.skip_optional_iri_checker()\n"
        "import papermill, nbformat, jsonschema\n"
        "assert sys.modules['rfc3987_syntax'] is None\n"
        "nb = nbformat.v4.new_notebook()\n"
        "nbformat.validate(nb)\n"  # notebooks still validate against their schema
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr
