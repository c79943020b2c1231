"""Report tables: the summary, the commune heat-map, the equity cells' words (with small-cell
suppression) and small helpers that turn rows into escaped, accessible HTML tables.

Everything here works on aggregated frames only; no number is recomputed from people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape

import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.inputs import assert_aggregated
from cadre_analytics.report.settings import scope_words, settings
from cadre_analytics.report.strings import has, t, t_or
from cadre_analytics.report.verdicts import verdict_text, verdicts_at
from cadre_analytics.targets import above_range

ALL = "ALL"
# The smallest breakdown cell shown (min_cell) and the heat-map's "far off" cut (heat_low)
# live in params/report.yaml, read through report.settings.
LANG_INDEX = {"vi": 0, "en": 1}


# --- HTML helpers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    cls: str | None = None
    title: str | None = None
    html: bool = False  # text is already-escaped HTML (built here from escaped parts)


def _cell_html(tag: str, cell: Cell | str, scope: str | None = None) -> str:
    if not isinstance(cell, Cell):
        cell = Cell(str(cell))
    attrs = ""
    if scope:
        attrs += f' scope="{scope}"'
    if cell.cls:
        attrs += f' class="{escape(cell.cls)}"'
    if cell.title:
        attrs += f' title="{escape(cell.title)}"'
    body = cell.text if cell.html else escape(cell.text)
    return f"<{tag}{attrs}>{body}</{tag}>"


def html_table(
    headers: Sequence[Cell | str],
    rows: Sequence[Sequence[Cell | str]],
    caption: str,
    cls: str = "data",
    row_header: bool = True,
) -> str:
    """An accessible table: caption, <th scope="col"> headers, first cell of a row as <th>."""
    head = "".join(_cell_html("th", h, "col") for h in headers)
    body = []
    for row in rows:
        cells = [
            _cell_html("th" if (i == 0 and row_header) else "td", c, "row" if i == 0 else None)
            for i, c in enumerate(row)
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="{escape(cls)}"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def status_cell(status: str, lang: str, verdict: str = "") -> Cell:
    """Colour AND words: the class colours the cell, the text says the status (and, for a
    projected target, how many scenarios meet it and how likely it is)."""
    marks = {
        "met": "✔ ",
        "on_track": "↗ ",
        "off_track": "✖ ",
        "not_met": "✖ ",
        "no_data": "",
        "no_target": "",
        "closed": "",
    }
    text = escape(marks[status] + t(f"status.{status}", lang))
    if verdict:
        text += f' <span class="verdict">{escape(verdict)}</span>'
    return Cell(text, cls=f"status status-{status}", html=True)


def quota_label(indicator: str, lang: str) -> str:
    """The catalogue's short label; a quota added to params/quotas.yaml later uses its own."""
    if has(f"quota.{indicator}", lang):
        return t(f"quota.{indicator}", lang)
    labels = _quota_labels().get(indicator)
    return labels[LANG_INDEX[lang]] if labels else indicator


@cache
def _quota_labels() -> dict[str, tuple[str, str]]:
    from cadre_analytics.params import load_quota_rules

    # A broken params file stops the report (never a table with its labels silently missing).
    return {i.id: (i.label_vi, i.label_en) for i in load_quota_rules().indicators}


@cache
def cut_base_years() -> dict[str, dict[int, int | None]]:
    """Quota -> target year -> base year, for the staffing cuts (headcount ratios): their
    "gap" is posts to cut against the base year, not people short."""
    from cadre_analytics.params import load_quota_rules

    return {
        i.id: {ty: tg.base_year if tg else None for ty, tg in i.targets.items()}
        for i in load_quota_rules().indicators
        if i.kind == "headcount_ratio"
    }


@cache
def _scenario_labels() -> dict[str, tuple[str, str]]:
    from cadre_analytics.params import load_scenarios

    return {s.name: (s.label_vi, s.label_en) for s in load_scenarios()}


@cache
def _course_labels() -> dict[str, tuple[str, str]]:
    from cadre_analytics.params import load_course_catalogue

    return {c.id: (c.label_vi, c.label_en) for c in load_course_catalogue().values()}


def scenario_label(name: str, lang: str) -> str:
    """The short catalogue name if there is one, else the scenario file's own label."""
    if has(f"scenario.{name}", lang):
        return t(f"scenario.{name}", lang)
    labels = _scenario_labels().get(name)
    return labels[LANG_INDEX[lang]] if labels else name


