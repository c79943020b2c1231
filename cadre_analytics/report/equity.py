"""Section 5, equity: each quota's share by gender, age band and ethnic group, whole district.

The cells arrive suppressed by the indicators stage (``suppression.public_breakdowns``); here
they are only laid out.  Two compact tables, each a pair of dimensions side by side under one
header, fit a printed page where one table and one chart per dimension took four; the dot
charts stay on screen.  Every cell is also in the workbook's «Cơ cấu» sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import polars as pl

from cadre_analytics.report import charts, fmt
from cadre_analytics.report.settings import scope_words
from cadre_analytics.report.strings import t, t_or
from cadre_analytics.report.tables import Cell, _cell_html, group_label, hidden_count, quota_label

# Dimensions printed side by side in one table; a dimension not named here gets its own.
TABLE_PAIRS = (("gender", "age_band"), ("ethnic_majority", "ethnicity"))


def breakdown_cell(row: dict, lang: str) -> Cell:
    """The displayed text of one suppressed-or-not breakdown cell."""
    den = hidden_count(row["denominator"], row["den_suppressed"], row["den_below"], lang)
    num = hidden_count(row["numerator"], row["num_suppressed"], row["num_below"], lang)
    hide_share = row["den_suppressed"] or row["num_suppressed"]
    share = t("equity.hidden_share", lang) if hide_share else fmt.percent(row["share"], lang)
    cls = "num suppressed" if hide_share else "num"
    return Cell(t("equity.cell", lang, share=share, numerator=num, denominator=den), cls=cls)


def dimension_label(dimension: str, lang: str) -> str:
    label = t_or(f"dimension.{dimension}", lang, dimension)
    return label[:1].upper() + label[1:]


def breakdown_table(
    suppressed: pl.DataFrame, dimensions: Sequence[str] | str, year: int, lang: str
) -> str:
    """Quota rows x group columns for one or more dimensions at unit ALL (already
    suppressed); each dimension's name spans its groups in a first header row."""
    if isinstance(dimensions, str):
        dimensions = (dimensions,)
    parts = {d: suppressed.filter(pl.col("dimension") == d) for d in dimensions}
    groups = {d: p["group"].unique(maintain_order=True).to_list() for d, p in parts.items()}
    quotas = (
        pl.concat(parts.values())["indicator"].unique(maintain_order=True).to_list()
        if parts
        else []
    )
    top = '<th scope="col" rowspan="2">' + escape(t("equity.col_quota", lang)) + "</th>"
    top += "".join(
        f'<th scope="colgroup" colspan="{len(groups[d])}">{escape(dimension_label(d, lang))}</th>'
        for d in dimensions
    )
    second = "".join(
        _cell_html("th", group_label(g, lang), "col") for d in dimensions for g in groups[d]
    )
    body = []
    for quota in quotas:
        cells = [_cell_html("th", quota_label(quota, lang), "row")]
        for d in dimensions:
            sub = parts[d].filter(pl.col("indicator") == quota)
            for g in groups[d]:
                hit = sub.filter(pl.col("group") == g)
                cell = (
                    breakdown_cell(hit.row(0, named=True), lang)
                    if hit.height
                    else Cell(t("format.missing", lang), cls="num")
                )
                cells.append(_cell_html("td", cell))
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = t(
        "equity.caption",
        lang,
        dimension=t("equity.and", lang).join(t_or(f"dimension.{d}", lang, d) for d in dimensions),
        year=year,
    )
    return (
        f'<table class="data equity"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{top}</tr><tr>{second}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def table_groups(dimensions: Sequence[str]) -> list[tuple[str, ...]]:
    """The dimensions present, paired as in TABLE_PAIRS, the others one per table."""
    present = list(dimensions)
    tables = [tuple(d for d in pair if d in present) for pair in TABLE_PAIRS]
    paired = {d for pair in TABLE_PAIRS for d in pair}
    tables += [(d,) for d in present if d not in paired]
    return [group for group in tables if group]


def equity_body(suppressed: pl.DataFrame, year: int, lang: str, min_cell: int) -> str:
    """The section's intro, its compact tables, and one dot chart per dimension for the
    screen (``screen-only``: the printed page has the tables)."""
    intro = t("equity.intro", lang, min_cell=min_cell, max_hidden=min_cell - 1, **scope_words(lang))
    body = f"<p>{escape(intro)}</p>"
    dimensions = suppressed["dimension"].unique(maintain_order=True).to_list()
    for group in table_groups(dimensions):
        body += breakdown_table(suppressed, group, year, lang)
    for dimension in dimensions:
        alt_text = t(
            "equity.alt",
            lang,
            dimension=t_or(f"dimension.{dimension}", lang, dimension),
            quotas=fmt.number(
                suppressed.filter(pl.col("dimension") == dimension)["indicator"].n_unique(), lang
            ),
        )
        chart = charts.equity_chart(suppressed, dimension, lang)
        body += charts.figure(chart, alt_text, lang, cls="chart screen-only")
    return body
