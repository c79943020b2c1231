"""Measure the plan stage on a synthetic district: ``python -m tools.bench.plan``.

Until the plan reads the rebuilt projection, its inputs are built here from one snapshot
alone: the candidates are the people still in post at the end of the target year (statutory
retirement, no exits, no hires), and the expected numerator counts them at today's levels
(courses in progress ignored). This is a stand-in for measuring size and speed, not the
numbers a report should show.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

import polars as pl

from cadre_analytics import indicators
from cadre_analytics.params import (
    SCENARIO_ORDINAL_ATTRIBUTES,
    QuotaCondition,
    QuotaRules,
    RetirementSchedule,
    load_quota_rules,
    load_retirement_schedule,
)
from cadre_analytics.plan import plan_nominations
from cadre_analytics.plan.model import ALL
from cadre_analytics.plan.seats import load_seats
from cadre_analytics.retirement import with_retirement_date
from tools import synth


def count_condition(cond: QuotaCondition | None, rules: QuotaRules) -> list[tuple] | None:
    """A counting rule as (attribute, minimum level) pairs, all required; None if it is not
    of that form (then the quota is left out of the plan)."""
    if cond is None:
        return None
    if cond.op == "all":
        parts = [count_condition(child, rules) for child in cond.children]
        return None if any(p is None for p in parts) else [x for p in parts for x in p]
    value = rules.rule(cond.value_param) if cond.value_param else cond.value
    if cond.op == "at_least":
        return [(cond.field, value)]
    if cond.op == "is" and value is True:
        return [(cond.field, "true")]
    return None


def static_inputs(
    staff: pl.DataFrame,
    training: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    schedule: RetirementSchedule,
    *,
    year: int,
    target_year: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Candidates and targets from the ``year`` snapshot (see the module docstring)."""
    people = staff.filter(pl.col("snapshot_year") == year)
    people = indicators.updated_in_year(people, training, year, rules)
    people = with_retirement_date(people, schedule)
    flags = indicators.flag_people(people, units, rules)
    end = date(target_year, 12, 31)
    stays = (pl.col("retirement_date") > end).fill_null(True)
    frame = pl.concat([people, flags.drop("staff_id", "unit", "snapshot_year")], how="horizontal")
    frame = frame.filter(stays & (pl.col("staff_type") != "contract"))
    candidates = frame.with_columns(
        # Unknown birth date: counted, never nominated (no service or age can be shown).
        retirement_year=pl.col("retirement_date").dt.year().fill_null(year + 1).cast(pl.Int64),
        age=(year - pl.col("birth_date").dt.year()).fill_null(99).cast(pl.Int64),
        priority=pl.col("succession_planned").fill_null(False).cast(pl.Int64),
    )
    rows = []
    for ind in rules.indicators:
        t = ind.targets.get(target_year)
        pairs = count_condition(ind.counts_when, rules)
        if ind.kind != "share" or t is None or pairs is None:
            continue
        level_units = units.filter(pl.col("level") == ind.level)["code"].to_list()
        for unit in [ALL, *level_units]:
            scope = candidates if unit == ALL else candidates.filter(pl.col("unit") == unit)
            pop = scope[f"pop__{ind.id}"].fill_null(False)
            n = int(pop.sum())
            if n == 0:
                continue
            expected = int((pop & scope[f"num__{ind.id}"].fill_null(False)).sum())
            rows.append(
                (
                    ind.id,
                    unit,
                    n,
                    expected,
                    t.value / 100,
                    t.comparator,
                    [a for a, _ in pairs],
                    [str(v) for _, v in pairs],
                )
            )
    targets = pl.DataFrame(
        rows,
        schema={
            "quota": pl.Utf8,
            "unit": pl.Utf8,
            "population": pl.Int64,
            "expected_numerator": pl.Int64,
            "target": pl.Object,
            "comparator": pl.Utf8,
            "count_attributes": pl.List(pl.Utf8),
            "count_levels": pl.List(pl.Utf8),
        },
        orient="row",
    )
    return candidates, targets


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


def measure(
    people: int, years, *, year: int, target_year: int, time_limit: float, most_units=None
) -> dict:
    rules = load_quota_rules()
    frames = synth.generate(people, years=years)
    if most_units:
        frames = merge_units(frames, most_units)
    started = time.perf_counter()
    candidates, targets = static_inputs(
        frames["staff"],
        frames["training_updates"],
        frames["units"],
        rules,
        load_retirement_schedule(),
        year=year,
        target_year=target_year,
    )
    ranks = {a: indicators.rank_map(a, rules) for a in SCENARIO_ORDINAL_ATTRIBUTES}
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    result = plan_nominations(
        candidates,
        targets,
        load_seats(),
        ranks,
        year=year,
        target_year=target_year,
        time_limit=time_limit,
    )
    out = result.outcome
    ccs = candidates.filter(pl.col("staff_type").is_in(["cadre", "civil_servant"])).height
    return {
        "staff": people,
        "candidates": candidates.height,
        "cadres_civil_servants": ccs,
        "units": frames["units"].height,
        "quotas": targets["quota"].n_unique(),
        "targets": targets.height,
        "cohorts": result.cohorts,
        "columns": result.columns,
        "inputs_seconds": round(prepared, 2),
        "plan_seconds": round(time.perf_counter() - started, 2),
        "stages": result.solver.to_dicts(),
        "met_no_nominations": int(out["met_no_nominations"].sum()),
        "met_plan": int(out["met_plan"].sum()),
        "met_rule": int(out["met_rule"].sum()),
        "nominations": result.nominations.height,
        "rule_nominations": result.rule_nominations.height,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[2600, 80_000])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--target-year", type=int, default=2030)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--most-units", type=int, default=None)
    args = parser.parse_args()
    for people in args.people:
        found = measure(
            people,
            (args.year, args.year),
            year=args.year,
            target_year=args.target_year,
            time_limit=args.time_limit,
            most_units=args.most_units,
        )
        print(json.dumps(found, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
