"""Qualification quotas measured for the district, each commune and each unit (issue 4).

Every definition (populations, scales, "counts when" conditions, targets) lives in
``params/quotas.yaml`` and arrives here as :class:`~cadre_analytics.params.QuotaRules`; this
module only interprets it into polars expressions. The one computation that is not a share of
people is the headcount ratio (``kind: headcount_ratio``).

Scales: ``share`` and ``target`` are both fractions in 0..1 (``target`` 0.2 means 20%).
``met`` and ``gap_persons`` are decided with integers (``numerator * 100 * q`` against
``p * denominator`` for a target of ``p/q`` percent), never by comparing rounded floats.

An empty population (denominator 0, or no base-year headcount) gives share, met and gap null and
``population_empty = true``; it is never shown as 0% and never divides by zero. A target year in
which the programme sets no target ("—") gives rows with target, met and gap null.
"""

from __future__ import annotations

import polars as pl

from cadre_analytics import units as unit_life
from cadre_analytics.params import QuotaCondition, QuotaIndicator, QuotaRules, QuotaTarget
from cadre_analytics.schema import OUTPUT_TABLES
from cadre_analytics.targets import met_gap_exprs, target_parts

ALL_UNITS = "ALL"
# Added last, by unit_history.carry_closed_levels.
LEVEL_CLOSURE_COLUMNS = ("closed_on", "carried_from")
# On which units past years are told when units merged (params/report.yaml ``history``).
HISTORY_ON_TODAYS_UNITS = "today"
HISTORY_AS_THEY_WERE = "as_they_were"
# OUT tables are written in Vietnamese, the Board's language (labels in English sit beside them).
DATA_LANG = "vi"

INDICATOR_COLUMNS = tuple(OUTPUT_TABLES["indicators"])
COUNT_COLUMNS = ("indicator", "level", "unit", "unit_name", "year", "numerator", "denominator")
UNKNOWN_GROUP = "unknown"

# The tables' dtypes are declared once, with every other output table, in schema.OUTPUT_TABLES.
_INDICATOR_SCHEMA = OUTPUT_TABLES["indicators"]


def all_units_name(lang: str = DATA_LANG) -> str:
    """The name of the whole-district row (``unit = "ALL"``), from the report's catalogue."""
    from cadre_analytics.report.strings import t

    return t("summary.scope_all", lang)


def pop_col(indicator_id: str) -> str:
    """Name of the person-level flag "in the population of this indicator"."""
    return f"pop__{indicator_id}"


def num_col(indicator_id: str) -> str:
    """Name of the person-level flag "counts in the numerator of this indicator"."""
    return f"num__{indicator_id}"


# --- conditions: YAML -> polars expressions --------------------------------------------------


def rank_map(field: str, rules: QuotaRules) -> dict[str, int]:
    """Code -> position on the field's ordered scale, with the equivalents the rules select
    (e.g. specialist_1 -> the rank of master when specialists count as postgraduate)."""
    scale = rules.scales[field]
    ranks = {level: i for i, level in enumerate(scale.order)}
    if scale.equivalents_rule is not None:
        mapping = scale.if_true if rules.rule(scale.equivalents_rule) else scale.if_false
        ranks.update({code: ranks[level] for code, level in (mapping or {}).items()})
    return ranks


def _rank_col(field: str) -> str:
    return f"_rank__{field}"


def _rank_expr(field: str, rules: QuotaRules) -> pl.Expr:
    """Position of the value on its ordered scale (null when blank or off the scale)."""
    ranks = rank_map(field, rules)
    return pl.col(field).replace_strict(ranks, default=None, return_dtype=pl.Int16)


def condition_expr(cond: QuotaCondition, rules: QuotaRules, *, _ranked: bool = False) -> pl.Expr:
    """A boolean, null-free polars expression for one declarative condition.

    A blank (null) value never satisfies a condition: an unknown qualification is not counted.
    (``_ranked``: internal, the scale ranks are already in ``_rank__<field>`` columns.)
    """
    if cond.op in ("all", "any"):
        parts = [condition_expr(child, rules, _ranked=_ranked) for child in cond.children]
        return pl.all_horizontal(parts) if cond.op == "all" else pl.any_horizontal(parts)
    if cond.op == "not":
        return ~condition_expr(cond.children[0], rules, _ranked=_ranked)
    value = rules.rule(cond.value_param) if cond.value_param else cond.value
    column = pl.col(cond.field)
    if cond.op == "at_least":
        ranks = rank_map(cond.field, rules)
        rank = pl.col(_rank_col(cond.field)) if _ranked else _rank_expr(cond.field, rules)
        wanted = ranks[value]
        cumulative = rules.rule(cond.cumulative_if) if cond.cumulative_if else True
        expr = rank >= wanted if cumulative else rank == wanted
    elif cond.op == "is":
        expr = column == pl.lit(value)
    elif cond.op == "in":
        expr = column.is_in(list(value))
    else:  # pragma: no cover - the loader only lets the six known ops through
        raise ValueError(f"unknown condition op {cond.op!r}")
    return expr.fill_null(False)


