"""Simulation counts -> the rows of projection.csv (one met rule: :func:`target_met`)."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import polars as pl

from cadre_analytics.params import QuotaRules
from cadre_analytics.projection.model import ALL, Cohorts, carried_indicators
from cadre_analytics.projection.simulate import SimResult
from cadre_analytics.schema import OUTPUT_TABLES
from cadre_analytics.targets import target_met

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


def _whole_scope(cohorts: Cohorts, rules: QuotaRules, sim: SimResult, ty: int, observed):
    """Per indicator and year over the draws: median counts, mean share, P10/P50/P90."""
    num = sim.all_num.astype(np.float64)
    den = sim.all_den.astype(np.float64)
    for k, ind in enumerate(rules.indicators):
        t = ind.targets.get(ty)
        if ind.kind == "headcount_ratio":
            base = None if t is None else t.base_year
            den[:, k, :] = _base_denominator(
                num[:, k, :], cohorts.years, base, observed.get((ind.id, ALL, base))
            )
    mid = (num.shape[-1] - 1) // 2  # the lower median: a whole number of people
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no draw with a denominator: NaN
        share = np.where(den > 0, num / den, np.nan)
        mean = np.nanmean(share, axis=-1) if share.shape[-1] > 1 else share[..., 0]
        p10 = p50 = p90 = mean
        if share.shape[-1] > 1:
            p10, p50, p90 = np.nanpercentile(share, (10, 50, 90), axis=-1)
    return np.sort(num, axis=-1)[..., mid], np.sort(den, axis=-1)[..., mid], mean, p10, p50, p90


def _units(cohorts: Cohorts, rules: QuotaRules, sim: SimResult, ty: int, observed):
    """Per unit pair and year: the expected counts (exact when deterministic) and their share."""
    num, den = sim.unit_num.copy(), sim.unit_den.copy()
    for p, (k, unit) in enumerate(zip(cohorts.pairs_ind, cohorts.pairs_unit, strict=True)):
        ind = rules.indicators[k]
        if ind.kind == "headcount_ratio":
            t = ind.targets.get(ty)
            base = None if t is None else t.base_year
            den[:, p] = _base_denominator(
                num[:, p], cohorts.years, base, observed.get((ind.id, unit, base))
            )
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(np.rint(den) > 0, num / den, np.nan)
    return np.rint(num), np.rint(den), share


def _met(frame: pl.DataFrame, rules: QuotaRules, exact: bool) -> pl.DataFrame:
    """``met`` by target_met, once per distinct (indicator, target year, counts or
    share): exact fractions of whole counts, or the mean share of the draws."""
    targets = {(i.id, y): t for i in rules.indicators for y, t in i.targets.items() if t}
    cols = ["indicator", "target_year", "numerator", "denominator"] if exact else None
    cols = cols or ["indicator", "target_year", "share"]
    found = []
    for row in frame.select(cols).unique().iter_rows():
        t = targets.get((row[0], row[1]))
        if t is None or row[2] is None or (exact and not row[3]):
            continue
        share = Fraction(int(row[2]), int(row[3])) if exact else row[2]
        found.append((*row, target_met(share, t.value / 100, t.comparator)))
    schema = {c: frame.schema[c] for c in cols} | {"met": pl.Boolean}
    met = pl.DataFrame(found, schema=schema, orient="row")
    return frame.join(met, on=cols, how="left", nulls_equal=True)


def projection_rows(
    cohorts: Cohorts,
    rules: QuotaRules,
    scenario: str,
    deterministic: bool,
    sim: SimResult,
    observed: dict,
) -> pl.DataFrame:
    """Rows indicator x (ALL, units) x projected year x target year for one scenario.

    ALL: numerator and denominator are the (lower) medians over draws, ``share`` the mean
    share, ``share_p10/p50/p90`` its percentiles (the report's bands). Units: the expected
    counts (the expected path, rounded) and their share, no bands. A deterministic scenario
    gives exact counts everywhere.
    """
    carried = carried_indicators(rules)
    n_ind, n_years = len(rules.indicators), len(cohorts.years)
    parts = []
    for ty in rules.target_years:
        med_num, med_den, mean, p10, p50, p90 = _whole_scope(cohorts, rules, sim, ty, observed)
        u_num, u_den, u_share = _units(cohorts, rules, sim, ty, observed)
        bands = np.full(u_share.shape, np.nan)
        if deterministic:
            bands = u_share
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
                "share": stack(mean, u_share),
                "share_p10": stack(p10, bands),
                "share_p50": stack(p50, bands),
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
        pl.col("numerator", "denominator").cast(pl.Int64),
    )
    frame = _met(frame, rules, exact=deterministic)
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
