"""``make bench``: the real stages at district, province and national size, against the floor.

    python -m cadre_analytics.bench [--sizes 3000,40000,1000000,2500000] [--quick] [--budget 840]

For each size N (staff per snapshot year, 5 years 2021-2025) it generates data once with the
package's own generator into ``bench/data/staff_N/`` (Parquet, clean; git-ignored), then, each in
a fresh subprocess so one size's memory never inflates the next:

- ``stages``: read, normalise, validate, write outputs, indicators, projection (with Monte
  Carlo), charts (every report section, charts as SVG) — wall time and peak RSS per stage (VmHWM,
  reset per stage through ``/proc/self/clear_refs``; a sampling thread where that is refused);
- ``report``: the real ``pipeline.run_report`` (papermill, 4 kernels, nbconvert) with a result
  cache that starts empty: cold, warm without and with the cache, an unchanged rerun, and a rerun
  where only the newest staff file changed — only up to ``--report-max`` staff;
- ``floor``: polars reading the same files, plus papermill executing the same number of EMPTY
  notebooks and nbconvert rendering one.

Every subprocess has a time cap taken from one overall budget (default 14 minutes); what does not
fit is recorded as skipped with the reason, so ``make bench`` always finishes. Results go to
``bench/results.json`` (with the machine description) and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
EMPTY_NOTEBOOKS = 4


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
    done = _child(["generate", str(people)], timeout)
    done["cached"] = False
    done["seconds"] = round(time.perf_counter() - started, 2)
    return done


def _generate(people: int) -> dict[str, Any]:
    from cadre_analytics import synth

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
    from cadre_analytics import indicators
    from cadre_analytics.outputs import write_table
    from cadre_analytics.params import load_quota_rules

    rules = load_quota_rules()
    table = indicators.compute_indicators(result.staff, result.training, result.units, rules, YEAR)
    breakdowns = indicators.compute_breakdowns(
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
    result = rec.stage("validate", contracts.validate_inputs, raw_inputs, YEAR, release_inputs=True)
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
    """The real pipeline with a result cache that starts empty, runs in this order (those asked
    for): ``cold`` (empty cache), ``warm`` (same inputs, --force: the cache is warm),
    ``unchanged_rerun`` (no --force: the SHA-256 up-to-date check) and ``newest_changed`` (only
    the newest year's staff file differs; everything else comes from the cache)."""
    import shutil

    from cadre_analytics.pipeline import RunSettings
    from cadre_analytics.pipeline import run_report as pipeline_run

    out = OUT_DIR / f"report_{people}"
    cache = OUT_DIR / f"cache_{people}"
    shutil.rmtree(cache, ignore_errors=True)
    found: dict[str, Any] = {}
    plan = (
        ("cold", True),
        ("warm_uncached", True),  # what a warm run costs when nothing can be reused
        ("warm", True),
        ("unchanged_rerun", False),
        ("newest_changed", True),
    )
    for label, force in plan:
        if label not in runs:
            continue
        data = newest_year_changed(people) if label == "newest_changed" else data_dir_for(people)
        settings = RunSettings(
            year=YEAR,
            data_dir=data,
            out_dir=out,
            force=force,
            cache_dir=None if label == "warm_uncached" else cache,
        )
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
    shutil.rmtree(cache, ignore_errors=True)
    return found


def _empty_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('out_dir = ""')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "cadre-analytics", "display_name": "Python", "language":
                                 "python"}  # fmt: skip
    nbformat.write(nb, str(path))


def run_floor_notebooks() -> dict[str, Any]:
    """papermill executes EMPTY_NOTEBOOKS empty notebooks, nbconvert renders the last one."""
    import papermill

    from cadre_analytics.pipeline import KERNEL_NAME, kernel_output_to
    from cadre_analytics.report.render import render_html

    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "empty.ipynb"
        _empty_notebook(source)
        started = time.perf_counter()
        with kernel_output_to(folder / "kernel.log"):
            for i in range(EMPTY_NOTEBOOKS):
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


# --- driver ------------------------------------------------------------------------------------


