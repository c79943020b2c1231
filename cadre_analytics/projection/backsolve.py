"""What it takes: the people short of each target on the headline scenario, and who could
close the gap by taking courses.

The gaps are the headline scenario's own (its rows of projection.csv at the target year: the
numbers the summary shows), so the summary and "what it takes" say the same thing. Who could
go is read on a deterministic run in which people follow their cohort (today's staff still in
service in the target year, hires never listed): someone missing two things a quota asks for
(e.g. state-management training and political theory) is listed once, with both courses. When
fewer people can go than are short, the rest must be recruited with the qualification; a range
exceeded from above is not closed by courses at all."""

from __future__ import annotations

import math
from itertools import combinations

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
from cadre_analytics.schema import OUTPUT_TABLES
from cadre_analytics.targets import above_range

REQUIREMENTS_SCHEMA = OUTPUT_TABLES["requirements"]
# Why a target cannot be reached by sending today's staff on courses.
TOO_FEW_ELIGIBLE = "too_few_eligible"  # recruit_people must come in with the qualification
ABOVE_RANGE = "above_range"  # more people than the range's upper bound allows
NOT_WHOLE_PEOPLE = "not_whole_people"  # no whole number of people meets it ("== 1/3" of 10)
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


def _may_take(course: Course, cohorts: Cohorts, rules: QuotaRules) -> pl.Expr:
    """Below the course's level, with its entry requirements, under its age limit."""
    a = course.attribute
    ok = rank_expr(a, a, rules) < rank_expr(pl.lit(course.level), a, rules)
    for ra, lvl in course.requires_at_least.items():
        ok &= rank_expr(ra, ra, rules) >= rank_expr(pl.lit(lvl), ra, rules)
    if course.max_age is not None:
        ok &= (cohorts.year - pl.col("birth_year").fill_null(cohorts.year)) < course.max_age
    return ok.fill_null(False)


def _course_hits(
    cohorts: Cohorts,
    rules: QuotaRules,
    units: pl.DataFrame,
    alive: np.ndarray,
    courses: tuple[Course, ...],
) -> list[tuple[int, np.ndarray]]:
    """(indicator, cohorts) whose members would enter that numerator by taking all of
    ``courses`` (one course, or two raising different fields)."""
    frame = cohorts.frame.filter(pl.Series(alive))
    if any(c.attribute not in frame.columns for c in courses):
        return []
    ok = pl.lit(True)
    for course in courses:
        ok &= _may_take(course, cohorts, rules)
    sel = frame.select(ok).to_series().to_numpy()
    if not sel.any():
        return []
    chosen = frame.filter(pl.Series(sel))
    upgraded = chosen.with_columns(
        pl.lit(c.level, dtype=frame.schema[c.attribute]).alias(c.attribute) for c in courses
    )
    after = cohort_flags(upgraded.drop("_c", "_hire"), units, rules)
    c = chosen["_c"].to_numpy()
    out = []
    for k, ind in enumerate(rules.indicators):
        gain = after[f"num__{ind.id}"].fill_null(False).to_numpy() & cohorts.level_member[c, k]
        hit = cohorts.pop[c, k] & ~cohorts.num[c, k] & gain
        if hit.any():
            out.append((k, c[hit]))
    return out


def _course_sets(courses: dict[str, Course]) -> list[tuple[Course, ...]]:
    """Every course alone, then every pair of courses raising different fields."""
    single = [(c,) for c in courses.values()]
    pairs = [p for p in combinations(courses.values(), 2) if p[0].attribute != p[1].attribute]
    return single + pairs


def _hits(cohorts, rules, units, alive, courses) -> dict[int, list[tuple[tuple, np.ndarray]]]:
    """Indicator -> [(courses, cohorts)]: each cohort under the first set that brings it in,
    one course before two (nobody is sent on two courses where one would do)."""
    found: dict[int, list] = {}
    taken: dict[int, set] = {}
    for course_set in _course_sets(courses):
        for k, hit in _course_hits(cohorts, rules, units, alive, course_set):
            new = np.array([c for c in hit if c not in taken.setdefault(k, set())], dtype=int)
            if new.size:
                taken[k].update(new.tolist())
                found.setdefault(k, []).append((course_set, new))
    return found


def _eligible(
    cohorts: Cohorts, rules: QuotaRules, units, sim: SimResult, courses: dict[str, Course]
) -> pl.DataFrame:
    """Person-level: who would enter a numerator by taking courses, per target year (one row
    per person and course: two rows for someone who needs two)."""
    parts = []
    for ty in rules.target_years:
        if ty not in sim.kept:
            continue
        x, members = sim.kept[ty]
        now = members[cohorts.person_cohort]
        people = cohorts.people.with_columns(pl.Series("_c", now)).filter(pl.col("_c") >= 0)
        for k, found in _hits(cohorts, rules, units, x > 0, courses).items():
            ind = rules.indicators[k]
            if ind.kind != "share" or ind.targets.get(ty) is None:
                continue
            for course_set, hit in found:
                chosen = people.filter(pl.col("_c").is_in(hit))
                for course in course_set:
                    a = course.attribute
                    level = cohorts.frame.select(
                        "_c", pl.col(a).cast(pl.Utf8).alias("current_level")
                    )
                    parts.append(
                        chosen.join(level, on="_c", how="left")
                        .select(
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
                        )
                        .cast(ELIGIBLE_SCHEMA)
                    )
    return pl.concat(parts) if parts else pl.DataFrame(schema=ELIGIBLE_SCHEMA)


