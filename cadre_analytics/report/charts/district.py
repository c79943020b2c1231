"""Whole-district chart of one quota: the measured years, each scenario's projection to 2030
with its P10-P90 band, the linear-trend sanity check, and the targets as red rules.

Works from the indicators alone (notebook 02: history and targets), from the projection alone
(notebook 03: what the scenarios give), or from both (the report).
"""

from __future__ import annotations

import math
import re

import altair as alt
import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.charts.draw import base, highlight
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import ALL, quota_label, scenario_label
from cadre_analytics.report.verdicts import is_headline

COLOR_TARGET = "#c0392b"
COLOR_HISTORY = "#1f3b73"
COLOR_TREND = "#8a8a8a"
SCENARIO_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]
WIDTH = 460
HEIGHT = 150  # flat enough for three rows of two on a printed page; the axis is fitted to the data
SHARE_FORMAT = ".0%"
SOLID, DASHED, DOTTED = [1, 0], [6, 3], [2, 2]


def _scenario_order(proj: pl.DataFrame) -> list[str]:
    """The headline scenario first, then the others by name."""
    if "headline" not in proj.columns:
        return sorted(proj["scenario"].unique().to_list())
    first = proj.group_by("scenario").agg(is_headline().any().alias("_h"))
    return [r[0] for r in first.sort(~pl.col("_h"), "scenario").iter_rows()]


def _district_rows(frame: pl.DataFrame | None, indicator: str) -> pl.DataFrame | None:
    if frame is None:
        return None
    return frame.filter((pl.col("indicator") == indicator) & (pl.col("unit") == ALL))


def _history(ind: pl.DataFrame | None, lang: str) -> pl.DataFrame:
    empty = pl.DataFrame(schema={"year": pl.Int64, "share": pl.Float64})
    frame = empty if ind is None else ind.select("year", "share")
    return (
        frame.unique("year", maintain_order=True)
        .sort("year")
        .with_columns(pl.lit(t("district.history", lang)).alias("series"))
    )


def _projected(
    proj: pl.DataFrame, last: pl.DataFrame, lang: str
) -> tuple[list[pl.DataFrame], pl.DataFrame | None]:
    """One line per scenario (joined to the last snapshot) and the P10-P90 bands, if any."""
    proj = proj.unique(["year", "scenario"], keep="first", maintain_order=True)
    mid = pl.coalesce("share_p50", "share") if "share_p50" in proj.columns else pl.col("share")
    proj = proj.with_columns(mid.alias("mid"))
    lines = []
    for scenario in _scenario_order(proj):
        part = proj.filter(pl.col("scenario") == scenario).sort("year")
        lines.append(
            pl.concat(
                [last, part.select("year", pl.col("mid").alias("share"))], how="vertical_relaxed"
            ).with_columns(pl.lit(scenario_label(scenario, lang)).alias("series"))
        )
    if "share_p10" not in proj.columns:
        return lines, None
    bands = proj.filter(pl.col("share_p10").is_not_null() & pl.col("share_p90").is_not_null())
    if bands.is_empty():
        return lines, None
    labels = {s: scenario_label(s, lang) for s in bands["scenario"].unique().to_list()}
    # Areas are drawn in row order: unsorted rows zig-zag into wedges.
    band = bands.sort("scenario", "year").select(
        "year",
        pl.col("share_p10").alias("lo"),
        pl.col("share_p90").alias("hi"),
        pl.col("scenario").replace_strict(labels).alias("series"),
    )
    return lines, band


def _trend_line(
    trend: pl.DataFrame | None, indicator: str, last: pl.DataFrame, lang: str
) -> pl.DataFrame | None:
    if trend is None or "share_trend" not in trend.columns or last.is_empty():
        return None
    part = (
        _district_rows(trend, indicator)
        .filter(pl.col("year") > last["year"].max())
        .unique("year", maintain_order=True)
        .sort("year")
    )
    if part.is_empty():
        return None
    return pl.concat(
        [last, part.select("year", pl.col("share_trend").alias("share"))], how="vertical_relaxed"
    ).with_columns(pl.lit(t("district.trend", lang)).alias("series"))


def _targets(
    ind: pl.DataFrame | None, proj: pl.DataFrame | None, first_year: int | None, lang: str
) -> pl.DataFrame:
    """One row per target year: the rule runs from the first year shown to the target year."""
    source = ind if ind is not None and ind.height else proj
    if source is None or "target" not in source.columns:
        return pl.DataFrame(schema={"target_year": pl.Int64, "target": pl.Float64})
    targets = (
        source.filter(pl.col("target").is_not_null())
        .select("target_year", "target")
        .unique(maintain_order=True)
        .sort("target_year")
    )
    words = t("district.target", lang)
    return targets.with_columns(
        pl.lit(first_year).alias("from_year"),
        pl.col("target")
        .map_elements(lambda v: f"{words} {fmt.percent(v, lang, 0)}", return_dtype=pl.Utf8)
        .alias("label"),
    )


