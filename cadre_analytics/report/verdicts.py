"""The verdicts on a projected target: the headline scenario's (the status), how many
scenarios meet it, and how likely it is under each stochastic scenario (the share of its
draws meeting the target, as the projection counted them)."""

from __future__ import annotations

import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.strings import t

ALL = "ALL"


def is_headline() -> pl.Expr:
    """Rows of the headline scenario, as the projection marked them."""
    return pl.col("headline").fill_null(False)


def headline_name(projection: pl.DataFrame | None) -> str | None:
    """The scenario the verdicts are read on, or None without a projection."""
    if projection is None or "headline" not in projection.columns:
        return None
    names = projection.filter(is_headline())["scenario"].unique(maintain_order=True)
    return names[0] if names.len() else None


def probability(prob: float | None, lang: str) -> str:
    """A probability as a whole percent that never rounds a possibility away: 999 of 1,000
    draws reads "trên 99%", not "100%"; 1 of 1,000 reads "dưới 1%"; 0% and 100% are exact."""
    if prob is None:
        return t("format.missing", lang)
    if 0 < prob < 0.01:
        return t("verdict.below", lang, value=fmt.percent(0.01, lang, 0))
    if 0.99 < prob < 1:
        return t("verdict.above", lang, value=fmt.percent(0.99, lang, 0))
    return fmt.percent(prob, lang, 0)


def verdicts_at(projection: pl.DataFrame | None) -> dict[tuple[str, int], dict]:
    """(quota, target year) -> the whole district's verdicts at the target year: how many
    scenarios meet it of those that judge it, the headline's verdict and people short, and
    the probability under each stochastic scenario (scenario -> share of draws)."""
    if projection is None or projection.is_empty():
        return {}
    at = projection.filter((pl.col("unit") == ALL) & (pl.col("year") == pl.col("target_year")))
    out: dict[tuple[str, int], dict] = {}
    for r in at.iter_rows(named=True):
        v = out.setdefault(
            (r["indicator"], r["target_year"]),
            {"met": 0, "judged": 0, "probs": {}, "headline": None},
        )
        if r["met"] is not None:
            v["judged"] += 1
            v["met"] += bool(r["met"])
        if r.get("prob_met") is not None:
            v["probs"][r["scenario"]] = r["prob_met"]
        if r.get("headline"):
            v["headline"] = r
    return out


def verdict_text(row: dict, target_year: int, lang: str) -> str:
    """ "Dự báo đạt ở 2/4 kịch bản; khả năng đạt 63% theo «…»" for a summary row: every
    scenario counted, the probability under each stochastic one (its draws meeting it)."""
    judged = row.get(f"scenarios_judged_{target_year}")
    if not judged:
        return ""
    met = fmt.number(row[f"scenarios_met_{target_year}"], lang)
    parts = [t("verdict.scenarios", lang, met=met, total=fmt.number(judged, lang))]
    from cadre_analytics.report import tables  # tables builds the summary with these

    names = row.get(f"prob_scenarios_{target_year}") or []
    values = row.get(f"prob_values_{target_year}") or []
    for name, prob in zip(names, values, strict=True):
        label = tables.scenario_label(name, lang)
        parts.append(t("verdict.probability", lang, prob=probability(prob, lang), scenario=label))
    return t("verdict.join", lang).join(parts)
