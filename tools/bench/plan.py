"""Measure the plan stage on a synthetic district: ``python -m tools.bench.plan``.

The district is generated (one snapshot), its indicators and projection computed as the
pipeline does, then the plan stage runs as notebook 05 runs it (``plan.stage.run_plan``): on
the headline scenario's projection, with the seats and time limit of ``params/seats.yaml``
(``--time-limit`` overrides the latter).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

import polars as pl

from cadre_analytics import indicators, projection
from cadre_analytics.params import load_quota_rules, load_retirement_schedule, load_scenarios
from cadre_analytics.plan.seats import load_seats
from cadre_analytics.plan.stage import run_plan
from tools import synth


def merge_units(frames: dict, most: int) -> dict:
    """The same staff in at most ``most`` units (each level keeps its share): the synthetic
    generator adds a unit per few dozen staff, a real district of 80,000 has a hundred or so."""
    units = frames["units"].sort("level", "code")
    keep: dict[str, str] = {}
    for _level, group in units.group_by("level", maintain_order=True):
        codes = group["code"].to_list()
        n = max(1, round(most * len(codes) / units.height))
        keep.update({code: codes[i % n] for i, code in enumerate(codes)})
    staff = frames["staff"].with_columns(pl.col("unit").replace(keep))
    kept = units.filter(pl.col("code").is_in(list(set(keep.values()))))
    return {**frames, "staff": staff, "units": kept}


def measure(people: int, years, *, year: int, time_limit: float | None, most_units=None) -> dict:
    rules, schedule, scenarios = load_quota_rules(), load_retirement_schedule(), load_scenarios()
    frames = synth.generate(people, years=years)
    if most_units:
        frames = merge_units(frames, most_units)
    staff, training, units = frames["staff"], frames["training_updates"], frames["units"]
    started = time.perf_counter()
    table = indicators.compute_indicators(staff, training, units, rules, year)
    proj = projection.project(
        staff, training, units, rules, schedule, scenarios, year, indicator_table=table
    )
    prepared = time.perf_counter() - started
    seats = load_seats()
    if time_limit is not None:
        seats = dataclasses.replace(seats, time_limit_seconds=time_limit)
    started = time.perf_counter()
    stage = run_plan(
        staff, training, units, rules, schedule, scenarios, proj.projection, seats, year=year
    )
    result = stage.result
    cheapest = stage.bottlenecks.filter(pl.col("cheapest"))
    return {
        "staff": people,
        "units": units.height,
        "targets": None if result is None else result.outcome.height,
        "cohorts": None if result is None else result.cohorts,
        "columns": None if result is None else result.columns,
        "indicators_projection_seconds": round(prepared, 2),
        "plan_seconds": round(time.perf_counter() - started, 2),
        "stages": stage.solver.select(
            "stage", "status", "mip_gap", "seconds", "plan_from"
        ).to_dicts(),
        "outcome": stage.outcome.to_dicts(),
        "nominations": stage.nominations.height,
        "top_bottlenecks": cheapest.head(5).to_dicts(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[2600, 80_000])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--most-units", type=int, default=None)
    args = parser.parse_args()
    for people in args.people:
        found = measure(
            people,
            (args.year, args.year),
            year=args.year,
            time_limit=args.time_limit,
            most_units=args.most_units,
        )
        print(json.dumps(found, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