def district_series(
    indicators: pl.DataFrame | None,
    projection: pl.DataFrame | None,
    indicator: str,
    lang: str,
    trend: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame | None, pl.DataFrame]:
    """(lines, band or None, targets) for one quota at unit ALL, labelled in ``lang``.

    ``lines``: year, share, series (history, each scenario, the trend); ``band``: year, lo, hi,
    series; ``targets``: target_year, target, from_year, label.
    """
    ind = _district_rows(indicators, indicator)
    proj = _district_rows(projection, indicator)
    history = _history(ind, lang)
    last = history.tail(1).select("year", "share")
    lines, band = [history], None
    if proj is not None and proj.height:
        projected, band = _projected(proj, last, lang)
        lines += projected
    trend_line = _trend_line(trend, indicator, last, lang)
    if trend_line is not None:
        lines.append(trend_line)
    all_lines = pl.concat(lines, how="vertical_relaxed")
    first_year = all_lines["year"].min() if all_lines.height else None
    return all_lines, band, _targets(ind, proj, first_year, lang)


def _share_top(lines: pl.DataFrame, band: pl.DataFrame | None, targets: pl.DataFrame) -> float:
    """Top of the share axis: starts at 0 (honest) but zooms to the data and the target, so a
    20-25% quota is not a flat line at the bottom; shares above 100% (a headcount ratio) fit."""
    values = [lines["share"].max(), band["hi"].max() if band is not None else None]
    values.append(targets["target"].max() if targets.height else None)
    top = max([float(v) for v in values if v is not None] or [1.0])
    return min(max(math.ceil(top * 1.2 * 10) / 10, 0.1), max(1.0, math.ceil(top * 10) / 10))


def _series_styles(series: list[str], lang: str) -> tuple[list[str], list[list[int]]]:
    """Colour and dash of each series: history solid navy, trend dotted grey, scenarios dashed."""
    colors, dashes, k = [], [], 0
    for name in series:
        if name == t("district.history", lang):
            colors.append(COLOR_HISTORY)
            dashes.append(SOLID)
        elif name == t("district.trend", lang):
            colors.append(COLOR_TREND)
            dashes.append(DOTTED)
        else:
            colors.append(SCENARIO_COLORS[k % len(SCENARIO_COLORS)])
            dashes.append(DASHED)
            k += 1
    return colors, dashes


def _target_layers(targets: pl.DataFrame, share_title: str) -> list[alt.Chart]:
    """Each target as a red rule over the years it applies to, labelled at its end."""
    if not targets.height:
        return []
    rule = base(targets).encode(y=alt.Y("target:Q", title=share_title))
    return [
        rule.mark_rule(color=COLOR_TARGET, strokeWidth=2).encode(
            x=alt.X("from_year:Q"),
            x2=alt.X2("target_year"),
            tooltip=alt.Tooltip("label:N", title=None),
        ),
        rule.mark_text(color=COLOR_TARGET, dy=-8, align="right", fontSize=11).encode(
            x=alt.X("target_year:Q"), text=alt.Text("label:N")
        ),
    ]


def _series_legend() -> alt.Legend:
    return alt.Legend(
        title=None,  # the entries name themselves; a heading line would cost every chart a row
        orient="bottom",
        labelLimit=300,
        symbolType="stroke",
        symbolStrokeWidth=2.5,
        symbolSize=400,
        symbolOpacity=1,
    )