def population_expr(ind: QuotaIndicator, rules: QuotaRules) -> pl.Expr:
    """In the indicator's population: staff type and unit level of the population, ``within``."""
    pop = rules.populations[ind.population]
    expr = pl.col("staff_type").is_in(list(pop.staff_types)).fill_null(False) & (
        pl.col("unit_level") == pop.unit_level
    ).fill_null(False)
    if ind.within is not None:
        expr = expr & condition_expr(ind.within, rules)
    return expr


def numerator_expr(ind: QuotaIndicator, rules: QuotaRules) -> pl.Expr:
    """Counts in the numerator (always inside the population; headcount: everyone in it)."""
    pop = population_expr(ind, rules)
    if ind.counts_when is None:
        return pop
    return pop & condition_expr(ind.counts_when, rules)


# --- person level -----------------------------------------------------------------------------


def _training_topics(training: pl.LazyFrame, rules: QuotaRules) -> pl.LazyFrame:
    """Per (staff_id, calendar year): how many of the required topics had a course."""
    return (
        training.filter(pl.col("topic").is_in(list(rules.annual_update_topics)))
        .filter(pl.col("date").is_not_null() & pl.col("staff_id").is_not_null())
        .select("staff_id", pl.col("date").dt.year().cast(pl.Int32).alias("_train_year"), "topic")
        .unique()
        .group_by("staff_id", "_train_year")
        .agg(pl.len().alias("_n_topics"))
    )


def _updated_expr(rules: QuotaRules) -> pl.Expr:
    needed = len(set(rules.annual_update_topics)) if rules.annual_update_rule == "all_topics" else 1
    return (pl.col("_n_topics") >= needed).fill_null(False).alias("updated_in_year")


def updated_in_year(
    staff_year: pl.DataFrame, training: pl.DataFrame, year: int, rules: QuotaRules
) -> pl.DataFrame:
    """Add boolean ``updated_in_year``: the person's training updates dated in ``year`` cover
    every topic (``all_topics``) or at least one (``any_topic``) of ``annual_update_topics``."""
    topics = _training_topics(training.lazy(), rules).filter(pl.col("_train_year") == year)
    return (
        staff_year.lazy()
        .drop("updated_in_year", strict=False)
        .join(topics.drop("_train_year"), on="staff_id", how="left", maintain_order="left")
        .with_columns(_updated_expr(rules))
        .drop("_n_topics")
        .collect()
    )


def with_updated_by_snapshot(
    staff: pl.LazyFrame, training: pl.LazyFrame, rules: QuotaRules
) -> pl.LazyFrame:
    """``updated_in_year`` for every snapshot year at once (courses dated in that row's year)."""
    # Row order is not kept: callers aggregate. Plain column keys join about twice as fast.
    topics = _training_topics(training, rules).rename({"_train_year": "snapshot_year"})
    return (
        staff.drop("updated_in_year", strict=False)
        .with_columns(pl.col("snapshot_year").cast(pl.Int32))
        .join(topics, on=["staff_id", "snapshot_year"], how="left")
        .with_columns(_updated_expr(rules))
        .drop("_n_topics")
    )


