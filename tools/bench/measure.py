"""What the bench measures, each in a process of its own: the stages, the whole report, the
floor; and the subprocess plumbing (time caps, the worker entry point)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from cadre_analytics.params import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "bench"
DATA_DIR = BENCH_DIR / "data"
OUT_DIR = BENCH_DIR / "out"
RESULTS_PATH = BENCH_DIR / "results.json"
DEFAULT_SIZES = (3_000, 40_000, 1_000_000, 2_500_000)
QUICK_SIZES = (3_000, 40_000)
YEARS = range(2021, 2026)
YEAR = 2025
SEED = 20260001
# papermill + nbconvert for the whole report only up to this size by default: above it the
# kernels re-read everything the stages measured already, and the 15-minute budget is gone.
REPORT_MAX = 40_000
# A stage worker that passes this RSS stops itself, so a bench cannot starve the machine.
RSS_GUARD_MIB = 10 * 1024
STAGES = ("read", "normalise", "validate", "write_outputs", "indicators", "projection", "charts")
# The floor: the four report notebooks with nothing but the imports each needs (what the stack
# itself costs: a kernel each, polars everywhere, Great Expectations in 01, altair and
# vl-convert in 04), then nbconvert of the last.
FLOOR_IMPORTS = (
    "import polars",
    "import polars\nimport great_expectations",
    "import polars",
    "import polars\nimport altair\nimport vl_convert",
)
EMPTY_NOTEBOOKS = len(FLOOR_IMPORTS)


# --- memory -----------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class PeakRss:
    """Peak resident memory of this process per stage.

    Preferred: the kernel's high-water mark (VmHWM), reset at each stage start by writing 5 to
    /proc/self/clear_refs. Fallback: a thread sampling VmRSS every 5 ms. The same thread stops
    the process above ``guard_mib``.
    """

    def __init__(self, guard_mib: int = RSS_GUARD_MIB, on_guard=None) -> None:
        self.guard_kib = guard_mib * 1024
        self.on_guard = on_guard
        self.sampled = 0
        self.exact = self._reset_hwm()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    @staticmethod
    def _reset_hwm() -> bool:
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
                handle.write("5")
            return True
        except OSError:
            return False

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            rss = _status_kib("VmRSS")
            self.sampled = max(self.sampled, rss)
            if rss > self.guard_kib and self.on_guard is not None:
                self.on_guard(rss)

    def reset(self) -> None:
        self.sampled = _status_kib("VmRSS")
        self.exact = self._reset_hwm()

    def peak_mib(self) -> float:
        kib = max(_status_kib("VmHWM"), self.sampled) if self.exact else self.sampled
        return round(kib / 1024, 1)

    def close(self) -> None:
        self._stop.set()


# --- data -------------------------------------------------------------------------------------


def data_dir_for(people: int) -> Path:
    return DATA_DIR / f"staff_{people}"


def ensure_data(people: int, timeout: float) -> dict[str, Any]:
    """Generate ``bench/data/staff_N`` once (in a subprocess, one year in memory at a time)."""
    target = data_dir_for(people)
    if (target / f"staff_{YEAR}.parquet").exists():
        return {"cached": True, "seconds": 0.0}
    if target.exists():  # an older layout (one staff file for all years)
        import shutil

        shutil.rmtree(target)
    started = time.perf_counter()
    done = child(["generate", str(people)], timeout)
    done["cached"] = False
    done["seconds"] = round(time.perf_counter() - started, 2)
    return done


def _generate(people: int) -> dict[str, Any]:
    from tools import synth

    target = data_dir_for(people)
    tmp = target.with_name(target.name + ".tmp")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    # One staff file per year at every size, as HR software exports them: the rerun with only
    # the newest year changed then has one changed file.
    meta = synth.write_generated(tmp, people=people, years=YEARS, seed=SEED, fmt="parquet",
                                 dirt=False, split_staff=True)  # fmt: skip
    os.replace(tmp, target)
    return {"rows": meta["rows"], "files": meta["files"]}


def data_files(people: int) -> list[Path]:
    return sorted(p for p in data_dir_for(people).iterdir() if p.is_file())


# --- stage worker (runs in its own process) -----------------------------------------------------


class _Recorder:
    """Writes the worker's results after every stage, so a timeout still leaves what finished."""

    def __init__(self, path: Path, rows: int, skip: dict[str, str]) -> None:
        self.path = path
        self.rows = rows
        self.skip = skip
        self.current = ("start", time.perf_counter())
        self.data: dict[str, Any] = {"stages": {}}
        self.rss = PeakRss(on_guard=self._guard)

    def _guard(self, rss_kib: int) -> None:
        name, started = self.current
        self.data["stopped"] = (
            f"RSS {rss_kib // 1024:,} MiB passed the {RSS_GUARD_MIB:,} MiB guard in '{name}' "
            f"after {time.perf_counter() - started:.0f} s"
        )
        self.save()
        os._exit(3)

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    def stage(self, name: str, func, *args, **kwargs):
        if name in self.skip:
            self.data["stages"][name] = {"skipped": self.skip[name]}
            self.save()
            return None
        self.rss.reset()
        started = time.perf_counter()
        self.current = (name, started)
        try:
            value = func(*args, **kwargs)
        except Exception as exc:  # recorded, and the later stages that can still run do
            self.data["stages"][name] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
            self.save()
            return None
        seconds = time.perf_counter() - started
        self.data["stages"][name] = {
            "seconds": round(seconds, 3),
            "peak_rss_mib": self.rss.peak_mib(),
            "us_per_row": round(seconds * 1e6 / self.rows, 3),
        }
        self.save()
        return value


