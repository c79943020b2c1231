"""Reliability: a killed run leaves the old report, two runs give the same bytes, read-only DATA
works, and nothing from an input file is executed or reaches HTML unescaped.

The end-to-end tests share one module-scoped set of runs (a full report costs 60-100 s here):
a run killed half-way into an OUT that holds an old report, then a full run into that same OUT,
then a full run into a second OUT for the byte comparison.  The DATA they read is a read-only
copy of the tiny e2e district with ``<script>`` in a unit name.
"""

from __future__ import annotations

import ast
import csv
import filecmp
import hashlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from cadre_analytics import cli

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cadre_analytics"
E2E_FIXTURE = ROOT / "tests" / "fixtures" / "e2e_district"
CLEAN_FIXTURE = ROOT / "tests" / "fixtures" / "ingest" / "clean"
BAD_INPUTS = ROOT / "tests" / "bad_inputs"
SCRIPT = "<script>alert('x')</script>"
OLD_REPORT = "<html><body>OLD REPORT 2024 — must survive a failed run</body></html>"


def _tree(folder: Path) -> dict[str, tuple[int, str]]:
    """Relative path -> (mode, sha256) of every file and folder: what 'untouched' means."""
    found = {}
    for path in sorted(folder.rglob("*")):
        mode = stat.S_IMODE(path.stat().st_mode)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        found[str(path.relative_to(folder))] = (mode, digest)
    return found


def _make_read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        os.chmod(path, mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)


def _staging_folders(parent: Path, out_name: str) -> list[Path]:
    return sorted(parent.glob(f".{out_name}.tmp-*"))


# --- (c) read-only DATA, (d) permissions and escaping on the validate path -------------------


@pytest.fixture
def read_only_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(CLEAN_FIXTURE, data)
    units = data / "units.csv"
    rows = list(csv.reader(units.open(encoding="utf-8", newline="")))
    rows[2][1] = f"{SCRIPT} Phòng Nội vụ"  # PNV, row 3 of units.csv
    with units.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    _make_read_only(data)
    yield data
    _make_writable(data)


