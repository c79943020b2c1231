"""What the plan optimises on: the people who can be nominated, and each target's path.

* Candidates are the YEAR roster's cadres, civil servants and public employees still in post
  at the end of the target year by the statutory retirement schedule. People now on a course
  (degree or political theory in progress) are not nominated: one course at a time, and the
  projection already counts the course they are on.
* Targets are read from the projection of one scenario (the headline one), never recomputed:
  for each quota and unit, the projected population and numerator in the target year without
  nominations. Only quotas whose counting rule is "every attribute at or above a level" can be
  reached by courses; the others (and headcount ratios) are left out of the plan.

The plan then adds, to each target, the people its nominations make count. Exits other than
retirement are not applied to the nominated people: a person nominated is taken to stay.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from cadre_analytics import indicators
from cadre_analytics.params import QuotaCondition, QuotaRules, RetirementSchedule
from cadre_analytics.plan.model import ALL
from cadre_analytics.retirement import with_retirement_date

TARGET_SCHEMA = {
    "quota": pl.Utf8,
    "unit": pl.Utf8,
    "population": pl.Int64,
    "expected_numerator": pl.Int64,
    "target": pl.Object,
    "comparator": pl.Utf8,
    "count_attributes": pl.List(pl.Utf8),
    "count_levels": pl.List(pl.Utf8),
}
STUDYING = ("studying_education", "studying_political_theory")
NOMINATED_GROUPS = ("cadre", "civil_servant", "public_employee")  # contract staff: no quota


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


def plan_candidates(
    staff: pl.DataFrame,
    training: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    schedule: RetirementSchedule,
    *,
    year: int,
    target_year: int,
) -> pl.DataFrame:
    """The people who may be nominated (module docstring), with the plan's candidate columns:
    retirement year, age on 31 December of ``year``, quota flags, ``priority`` 1 for the
    succession-planning pool."""
    people = staff.filter(pl.col("snapshot_year") == year)
    people = indicators.updated_in_year(people, training, year, rules)
    people = with_retirement_date(people, schedule)
    flags = indicators.flag_people(people, units, rules)
    frame = pl.concat([people, flags.drop("staff_id", "unit", "snapshot_year")], how="horizontal")
    stays = (pl.col("retirement_date") > date(target_year, 12, 31)).fill_null(True)
    studying = pl.any_horizontal(
        [pl.col(c).is_not_null() for c in STUDYING if c in frame.columns] or [pl.lit(False)]
    )
    frame = frame.filter(stays & ~studying & pl.col("staff_type").is_in(NOMINATED_GROUPS))
    return frame.with_columns(
        # Unknown birth date: no service or age can be shown, so never nominated.
        retirement_year=pl.col("retirement_date").dt.year().fill_null(year + 1).cast(pl.Int64),
        age=(year - pl.col("birth_date").dt.year()).fill_null(99).cast(pl.Int64),
        priority=pl.col("succession_planned").fill_null(False).cast(pl.Int64),
    )


def plan_targets(
    projection: pl.DataFrame, rules: QuotaRules, scenario: str, *, target_year: int
) -> pl.DataFrame:
    """One row per quota x unit reachable by courses: the ``scenario``'s projected population
    and numerator in ``target_year`` (TARGET_SCHEMA, what ``plan_nominations`` reads)."""
    at = projection.filter(
        (pl.col("scenario") == scenario)
        & (pl.col("year") == target_year)
        & (pl.col("target_year") == target_year)
        & (pl.col("denominator") > 0)
    )
    rows = []
    for ind in rules.indicators:
        t = ind.targets.get(target_year)
        pairs = count_condition(ind.counts_when, rules)
        if ind.kind != "share" or t is None or pairs is None:
            continue
        mine = at.filter(pl.col("indicator") == ind.id).sort(pl.col("unit") != ALL, "unit")
        for unit, population, numerator in mine.select(
            "unit", "denominator", "numerator"
        ).iter_rows():
            rows.append(
                (
                    ind.id,
                    unit,
                    int(population),
                    int(numerator),
                    t.value / 100,
                    t.comparator,
                    [a for a, _ in pairs],
                    [str(v) for _, v in pairs],
                )
            )
    return pl.DataFrame(rows, schema=TARGET_SCHEMA, orient="row")