def _read_inputs_timed(data_dir: Path):
    """``ingest.read_inputs`` with the time spent in its ``parse_table`` (normalising text,
    vocabularies, dates) measured apart from reading cells and hashing files."""
    import cadre_analytics.ingest as ingest

    spent = [0.0]
    original = ingest.parse_table

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    ingest.parse_table = timed
    try:
        return ingest.read_inputs(data_dir), spent[0]
    finally:
        ingest.parse_table = original


def _write_outputs(result, out: Path) -> None:
    from cadre_analytics.outputs import write_validation_outputs

    write_validation_outputs(result, out, lang="vi")


def _indicators(result, out: Path):
    from cadre_analytics import breakdowns, indicators
    from cadre_analytics.outputs import write_table
    from cadre_analytics.params import load_quota_rules

    rules = load_quota_rules()
    table = indicators.compute_indicators(result.staff, result.training, result.units, rules, YEAR)
    breakdowns = breakdowns.compute_breakdowns(
        result.staff, result.training, result.units, rules, YEAR
    )
    write_table(table, out, "indicators", parquet=True)
    write_table(breakdowns, out, "breakdowns")
    return table


def _projection(result, out: Path):
    from cadre_analytics import projection
    from cadre_analytics.outputs import read_table, write_restricted, write_table
    from cadre_analytics.params import load_quota_rules, load_retirement_schedule, load_scenarios

    res = projection.project(
        result.staff,
        result.training,
        result.units,
        load_quota_rules(),
        load_retirement_schedule(),
        load_scenarios(),
        YEAR,
        seed=2025,
        indicator_table=read_table(out, "indicators"),
    )
    write_table(res.projection, out, "projection", parquet=True)
    write_table(res.requirements, out, "requirements")
    write_table(res.trend, out, "trend")
    write_restricted(res.eligible, out, "eligible", csv=True)
    return res


def _charts(out: Path) -> int:
    from cadre_analytics import report

    inputs = report.load_report_inputs(out, YEAR)
    return sum(len(part.encode("utf-8")) for part in report.all_sections(inputs, "vi"))


def run_stages(people: int, result_path: Path, skip: dict[str, str]) -> None:
    data_dir = data_dir_for(people)
    rec = _Recorder(result_path, people * len(YEARS), skip)
    out = OUT_DIR / f"stages_{people}"
    if out.exists():
        import shutil

        shutil.rmtree(out)
    out.mkdir(parents=True)
    import polars as pl

    from cadre_analytics import contracts

    rec.data["polars_threads"] = pl.thread_pool_size()
    timed = rec.stage("read", _read_inputs_timed, data_dir)
    if timed is None:
        return
    raw_inputs, normalise_seconds = timed
    del timed
    read = rec.data["stages"]["read"]
    read["seconds"] = round(read["seconds"] - normalise_seconds, 3)
    read["us_per_row"] = round(read["seconds"] * 1e6 / rec.rows, 3)
    rec.data["stages"]["normalise"] = {
        "seconds": round(normalise_seconds, 3),
        "peak_rss_mib": read["peak_rss_mib"],
        "us_per_row": round(normalise_seconds * 1e6 / rec.rows, 3),
        "note": "inside read_inputs (parse_table); peak RSS is read's",
    }
    result = rec.stage("validate", contracts.validate_inputs, raw_inputs, YEAR)
    del raw_inputs
    if result is None:
        return
    rec.data["accepted_staff_rows"] = result.staff.height
    rec.stage("write_outputs", _write_outputs, result, out)
    rec.stage("indicators", _indicators, result, out)
    rec.stage("projection", _projection, result, out)
    del result
    rec.data["sections_html_bytes"] = rec.stage("charts", _charts, out)
    rec.data["finished"] = True
    rec.save()
    rec.rss.close()


# --- whole report and floor (each in its own process) -------------------------------------------