def _units_lazy(units: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    return units.lazy().select(
        pl.col("code").alias("unit"),
        pl.col("name").alias("unit_name"),
        pl.col("level").alias("unit_level"),
    )


def flag_lazy(
    people: pl.LazyFrame,
    units: pl.DataFrame | pl.LazyFrame,
    rules: QuotaRules,
    keep: tuple[str, ...] = (),
) -> pl.LazyFrame:
    unit_levels = _units_lazy(units).select("unit", "unit_level").unique("unit", keep="first")
    flagged = people.drop("unit_level", strict=False).join(
        unit_levels, on="unit", how="left", maintain_order="left"
    )
    present = set(flagged.collect_schema().names())
    base = [c for c in ("snapshot_year", "staff_id", "unit", "unit_level") if c in present]
    # Each scale rank and each population's base test once, then the 36 flags reuse them: about
    # three times faster than repeating the string lookups in every flag.
    scale_fields = [f for f in rules.scales if f in present]
    bases = {
        pid: (
            pl.col("staff_type").is_in(list(pop.staff_types)).fill_null(False)
            & (pl.col("unit_level") == pop.unit_level).fill_null(False)
        )
        for pid, pop in rules.populations.items()
    }
    prepared = flagged.with_columns(
        *[_rank_expr(f, rules).alias(_rank_col(f)) for f in scale_fields],
        *[expr.alias(f"_base__{pid}") for pid, expr in bases.items()],
    )
    pops = []
    for ind in rules.indicators:
        expr = pl.col(f"_base__{ind.population}")
        if ind.within is not None:
            expr = expr & condition_expr(ind.within, rules, _ranked=True)
        pops.append(expr.alias(pop_col(ind.id)))
    nums = [
        (
            pl.col(pop_col(ind.id))
            if ind.counts_when is None
            else pl.col(pop_col(ind.id)) & condition_expr(ind.counts_when, rules, _ranked=True)
        ).alias(num_col(ind.id))
        for ind in rules.indicators
    ]
    return (
        prepared.with_columns(pops)
        .with_columns(nums)
        .select(
            *base, *keep, *[c for i in rules.indicators for c in (pop_col(i.id), num_col(i.id))]
        )
    )


def flag_people(people: pl.DataFrame, units: pl.DataFrame, rules: QuotaRules) -> pl.DataFrame:
    """One row per person: snapshot_year, staff_id, unit, unit_level and, for every indicator,
    booleans ``pop__<id>`` (in its population) and ``num__<id>`` (counts in its numerator).

    ``people`` holds canonical staff columns plus boolean ``updated_in_year`` (see
    :func:`updated_in_year`). Contract staff are in no population; a person whose unit is not in
    ``units`` has no unit level and is therefore in none either.
    """
    if "updated_in_year" not in people.columns:
        raise ValueError("flag_people needs the `updated_in_year` column: call updated_in_year()")
    return flag_lazy(people.lazy(), units, rules).collect()


# --- counting -----------------------------------------------------------------------------


def _long_counts(wide: pl.LazyFrame, rules: QuotaRules, by: list[str]) -> pl.LazyFrame:
    """Wide per-group sums of pop__/num__ -> one row per indicator (a loop over the 18
    indicators, not over people or units)."""
    parts = [
        wide.select(
            *by,
            pl.lit(ind.id).alias("indicator"),
            pl.lit(ind.level).alias("level"),
            pl.col(num_col(ind.id)).cast(pl.Int64).alias("numerator"),
            pl.col(pop_col(ind.id)).cast(pl.Int64).alias("denominator"),
        )
        for ind in rules.indicators
    ]
    return pl.concat(parts, how="vertical")


def _every_unit_and_year(
    all_rows: pl.LazyFrame,
    per_unit: pl.LazyFrame,
    unit_info: pl.LazyFrame,
    rules: QuotaRules,
    years: list[int],
) -> pl.LazyFrame:
    """Counts on the full grid indicator x (ALL + each unit of its level) x year, 0/0 where
    nobody is in the population, so an empty commune shows instead of going missing."""
    frame = pl.LazyFrame(
        {
            "indicator": [i.id for i in rules.indicators],
            "level": [i.level for i in rules.indicators],
        }
    )
    year_frame = pl.LazyFrame({"snapshot_year": years}, schema={"snapshot_year": pl.Int32})
    grid_units = frame.join(
        unit_info.select("unit", "unit_name", pl.col("unit_level").alias("level")),
        on="level",
        how="inner",
    )
    grid_all = frame.with_columns(
        pl.lit(ALL_UNITS).alias("unit"), pl.lit(all_units_name()).alias("unit_name")
    )
    grid = pl.concat([grid_all, grid_units], how="vertical").join(year_frame, how="cross")
    observed = pl.concat(
        [
            all_rows.select("snapshot_year", "indicator", "unit", "numerator", "denominator"),
            per_unit.select("snapshot_year", "indicator", "unit", "numerator", "denominator"),
        ],
        how="vertical",
    )
    counted = grid.join(
        observed.with_columns(pl.col("snapshot_year").cast(pl.Int32)),
        on=["snapshot_year", "indicator", "unit"],
        how="left",
    ).with_columns(pl.col("numerator", "denominator").fill_null(0))
    return counted


def count_table(
    flags: pl.LazyFrame,
    units: pl.DataFrame | pl.LazyFrame,
    rules: QuotaRules,
    years: list[int],
    extra_by: tuple[str, ...] = (),
) -> pl.LazyFrame:
    """Counts per indicator x (ALL + each unit of the indicator's level) x year [x extra_by].

    Units with nobody in the population still get a row (numerator = denominator = 0), so an
    empty commune is visible instead of missing. With ``extra_by`` (breakdowns) only the groups
    that occur are listed.
    """
    sums = [pl.col(pop_col(i.id)).sum() for i in rules.indicators] + [
        pl.col(num_col(i.id)).sum() for i in rules.indicators
    ]
    per_unit_wide = (
        flags.filter(pl.col("unit_level").is_not_null())
        .group_by("snapshot_year", "unit", *extra_by)
        .agg(sums)
        # The only pass over people: everything after works on units x years x groups. Collected
        # here because the per-indicator branches below would otherwise each re-scan the people.
        .collect()
        .lazy()
    )
    per_unit = _long_counts(per_unit_wide, rules, ["snapshot_year", "unit", *extra_by])
    # Only units of the indicator's own level carry its rows.
    unit_info = _units_lazy(units).unique("unit", keep="first")
    per_unit = per_unit.join(unit_info, on="unit", how="inner").filter(
        pl.col("unit_level") == pl.col("level")
    )
    all_rows = (
        per_unit.group_by("snapshot_year", "indicator", "level", *extra_by)
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .with_columns(pl.lit(ALL_UNITS).alias("unit"), pl.lit(all_units_name()).alias("unit_name"))
    )
    if not extra_by:
        counted = _every_unit_and_year(all_rows, per_unit, unit_info, rules, years)
    else:
        columns = [
            "indicator",
            "level",
            "unit",
            "unit_name",
            "snapshot_year",
            *extra_by,
            "numerator",
            "denominator",
        ]
        counted = pl.concat(
            [all_rows.select(columns), per_unit.select(columns)],
            how="vertical",
        )
    return counted.select(
        "indicator",
        "level",
        "unit",
        "unit_name",
        pl.col("snapshot_year").cast(pl.Int32).alias("year"),
        *extra_by,
        pl.col("numerator").cast(pl.Int64),
        pl.col("denominator").cast(pl.Int64),
    )


def aggregate(
    flags: pl.DataFrame, units: pl.DataFrame, rules: QuotaRules, year: int
) -> pl.DataFrame:
    """Counts for one year: indicator, level, unit, unit_name, year, numerator, denominator.

    One row per indicator for ``unit = "ALL"`` and one per unit of the indicator's level (every
    unit in ``units``, with 0/0 when nobody is in the population). For the headcount indicator
    both numerator and denominator are that year's headcount; the ratio to the base year is
    formed by :func:`compute_indicators`.
    """
    lf = flags.lazy()
    if "snapshot_year" not in flags.columns:
        lf = lf.with_columns(pl.lit(year, dtype=pl.Int32).alias("snapshot_year"))
    lf = lf.filter(pl.col("snapshot_year") == year)
    return sort_table(count_table(lf, units, rules, [year]).collect(), rules)


def _target_frame(rules: QuotaRules) -> pl.DataFrame:
    rows = []
    for order, ind in enumerate(rules.indicators):
        for ty in rules.target_years:
            t: QuotaTarget | None = ind.targets[ty]
            share_target = t.value / 100 if t else None
            tp, tq = target_parts(share_target)
            up, uq = target_parts(t.upper / 100 if t and t.upper is not None else None)
            rows.append(
                {
                    "indicator": ind.id,
                    "_order": order,
                    "target_year": ty,
                    "target": float(share_target) if t else None,
                    "comparator": t.comparator if t else None,
                    "_tp": tp,
                    "_tq": tq,
                    "_up": up,
                    "_uq": uq,
                    "target_upper": t.share_upper if t else None,
                    "_base_year": t.base_year if t else None,
                    "_kind": ind.kind,
                    "label_vi": ind.label_vi,
                    "label_en": ind.label_en,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "indicator": pl.Utf8,
            "_order": pl.Int32,
            "target_year": pl.Int32,
            "target": pl.Float64,
            "comparator": pl.Utf8,
            "_tp": pl.Int64,
            "_tq": pl.Int64,
            "_up": pl.Int64,
            "_uq": pl.Int64,
            "target_upper": pl.Float64,
            "_base_year": pl.Int32,
            "_kind": pl.Utf8,
            "label_vi": pl.Utf8,
            "label_en": pl.Utf8,
        },
    )


def age_band_labels(starts: tuple[int, ...]) -> list[str]:
    """Age band names for the starts (30, 40, 50): <30, 30-39, 40-49, 50+."""
    inner = [f"{low}-{high - 1}" for low, high in zip(starts, starts[1:], strict=False)]
    return [f"<{starts[0]}", *inner, f"{starts[-1]}+"]


def sort_table(frame: pl.DataFrame, rules: QuotaRules) -> pl.DataFrame:
    order = pl.DataFrame(
        {"indicator": [i.id for i in rules.indicators], "_order": range(len(rules.indicators))},
        schema={"indicator": pl.Utf8, "_order": pl.Int32},
    )
    keys = ["_order", "_all_last", "unit", "year"]
    keys += [k for k in ("target_year", "dimension") if k in frame.columns]
    extra = []
    if "group" in frame.columns:
        # Groups in reading order: age bands youngest first, named groups A-Z, unknown last.
        bands = age_band_labels(rules.age_band_starts)
        extra = [
            pl.col("group").replace_strict(
                {b: i for i, b in enumerate(bands)}, default=len(bands), return_dtype=pl.Int32
            )
            + pl.when(pl.col("group") == UNKNOWN_GROUP).then(1).otherwise(0)
        ]
        keys += ["_group_rank", "group"]
    return (
        frame.join(order, on="indicator", how="left")
        .with_columns(
            (pl.col("unit") != ALL_UNITS).alias("_all_last"),
            *[e.alias("_group_rank") for e in extra],
        )
        .sort(keys, nulls_last=True)
        .drop("_order", "_all_last", "_group_rank", strict=False)
    )


def _with_targets(counts: pl.LazyFrame, rules: QuotaRules) -> pl.LazyFrame:
    """Counts x target years -> the indicators table (headcount denominators from base year)."""
    targets = _target_frame(rules).lazy().drop("_order")
    rows = counts.join(targets, on="indicator", how="inner")
    base = counts.select(
        "indicator",
        "unit",
        pl.col("year").alias("_base_year"),
        pl.col("numerator").alias("_base_headcount"),
    )
    rows = rows.join(base, on=["indicator", "unit", "_base_year"], how="left").with_columns(
        pl.when(pl.col("_kind") == "headcount_ratio")
        .then(pl.col("_base_headcount"))
        .otherwise(pl.col("denominator"))
        .alias("denominator")
    )
    empty = pl.col("denominator").is_null() | (pl.col("denominator") == 0)
    return rows.with_columns(
        pl.when(empty)
        .then(None)
        .otherwise(pl.col("numerator") / pl.col("denominator"))
        .alias("share"),
        empty.alias("population_empty"),
        *met_gap_exprs(upper_p="_up", upper_q="_uq"),
    ).select([c for c in _INDICATOR_SCHEMA if c not in LEVEL_CLOSURE_COLUMNS])


def compute_indicators(
    staff: pl.DataFrame,
    training: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    year: int,
    *,
    history: str = HISTORY_ON_TODAYS_UNITS,
) -> pl.DataFrame:
    """The indicators table (columns :data:`INDICATOR_COLUMNS`) for every snapshot year present
    up to ``year``, each against every target year of ``rules`` (2025 and 2030).

    With units that have a life (:mod:`cadre_analytics.units`), ``history`` says on which units
    the past is told: ``today`` (default) — each unit of 31/12/``year`` with its predecessors
    pooled (people counted in the unit they ended up in, so counts add and shares are
    recomputed; ``rebased`` marks those rows); ``as_they_were`` — each year on the units of
    that year. The whole-district rows are the same either way. A level with no unit left on
    31/12/``year`` carries its last measured value (:mod:`cadre_analytics.unit_history`)."""
    staff_lf = staff.lazy().filter(pl.col("snapshot_year") <= year)
    years = sorted(
        staff_lf.select(pl.col("snapshot_year").unique()).collect().to_series().to_list()
    )
    if not years:
        return pl.DataFrame(schema=_INDICATOR_SCHEMA)
    people = with_updated_by_snapshot(staff_lf, training.lazy(), rules)
    flags = flag_lazy(people, units, rules)
    counts = count_table(flags, units, rules, years).collect()
    counts = counts.with_columns(pl.lit(False).alias("rebased"))
    from cadre_analytics import unit_history  # it counts with this module's functions

    if unit_life.has_life(units):
        counts = unit_history.counts_on_units(counts, people, units, rules, years, year, history)
    table = _with_targets(counts.lazy(), rules).collect()
    table = unit_history.carry_closed_levels(table, units, year)
    return sort_table(table, rules).cast(_INDICATOR_SCHEMA)