def course_label(indicator: str, course: str | None, lang: str) -> str:
    """A course id (requirements.course, when projection gives one) or the quota's usual course."""
    if course:
        labels = _course_labels().get(course)
        return labels[LANG_INDEX[lang]] if labels else course
    return t_or(f"course.{indicator}", lang, indicator)


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


# --- Summary -----------------------------------------------------------------------------


def target_years(indicators: pl.DataFrame) -> list[int]:
    return sorted(int(y) for y in indicators["target_year"].drop_nulls().unique().to_list())


def next_target_year(indicators: pl.DataFrame, year: int) -> int | None:
    """The first target year not before YEAR (the last one once all have passed)."""
    years = target_years(indicators)
    if not years:
        return None
    later = [y for y in years if y >= year]
    return later[0] if later else years[-1]


def status_of(
    met_now: bool | None,
    projected_met: bool | None,
    target_year: int,
    year: int,
    has_target: bool,
    closed: bool = False,
) -> str:
    """met / on_track / off_track / not_met / no_data / closed for one quota against one
    target year.

    A target year already reached is judged on today's value. A later one is judged on the
    headline scenario's projection at the target year (met now but projected to slip = off
    track). A quota whose level ended before the report date has no later verdict: nobody is
    left to reach it.
    """
    if not has_target:
        return "no_target"
    if closed and target_year > year:
        return "closed"
    if met_now is None:
        return "no_data"
    if target_year <= year or projected_met is None:
        return "met" if met_now else "not_met"
    if projected_met:
        return "met" if met_now else "on_track"
    return "off_track"


def is_commune_row(frame: pl.DataFrame) -> pl.Expr:
    """Per-commune rows: level says so; without a level, fall back to the id's c_ prefix."""
    return (pl.col("unit") != ALL) & (
        pl.when(pl.col("level").is_not_null())
        .then(pl.col("level") == "commune")
        .otherwise(pl.col("indicator").str.starts_with("c_"))
    )


def summary_frame(
    indicators: pl.DataFrame, projection: pl.DataFrame | None, year: int
) -> pl.DataFrame:
    """One row per quota (whole district): value now, targets, status per target year, gap."""
    assert_aggregated(indicators, "indicators")
    now = indicators.filter(pl.col("year") == year)
    whole = now.filter(pl.col("unit") == ALL)
    quotas = whole.select("indicator").unique(maintain_order=True)["indicator"].to_list()
    nxt = next_target_year(indicators, year)
    if projection is not None and projection.height:
        assert_aggregated(projection, "projection")
    verdicts = verdicts_at(projection)
    communes = now.filter(is_commune_row(now))
    rows = []
    for quota in quotas:
        q = whole.filter(pl.col("indicator") == quota)
        # A headcount ratio's value depends on the target's base year: show the next target's.
        at_next = q.filter(pl.col("target_year") == nxt)
        first = (at_next if at_next.height else q).row(0, named=True)
        row = {
            "indicator": quota,
            "level": first["level"],
            "numerator": first["numerator"],
            "denominator": first["denominator"],
            "share": first["share"],
            "comparator": first["comparator"],
            "next_target_year": nxt,
            "gap_persons": None,
            "met_now": None,
            "cut": quota in cut_base_years(),
            # a level that ended: its last measured value, and the day it closed
            "carried_from": first.get("carried_from"),
            "closed_on": first.get("closed_on"),
        }
        closed = row["closed_on"] is not None
        for ty in target_years(indicators):
            tr = q.filter(pl.col("target_year") == ty)
            rec = tr.row(0, named=True) if tr.height else None
            has_target = rec is not None and rec["target"] is not None
            row[f"target_{ty}"] = rec["target"] if rec else None
            row[f"comparator_{ty}"] = rec["comparator"] if rec else None
            row[f"upper_{ty}"] = rec.get("target_upper") if rec else None
            row[f"base_{ty}"] = cut_base_years().get(quota, {}).get(ty)
            verdict = verdicts.get((quota, ty))
            head = verdict["headline"] if verdict and ty > year else None
            # A later target: people short on the headline projection (what it takes says
            # the same); a target year reached: today's.
            source = head if head is not None else rec
            later_closed = closed and ty > year
            row[f"gap_{ty}"] = (
                source["gap_persons"] if has_target and source and not later_closed else None
            )
            row[f"over_{ty}"] = bool(
                has_target
                and source
                and source["met"] is False
                and above_range(source["share"], row[f"upper_{ty}"])
            )
            row[f"projected_{ty}"] = head is not None
            later = verdict if verdict and ty > year else {"met": None, "judged": None, "probs": {}}
            row[f"scenarios_met_{ty}"] = later["met"]
            row[f"scenarios_judged_{ty}"] = later["judged"]
            row[f"prob_scenarios_{ty}"] = list(later["probs"])
            row[f"prob_values_{ty}"] = list(later["probs"].values())
            row[f"status_{ty}"] = status_of(
                rec["met"] if rec else None,
                head["met"] if head else None,
                ty,
                year,
                has_target,
                closed,
            )
            if ty == nxt:
                row["gap_persons"] = rec["gap_persons"] if has_target else None
                row["met_now"] = rec["met"] if has_target else None
        c = communes.filter((pl.col("indicator") == quota) & (pl.col("target_year") == nxt))
        row["communes_total"] = c.filter(pl.col("met").is_not_null()).height
        row["communes_met"] = c.filter(pl.col("met").fill_null(False)).height
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def scope_text(row: dict, lang: str) -> str:
    """A summary row's scope: the report's whole scope, or how many communes meet it."""
    if not row["communes_total"]:
        return scope_words(lang)["scope_title"]
    return t(
        "summary.scope_communes",
        lang,
        met=fmt.number(row["communes_met"], lang),
        total=fmt.number(row["communes_total"], lang),
    )


