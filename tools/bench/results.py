"""Reading the measurements: machine, ratios and growth per row, targets met, the table."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from tools.bench.measure import RSS_GUARD_MIB, STAGES, YEARS


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
            for label in ("cold", "warm"):
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
    """The scale targets, each with the measured value and whether it is met (None: not
    measured in this run)."""
    sizes = results["sizes"]
    # each target is judged only at its own size: a smaller run says nothing of the country
    district, national = sizes.get("3000", {}), sizes.get("2500000", {})
    floor = district.get("floor_seconds")
    district_cold = _get(district, "report", "cold", "seconds")
    province = sizes.get("80000", {})
    province_cold = _get(province, "report", "cold", "seconds")
    province_stages = _get(province, "stages", "stages") or {}
    province_peaks = [s.get("peak_rss_mib", 0) for s in province_stages.values()]
    kernel = _get(province, "report", "kernel_peak_rss_mib")
    province_peak = max([kernel or 0, *province_peaks]) if (kernel or province_peaks) else None
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
        "district_cold<=1.5x_floor": verdict(
            None if district_cold is None or not floor else round(district_cold / floor, 2),
            district_cold is not None and floor and district_cold <= 1.5 * floor,
        ),
        "province_cold_s<=60": verdict(
            province_cold, province_cold is not None and province_cold <= 60
        ),
        "province_peak_rss_GiB<=4": verdict(
            None if province_peak is None else round(province_peak / 1024, 2),
            province_peak is not None and province_peak <= 4 * 1024,
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
