"""Charts of the report, built ONLY from aggregated frames and rendered to inline SVG.

Why SVG (vl-convert) and not altair's HTML renderer: the default renderer pulls Vega from a CDN
and draws nothing offline; inline SVG needs no script at all, so it draws in any browser with
the network off, prints sharply, and the text stays text (Vietnamese diacritics use the
viewer's fonts; we ask for DejaVu Sans / Arial / Noto Sans which all carry them).
Every chart is wrapped in a <figure> with an aria-label and a figcaption that says in words
what the chart shows.
"""

from __future__ import annotations

import math
import re
from html import escape

import altair as alt
import polars as pl
import vl_convert as vlc

from cadre_analytics import schema
from cadre_analytics.report import fmt
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import (
    ALL,
    BASELINE,
    course_label,
    group_label,
    quota_label,
    scenario_label,
)

FONT = "DejaVu Sans, Noto Sans, Arial, Helvetica, sans-serif"
COLOR_TARGET = "#c0392b"
COLOR_HISTORY = "#1f3b73"
COLOR_TREND = "#8a8a8a"
COLOR_MET = "#a5d6a7"
COLOR_FAR = "#d32f2f"
COLOR_NEAR = "#ffe0b2"
SCENARIO_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]
WIDTH = 460
HEIGHT = 220
SHARE_FORMAT = ".0%"


def assert_no_personal(frame: pl.DataFrame, what: str = "chart data") -> pl.DataFrame:
    """Charts embed their data in the spec: refuse any person-identifying column."""
    leaked = [c for c in frame.columns if c in schema.PERSONAL_COLUMNS]
    if leaked:
        raise AssertionError(f"{what}: personal column(s) {leaked} must never be charted")
    return frame


def _chart(frame: pl.DataFrame) -> alt.Chart:
    assert_no_personal(frame)
    # Hand altair plain records: it then embeds exactly these (already aggregated) columns.
    return alt.Chart(alt.Data(values=frame.to_dicts()))


def _locale(lang: str) -> dict:
    return {
        "decimal": t("format.decimal", lang),
        "thousands": t("format.thousands", lang),
        "grouping": [3],
        "currency": ["", ""],
        "percent": "%",
    }


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=FONT).configure_view(stroke=None)


def to_svg(chart: alt.TopLevelMixin, lang: str) -> str:
    """Render a chart to an SVG string suitable for inlining in HTML (no namespace URLs)."""
    # Skipping altair's schema check saves about a third of the section time (make bench) and
    # gives the same SVG: the specs come from this module's fixed code, not from user input.
    spec = _config(chart).to_dict(validate=False)
    spec.pop("$schema", None)
    svg = vlc.vegalite_to_svg(spec, format_locale=_locale(lang), allowed_base_urls=[])
    # Inline SVG in HTML needs no xmlns; dropping them keeps the file free of any URL at all.
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg, count=2)
    return svg


def figure(chart: alt.TopLevelMixin, alt_text: str, lang: str, cls: str = "chart") -> str:
    """<figure> with the inline SVG (role=img + aria-label) and a figcaption in words."""
    svg = to_svg(chart, lang)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(alt_text)}" ', 1)
    return f'<figure class="{cls}">{svg}<figcaption>{escape(alt_text)}</figcaption></figure>'


# --- District history + projection ------------------------------------------------------