def district_chart(
    indicators: pl.DataFrame | None,
    projection: pl.DataFrame | None,
    indicator: str,
    lang: str,
    trend: pl.DataFrame | None = None,
) -> alt.LayerChart:
    """History, projection bands and lines, and targets of one quota for the whole district.

    In JupyterLab a click on a legend entry highlights that series; hovering a point shows it.
    """
    lines, band, targets = district_series(indicators, projection, indicator, lang, trend)
    lines = lines.with_columns(
        pl.col("share")
        .map_elements(lambda s: fmt.percent(s, lang), return_dtype=pl.Utf8)
        .alias("share_text")
    )
    series = lines["series"].unique(maintain_order=True).to_list()
    colors, dashes = _series_styles(series, lang)
    series_title = t("district.legend_series", lang)
    share_title = t("district.axis_share", lang)
    # Years read as years: no axis title, so that two rows of charts fit where one did.
    x = alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1))
    y_scale = alt.Scale(domain=[0, _share_top(lines, band, targets)], nice=False)
    color_scale = alt.Scale(domain=series, range=colors)
    # Named after the quota: in a grid each chart keeps its own highlight.
    pick = alt.selection_point(
        name="pick_" + re.sub(r"\W", "_", indicator), fields=["series"], bind="legend"
    )
    # Same field and title for colour, dash and fill: one merged legend showing colour and dash.
    line = (
        base(lines)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y(
                "share:Q", title=share_title, axis=alt.Axis(format=SHARE_FORMAT), scale=y_scale
            ),
            color=alt.Color(
                "series:N",
                title=series_title,
                scale=color_scale,
                legend=_series_legend(),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", title=series_title, scale=alt.Scale(domain=series, range=dashes)
            ),
            opacity=highlight(alt.OpacityValue, pick, 1.0, 0.2),
            tooltip=[
                alt.Tooltip("series:N", title=series_title),
                alt.Tooltip("year:Q", title=t("district.axis_year", lang), format="d"),
                alt.Tooltip("share_text:N", title=share_title),
            ],
        )
        .add_params(pick)
    )
    layers: list[alt.Chart] = []
    if band is not None:
        layers.append(
            base(band)
            .mark_area()
            .encode(
                x=x,
                y=alt.Y("lo:Q", title=share_title, scale=y_scale),
                y2=alt.Y2("hi"),
                fill=alt.Fill("series:N", title=series_title, scale=color_scale),
                fillOpacity=highlight(alt.FillOpacityValue, pick, 0.15, 0.03),
            )
        )
    layers.append(line)
    layers += _target_layers(targets, share_title)
    return alt.layer(*layers).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.Title(quota_label(indicator, lang), fontSize=13),
    )


def district_quotas(*frames: pl.DataFrame | None) -> list[str]:
    """Quotas with a whole-district row, in the order of the first frame that has any."""
    for frame in frames:
        if frame is not None and frame.height:
            return (
                frame.filter(pl.col("unit") == ALL)["indicator"]
                .unique(maintain_order=True)
                .to_list()
            )
    return []


def _grid(
    indicators: pl.DataFrame | None,
    projection: pl.DataFrame | None,
    lang: str,
    trend: pl.DataFrame | None,
    columns: int,
) -> alt.ConcatChart:
    quotas = district_quotas(indicators, projection)
    charts = [district_chart(indicators, projection, q, lang, trend) for q in quotas]
    return alt.concat(*charts, columns=columns)


def district_charts(
    indicators: pl.DataFrame,
    lang: str,
    *,
    projection: pl.DataFrame | None = None,
    trend: pl.DataFrame | None = None,
    columns: int = 2,
) -> alt.ConcatChart:
    """Every quota's :func:`district_chart` in a grid, as one notebook cell shows it."""
    return _grid(indicators, projection, lang, trend, columns)


def projection_charts(
    projection: pl.DataFrame,
    lang: str,
    *,
    trend: pl.DataFrame | None = None,
    columns: int = 2,
) -> alt.ConcatChart:
    """The grid of :func:`district_charts` from a projection alone (notebook 03's
    ``result.projection``): each scenario's line and band, and the targets."""
    return _grid(None, projection, lang, trend, columns)


def district_alt_text(
    indicators: pl.DataFrame,
    projection: pl.DataFrame | None,
    indicator: str,
    year: int,
    lang: str,
) -> str:
    ind = indicators.filter(
        (pl.col("indicator") == indicator) & (pl.col("unit") == ALL) & (pl.col("year") == year)
    )
    share = ind["share"][0] if ind.height else None
    tgt = ind.filter(pl.col("target").is_not_null()).sort("target_year").tail(1)
    target_text = (
        fmt.target(tgt["target"][0], tgt["comparator"][0], lang)
        if tgt.height
        else t("format.missing", lang)
    )
    proj = _district_rows(projection, indicator)
    if proj is not None and "headline" in proj.columns:
        proj = proj.filter(is_headline()).sort("year")
    label = quota_label(indicator, lang)
    words = {"quota": label, "share": fmt.percent(share, lang), "target": target_text}
    carried = ind["carried_from"][0] if ind.height and "carried_from" in ind.columns else None
    if carried is not None:  # a level that ended: its last measured value, nothing projected
        return t("district.closed_alt", lang, year=carried, **words)
    if proj is None or proj.is_empty():
        return t("district.no_projection_alt", lang, year=year, **words)
    end = proj.tail(1).row(0, named=True)
    return t(
        "district.alt",
        lang,
        year=year,
        end_year=end["year"],
        projected=fmt.percent(end["share"], lang),
        **words,
    )
