"""Simulation counts -> the rows of projection.csv (one met rule: :func:`met_gap_exprs`)."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from cadre_analytics.params import QuotaRules
from cadre_analytics.projection.model import ALL, Cohorts, carried_indicators
from cadre_analytics.projection.simulate import SimResult
from cadre_analytics.schema import OUTPUT_TABLES
from cadre_analytics.targets import met_gap_exprs, target_parts

PROJECTION_SCHEMA = OUTPUT_TABLES[
    "projection"
]  # the one declaration, shared with writer and readers
ASSUMPTION_CARRIED = (
    "Giữ nguyên tình trạng cập nhật kiến thức của năm {year} / "
    "Annual-update status of {year} carried forward"
)


def observed_headcounts(indicator_table: pl.DataFrame, rules: QuotaRules) -> dict:
    """(indicator, unit, year) -> measured headcount, for headcount-ratio base years <= YEAR."""
    heads = [i.id for i in rules.indicators if i.kind == "headcount_ratio"]
    rows = indicator_table.filter(pl.col("indicator").is_in(heads))
    rows = rows.select("indicator", "unit", "year", "numerator").unique()
    return {(r[0], r[1], r[2]): r[3] for r in rows.iter_rows()}


def _base_denominator(num: np.ndarray, years: list[int], base_year, observed) -> np.ndarray:
    """A headcount ratio's denominator: the headcount of its base year, projected (the same
    draw) or measured; NaN when there is none."""
    if base_year in years:
        return np.broadcast_to(num[years.index(base_year)], num.shape).astype(np.float64)
    return np.full(num.shape, np.nan if observed is None else float(observed))


def _whole_scope_den(cohorts: Cohorts, rules: QuotaRules, sim: SimResult, ty: int, observed):
    """Year x indicator x draw counts for one target year (a staffing cut's denominator is its
    base year's headcount, which depends on the target year)."""
    num = sim.all_num.astype(np.float64)
    den = sim.all_den.astype(np.float64)
    for k, ind in enumerate(rules.indicators):
        t = ind.targets.get(ty)
        if ind.kind == "headcount_ratio":
            base = None if t is None else t.base_year
            den[:, k, :] = _base_denominator(
                num[:, k, :], cohorts.years, base, observed.get((ind.id, ALL, base))
            )
    return num, den


def _whole_scope(num: np.ndarray, den: np.ndarray):
    """Per indicator and year over the draws: the draw at the median share (its numerator,
    denominator and share: a triple that divides), and P10/P50/P90 of the share. P50 is the
    lower median, so it is that draw's share."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no draw with a denominator: NaN
        share = np.where(den > 0, num / den, np.nan)
        p10, p90 = share[..., 0], share[..., 0]
        if share.shape[-1] > 1:
            p10, p90 = np.nanpercentile(share, (10, 90), axis=-1)
    order = np.argsort(share, axis=-1, kind="stable")  # NaN last; ties keep draw order
    valid = (~np.isnan(share)).sum(axis=-1, keepdims=True)
    pick = np.take_along_axis(order, np.maximum(valid - 1, 0) // 2, axis=-1)
    mid = [np.take_along_axis(a, pick, axis=-1)[..., 0] for a in (num, den, share)]
    return (*mid, p10, p90)


def _draw_counts(num: np.ndarray, den: np.ndarray, rules: QuotaRules, years, ty: int):
    """(indicator id, year, draws with a verdict, draws meeting the target) for one target
    year, each draw judged by the one met rule (:func:`targets.met_gap_exprs`)."""
    y, k, d = np.indices(num.shape).reshape(3, -1)
    ids = [i.id for i in rules.indicators]
    draws = pl.DataFrame(
        {
            "indicator": pl.Series([ids[i] for i in k], dtype=pl.Utf8),
            "year": np.asarray(years, dtype=np.int32)[y],
            "numerator": num.reshape(-1),
            "denominator": den.reshape(-1),
        },
        nan_to_null=True,
    ).with_columns(pl.col("numerator", "denominator").cast(pl.Int64))
    judged = _judge(draws.with_columns(pl.lit(ty, dtype=pl.Int32).alias("target_year")), rules)
    return judged.group_by("indicator", "year", "target_year").agg(
        pl.col("met").is_not_null().sum().cast(pl.Int64).alias("draws"),
        pl.col("met").fill_null(False).sum().cast(pl.Int64).alias("draws_met"),
    )


def _targets(rules: QuotaRules) -> pl.DataFrame:
    """Each quota's target per target year as exact integer parts (target = p/q)."""
    rows = []
    for ind in rules.indicators:
        for ty, t in ind.targets.items():
            if t is None:
                continue
            tp, tq = target_parts(t.value / 100)
            up, uq = target_parts(None if t.upper is None else t.upper / 100)
            rows.append((ind.id, ty, t.comparator, tp, tq, up, uq))
    schema = {"indicator": pl.Utf8, "target_year": pl.Int32, "comparator": pl.Utf8}
    schema |= dict.fromkeys(("_tp", "_tq", "_up", "_uq"), pl.Int64)
    return pl.DataFrame(rows, schema=schema, orient="row")


def _judge(frame: pl.DataFrame, rules: QuotaRules) -> pl.DataFrame:
    """``met`` and ``gap_persons`` of whole counts by the one rule (both bounds of a range)."""
    parts = _targets(rules)
    joined = frame.join(parts, on=["indicator", "target_year"], how="left")
    return joined.with_columns(met_gap_exprs(upper_p="_up", upper_q="_uq")).drop(parts.columns[2:])


def _units(cohorts: Cohorts, rules: QuotaRules, sim: SimResult, ty: int, observed):
    """Per unit pair and year: the expected counts rounded to whole people (exact when
    deterministic) and the share of those rounded counts."""
    num, den = sim.unit_num.copy(), sim.unit_den.copy()
    for p, (k, unit) in enumerate(zip(cohorts.pairs_ind, cohorts.pairs_unit, strict=True)):
        ind = rules.indicators[k]
        if ind.kind == "headcount_ratio":
            t = ind.targets.get(ty)
            base = None if t is None else t.base_year
            den[:, p] = _base_denominator(
                num[:, p], cohorts.years, base, observed.get((ind.id, unit, base))
            )
    num, den = np.rint(num), np.rint(den)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(den > 0, num / den, np.nan)
    return num, den, share


def projection_rows(
    cohorts: Cohorts,
    rules: QuotaRules,
    scenario: str,
    deterministic: bool,
    sim: SimResult,
    observed: dict,
    headline: bool = False,
) -> pl.DataFrame:
    """Rows indicator x (ALL, units) x projected year x target year for one scenario.

    ALL: the draw at the median share — its numerator, denominator and share —, the share's
    P10/P50/P90 (the report's bands) and, for a Monte Carlo scenario, how many draws meet the
    target (``draws_met`` of ``draws``, ``prob_met``). Units: the expected counts (the expected
    path) rounded, their share, no bands. A deterministic scenario gives exact counts
    everywhere. ``met``/``gap_persons``: the one rule on the row's own counts.
    """
    carried = carried_indicators(rules)
    n_ind, n_years = len(rules.indicators), len(cohorts.years)
    parts, counted = [], []
    for ty in rules.target_years:
        all_num, all_den = _whole_scope_den(cohorts, rules, sim, ty, observed)
        med_num, med_den, med_share, p10, p90 = _whole_scope(all_num, all_den)
        if not deterministic:
            counted.append(_draw_counts(all_num, all_den, rules, cohorts.years, ty))
        u_num, u_den, u_share = _units(cohorts, rules, sim, ty, observed)
        bands = u_share if deterministic else np.full(u_share.shape, np.nan)
        ind_of = np.r_[np.arange(n_ind), cohorts.pairs_ind]
        unit_of = [ALL] * n_ind + list(cohorts.pairs_unit)

        def stack(a, b):
            return np.concatenate([a, b], axis=1).reshape(-1)  # year-major, then pair

        targets = [rules.indicators[k].targets.get(ty) for k in range(n_ind)]
        target = np.array([np.nan if t is None else t.share for t in targets])
        frame = pl.DataFrame(
            {
                "_k": np.tile(ind_of, n_years),
                "unit": pl.Series(unit_of * n_years, dtype=pl.Utf8),
                "year": np.repeat(np.array(cohorts.years, dtype=np.int32), len(ind_of)),
                "numerator": stack(med_num, u_num),
                "denominator": stack(med_den, u_den),
                "share": stack(med_share, u_share),
                "share_p10": stack(p10, bands),
                "share_p50": stack(med_share, bands),
                "share_p90": stack(p90, bands),
                "target": np.tile(target[ind_of], n_years),
            },
            nan_to_null=True,
        )
        parts.append(frame.with_columns(pl.lit(ty, dtype=pl.Int32).alias("target_year")))
    ids = [i.id for i in rules.indicators]
    levels = [i.level for i in rules.indicators]
    note = [ASSUMPTION_CARRIED.format(year=cohorts.year) if i in carried else None for i in ids]
    frame = pl.concat(parts).with_columns(
        pl.col("_k").replace_strict(dict(enumerate(ids)), return_dtype=pl.Utf8).alias("indicator"),
        pl.col("_k").replace_strict(dict(enumerate(levels)), return_dtype=pl.Utf8).alias("level"),
        pl.col("_k")
        .replace_strict(dict(enumerate(note)), default=None, return_dtype=pl.Utf8)
        .alias("assumption"),
        pl.lit(scenario).alias("scenario"),
        pl.lit(headline).alias("headline"),
        pl.col("numerator", "denominator").cast(pl.Int64),
    )
    frame = _judge(frame, rules)
    if counted:
        on = ["indicator", "year", "target_year"]
        draws = pl.concat(counted).with_columns(pl.lit(ALL).alias("unit"))
        frame = frame.join(draws, on=[*on, "unit"], how="left").with_columns(
            pl.when(pl.col("draws") > 0)
            .then(pl.col("draws_met") / pl.col("draws"))
            .alias("prob_met")
        )
    else:
        nulls = {"draws": pl.Int64, "draws_met": pl.Int64, "prob_met": pl.Float64}
        frame = frame.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in nulls.items())
    return frame.select(list(PROJECTION_SCHEMA)).cast(PROJECTION_SCHEMA)


def sort_projection(frame: pl.DataFrame, rules: QuotaRules, units: pl.DataFrame) -> pl.DataFrame:
    """Scenario, indicator (quotas.yaml order), ALL then units (units table order), years."""
    order = {ind.id: i for i, ind in enumerate(rules.indicators)}
    scen = {name: i for i, name in enumerate(frame["scenario"].unique(maintain_order=True))}
    unit_order = {ALL: -1, **{u: i for i, u in enumerate(units["code"].to_list())}}
    return (
        frame.with_columns(
            pl.col("scenario").replace_strict(scen, return_dtype=pl.Int32).alias("_s"),
            pl.col("indicator").replace_strict(order, return_dtype=pl.Int32).alias("_o"),
            pl.col("unit")
            .replace_strict(unit_order, default=None, return_dtype=pl.Int32)
            .alias("_u"),
        )
        .sort("_s", "_o", "_u", "year", "target_year", nulls_last=True)
        .drop("_s", "_o", "_u")
    )