def summary_table(summary: pl.DataFrame, year: int, lang: str) -> str:
    tys = sorted(int(c.split("_")[1]) for c in summary.columns if c.startswith("status_"))
    headers: list[Cell | str] = [
        t("summary.col_quota", lang),
        t("summary.col_scope", lang),
        t("summary.col_current", lang, year=year),
        t("summary.col_people", lang),
    ]
    for ty in tys:
        projected = (
            summary[f"projected_{ty}"].any() if f"projected_{ty}" in summary.columns else False
        )
        headers += [
            t("summary.col_target", lang, target_year=ty),
            Cell(
                t("summary.col_status", lang, target_year=ty),
                cls="col-verdict" if projected else None,
            ),
            t(
                "summary.col_short_projected" if projected else "summary.col_short",
                lang,
                target_year=ty,
            ),
        ]
    rows = []
    for r in summary.iter_rows(named=True):
        nxt = r["next_target_year"]
        goal = r.get(f"target_{nxt}")
        scope = scope_text(r, lang)
        cells: list[Cell | str] = [
            quota_label(r["indicator"], lang),
            scope,
            Cell(current_text(r, goal, nxt, lang), cls="num"),
            Cell(people_text(r, year, lang), cls="num words" if r.get("cut") else "num"),
        ]
        for ty in tys:
            cells.append(
                Cell(
                    fmt.target(r[f"target_{ty}"], r[f"comparator_{ty}"], lang, r[f"upper_{ty}"]),
                    cls="num",
                )
            )
            cells.append(status_cell(r[f"status_{ty}"], lang, verdict_text(r, ty, lang)))
            cells.append(
                Cell(gap_text(r, ty, year, lang), cls="num words" if r.get("cut") else "num")
            )
        rows.append(cells)
    return html_table(headers, rows, t("summary.caption", lang, year=year), cls="data summary")


def current_text(row: dict, goal, target_year: int, lang: str) -> str:
    """Today's value; for a level that ended, its last measured value and that value's year."""
    text = fmt.percent_against(row["share"], goal, row.get(f"comparator_{target_year}"), lang, 1)
    if row.get("carried_from") is not None:
        text += " " + t("summary.carried_from", lang, year=row["carried_from"])
    return text


def people_text(row: dict, year: int, lang: str) -> str:
    """«people meeting / total»; for a staffing cut, the headcount now against its base year."""
    now, base = fmt.number(row["numerator"], lang), fmt.number(row["denominator"], lang)
    if row.get("carried_from") is not None:
        year = row["carried_from"]  # a level that ended: the year its last value was measured
    base_year = row.get(f"base_{row['next_target_year']}") if row.get("cut") else None
    if base_year is None:
        return f"{now} / {base}"
    return t("summary.cut_people", lang, now=now, year=year, base=base, base_year=base_year)


