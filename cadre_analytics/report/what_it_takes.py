"""Section 4 of the report: what it takes. The people short of each target on the headline
scenario (the summary's numbers), the course(s) that close the gap and who could go, where
only recruitment can get there (the whole district and single units), and the targets that
courses cannot reach at all (a range exceeded from above)."""

from __future__ import annotations

from html import escape

import polars as pl

from cadre_analytics.report import charts, fmt
from cadre_analytics.report.actions import courses_text
from cadre_analytics.report.inputs import REQUIREMENT_COLUMNS, conform
from cadre_analytics.report.settings import scope_words
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import (
    ALL,
    Cell,
    html_table,
    note,
    quota_label,
    scenario_label,
)

# Units named per quota where too few can go (the largest first); all are in requirements.csv.
UNITS_SHOWN = 5


def _course_cell(r: dict, lang: str) -> str:
    text = courses_text(r, lang) if r.get("courses") else t("what_it_takes.no_course", lang)
    two = r.get("eligible_two_courses") or 0
    if two:
        text = t("what_it_takes.two_courses", lang, courses=text, people=fmt.number(two, lang))
    return text


def _amounts(r: dict, lang: str) -> tuple[str, str]:
    """The total by the target year and about how many a year, in words that cannot be
    mistaken: an annual update is the same number of people again every year."""
    total = fmt.number(r["extra_completions_total"], lang, 0)
    if r.get("recurring"):
        return (
            t("what_it_takes.recurring_total", lang, people=total),
            t("what_it_takes.recurring_per_year", lang, people=total),
        )
    return total, fmt.count(r["extra_completions_per_year"], lang)


def _whole_table(need: pl.DataFrame, lang: str) -> str:
    rows = []
    for r in need.iter_rows(named=True):
        total, per_year = _amounts(r, lang)
        rows.append(
            [
                quota_label(r["indicator"], lang),
                _course_cell(r, lang),
                Cell(str(r["target_year"]), cls="num"),
                Cell(total, cls="num words" if r.get("recurring") else "num"),
                Cell(per_year, cls="num words" if r.get("recurring") else "num"),
                Cell(fmt.number(r["eligible_people"], lang), cls="num"),
                Cell(fmt.number(r.get("recruit_people") or 0, lang), cls="num"),
            ]
        )
    headers = [
        t(f"what_it_takes.col_{c}", lang)
        for c in ("quota", "course", "target_year", "total", "per_year", "eligible", "recruit")
    ]
    return html_table(headers, rows, t("what_it_takes.caption", lang, **scope_words(lang)))


def _units_short(req: pl.DataFrame, units: dict[str, str], lang: str) -> str:
    """Units where fewer can go than are short (e.g. a commune needing 2 with 1 eligible),
    one sentence per quota; quotas nobody in the district can reach by a course are said
    once, in the table above."""
    nobody = req.filter((pl.col("unit") == ALL) & (pl.col("eligible_people") == 0))
    short = req.filter((pl.col("unit") != ALL) & (pl.col("recruit_people").fill_null(0) > 0))
    short = short.join(nobody, on=["indicator", "target_year"], how="anti")
    out = []
    for (quota, target_year), rows in short.group_by(
        "indicator", "target_year", maintain_order=True
    ):
        rows = rows.sort(["recruit_people", "unit"], descending=[True, False])
        named = [
            t(
                "actions.unit_recruit",
                lang,
                unit=units.get(r["unit"], r["unit"]),
                need=fmt.number(r["extra_completions_total"], lang),
                eligible=fmt.number(r["eligible_people"], lang),
            )
            for r in rows.head(UNITS_SHOWN).iter_rows(named=True)
        ]
        listed = ", ".join(named)
        if rows.height > UNITS_SHOWN:
            listed = t("narrative.and_more", lang, names=listed, rest=rows.height - UNITS_SHOWN)
        sentence = t(
            "what_it_takes.units_short",
            lang,
            quota=quota_label(quota, lang),
            target_year=target_year,
            units=listed,
            recruit=fmt.number(rows["recruit_people"].sum(), lang),
        )
        out.append(sentence)
    return note(" ".join(out)) if out else ""


def _out_of_reach(req: pl.DataFrame, lang: str) -> str:
    """Whole-district targets no course can reach: above a range, or no whole number."""
    rules = _targets()
    out = []
    for r in req.filter(
        (pl.col("unit") == ALL) & pl.col("reason").is_in(["above_range", "not_whole_people"])
    ).iter_rows(named=True):
        tg = rules.get((r["indicator"], r["target_year"]))
        target = fmt.target(tg[0], tg[1], lang, tg[2]) if tg else t("format.missing", lang)
        words = dict(
            quota=quota_label(r["indicator"], lang),
            target_year=r["target_year"],
            target=target,
            numerator=fmt.number(r["numerator"], lang),
            denominator=fmt.number(r["denominator"], lang),
        )
        if r["reason"] == "above_range":
            share = r["numerator"] / r["denominator"] if r["denominator"] else None
            words |= {
                "share": fmt.percent(share, lang),
                "people": fmt.number(r["people_over"], lang),
            }
        out.append(note(t(f"what_it_takes.{r['reason']}", lang, **words)))
    return "".join(out)


def _targets() -> dict[tuple[str, int], tuple]:
    from cadre_analytics.params import load_quota_rules

    return {
        (i.id, y): (tg.share, tg.comparator, tg.share_upper)
        for i in load_quota_rules().indicators
        for y, tg in i.targets.items()
        if tg
    }


def what_it_takes_body(req: pl.DataFrame, units: dict[str, str], lang: str) -> str:
    """The section's body (without its heading) from requirements.csv."""
    req = conform(req, REQUIREMENT_COLUMNS)
    scenario = req["scenario"].drop_nulls()
    name = scenario_label(scenario[0], lang) if scenario.len() else t("format.missing", lang)
    body = f"<p>{escape(t('what_it_takes.intro', lang, scenario=name))}</p>"
    need = req.filter(
        (pl.col("unit") == ALL) & (pl.col("extra_completions_total").fill_null(0) > 0)
    ).sort(["target_year", "extra_completions_per_year"], descending=[False, True])
    reach = _out_of_reach(req, lang)
    if need.is_empty():
        return body + note(t("what_it_takes.none", lang)) + reach
    top = need.sort("extra_completions_per_year", descending=True).row(0, named=True)
    alt_text = t(
        "what_it_takes.alt",
        lang,
        quota=quota_label(top["indicator"], lang),
        per_year=fmt.count(top["extra_completions_per_year"], lang),
    )
    return (
        body
        # On paper the table below says the same; the bar chart is for the screen.
        + charts.figure(charts.what_it_takes_chart(need, lang), alt_text, lang, "chart screen-only")
        + _whole_table(need, lang)
        + reach
        + _units_short(req, units, lang)
        + note(t("what_it_takes.eligible_note", lang))
    )