def _children_peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def newest_year_changed(people: int) -> Path:
    """A copy of the size's data where only the newest staff file differs: its last 1 % of
    people left (the files of the other years are hard links, byte for byte the same)."""
    import polars as pl

    source = data_dir_for(people)
    target = OUT_DIR / f"data_{people}_newest_changed"
    if target.exists():
        import shutil

        shutil.rmtree(target)
    target.mkdir(parents=True)
    newest = f"staff_{YEAR}.parquet"
    for path in data_files(people):
        if path.name != newest:
            os.link(path, target / path.name)
    staff = pl.read_parquet(source / newest)
    staff.head(staff.height - max(1, staff.height // 100)).write_parquet(target / newest)
    return target


def run_report(people: int, runs: list[str]) -> dict[str, Any]:
    """The real pipeline, runs in this order (those asked for): ``cold`` (first run in this
    process tree), ``warm`` (same inputs, --force), ``unchanged_rerun`` (no --force: the SHA-256
    up-to-date check) and ``newest_changed`` (only the newest year's staff file differs)."""
    from cadre_analytics.pipeline import RunSettings
    from cadre_analytics.pipeline import run_report as pipeline_run

    out = OUT_DIR / f"report_{people}"
    found: dict[str, Any] = {}
    plan = (
        ("cold", True),
        ("warm", True),
        ("unchanged_rerun", False),
        ("newest_changed", True),
    )
    for label, force in plan:
        if label not in runs:
            continue
        data = newest_year_changed(people) if label == "newest_changed" else data_dir_for(people)
        settings = RunSettings(year=YEAR, data_dir=data, out_dir=out, force=force)
        started = time.perf_counter()
        html = pipeline_run(settings)
        found[label] = {
            "seconds": round(time.perf_counter() - started, 3),
            "notebooks": {k: round(v, 3) for k, v in settings.durations.items()},
            "rebuilt": html is not None,
        }
        if label == "cold":
            found["html_bytes"] = (out / "report.html").stat().st_size
    found["kernel_peak_rss_mib"] = _children_peak_mib()
    return found


def _empty_notebook(path: Path, imports: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('out_dir = ""')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(imports)]
    nb.metadata["kernelspec"] = {"name": "cadre-analytics", "display_name": "Python", "language":
                                 "python"}  # fmt: skip
    nbformat.write(nb, str(path))


def run_floor_notebooks() -> dict[str, Any]:
    """papermill executes the floor notebooks (imports only), nbconvert renders the last one."""
    import papermill

    from cadre_analytics.pipeline import KERNEL_NAME
    from cadre_analytics.report.render import render_html

    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = [folder / f"floor_{i}.ipynb" for i in range(EMPTY_NOTEBOOKS)]
        for source, imports in zip(sources, FLOOR_IMPORTS, strict=True):
            _empty_notebook(source, imports)
        started = time.perf_counter()
        for i, source in enumerate(sources):
            papermill.execute_notebook(
                str(source),
                str(folder / f"run_{i}.ipynb"),
                parameters={"out_dir": tmp},
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
            )
        papermill_s = time.perf_counter() - started
        started = time.perf_counter()
        render_html(folder / f"run_{EMPTY_NOTEBOOKS - 1}.ipynb", folder / "empty.html", "vi")
        nbconvert_s = time.perf_counter() - started
    return {
        "notebooks": EMPTY_NOTEBOOKS,
        "papermill_seconds": round(papermill_s, 3),
        "nbconvert_seconds": round(nbconvert_s, 3),
        "seconds": round(papermill_s + nbconvert_s, 3),
    }


def run_floor_read(people: int) -> dict[str, Any]:
    """Reading the same files with polars and nothing else (cold process, warm page cache)."""
    import polars as pl

    started = time.perf_counter()
    rows = sum(pl.read_parquet(p).height for p in data_files(people) if p.suffix == ".parquet")
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "rows": rows,
            "peak_rss_mib": round(_status_kib("VmHWM") / 1024, 1)}  # fmt: skip


def child(args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``python -m tools.bench _worker ARGS`` with a time cap; returns its JSON."""
    if timeout <= 1:
        return {"skipped": "no time left in the bench budget"}
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False, dir=BENCH_DIR) as handle:
        result_path = Path(handle.name)
    cmd = [sys.executable, "-m", "tools.bench", "_worker", str(result_path), *args]
    # A user's Python caches bytecode; a shell with PYTHONDONTWRITEBYTECODE would make every
    # process (and kernel) recompile Great Expectations and altair from source (~20 s).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            cmd,
            timeout=timeout,
            capture_output=True,
            text=True,
            check=False,
            env=env,
            cwd=PROJECT_ROOT,  # where ``tools`` is importable
        )
        status = None if done.returncode == 0 else f"exit {done.returncode}: " + (
            done.stderr.strip().splitlines() or [""])[-1][:300]  # fmt: skip
    except subprocess.TimeoutExpired:
        status = f"stopped after the {timeout:.0f} s cap"
    try:
        found = json.loads(result_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        found = {}
    finally:
        result_path.unlink(missing_ok=True)
        result_path.with_suffix(".tmp").unlink(missing_ok=True)
    found["process_seconds"] = round(time.perf_counter() - started, 2)
    if status:
        found["incomplete"] = status
    return found


def worker(argv: list[str]) -> int:
    result_path, command, *rest = argv
    path = Path(result_path)
    if command == "stages":
        run_stages(int(rest[0]), path, json.loads(rest[1]) if len(rest) > 1 else {})
        return 0
    jobs = {
        "generate": lambda: _generate(int(rest[0])),
        "report": lambda: run_report(int(rest[0]), rest[1].split(",")),
        "floor_read": lambda: run_floor_read(int(rest[0])),
        "floor_notebooks": run_floor_notebooks,
    }
    found = jobs[command]()
    path.write_text(json.dumps(found, indent=1), encoding="utf-8")
    return 0
