"""Section 3 of the report: every unit accountable. The communes ranked worst first in a
heat-map (chart and table), then the district's own agencies and schools in a ranking.

Only the worst units are drawn: this is the one part of the report that grows with the number
of units, and it must stay well under 3 MB and a few printed pages for any district. Every
unit is in indicators.csv and the workbook.
"""

from __future__ import annotations

from html import escape

import polars as pl

from cadre_analytics.report import charts, fmt, tables
from cadre_analytics.report.inputs import ReportInputs
from cadre_analytics.report.settings import scope_words, settings
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import note

# District agencies and schools drawn in the report (worst first); there may be a hundred.
DISTRICT_UNITS_SHOWN = 10
# The catalogue's words for each kind of unit.
WORDS = {"commune": "communes", "district": "units"}


def _block(ind: pl.DataFrame, year: int, level: str, shown_at_most: int, lang: str) -> str:
    """One heat-map (heading, note on units left out, chart, table) for one kind of unit."""
    words = WORDS[level]
    matrix = tables.unit_matrix(ind, year, level)
    if matrix.is_empty():
        return ""
    nxt = tables.next_target_year(ind, year)
    worst = matrix.sort("rank").row(0, named=True)
    shown, more = tables.top_units(matrix, shown_at_most)
    body = f"<h3>{escape(t(f'{words}.heading', lang))}</h3>"
    if level == "district":
        body += f"<p>{escape(t('units.intro', lang))}</p>"
    if more:
        n_shown = shown["unit"].n_unique()
        body += note(
            t(
                f"{words}.more_not_shown",
                lang,
                shown=fmt.number(n_shown, lang),
                more=fmt.number(more, lang),
                total=fmt.number(n_shown + more, lang),
                **scope_words(lang),
            )
        )
    if level == "district":
        # Agencies and schools are judged on different quotas: a heat-map of them is mostly
        # empty cells, so they get a ranking that names what each one misses.
        return body + tables.ranking_table(shown, year, nxt, lang)
    alt_text = t(
        "communes.chart_alt",
        lang,
        units=fmt.number(shown["unit"].n_unique(), lang),
        quotas=fmt.number(matrix["indicator"].n_unique(), lang),
        worst=worst["unit_name"] or worst["unit"],
    )
    chart = charts.heatmap_chart(shown, lang, t("communes.col_unit", lang))
    # On paper the coloured table below is the heat map; the chart is for the screen.
    return (
        body
        + charts.figure(chart, alt_text, lang, cls="chart wide screen-only")
        + tables.heatmap_table(shown, year, nxt, lang)
    )


def section_units(inputs: ReportInputs, lang: str) -> tuple[str, bool]:
    """The section's body, and whether there was any unit to show."""
    ind = inputs.indicators
    body = _block(ind, inputs.year, "commune", settings().max_units_shown, lang)
    body += _block(ind, inputs.year, "district", DISTRICT_UNITS_SHOWN, lang)
    if not body:
        return note(t("report.no_rows", lang)), False
    return f"<p>{escape(t('communes.intro', lang))}</p>" + body, True