def _child(args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``python -m cadre_analytics.bench _worker ARGS`` with a time cap; returns its JSON."""
    if timeout <= 1:
        return {"skipped": "no time left in the bench budget"}
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False, dir=BENCH_DIR) as handle:
        result_path = Path(handle.name)
    cmd = [sys.executable, "-m", "cadre_analytics.bench", "_worker", str(result_path), *args]
    # A user's Python caches bytecode; a shell with PYTHONDONTWRITEBYTECODE would make every
    # process (and kernel) recompile Great Expectations and altair from source (~20 s).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            cmd, timeout=timeout, capture_output=True, text=True, check=False, env=env
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


def _worker(argv: list[str]) -> int:
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


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    libs = {}
    for name in ("polars", "numpy", "pandas", "great-expectations", "papermill", "nbconvert",
                 "altair", "vl-convert-python", "fastexcel"):  # fmt: skip
        try:
            libs[name] = version(name)
        except PackageNotFoundError:
            libs[name] = "missing"
    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "memory_gib": round(mem_kib / 1024**2, 1),
        "cpu_model": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": libs,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "note": "machine shared with other work while measuring; timings are wall clock",
    }


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    """Ratios and targets from the measured numbers."""
    sizes = results["sizes"]
    floor_nb = results["floor_notebooks"].get("seconds")
    summary: dict[str, Any] = {"overhead_ratio": {}, "per_row_growth": {}, "html_bytes": {}}
    for key, size in sizes.items():
        read = size.get("floor_read", {}).get("seconds")
        rep = size.get("report", {})
        if read is not None and floor_nb:
            floor = read + floor_nb
            size["floor_seconds"] = round(floor, 3)
            for label in ("cold", "warm", "warm_uncached"):
                if label in rep:
                    summary["overhead_ratio"].setdefault(key, {})[label] = round(
                        rep[label]["seconds"] / floor, 2
                    )
        if "html_bytes" in rep:
            summary["html_bytes"][key] = rep["html_bytes"]
        elif "sections_html_bytes" in size.get("stages", {}):
            summary["html_bytes"][key] = {"sections_only": size["stages"]["sections_html_bytes"]}
    # Each stage against the largest size where it was measured (a larger size may have been
    # stopped or skipped part way).
    base = sizes.get("40000", {}).get("stages", {}).get("stages", {})
    for stage in STAGES:
        old = base.get(stage, {})
        measured = [
            k
            for k in sizes
            if int(k) > 40_000
            and "us_per_row" in sizes[k].get("stages", {}).get("stages", {}).get(stage, {})
        ]
        if not old.get("us_per_row") or not measured:
            continue
        top = max(measured, key=int)
        new = sizes[top]["stages"]["stages"][stage]
        summary["per_row_growth"][stage] = {
            "40000": old["us_per_row"],
            top: new["us_per_row"],
            "ratio": round(new["us_per_row"] / old["us_per_row"], 2),
        }
    summary["targets"] = targets(results, summary)
    return summary


def _get(mapping: dict, *path: str) -> Any:
    for part in path:
        if not isinstance(mapping, dict) or part not in mapping:
            return None
        mapping = mapping[part]
    return mapping


def targets(results: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """Issue 7's targets, each with the measured value and whether it is met (None: not
    measured in this run)."""
    sizes = results["sizes"]
    district, national = sizes.get("3000", {}), sizes.get(str(max(map(int, sizes), default=0)), {})
    floor = district.get("floor_seconds")
    warm = _get(district, "report", "warm", "seconds")
    cold = _get(national, "report", "cold", "seconds")
    newest = _get(national, "report", "newest_changed", "seconds")
    peak = _get(national, "report", "kernel_peak_rss_mib")
    national_stages = _get(national, "stages", "stages") or {}
    stage_peaks = [s.get("peak_rss_mib", 0) for s in national_stages.values()]
    if _get(national, "stages", "stopped"):  # the memory guard stopped a stage: at least that
        stage_peaks.append(RSS_GUARD_MIB)
    html = [b for b in summary["html_bytes"].values() if isinstance(b, int)]

    def verdict(value, ok):
        return {"value": value, "met": None if value is None else bool(ok)}

    out = {
        "district_warm_s<=10": verdict(warm, warm is not None and warm <= 10),
        "district_warm<=2x_floor": verdict(
            None if warm is None or not floor else round(warm / floor, 2),
            warm is not None and floor and warm <= 2 * floor,
        ),
        "national_cold_s<=120": verdict(cold, cold is not None and cold <= 120),
        "national_peak_rss_GiB<=8": verdict(
            None
            if peak is None and not stage_peaks
            else round(max([peak or 0, *stage_peaks]) / 1024, 2),
            max([peak or 0, *stage_peaks]) <= 8 * 1024
            and "stopped" not in national.get("stages", {}),
        ),
        "national_newest_year_changed_s<=30": verdict(newest, newest is not None and newest <= 30),
        "bench_s<900": verdict(
            results.get("bench_seconds"), (results.get("bench_seconds") or 0) < 900
        ),
    }
    if html:
        out["html_bytes_spread"] = {"value": [min(html), max(html)]}
    return out


def plan_skips(results: dict[str, Any], people: int, available: float) -> dict[str, str]:
    """Stages to leave out at ``people``: those whose cost per row at the largest size measured
    so far (x1.3, costs rarely fall) would not fit in ``available`` seconds."""
    done = [
        (int(k), v["stages"]["stages"])
        for k, v in results["sizes"].items()
        if int(k) < people and v.get("stages", {}).get("stages")
    ]
    if not done:
        return {}
    prev, stages = max(done, key=lambda item: item[0])
    rows = people * len(YEARS)
    spent, skip = 0.0, {}
    for name in STAGES:
        us = stages.get(name, {}).get("us_per_row")
        if us is None:
            continue
        estimate = us * 1.3 * rows / 1e6
        if name in ("projection", "charts") and spent + estimate > available:
            skip[name] = (
                f"estimated {estimate:,.0f} s from {prev:,} staff ({us:,.0f} µs/row) but "
                f"{max(available - spent, 0):,.0f} s left in the bench budget"
            )
            if name == "projection":
                skip["charts"] = "needs the projection outputs"
                break
        else:
            spent += estimate
    return skip


def _cell(stage: dict | None) -> str:
    if not stage or "seconds" not in stage:
        return "skipped" if stage and "skipped" in stage else ("error" if stage else "—")
    return f"{stage['seconds']:.2f}s {stage['peak_rss_mib'] / 1024:.2f}G {stage['us_per_row']:.1f}µ"


def table(results: dict[str, Any]) -> str:
    keys = list(results["sizes"])
    width = 24
    lines = ["stage (wall s, peak RSS GiB, µs/staff row)".ljust(16)
             + "".join(f"{int(k):>{width},}" for k in keys)]  # fmt: skip
    for stage in STAGES:
        row = stage.ljust(16)
        for k in keys:
            row += _cell(results["sizes"][k].get("stages", {}).get("stages", {}).get(stage)).rjust(
                width
            )
        lines.append(row)

    def line(label: str, get) -> str:
        cells = []
        for k in keys:
            try:
                value = get(results["sizes"][k])
            except (KeyError, TypeError):
                value = None
            cells.append(("—" if value is None else str(value)).rjust(width))
        return label.ljust(16) + "".join(cells)

    def stage_total(size):
        stages = size["stages"]["stages"]
        if not all(s in stages for s in STAGES):
            return None
        return f"{sum(s['seconds'] for s in stages.values()):.1f}s"

    lines += [
        line("stages total", stage_total),
        line("floor read", lambda s: f"{s['floor_read']['seconds']:.2f}s"),
        line("floor total", lambda s: f"{s['floor_seconds']:.1f}s"),
        line("report cold", lambda s: f"{s['report']['cold']['seconds']:.1f}s"),
        line("report warm", lambda s: f"{s['report']['warm']['seconds']:.1f}s"),
        line("warm uncached", lambda s: f"{s['report']['warm_uncached']['seconds']:.1f}s"),
        line("rerun unchanged", lambda s: f"{s['report']['unchanged_rerun']['seconds']:.2f}s"),
        line("newest changed", lambda s: f"{s['report']['newest_changed']['seconds']:.1f}s"),
        line("kernel peak RSS", lambda s: f"{s['report']['kernel_peak_rss_mib'] / 1024:.2f}G"),
        line(
            "overhead warm",
            lambda s: f"{s['report']['warm']['seconds'] / s['floor_seconds']:.2f}x",
        ),
        line("report.html", lambda s: f"{s['report']['html_bytes'] / 1024:.0f} KiB"),
        line("sections html", lambda s: f"{s['stages']['sections_html_bytes'] / 1024:.0f} KiB"),
    ]
    fl = results["floor_notebooks"]
    if "seconds" in fl:
        lines.append(
            f"floor notebooks: {fl['notebooks']} empty notebooks {fl['papermill_seconds']:.1f}s "
            f"+ nbconvert {fl['nbconvert_seconds']:.1f}s"
        )
    for k in keys:
        for part in ("data", "stages", "report", "floor_read"):
            note = results["sizes"][k].get(part, {})
            why = note.get("skipped") or note.get("stopped") or note.get("incomplete")
            if why:
                lines.append(f"{int(k):,} {part}: {why}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_worker":
        return _worker(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m cadre_analytics.bench", description=__doc__)
    parser.add_argument("--sizes", help="staff per year, comma-separated")
    parser.add_argument("--quick", action="store_true", help="only 3,000 and 40,000 staff")
    parser.add_argument("--budget", type=float, default=840.0, help="seconds for the whole bench")
    parser.add_argument("--report-max", type=int, default=REPORT_MAX,
                        help="largest size for the full papermill report")  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS_PATH)
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    else:
        sizes = list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    sizes.sort()
    deadline = time.monotonic() + args.budget
    left = lambda: deadline - time.monotonic()  # noqa: E731
    BENCH_DIR.mkdir(exist_ok=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": machine(),
        "settings": {
            "years": [YEARS.start, YEARS.stop - 1],
            "report_year": YEAR,
            "seed": SEED,
            "budget_seconds": args.budget,
            "report_max": args.report_max,
        },  # fmt: skip
        "sizes": {},
    }
    started = time.monotonic()
    print("floor: empty notebooks…", flush=True)
    results["floor_notebooks"] = _child(["floor_notebooks"], min(120, left()))

    def save() -> None:
        args.out.write_text(
            json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    # Stages at every size first (what the targets are about), the papermill report after, with
    # what is left of the budget: the district report first, then the province.
    for position, people in enumerate(sizes):
        # for the larger sizes still to come, and the district report afterwards
        reserve = 60.0 * (len(sizes) - position - 1) + 150.0
        size: dict[str, Any] = {"staff_per_year": people, "staff_rows": people * len(YEARS)}
        results["sizes"][str(people)] = size
        print(f"{people:,} staff: data…", flush=True)
        size["data"] = ensure_data(people, min(600, left()))
        if "skipped" in size["data"] or "incomplete" in size["data"]:
            continue
        size["floor_read"] = _child(["floor_read", str(people)], min(120, left()))
        print(f"{people:,} staff: stages…", flush=True)
        skip = plan_skips(results, people, left() - reserve)
        size["stages"] = _child(["stages", str(people), json.dumps(skip)], left() - reserve)
        save()
    for people in sizes:
        size = results["sizes"][str(people)]
        if "stages" not in size:
            continue
        stage_seconds = sum(s.get("seconds", 0) for s in size["stages"].get("stages", {}).values())
        runs = "cold,warm,unchanged_rerun,newest_changed"
        if people <= 40_000:
            runs += ",warm_uncached"
        if people > args.report_max:
            size["report"] = {
                "skipped": f"above --report-max {args.report_max:,}: the kernels would re-read "
                "and re-run the stages measured above; no time for it in the bench budget"
            }
        elif stage_seconds * 1.3 + 10 < left():
            print(f"{people:,} staff: report (papermill)…", flush=True)
            size["report"] = _child(["report", str(people), runs], left())
        else:
            size["report"] = {
                "skipped": f"the stages alone took {stage_seconds:.0f} s; "
                f"{left():.0f} s left in the bench budget"
            }
        save()
    results["bench_seconds"] = round(time.monotonic() - started, 1)
    save()
    results["summary"] = summarise(results)
    save()
    print(table(results))
    print(json.dumps(results["summary"], indent=1, ensure_ascii=False))
    print(f"bench: {results['bench_seconds']:.0f} s, results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
