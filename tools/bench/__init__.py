"""``make bench``: the real stages at district, province and national size, against the floor.

    python -m tools.bench [--sizes 3000,40000,1000000,2500000] [--quick] [--budget 840]

For each size N (staff per snapshot year, 5 years 2021-2025) it generates data once with the
package's own generator into ``bench/data/staff_N/`` (Parquet, clean; git-ignored), then, each in
a fresh subprocess so one size's memory never inflates the next:

- ``stages``: read, normalise, validate, write outputs, indicators, projection (with Monte
  Carlo), charts (every report section, charts as SVG) — wall time and peak RSS per stage (VmHWM,
  reset per stage through ``/proc/self/clear_refs``; a sampling thread where that is refused);
- ``report``: the real ``pipeline.run_report`` (papermill, 4 kernels, nbconvert): cold, warm,
  an unchanged rerun, and a rerun where only the newest staff file changed — only up to
  ``--report-max`` staff;
- ``floor``: polars reading the same files, plus papermill executing the same number of EMPTY
  notebooks and nbconvert rendering one.

Every subprocess has a time cap taken from one overall budget (default 14 minutes); what does not
fit is recorded as skipped with the reason, so ``make bench`` always finishes. Results go to
``bench/results.json`` (with the machine description) and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from tools.bench.measure import (
    BENCH_DIR,
    DEFAULT_SIZES,
    OUT_DIR,
    QUICK_SIZES,
    REPORT_MAX,
    RESULTS_PATH,
    SEED,
    STAGES,
    YEAR,
    YEARS,
    PeakRss,
    child,
    data_dir_for,
    ensure_data,
    newest_year_changed,
    run_floor_read,
    run_stages,
    worker,
)
from tools.bench.results import machine, plan_skips, summarise, table, targets

__all__ = [
    "STAGES",
    "YEAR",
    "YEARS",
    "PeakRss",
    "data_dir_for",
    "main",
    "newest_year_changed",
    "plan_skips",
    "run_floor_read",
    "run_stages",
    "summarise",
    "table",
    "targets",
]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_worker":
        return worker(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
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
    results["floor_notebooks"] = child(["floor_notebooks"], min(120, left()))

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
        size["floor_read"] = child(["floor_read", str(people)], min(120, left()))
        print(f"{people:,} staff: stages…", flush=True)
        skip = plan_skips(results, people, left() - reserve)
        size["stages"] = child(["stages", str(people), json.dumps(skip)], left() - reserve)
        save()
    for people in sizes:
        size = results["sizes"][str(people)]
        if "stages" not in size:
            continue
        stage_seconds = sum(s.get("seconds", 0) for s in size["stages"].get("stages", {}).values())
        runs = "cold,warm,unchanged_rerun,newest_changed"
        if people > args.report_max:
            size["report"] = {
                "skipped": f"above --report-max {args.report_max:,}: the kernels would re-read "
                "and re-run the stages measured above; no time for it in the bench budget"
            }
        elif stage_seconds * 1.3 + 10 < left():
            print(f"{people:,} staff: report (papermill)…", flush=True)
            size["report"] = child(["report", str(people), runs], left())
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