def _gaps(headline: pl.DataFrame, rules: QuotaRules, year: int) -> pl.DataFrame:
    """The headline scenario's counts at each later target year and its people short."""
    carried = carried_indicators(rules)
    order = {ind.id: k for k, ind in enumerate(rules.indicators)}
    shares = [i.id for i in rules.indicators if i.kind == "share"]
    rows = headline.filter(
        (pl.col("year") == pl.col("target_year"))
        & (pl.col("target_year") > year)
        & pl.col("indicator").is_in(shares)
        & pl.col("target").is_not_null()
    )
    out = []
    for r in rows.iter_rows(named=True):
        t = rules.indicator(r["indicator"]).targets[r["target_year"]]
        gap, recurring = r["gap_persons"], r["indicator"] in carried
        over = not r["met"] and above_range(r["share"], t.share_upper)
        per_year = None
        if gap is not None and not over:
            # an annual update lapses every year: the whole gap is needed in each year
            per_year = gap if recurring else math.ceil(gap / (r["target_year"] - year))
        reason = None
        if over:
            reason = ABOVE_RANGE
        elif gap is None and r["met"] is False:
            reason = NOT_WHOLE_PEOPLE
        out.append(
            {
                "_k": order[r["indicator"]],
                "indicator": r["indicator"],
                "unit": r["unit"],
                "target_year": r["target_year"],
                "scenario": r["scenario"],
                "numerator": r["numerator"],
                "denominator": r["denominator"],
                "extra_completions_total": None if over else gap,
                "extra_completions_per_year": per_year,
                "recurring": recurring,
                "people_over": gap if over else None,
                "reason": reason,
            }
        )
    schema = {"_k": pl.Int64} | {
        c: REQUIREMENTS_SCHEMA[c]
        for c in ("indicator", "unit", "target_year", "scenario", "numerator", "denominator",
                  "extra_completions_total", "extra_completions_per_year", "recurring",
                  "people_over", "reason")
    }  # fmt: skip
    return pl.DataFrame(out, schema=schema)


def _eligible_counts(eligible: pl.DataFrame) -> pl.DataFrame:
    """Per quota x unit (and ALL) x target year: people who could go (each once), those
    needing two courses, and the courses they need (catalogue ids, in the order first met)."""
    keys = ["indicator", "unit", "target_year"]
    whole = eligible.with_columns(pl.lit(ALL).alias("unit"))
    parts = []
    for frame in (eligible, whole):
        people = (
            frame.group_by(*keys, "staff_id")
            .agg(pl.col("course").n_unique().alias("_n"))
            .group_by(keys)
            .agg(
                pl.len().cast(pl.Int64).alias("eligible_people"),
                (pl.col("_n") > 1).sum().cast(pl.Int64).alias("eligible_two_courses"),
            )
        )
        courses = frame.group_by(keys).agg(
            pl.col("course").unique(maintain_order=True).str.join(";").alias("courses")
        )
        parts.append(people.join(courses, on=keys))
    return pl.concat(parts)


def backsolve(
    cohorts: Cohorts,
    rules: QuotaRules,
    units: pl.DataFrame,
    sim: SimResult | None,
    courses: dict[str, Course],
    headline: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(requirements, eligible): the gaps of ``headline`` (its projection rows) and who could
    close them, listed on ``sim`` (a deterministic run keeping the target years; None: no
    list, everyone short must be recruited)."""
    eligible = pl.DataFrame(schema=ELIGIBLE_SCHEMA)
    if sim is not None:
        eligible = _eligible(cohorts, rules, units, sim, courses)
    gaps = _gaps(headline, rules, cohorts.year)
    total = pl.col("extra_completions_total")
    requirements = (
        gaps.join(_eligible_counts(eligible), on=["indicator", "unit", "target_year"], how="left")
        .with_columns(pl.col("eligible_people", "eligible_two_courses").fill_null(0))
        .with_columns(
            pl.when(total > pl.col("eligible_people"))
            .then(total - pl.col("eligible_people"))
            .otherwise(0)
            .alias("recruit_people")
        )
        .with_columns(
            pl.when(pl.col("recruit_people") > 0)
            .then(pl.lit(TOO_FEW_ELIGIBLE))
            .otherwise(pl.col("reason"))
            .alias("reason")
        )
        .sort("_k", pl.col("unit") != ALL, "target_year", maintain_order=True)
        .select(list(REQUIREMENTS_SCHEMA))
        .cast(REQUIREMENTS_SCHEMA)
    )
    # Data minimisation: list people only where some extra completion is needed (their unit's
    # or the whole district's requirement).
    needed = requirements.filter(total > 0).select("indicator", "unit", "target_year")
    needed_all = needed.filter(pl.col("unit") == ALL).drop("unit")
    eligible = pl.concat(
        [
            eligible.join(needed, on=["indicator", "unit", "target_year"], how="semi"),
            eligible.join(needed_all, on=["indicator", "target_year"], how="semi"),
        ]
    ).unique(maintain_order=True)
    return requirements, eligible.sort("indicator", "target_year", "unit", "course", "staff_id")
