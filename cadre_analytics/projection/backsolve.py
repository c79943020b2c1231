"""What it takes: extra course completions per year so the baseline meets each target, and
who could take them (people on the baseline roster of the target year, listed only where an
extra completion is needed)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from cadre_analytics.params import Course, QuotaRules
from cadre_analytics.projection.model import (
    ALL,
    Cohorts,
    carried_indicators,
    cohort_flags,
    rank_expr,
)
from cadre_analytics.projection.simulate import SimResult
from cadre_analytics.targets import gap_persons

REQUIREMENTS_SCHEMA = {
    "indicator": pl.Utf8,
    "unit": pl.Utf8,
    "target_year": pl.Int32,
    "extra_completions_total": pl.Int64,
    "extra_completions_per_year": pl.Int64,
    "eligible_people": pl.Int64,
}
ELIGIBLE_SCHEMA = {
    "indicator": pl.Utf8,
    "unit": pl.Utf8,
    "target_year": pl.Int32,
    "course": pl.Utf8,
    "course_label_vi": pl.Utf8,
    "attribute": pl.Utf8,
    "current_level": pl.Utf8,
    "staff_id": pl.Utf8,
    "full_name": pl.Utf8,
    "retirement_date": pl.Date,
}


def _course_hits(
    cohorts: Cohorts, rules: QuotaRules, units: pl.DataFrame, alive: np.ndarray, course: Course
) -> list[tuple[int, np.ndarray]]:
    """(indicator, cohorts) whose members would enter that numerator by taking ``course``."""
    a = course.attribute
    frame = cohorts.frame.filter(pl.Series(alive))
    if a not in frame.columns:
        return []
    ok = rank_expr(a, a, rules) < rank_expr(pl.lit(course.level), a, rules)
    for ra, lvl in course.requires_at_least.items():
        ok &= rank_expr(ra, ra, rules) >= rank_expr(pl.lit(lvl), ra, rules)
    if course.max_age is not None:
        ok &= (cohorts.year - pl.col("birth_year").fill_null(cohorts.year)) < course.max_age
    sel = frame.select(ok.fill_null(False)).to_series().to_numpy()
    if not sel.any():
        return []
    chosen = frame.filter(pl.Series(sel))
    upgraded = chosen.with_columns(pl.lit(course.level, dtype=frame.schema[a]).alias(a))
    after = cohort_flags(upgraded.drop("_c", "_hire"), units, rules)
    c = chosen["_c"].to_numpy()
    out = []
    for k, ind in enumerate(rules.indicators):
        gain = after[f"num__{ind.id}"].fill_null(False).to_numpy() & cohorts.level_member[c, k]
        hit = cohorts.pop[c, k] & ~cohorts.num[c, k] & gain
        if hit.any():
            out.append((k, c[hit]))
    return out


def _eligible(
    cohorts: Cohorts, rules: QuotaRules, units, sim: SimResult, courses: dict[str, Course]
) -> pl.DataFrame:
    """Person-level: who would enter a numerator by taking a course, per target year."""
    parts = []
    for ty in rules.target_years:
        if ty not in sim.kept:
            continue
        x, members = sim.kept[ty]
        now = members[cohorts.person_cohort]
        people = cohorts.people.with_columns(pl.Series("_c", now)).filter(pl.col("_c") >= 0)
        for course in courses.values():
            a = course.attribute
            for k, hit in _course_hits(cohorts, rules, units, x > 0, course):
                ind = rules.indicators[k]
                if ind.kind != "share" or ind.targets.get(ty) is None:
                    continue
                level = cohorts.frame.select("_c", pl.col(a).cast(pl.Utf8).alias("current_level"))
                chosen = people.filter(pl.col("_c").is_in(hit)).join(level, on="_c", how="left")
                parts.append(
                    chosen.select(
                        pl.lit(ind.id).alias("indicator"),
                        "unit",
                        pl.lit(ty).alias("target_year"),
                        pl.lit(course.id).alias("course"),
                        pl.lit(course.label_vi).alias("course_label_vi"),
                        pl.lit(a).alias("attribute"),
                        "current_level",
                        "staff_id",
                        "full_name",
                        "retirement_date",
                    ).cast(ELIGIBLE_SCHEMA)
                )
    return pl.concat(parts) if parts else pl.DataFrame(schema=ELIGIBLE_SCHEMA)


def _gaps(cohorts: Cohorts, rules: QuotaRules, sim: SimResult) -> pl.DataFrame:
    """Baseline counts at each later target year, and the people short by gap_persons."""
    carried = carried_indicators(rules)
    rows = []
    for ty in rules.target_years:
        if ty <= cohorts.year or ty not in cohorts.years:
            continue
        yi = cohorts.years.index(ty)
        pairs = [
            (k, ALL, sim.all_num[yi, k, 0], sim.all_den[yi, k, 0])
            for k in range(len(rules.indicators))
        ]
        pairs += [
            (k, u, sim.unit_num[yi, p], sim.unit_den[yi, p])
            for p, (k, u) in enumerate(zip(cohorts.pairs_ind, cohorts.pairs_unit, strict=True))
        ]
        for k, unit, num, den in pairs:
            ind = rules.indicators[k]
            t = ind.targets.get(ty)
            if ind.kind != "share" or t is None:
                continue
            gap = gap_persons(int(round(num)), int(round(den)), t.value / 100, t.comparator)
            per_year = None
            if gap is not None:
                # an annual update lapses every year: the whole gap is needed in each year
                per_year = gap if ind.id in carried else math.ceil(gap / (ty - cohorts.year))
            rows.append((k, ind.id, unit, ty, gap, per_year))
    schema = {"_k": pl.Int64, **{c: REQUIREMENTS_SCHEMA[c] for c in list(REQUIREMENTS_SCHEMA)[:5]}}
    columns = ["_k", "indicator", "unit", "target_year", "extra_completions_total",
               "extra_completions_per_year"]  # fmt: skip
    return pl.DataFrame(rows, schema={c: schema[c] for c in columns}, orient="row")


def backsolve(
    cohorts: Cohorts,
    rules: QuotaRules,
    units: pl.DataFrame,
    sim: SimResult,
    courses: dict[str, Course],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(requirements, eligible) on the baseline run (deterministic: people follow cohorts)."""
    eligible = _eligible(cohorts, rules, units, sim, courses)
    per_unit = eligible.group_by("indicator", "unit", "target_year").agg(
        pl.col("staff_id").n_unique().alias("eligible_people")
    )
    per_all = eligible.group_by("indicator", "target_year").agg(
        pl.lit(ALL).alias("unit"), pl.col("staff_id").n_unique().alias("eligible_people")
    )
    counts = pl.concat([per_unit, per_all.select(per_unit.columns)])
    requirements = (
        _gaps(cohorts, rules, sim)
        .join(counts, on=["indicator", "unit", "target_year"], how="left")
        .with_columns(pl.col("eligible_people").fill_null(0))
        .sort("_k", pl.col("unit") != ALL, "target_year", maintain_order=True)
        .select(list(REQUIREMENTS_SCHEMA))
        .cast(REQUIREMENTS_SCHEMA)
    )
    # Data minimisation: list people only where some extra completion is needed (their unit's
    # or the whole district's requirement).
    needed = requirements.filter(pl.col("extra_completions_total") > 0).select(
        "indicator", "unit", "target_year"
    )
    needed_all = needed.filter(pl.col("unit") == ALL).drop("unit")
    eligible = pl.concat(
        [
            eligible.join(needed, on=["indicator", "unit", "target_year"], how="semi"),
            eligible.join(needed_all, on=["indicator", "target_year"], how="semi"),
        ]
    ).unique(maintain_order=True)
    return requirements, eligible.sort("indicator", "target_year", "unit", "course", "staff_id")