def gap_text(row: dict, target_year: int, year: int, lang: str) -> str:
    """People short for one target year; a staffing cut speaks of posts still to cut, and of
    a cut not started when its base year is the report year itself."""
    gap, base_year = row[f"gap_{target_year}"], row.get(f"base_{target_year}")
    if row.get(f"over_{target_year}") and gap:
        return t("summary.over_range", lang, people=fmt.number(gap, lang))
    if not row.get("cut") or base_year is None or gap is None:
        return fmt.number(gap, lang)
    if base_year >= year:
        return t("summary.cut_not_started", lang)
    if gap > 0:
        return t("summary.cut_posts", lang, posts=fmt.number(gap, lang), base_year=base_year)
    return fmt.number(gap, lang)


# --- Commune heat-map --------------------------------------------------------------------


def commune_matrix(indicators: pl.DataFrame, year: int) -> pl.DataFrame:
    """Commune x quota cells at YEAR against the next target (see :func:`unit_matrix`)."""
    return unit_matrix(indicators, year, "commune")


def is_district_unit_row(frame: pl.DataFrame) -> pl.Expr:
    """A district agency's or school's own row where it employs the quota's population (a
    school has no key leaders); never a staffing cut, the district's one headcount target."""
    return (
        (pl.col("unit") != ALL)
        & (pl.col("level") == "district")
        & (pl.col("denominator").fill_null(0) > 0)
        & ~pl.col("indicator").is_in(list(cut_base_years()))
    )


def unit_matrix(indicators: pl.DataFrame, year: int, level: str) -> pl.DataFrame:
    """Unit x quota cells at YEAR against the next target, for the communes (``level``
    "commune") or the district's agencies and schools ("district"), with each unit's count
    of quotas not met (``unmet``) out of those judged (``judged``).

    Ranked: the largest share of its quotas not met first (a school judged on two quotas and
    an agency on nine are compared fairly), then most quotas not met, then lowest mean share.
    """
    assert_aggregated(indicators, "indicators")
    nxt = next_target_year(indicators, year)
    rows = is_commune_row(indicators) if level == "commune" else is_district_unit_row(indicators)
    cells = indicators.filter(
        (pl.col("year") == year) & (pl.col("target_year") == nxt) & rows
    ).select(
        "indicator", "unit", "unit_name", "numerator", "denominator", "share", "met",
        "target", "comparator", attainment_expr().alias("attainment"),
    )  # fmt: skip
    if cells.is_empty():
        return cells.with_columns(
            pl.lit(0).alias("unmet"), pl.lit(0).alias("judged"), pl.lit(0).alias("rank")
        )
    per_unit = (
        cells.group_by("unit")
        .agg(
            (pl.col("met") == False).sum().alias("unmet"),  # noqa: E712 (null stays uncounted)
            pl.col("met").is_not_null().sum().alias("judged"),
            pl.col("share").mean().alias("mean_share"),
        )
        .with_columns((pl.col("unmet") / pl.col("judged")).alias("unmet_share"))
        .sort(
            ["unmet_share", "unmet", "mean_share", "unit"],
            descending=[True, True, False, False],
            nulls_last=True,
        )
        .with_row_index("rank", offset=1)
    )
    return cells.join(
        per_unit.select("unit", "unmet", "judged", "rank"), on="unit", maintain_order="left"
    ).sort("rank", maintain_order=True)


def attainment_expr() -> pl.Expr:
    """How much of the target is reached (1 = target met), so that a commune at 4% against a
    5% target is not painted like one at 4% against 100%. Capped at 1; null without target."""
    share, target = pl.col("share"), pl.col("target")
    raw = (
        pl.when(target.is_null() | share.is_null())
        .then(None)
        .when(pl.col("comparator").is_in(["<=", "<"]))
        .then(pl.when(share > 0).then(target / share).otherwise(1.0))
        .when(target > 0)
        .then(share / target)
        .otherwise(1.0)
    )
    return pl.min_horizontal(raw, pl.lit(1.0))


def top_units(matrix: pl.DataFrame, n: int) -> tuple[pl.DataFrame, int]:
    """The ``n`` communes that pull the district down most (the matrix's rank), and how many
    more there are. The heat-map shows only these, so the report's size does not grow with the
    number of units; the full table stays in indicators.csv."""
    total = matrix["unit"].n_unique() if matrix.height else 0
    return matrix.filter(pl.col("rank") <= n), max(total - n, 0)


