"""The first page's actions: the three to five things to do, with numbers, from the
back-solve (``requirements.csv``, the headline scenario) — how many to train in what, where,
by when, and where training cannot get there (too few people can go) so recruitment is the
only way, for the whole district and for single units."""

from __future__ import annotations

import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.inputs import REQUIREMENT_COLUMNS, conform
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import ALL, course_label, quota_label

MAX_ACTIONS = 5
UNITS_NAMED = 3  # the units with most to do named in an action


def _per_unit(req: pl.DataFrame, row: dict) -> pl.DataFrame:
    return req.filter(
        (pl.col("indicator") == row["indicator"])
        & (pl.col("target_year") == row["target_year"])
        & (pl.col("unit") != ALL)
        & (pl.col("extra_completions_total").fill_null(0) > 0)
    )


def _where(per_unit: pl.DataFrame, units: dict[str, str], lang: str) -> str:
    if per_unit.is_empty():
        return ""
    named = [
        t(
            "actions.unit_need",
            lang,
            unit=units.get(r["unit"], r["unit"]),
            people=fmt.number(r["extra_completions_total"], lang),
        )
        for r in per_unit.sort(["extra_completions_total", "unit"], descending=[True, False])
        .head(UNITS_NAMED)
        .iter_rows(named=True)
    ]
    return " " + t("actions.where", lang, units=", ".join(named))


def _units_short(per_unit: pl.DataFrame, units: dict[str, str], lang: str) -> str:
    """Units where fewer can go than are short, named."""
    short = per_unit.filter(pl.col("recruit_people").fill_null(0) > 0).sort(
        ["recruit_people", "unit"], descending=[True, False]
    )
    if short.is_empty():
        return ""
    # names only: the numbers of each are in section 4
    named = [units.get(r["unit"], r["unit"]) for r in short.head(UNITS_NAMED).iter_rows(named=True)]
    rest = short.height - len(named)
    listed = (
        ", ".join(named)
        if rest <= 0
        else t("narrative.and_more", lang, names=", ".join(named), rest=rest)
    )
    return " " + t(
        "actions.units_recruit", lang, count=fmt.number(short.height, lang), units=listed
    )


def _limit(row: dict, lang: str) -> str:
    """Fewer eligible than needed: the rest must be recruited with the qualification."""
    rest = row.get("recruit_people") or 0
    if rest <= 0:
        return ""
    return " " + t(
        "actions.too_few_eligible",
        lang,
        eligible=fmt.number(row["eligible_people"], lang),
        rest=fmt.number(rest, lang),
    )


def courses_text(row: dict, lang: str) -> str:
    """The course(s) the eligible need, in words; "A và B" when some need two."""
    ids = [c for c in (row.get("courses") or "").split(";") if c]
    if not ids:
        return course_label(row["indicator"], None, lang)
    return t("what_it_takes.course_join", lang).join(
        course_label(row["indicator"], c, lang) for c in ids
    )


def action_items(requirements: pl.DataFrame | None, units: dict[str, str], lang: str) -> list[str]:
    """At most five actions, the largest yearly effort first, each with its numbers."""
    if requirements is None or requirements.is_empty():
        return []
    requirements = conform(requirements, REQUIREMENT_COLUMNS)
    need = requirements.filter(
        (pl.col("unit") == ALL) & (pl.col("extra_completions_total").fill_null(0) > 0)
    ).sort(
        ["extra_completions_per_year", "target_year", "indicator"],
        descending=[True, False, False],
    )
    out = []
    for row in need.head(MAX_ACTIONS).iter_rows(named=True):
        per_unit = _per_unit(requirements, row)
        where = _where(per_unit, units, lang)
        quota = quota_label(row["indicator"], lang)
        if row["eligible_people"] == 0:
            # nobody can be sent on a course: the action is to recruit, not to train
            total = fmt.number(row["extra_completions_total"], lang)
            recruit = t(
                "actions.recruit", lang, total=total, target_year=row["target_year"], quota=quota
            )
            out.append(recruit + where)
            continue
        key = "actions.train_recurring" if row.get("recurring") else "actions.train"
        sentence = t(
            key,
            lang,
            per_year=fmt.count(row["extra_completions_per_year"], lang),
            total=fmt.number(row["extra_completions_total"], lang),
            course=courses_text(row, lang),
            target_year=row["target_year"],
            quota=quota,
        )
        two = row.get("eligible_two_courses") or 0
        if two:
            sentence += " " + t(
                "actions.two_courses",
                lang,
                eligible=fmt.number(row["eligible_people"], lang),
                people=fmt.number(two, lang),
            )
        out.append(sentence + where + _units_short(per_unit, units, lang) + _limit(row, lang))
    return out
