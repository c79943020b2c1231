"""The first page's actions: the three to five things to do, with numbers, from the
back-solve (``requirements.csv``) — how many to train in what, where, by when, and where
training cannot get there (too few people can go) so recruitment is the only way."""

from __future__ import annotations

import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import ALL, course_label, quota_label

MAX_ACTIONS = 5
UNITS_NAMED = 3  # the units with most to do named in an action


def _where(req: pl.DataFrame, row: dict, units: dict[str, str], lang: str) -> str:
    per_unit = req.filter(
        (pl.col("indicator") == row["indicator"])
        & (pl.col("target_year") == row["target_year"])
        & (pl.col("unit") != ALL)
        & (pl.col("extra_completions_total").fill_null(0) > 0)
    ).sort(["extra_completions_total", "unit"], descending=[True, False])
    if per_unit.is_empty():
        return ""
    named = [
        t(
            "actions.unit_need",
            lang,
            unit=units.get(r["unit"], r["unit"]),
            people=fmt.number(r["extra_completions_total"], lang),
        )
        for r in per_unit.head(UNITS_NAMED).iter_rows(named=True)
    ]
    return " " + t("actions.where", lang, units=", ".join(named))


def _limit(row: dict, lang: str) -> str:
    """Fewer eligible than needed: the rest can only come from recruitment."""
    eligible, total = row["eligible_people"], row["extra_completions_total"]
    if eligible is None or eligible >= total:
        return ""
    return " " + t(
        "actions.too_few_eligible",
        lang,
        eligible=fmt.number(eligible, lang),
        rest=fmt.number(total - eligible, lang),
    )


def action_items(requirements: pl.DataFrame | None, units: dict[str, str], lang: str) -> list[str]:
    """At most five actions, the largest yearly effort first, each with its numbers."""
    if requirements is None or requirements.is_empty():
        return []
    need = requirements.filter(
        (pl.col("unit") == ALL) & (pl.col("extra_completions_total").fill_null(0) > 0)
    ).sort(
        ["extra_completions_per_year", "target_year", "indicator"],
        descending=[True, False, False],
    )
    out = []
    for row in need.head(MAX_ACTIONS).iter_rows(named=True):
        where = _where(requirements, row, units, lang)
        if row["eligible_people"] == 0:
            # nobody can be sent on the course: the action is to recruit, not to train
            recruit = t(
                "actions.recruit",
                lang,
                total=fmt.number(row["extra_completions_total"], lang),
                target_year=row["target_year"],
                quota=quota_label(row["indicator"], lang),
            )
            out.append(recruit + where)
            continue
        sentence = t(
            "actions.train",
            lang,
            per_year=fmt.count(row["extra_completions_per_year"], lang),
            total=fmt.number(row["extra_completions_total"], lang),
            course=course_label(row["indicator"], row.get("course"), lang),
            target_year=row["target_year"],
            quota=quota_label(row["indicator"], lang),
        )
        out.append(sentence + where + _limit(row, lang))
    return out