def district_series(
    indicators: pl.DataFrame,
    projection: pl.DataFrame | None,
    indicator: str,
    lang: str,
    trend: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(lines, band, targets) frames for one quota at unit ALL, labelled in ``lang``."""
    ind = indicators.filter((pl.col("indicator") == indicator) & (pl.col("unit") == ALL))
    history = (
        ind.select("year", "share")
        .unique("year", maintain_order=True)
        .sort("year")
        .with_columns(pl.lit(t("district.history", lang)).alias("series"))
    )
    lines = [history.select("year", "share", "series")]
    band = pl.DataFrame(
        schema={"year": pl.Int64, "lo": pl.Float64, "hi": pl.Float64, "series": pl.Utf8}
    )
    if projection is not None and projection.height:
        proj = projection.filter(
            (pl.col("indicator") == indicator) & (pl.col("unit") == ALL)
        ).unique(["year", "scenario"], keep="first", maintain_order=True)
        if proj.height:
            proj = proj.with_columns(
                pl.coalesce("share_p50", "share").alias("mid")
                if "share_p50" in proj.columns
                else pl.col("share").alias("mid")
            )
            last = history.tail(1)
            for scenario in sorted(proj["scenario"].unique().to_list(), key=_scenario_order):
                label = scenario_label(scenario, lang)
                part = proj.filter(pl.col("scenario") == scenario).sort("year")
                lines.append(
                    pl.concat(
                        [
                            last.select("year", "share"),  # join the line to the last snapshot
                            part.select("year", pl.col("mid").alias("share")),
                        ]
                    ).with_columns(pl.lit(label).alias("series"))
                )
            bands = proj.filter(
                pl.col("share_p10").is_not_null() & pl.col("share_p90").is_not_null()
            )
            if bands.height:
                band = bands.select(
                    "year",
                    pl.col("share_p10").alias("lo"),
                    pl.col("share_p90").alias("hi"),
                    pl.col("scenario"),
                ).with_columns(
                    pl.col("scenario")
                    .map_elements(lambda s: scenario_label(s, lang), return_dtype=pl.Utf8)
                    .alias("series")
                )
                # Areas are drawn in row order: unsorted rows zig-zag into wedges.
                band = band.sort("scenario", "year")
    if trend is not None and "share_trend" in trend.columns and history.height:
        tr = (
            trend.filter(
                (pl.col("indicator") == indicator)
                & (pl.col("unit") == ALL)
                & (pl.col("year") > history["year"].max())
            )
            .unique("year", maintain_order=True)
            .sort("year")
        )
        if tr.height:
            lines.append(
                pl.concat(
                    [
                        history.tail(1).select("year", "share"),
                        tr.select("year", pl.col("share_trend").alias("share")),
                    ]
                ).with_columns(pl.lit(t("district.trend", lang)).alias("series"))
            )
    targets = (
        ind.filter(pl.col("target").is_not_null())
        .select("target_year", "target")
        .unique(maintain_order=True)
        .sort("target_year")
    )
    first_year = history["year"].min() if history.height else None
    targets = targets.with_columns(pl.lit(first_year).alias("from_year"))
    return pl.concat(lines, how="vertical_relaxed"), band, targets


def _scenario_order(name: str) -> tuple[int, str]:
    return (0 if name == BASELINE else 1, name)


def _share_top(lines: pl.DataFrame, band: pl.DataFrame, targets: pl.DataFrame) -> float:
    """Top of the share axis: starts at 0 (honest) but zooms to the data and the target, so a
    20-25% quota is not a flat line at the bottom; shares above 100% (a headcount ratio) fit."""
    values = [lines["share"].max(), band["hi"].max() if band.height else None]
    values.append(targets["target"].max() if targets.height else None)
    top = max([float(v) for v in values if v is not None] or [1.0])
    return min(max(math.ceil(top * 1.2 * 10) / 10, 0.1), max(1.0, math.ceil(top * 10) / 10))


def district_chart(
    indicators: pl.DataFrame,
    projection: pl.DataFrame | None,
    indicator: str,
    lang: str,
    trend: pl.DataFrame | None = None,
) -> alt.LayerChart:
    lines, band, targets = district_series(indicators, projection, indicator, lang, trend)
    history_label = t("district.history", lang)
    trend_label = t("district.trend", lang)
    series = lines.select("series").unique(maintain_order=True)["series"].to_list()
    colors, dashes, k = [], [], 0
    for name in series:
        if name == history_label:
            colors.append(COLOR_HISTORY)
            dashes.append([1, 0])
        elif name == trend_label:
            colors.append(COLOR_TREND)
            dashes.append([2, 2])
        else:
            colors.append(SCENARIO_COLORS[k % len(SCENARIO_COLORS)])
            dashes.append([6, 3])
            k += 1
    x = alt.X(
        "year:Q", title=t("district.axis_year", lang), axis=alt.Axis(format="d", tickMinStep=1)
    )
    y_scale = alt.Scale(domain=[0, _share_top(lines, band, targets)], nice=False)
    color_scale = alt.Scale(domain=series, range=colors)
    color = alt.Color(
        "series:N",
        title=t("district.legend_series", lang),
        scale=color_scale,
        legend=alt.Legend(
            orient="bottom",
            labelLimit=300,
            symbolType="stroke",
            symbolOpacity=1,
            symbolStrokeWidth=2.5,
            symbolSize=400,
        ),
    )
    layers = []
    if band.height:
        layers.append(
            # each scenario's P10-P90 band in its line's colour
            _chart(band.select("year", "lo", "hi", "series"))
            .mark_area(fillOpacity=0.15)
            .encode(
                x=x,
                y=alt.Y("lo:Q", scale=y_scale),
                y2="hi:Q",
                fill=alt.Fill(
                    "series:N", scale=color_scale, title=t("district.legend_series", lang)
                ),
            )
        )
    layers.append(
        _chart(lines)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y(
                "share:Q",
                title=t("district.axis_share", lang),
                axis=alt.Axis(format=SHARE_FORMAT),
                scale=y_scale,
            ),
            color=color,
            # same field and title as the colour: one merged legend showing colour and dash
            strokeDash=alt.StrokeDash(
                "series:N",
                title=t("district.legend_series", lang),
                scale=alt.Scale(domain=series, range=dashes),
            ),
        )
    )
    if targets.height:
        layers.append(
            _chart(targets)
            .mark_rule(color=COLOR_TARGET, strokeWidth=2)
            .encode(x="from_year:Q", x2="target_year:Q", y="target:Q")
        )
        layers.append(
            _chart(
                targets.with_columns(
                    pl.col("target")
                    .map_elements(
                        lambda v: t("district.target", lang) + " " + fmt.percent(v, lang, 0),
                        return_dtype=pl.Utf8,
                    )
                    .alias("label")
                )
            )
            .mark_text(color=COLOR_TARGET, dy=-8, align="right", fontSize=11)
            .encode(x="target_year:Q", y="target:Q", text="label:N")
        )
    return alt.layer(*layers).properties(
        width=WIDTH, height=HEIGHT, title=alt.Title(quota_label(indicator, lang), fontSize=13)
    )


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
    proj = (
        projection.filter(
            (pl.col("indicator") == indicator)
            & (pl.col("unit") == ALL)
            & (pl.col("scenario") == BASELINE)
        ).sort("year")
        if projection is not None
        else None
    )
    label = quota_label(indicator, lang)
    if proj is None or proj.is_empty():
        return t(
            "district.no_projection_alt",
            lang,
            quota=label,
            year=year,
            share=fmt.percent(share, lang),
            target=target_text,
        )
    end = proj.tail(1).row(0, named=True)
    return t(
        "district.alt",
        lang,
        quota=label,
        year=year,
        share=fmt.percent(share, lang),
        end_year=end["year"],
        projected=fmt.percent(end["share"], lang),
        target=target_text,
    )


# --- Commune heat-map --------------------------------------------------------------------


def heatmap_chart(matrix: pl.DataFrame, lang: str) -> alt.LayerChart:
    """Commune x quota, ranked; each cell carries its share and a ✔/✖ so colour is not alone."""
    data = matrix.with_columns(
        pl.col("indicator")
        .map_elements(lambda q: quota_label(q, lang), return_dtype=pl.Utf8)
        .alias("quota"),
        pl.coalesce("unit_name", "unit").alias("commune"),
        pl.struct("share", "met")
        .map_elements(
            lambda r: (
                (fmt.percent(r["share"], lang, 0) if r["share"] is not None else "—")
                + (" ✔" if r["met"] else " ✖")
            ),
            return_dtype=pl.Utf8,
        )
        .alias("label"),
    ).select("quota", "commune", "rank", "share", "attainment", "met", "label")
    order = data.sort("rank").select("commune").unique(maintain_order=True)["commune"].to_list()
    quota_order = data.select("quota").unique(maintain_order=True)["quota"].to_list()
    base = _chart(data).encode(
        x=alt.X(
            "quota:N",
            title=None,
            sort=quota_order,
            axis=alt.Axis(labelAngle=-35, labelLimit=220, orient="top"),
        ),
        y=alt.Y("commune:N", title=None, sort=order, axis=alt.Axis(labelLimit=200)),
    )
    # Met cells one flat green; the others from red (far off) to pale orange (nearly there),
    # so no "not met" cell looks green.
    rect = base.mark_rect(stroke="white").encode(
        color=alt.condition(
            "datum.met === true",
            alt.value(COLOR_MET),
            alt.Color(
                "attainment:Q",
                title=t("communes.attainment", lang),
                scale=alt.Scale(domain=[0, 1], range=[COLOR_FAR, COLOR_NEAR]),
                legend=alt.Legend(format=SHARE_FORMAT, titleLimit=220),
            ),
        )
    )
    text = base.mark_text(fontSize=10).encode(text="label:N")
    return alt.layer(rect, text).properties(
        width=max(60 * data["quota"].n_unique(), 200), height=22 * max(len(order), 1)
    )


# --- What it takes -----------------------------------------------------------------------


def what_it_takes_chart(requirements: pl.DataFrame, lang: str) -> alt.Chart:
    if "course" not in requirements.columns:
        requirements = requirements.with_columns(pl.lit(None, dtype=pl.Utf8).alias("course"))
    data = requirements.with_columns(
        pl.col("indicator")
        .map_elements(lambda q: quota_label(q, lang), return_dtype=pl.Utf8)
        .alias("quota"),
        pl.struct("indicator", "course")
        .map_elements(
            lambda r: course_label(r["indicator"], r["course"], lang), return_dtype=pl.Utf8
        )
        .alias("course"),
        pl.col("target_year").cast(pl.Utf8),
        pl.col("extra_completions_per_year")
        .map_elements(lambda v: fmt.count(v, lang), return_dtype=pl.Utf8)
        .alias("label"),
    ).select("quota", "course", "target_year", "extra_completions_per_year", "label")
    order = (
        data.group_by("quota")
        .agg(pl.col("extra_completions_per_year").max())
        .sort(["extra_completions_per_year", "quota"], descending=[True, False])["quota"]
        .to_list()
    )
    y = alt.Y("quota:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))
    x_scale = alt.Scale(domain=_padded_domain(data["extra_completions_per_year"], 0.15))
    bars = (
        _chart(data)
        .mark_bar()
        .encode(
            y=y,
            yOffset="target_year:N",
            x=alt.X(
                "extra_completions_per_year:Q",
                title=t("what_it_takes.axis_per_year", lang),
                scale=x_scale,
            ),
            color=alt.Color(
                "target_year:N",
                title=t("what_it_takes.col_target_year", lang),
                legend=alt.Legend(orient="bottom"),
            ),
        )
    )
    labels = (
        _chart(data)
        .mark_text(align="left", dx=3, fontSize=10)
        .encode(
            y=y,
            yOffset="target_year:N",
            x="extra_completions_per_year:Q",
            text="label:N",
        )
    )
    return alt.layer(bars, labels).properties(width=WIDTH, height=alt.Step(14))


# --- Equity --------------------------------------------------------------------------------


def equity_chart(suppressed: pl.DataFrame, dimension: str, lang: str) -> alt.Chart:
    """Dot plot of share by group; suppressed cells are NOT drawn (their share is not shown)."""
    data = (
        suppressed.filter(
            (pl.col("dimension") == dimension)
            & ~pl.col("den_suppressed")
            & ~pl.col("num_suppressed")
            & pl.col("share").is_not_null()
        )
        .with_columns(
            pl.col("indicator")
            .map_elements(lambda q: quota_label(q, lang), return_dtype=pl.Utf8)
            .alias("quota"),
            pl.col("group")
            .map_elements(lambda g: group_label(g, lang), return_dtype=pl.Utf8)
            .alias("group_label"),
        )
        .select("quota", "group_label", "share")
    )
    groups = data.select("group_label").unique(maintain_order=True)["group_label"].to_list()
    quotas = data.select("quota").unique(maintain_order=True)["quota"].to_list()
    return (
        _chart(data)
        .mark_point(filled=True, size=70)
        .encode(
            y=alt.Y("quota:N", title=None, sort=quotas, axis=alt.Axis(labelLimit=320)),
            x=alt.X(
                "share:Q",
                title=t("equity.axis_share", lang),
                axis=alt.Axis(format=SHARE_FORMAT),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "group_label:N",
                title=t("equity.axis_group", lang),
                scale=alt.Scale(domain=groups),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape(
                "group_label:N", title=t("equity.axis_group", lang), scale=alt.Scale(domain=groups)
            ),
        )
        .properties(width=WIDTH, height=alt.Step(18))
    )


# --- Change since last year --------------------------------------------------------------


def _padded_domain(values: pl.Series, share: float = 0.35) -> list[float]:
    """Room beyond the bars' ends for their text labels (the table has the exact numbers)."""
    lo = min(0.0, float(values.min() or 0))
    hi = max(0.0, float(values.max() or 0))
    pad = (hi - lo or 1.0) * share
    return [lo - pad if lo < 0 else 0.0, hi + pad if hi > 0 else 0.0]


def change_chart(change: pl.DataFrame, lang: str) -> alt.LayerChart:
    data = (
        change.with_columns(
            pl.col("indicator")
            .map_elements(lambda q: quota_label(q, lang), return_dtype=pl.Utf8)
            .alias("quota"),
            (pl.col("delta") * 100).alias("pp"),
            pl.col("delta")
            .map_elements(lambda d: fmt.points(d, lang), return_dtype=pl.Utf8)
            .alias("label"),
            pl.when(pl.col("delta") >= 0).then(pl.lit("up")).otherwise(pl.lit("down")).alias("dir"),
        )
        .select("quota", "pp", "label", "dir")
        .sort("pp", descending=True)
    )
    y = alt.Y("quota:N", title=None, sort=data["quota"].to_list(), axis=alt.Axis(labelLimit=320))
    x_scale = alt.Scale(domain=_padded_domain(data["pp"]), nice=False)
    bars = (
        _chart(data)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("pp:Q", title=t("change.axis_change", lang), scale=x_scale),
            color=alt.Color(
                "dir:N",
                scale=alt.Scale(domain=["up", "down"], range=["#2e7d32", "#c62828"]),
                legend=None,
            ),
        )
    )
    # Labels sit just outside each bar's end: right of rises, left of falls.
    up = (
        _chart(data)
        .transform_filter(alt.datum.dir == "up")
        .mark_text(align="left", dx=4, fontSize=10)
        .encode(y=y, x="pp:Q", text="label:N")
    )
    down = (
        _chart(data)
        .transform_filter(alt.datum.dir == "down")
        .mark_text(align="right", dx=-4, fontSize=10)
        .encode(y=y, x="pp:Q", text="label:N")
    )
    return alt.layer(bars, up, down).properties(width=WIDTH, height=alt.Step(16))
