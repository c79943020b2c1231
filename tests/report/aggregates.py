"""Builds the AGGREGATED output frames of notebooks 01-03 for report tests, by hand.

The report only ever sees these frames, so its tests do not wait for (or depend on) the
indicators and projection modules: the numbers here are invented, not computed by the program.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl

TARGETS = {  # indicator: (level, comparator, 2025 target, 2030 target) on the 0..1 scale
    "d_university": ("district", ">=", 1.0, 1.0),
    "d_postgraduate": ("district", ">=", 0.20, 0.25),
    "d_pt_intermediate": ("district", ">=", 0.60, 0.65),
    "d_lead_international": ("district", ">=", None, 0.25),
    "c_university": ("commune", ">=", 0.70, 0.90),
    "c_pt_advanced": ("commune", ">=", 0.05, 0.10),
    "c_it_use": ("commune", ">=", 1.0, 1.0),
}


def _gap(num: int, den: int, target: float | None) -> int | None:
    if target is None or den == 0:
        return None
    need = 0
    while (num + need) / den < target - 1e-12:
        need += 1
    return need


def build(
    year: int = 2025,
    n_communes: int = 6,
    years: tuple[int, ...] = (2023, 2024, 2025),
    seed: int = 7,
    with_projection: bool = True,
) -> dict[str, pl.DataFrame]:
    rng = random.Random(seed)
    communes = [(f"X{i:02d}", f"Xã Đinh Trang Hòa {i}") for i in range(1, n_communes + 1)]
    ind_rows = []
    for indicator, (level, comp, t25, t30) in TARGETS.items():
        units = communes if level == "commune" else [("D01", "Văn phòng Huyện ủy")]
        for y in years:
            counts = []
            for code, name in units:
                den = rng.randint(12, 25)
                num = rng.randint(den // 3, den)
                counts.append((code, name, num, den))
            tot_num = sum(c[2] for c in counts)
            tot_den = sum(c[3] for c in counts)
            for code, name, num, den in [("ALL", "Toàn huyện", tot_num, tot_den), *counts]:
                for ty, tgt in ((2025, t25), (2030, t30)):
                    share = num / den if den else None
                    ind_rows.append(
                        {
                            "indicator": indicator,
                            "level": level,
                            "unit": code,
                            "unit_name": name,
                            "year": y,
                            "numerator": num,
                            "denominator": den,
                            "share": share,
                            "target_year": ty,
                            "target": tgt,
                            "comparator": comp,
                            "met": None if tgt is None else share >= tgt,
                            "gap_persons": _gap(num, den, tgt),
                        }
                    )
    indicators = pl.DataFrame(ind_rows)
    frames: dict[str, pl.DataFrame] = {"indicators": indicators}
    now = indicators.filter((pl.col("year") == year) & (pl.col("unit") == "ALL"))
    if with_projection:
        proj_rows = []
        req_rows = []
        for r in now.filter(pl.col("target_year") == 2030).iter_rows(named=True):
            for scenario, drift in (("baseline", 0.01), ("history_rates", -0.01), ("plan", 0.04)):
                for y in range(year + 1, 2031):
                    s = min(1.0, r["share"] + drift * (y - year))
                    mc = scenario != "baseline"
                    for ty, tgt in (
                        (2025, TARGETS[r["indicator"]][2]),
                        (2030, TARGETS[r["indicator"]][3]),
                    ):
                        proj_rows.append(
                            {
                                "indicator": r["indicator"],
                                "level": r["level"],
                                "unit": "ALL",
                                "year": y,
                                "scenario": scenario,
                                "numerator": round(s * r["denominator"]),
                                "denominator": r["denominator"],
                                "share": s,
                                "share_p10": max(0.0, s - 0.05) if mc else None,
                                "share_p50": s if mc else None,
                                "share_p90": min(1.0, s + 0.05) if mc else None,
                                "target_year": ty,
                                "target": tgt,
                                "met": None if tgt is None else s >= tgt,
                                "gap_persons": _gap(
                                    round(s * r["denominator"]), r["denominator"], tgt
                                ),
                                # invented: half the draws of a Monte Carlo scenario meet it
                                "draws": 1000 if mc and tgt is not None else None,
                                "draws_met": 500 if mc and tgt is not None else None,
                                "prob_met": 0.5 if mc and tgt is not None else None,
                                "headline": scenario == "baseline",
                            }
                        )
            gap = r["gap_persons"] or 0
            req_rows.append(
                {
                    "indicator": r["indicator"],
                    "unit": "ALL",
                    "target_year": 2030,
                    "extra_completions_total": gap,
                    "extra_completions_per_year": gap / (2030 - year),
                    "eligible_people": gap * 2,
                    "scenario": "baseline",
                    "recurring": False,
                    "eligible_two_courses": 0,
                    "recruit_people": 0,
                }
            )
        frames["projection"] = pl.DataFrame(proj_rows)
        frames["requirements"] = pl.DataFrame(req_rows)
    brk_rows = []
    groups = {
        "gender": ["male", "female"],
        "minority": ["kinh", "minority"],
        "age_band": ["<30", "30-39", "40-49", "50+"],
    }
    for r in now.filter(pl.col("target_year") == 2025).iter_rows(named=True):
        for dim, names in groups.items():
            left_den, left_num = r["denominator"], r["numerator"]
            for i, g in enumerate(names):
                last = i == len(names) - 1
                den = left_den if last else rng.randint(0, left_den)
                num = left_num if last else min(den, rng.randint(0, left_num))
                num = min(num, den)
                left_den -= den
                left_num -= num
                brk_rows.append(
                    {
                        "indicator": r["indicator"],
                        "unit": "ALL",
                        "year": year,
                        "dimension": dim,
                        "group": g,
                        "numerator": num,
                        "denominator": den,
                        "share": num / den if den else None,
                    }
                )
    frames["breakdowns"] = pl.DataFrame(brk_rows)
    frames["reconciliation"] = pl.DataFrame(
        {
            "table": ["staff", "training_updates", "units"],
            "rows_read": [480, 1210, 13],
            "rows_accepted": [472, 1200, 13],
            "rows_quarantined": [8, 10, 0],
        }
    )
    if with_projection:
        frames.update(plan_frames())
    frames["rule_results"] = pl.DataFrame(
        {
            "table": ["staff", "staff", "training_updates"],
            "rule": ["birth_date_valid", "unit_known", "hours_positive"],
            "grade": ["quarantine", "quarantine", "quarantine"],
            "expectation": ["e1", "e2", "e3"],
            "rows_failed": [5, 3, 10],
            "success": [False, False, False],
            "title_vi": ["Ngày sinh không hợp lệ", "Đơn vị không có trong danh mục", None],
            "title_en": ["Invalid birth date", "Unit not in the units table", None],
        }
    )
    return frames


def plan_frames(status: str = "time_limit") -> dict[str, pl.DataFrame]:
    """What notebook 05 writes: the plan stopped at its time limit (the gap sentence shows)."""
    return {
        "plan_outcome": pl.DataFrame(
            {
                "scenario": ["baseline", "history_rates"],
                "headline": [True, False],
                "target_year": [2030, 2030],
                "targets": [14, 14],
                "met_no_nominations": [3, 2],
                "met_rule": [6, 5],
                "met_plan": [9, 7],
            }
        ),
        "plan_bottlenecks": pl.DataFrame(
            {
                "quota": ["c_pt_advanced", "c_pt_advanced", "d_university"],
                "unit": ["X02", "X02", "ALL"],
                "course": ["pt_advanced", "pt_advanced", "university"],
                "start_year": [2026, 2027, 2026],
                "extra_seats": [2, 2, 5],
                "free_eligible": [4, 4, 3],
                "meets_target": [True, True, False],
                "target_year": [2030, 2030, 2030],
                "cheapest": [True, False, False],
            }
        ),
        "plan_solver": pl.DataFrame(
            {
                "stage": ["targets_and_shortfall", "priority"],
                "status": [status, "optimal"],
                "objective": [900.0, 12.0],
                "mip_gap": [0.034, 0.0],
                "seconds": [30.0, 1.5],
                "plan_from": ["solver", "solver"],
                "time_limit_seconds": [30.0, 30.0],
                "seats_example": [True, True],
            }
        ),
    }


def write(out_dir: Path, frames: dict[str, pl.DataFrame], manifest: dict | None = None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.write_csv(out_dir / f"{name}.csv")
    if manifest is not None:
        (out_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def fake_executed_notebook(fragments: list[str], path: Path) -> Path:
    """An 'executed' notebook whose code cells display the given HTML fragments, plus the
    things render_html must drop (code, a markdown note, a stderr stream)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    cells = [new_markdown_cell("# developer note SHOULD_NOT_RENDER")]
    for i, fragment in enumerate(fragments):
        cell = new_code_cell(f"display(HTML(section_{i}))  # CODE_SHOULD_NOT_RENDER")
        cell.outputs = [
            new_output("stream", name="stderr", text="STDERR_SHOULD_NOT_RENDER"),
            new_output(
                "display_data", data={"text/html": fragment, "text/plain": "<IPython HTML>"}
            ),
        ]
        cells.append(cell)
    nbformat.write(new_notebook(cells=cells), str(path))
    return path