def heatmap_table(
    matrix: pl.DataFrame, year: int, target_year: int | None, lang: str, level: str = "commune"
) -> str:
    """The heat-map as a table; ``level`` "district" for the agencies and schools."""
    quotas = matrix.select("indicator").unique(maintain_order=True)["indicator"].to_list()
    words = "communes" if level == "commune" else "units"
    headers: list[Cell | str] = [t(f"{words}.col_unit", lang), t("communes.col_unmet", lang)]
    headers += [quota_label(q, lang) for q in quotas]
    rows = []
    units = matrix.select("unit", "unit_name", "unmet", "rank").unique().sort("rank", "unit")
    judged = (
        dict(matrix.select("unit", "judged").unique().iter_rows())
        if "judged" in matrix.columns
        else {}
    )
    for u in units.iter_rows(named=True):
        unmet = fmt.number(u["unmet"], lang)
        if u["unit"] in judged:
            unmet = t(
                "communes.unmet_of", lang, unmet=unmet, judged=fmt.number(judged[u["unit"]], lang)
            )
        cells: list[Cell | str] = [u["unit_name"] or u["unit"], Cell(unmet, cls="num")]
        sub = matrix.filter(pl.col("unit") == u["unit"])
        for q in quotas:
            hit = sub.filter(pl.col("indicator") == q)
            if hit.is_empty():
                cells.append(Cell(t("format.missing", lang), cls="heat heat-na"))
                continue
            r = hit.row(0, named=True)
            if not r["denominator"]:
                cells.append(Cell(t("communes.cell_empty", lang), cls="heat heat-na"))
                continue
            word = t("status.met" if r["met"] else "status.not_met", lang)  # the one legend
            band = "heat-met" if r["met"] else _heat_band(r["attainment"])
            text = (
                f"<strong>{escape(shown_share(r, lang))}</strong>"
                f"<br>{escape(fmt.number(r['numerator'], lang))}/"
                f"{escape(fmt.number(r['denominator'], lang))}<br>{escape(word)}"
            )
            cells.append(Cell(text, cls=f"heat {band}", html=True))
        rows.append(cells)
    caption = t(f"{words}.caption", lang, year=year, target_year=target_year)
    return html_table(headers, rows, caption, cls="data heatmap")


def ranking_table(matrix: pl.DataFrame, year: int, target_year: int | None, lang: str) -> str:
    """The district's agencies and schools, worst first, each with the quotas it does not
    meet in words: narrower than a heat-map table when units are judged on different quotas."""
    rows = []
    units = matrix.select("unit", "unit_name", "unmet", "judged", "rank").unique()
    for u in units.sort("rank", "unit").iter_rows(named=True):
        missed = matrix.filter((pl.col("unit") == u["unit"]) & (pl.col("met") == False))  # noqa: E712
        items = [
            t(
                "units.not_met_item",
                lang,
                quota=quota_label(r["indicator"], lang),
                share=shown_share(r, lang),
                numerator=fmt.number(r["numerator"], lang),
                denominator=fmt.number(r["denominator"], lang),
            )
            for r in missed.iter_rows(named=True)
        ]
        unmet = t(
            "communes.unmet_of",
            lang,
            unmet=fmt.number(u["unmet"], lang),
            judged=fmt.number(u["judged"], lang),
        )
        rows.append(
            [
                u["unit_name"] or u["unit"],
                Cell(unmet, cls="num"),
                "; ".join(items) or t("format.missing", lang),
            ]
        )
    headers = [
        t("units.col_unit", lang),
        t("communes.col_unmet", lang),
        t("units.col_not_met", lang),
    ]
    caption = t("units.caption", lang, year=year, target_year=target_year)
    return html_table(headers, rows, caption, cls="data ranking")


def shown_share(cell: dict, lang: str) -> str:
    """A heat-map cell's share, with the decimal that keeps it from reading as met when not."""
    return fmt.percent_against(cell["share"], cell.get("target"), cell.get("comparator"), lang)


def _heat_band(attainment: float | None) -> str:
    if attainment is None:
        return "heat-na"
    return "heat-low" if attainment < settings().heat_low else "heat-mid"


# --- Equity breakdowns with suppression -------------------------------------------------


def group_label(group: str | None, lang: str) -> str:
    if group is None:
        return t("group.unknown", lang)
    return t_or(f"group.{str(group).lower()}", lang, str(group))


def hidden_count(value: int | None, hidden: bool, below: int | None, lang: str) -> str:
    """A count as shown: the number, «<5» where the count itself is small (a true bound), or
    «ẩn» where it is hidden only so that another cell cannot be worked back."""
    if not hidden:
        return fmt.number(value, lang)
    if below is not None:
        return t("equity.suppressed", lang, min_cell=below)
    return t("equity.hidden_share", lang)