def test_validate_reads_read_only_data_and_leaves_it_untouched(read_only_data, tmp_path, capsys):
    before = _tree(read_only_data)
    out = tmp_path / "out"
    code = cli.main(
        [
            "validate",
            "--year",
            "2025",
            "--data",
            str(read_only_data),
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""
    # the clean fixture: 2 units, 4 staff rows, 3 training rows, nothing quarantined
    recon = pl.read_csv(out / "reconciliation.csv")
    assert recon.rows() == [
        ("units", 2, 2, 0),
        ("staff", 4, 4, 0),
        ("training_updates", 3, 3, 0),
    ]
    assert _tree(read_only_data) == before  # nothing written, renamed or re-permissioned
    # no lock or temporary file was dropped next to the inputs
    assert sorted(p.name for p in read_only_data.iterdir()) == [
        "staff.csv",
        "training_updates.csv",
        "units.csv",
    ]


def test_validate_outputs_are_owner_only_and_escape_html(read_only_data, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        cli.main(["validate", "--year", "2025", "--data", str(read_only_data), "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    restricted = out / "restricted"
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o700
    files = list(restricted.iterdir())
    assert files, "restricted/ is empty"
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    # quarantine.csv / warnings.csv quote raw cells (birth dates...): owner-only too
    for name in ("quarantine.csv", "warnings.csv"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    page = (out / "data_quality.html").read_text(encoding="utf-8")
    assert "<script>" not in page.lower()
    assert "alert(" not in page or "&lt;script&gt;" in page


# --- (d) security: nothing from an input is executed ------------------------------------------


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                found.append((func.id, node))
            elif isinstance(func, ast.Attribute):
                base = func.value.id if isinstance(func.value, ast.Name) else "?"
                found.append((f"{base}.{func.attr}", node))
    return found


def test_package_never_evaluates_or_unpickles():
    """No eval/exec/compile, no pickle/marshal/shelve, YAML only through safe_load, no shell."""
    problems = []
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 10
    for path in sources:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                module = getattr(node, "module", None) or ""
                for name in [module, *names]:
                    if name.split(".")[0] in {"pickle", "cPickle", "dill", "marshal", "shelve"}:
                        problems.append(f"{where}: imports {name}")
        for name, call in _calls(tree):
            short = name.split(".")[-1]
            if name in {"eval", "exec", "compile", "__import__"}:
                problems.append(f"{where}:{call.lineno}: {name}()")
            if name in {"yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.full_load"}:
                loader = {k.arg: ast.unparse(k.value) for k in call.keywords}.get("Loader", "")
                if "SafeLoader" not in loader and "CSafeLoader" not in loader:
                    problems.append(f"{where}:{call.lineno}: {name} without SafeLoader")
            if short in {"read_pickle", "loads"} and name.startswith(("pickle", "pd", "pandas")):
                problems.append(f"{where}:{call.lineno}: {name}()")
            if any(k.arg == "shell" and ast.unparse(k.value) != "False" for k in call.keywords):
                problems.append(f"{where}:{call.lineno}: {name}(shell=...)")
        if re.search(r"\bpd\.eval\b|\.query\(", text):
            problems.append(f"{where}: pandas eval/query")
    assert problems == []


def test_formula_cells_arrive_as_cached_values_never_computed(tmp_path, capsys):
    """Case 26: '=2000+24' whose cached value is 2025 must read 2025 (Excel's value, shown to
    the user), never 2024 (what evaluating it would give); a formula without a cached value
    reads as an empty cell."""
    out = tmp_path / "out"
    case = BAD_INPUTS / "26_formula_cells"
    assert cli.main(["validate", "--year", "2025", "--data", str(case), "--out", str(out)]) == 0
    capsys.readouterr()
    staff = pl.read_parquet(out / "restricted" / "accepted_staff.parquet")
    by_row = {r["_source_row"]: r for r in staff.iter_rows(named=True)}
    assert by_row[3]["snapshot_year"] == 2025 and by_row[3]["staff_id"] == "001"
    assert by_row[5]["studying_education_until"] is None  # =YEAR(TODAY())+1, nothing cached
    assert by_row[5]["studying_education"] == "doctor"  # the rest of row 5 read as written


# --- (a) kill half-way, (b) determinism: shared end-to-end runs -------------------------------


def _report_command(data: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cadre_analytics",
        "report",
        "--year",
        "2025",
        "--data",
        str(data),
        "--out",
        str(out),
        "--force",
    ]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONWARNINGS": "ignore"}


@pytest.fixture(scope="module")
def e2e_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("reliability")
    data = base / "data"
    shutil.copytree(E2E_FIXTURE, data)
    (data / "README.md").unlink()
    units = data / "units.csv"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("Trường THCS Thử Nghiệm", f"Trường {SCRIPT} THCS"), "utf-8")
    _make_read_only(data)
    data_before = _tree(data)

    first = base / "a" / "out"
    first.mkdir(parents=True)
    (first / "report.html").write_text(OLD_REPORT, encoding="utf-8")
    (first / "indicators.csv").write_text("old,indicators\n", encoding="utf-8")
    # an earlier report of this tool (its manifest says so): the only kind of OUT replaced
    (first / "manifest.json").write_text('{"run_key": "old"}', encoding="utf-8")
    old_tree = _tree(first)

    # (a) kill the run once notebook 01 has finished (02 has started writing)
    proc = subprocess.Popen(
        _report_command(data, first),
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    killed_at = None
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and proc.poll() is None:
        staged = _staging_folders(first.parent, first.name)
        if staged and (staged[0] / "notebooks" / "02_indicators.ipynb").exists():
            killed_at = [p.name for p in staged]
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.2)
    proc.wait(timeout=60)
    after_kill = _tree(first)
    leftovers_after_kill = [p.name for p in _staging_folders(first.parent, first.name)]

    # the next run into the same OUT, then one into a second OUT (same folder name, so any
    # path in the outputs is the same too)
    timings = {}
    started = time.monotonic()
    run_a = subprocess.run(
        _report_command(data, first), cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    timings["a"] = time.monotonic() - started
    second = base / "b" / "out"
    started = time.monotonic()
    run_b = subprocess.run(
        _report_command(data, second), cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    timings["b"] = time.monotonic() - started
    result = {
        "data": data,
        "data_before": data_before,
        "data_after": _tree(data),
        "first": first,
        "second": second,
        "old_tree": old_tree,
        "after_kill": after_kill,
        "killed_at": killed_at,
        "kill_returncode": proc.returncode,
        "leftovers_after_kill": leftovers_after_kill,
        "leftovers_after_rerun": [p.name for p in _staging_folders(first.parent, first.name)],
        "run_a": run_a,
        "run_b": run_b,
        "timings": timings,
    }
    yield result
    _make_writable(data)


@pytest.mark.e2e
def test_killed_run_leaves_the_old_report_intact(e2e_runs):
    assert e2e_runs["killed_at"], "the run finished or failed before notebook 02 started"
    assert e2e_runs["kill_returncode"] == -signal.SIGKILL
    assert e2e_runs["after_kill"] == e2e_runs["old_tree"]  # byte for byte, same files only
    # SIGKILL leaves no chance to clean up: the staging folder stays, hidden (dot name) beside
    # OUT, never inside it.  The next run must not pick it up (checked below).
    for name in e2e_runs["leftovers_after_kill"]:
        assert name.startswith(".out.tmp-")


@pytest.mark.e2e
def test_next_run_after_a_kill_publishes_a_fresh_report(e2e_runs):
    run = e2e_runs["run_a"]
    assert run.returncode == 0, run.stderr[-2000:]
    first = e2e_runs["first"]
    html = (first / "report.html").read_text(encoding="utf-8")
    assert "OLD REPORT" not in html
    assert (first / "indicators.csv").read_text(encoding="utf-8") != "old,indicators\n"
    assert (first / "manifest.json").exists()
    # the killed run's staging folder is not the new report: either cleaned, or left alone
    # and never read (the new OUT has none of its files newer than the run)
    leftovers = e2e_runs["leftovers_after_rerun"]
    assert set(leftovers) <= set(e2e_runs["leftovers_after_kill"])
    assert not any(p.name.startswith(".out.") for p in first.iterdir())


@pytest.mark.e2e
def test_report_run_reads_read_only_data_and_leaves_it_untouched(e2e_runs):
    assert e2e_runs["run_a"].returncode == 0 and e2e_runs["run_b"].returncode == 0
    assert e2e_runs["data_after"] == e2e_runs["data_before"]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "name",
    ["indicators.csv", "projection.csv", "trend.csv", "requirements.csv", "quarantine.csv"],
)
def test_same_inputs_give_byte_identical_tables(e2e_runs, name):
    first, second = e2e_runs["first"] / name, e2e_runs["second"] / name
    assert first.stat().st_size > 0
    assert filecmp.cmp(first, second, shallow=False), f"{name} differs between two runs"


GENERATED_AT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?( ?UTC|[+-]\d\d:?\d\d|Z)?")


def _first_difference(a: str, b: str) -> str:
    index = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
    if index is None:
        return f"lengths {len(a)} / {len(b)}"
    return f"at {index}: {a[index - 120 : index + 60]!r} / {b[index - 120 : index + 60]!r}"


@pytest.mark.e2e
def test_same_inputs_give_the_same_report_apart_from_the_generation_time(e2e_runs):
    first = (e2e_runs["first"] / "report.html").read_text(encoding="utf-8")
    second = (e2e_runs["second"] / "report.html").read_text(encoding="utf-8")
    # the generation time is the one thing allowed to differ, and it is there at most once
    assert len(GENERATED_AT.findall(first)) <= 1
    a, b = GENERATED_AT.sub("<time>", first), GENERATED_AT.sub("<time>", second)
    assert a == b, _first_difference(a, b)


@pytest.mark.e2e
def test_script_in_a_unit_name_is_escaped_in_the_report(e2e_runs):
    out = e2e_runs["first"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    page = (
        (out / "data_quality.html").read_text(encoding="utf-8")
        if (out / "data_quality.html").exists()
        else ""
    )
    assert "<script>alert" not in page


@pytest.mark.e2e
def test_report_restricted_outputs_are_owner_only(e2e_runs):
    restricted = e2e_runs["first"] / "restricted"
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o700
    files = [p for p in restricted.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
