"""The report's charts with one row per quota: the commune heat-map, what it takes, equity,
change since last year. Each takes the frame its report section already built."""

from __future__ import annotations

import re

import altair as alt
import polars as pl

from cadre_analytics.report import fmt
from cadre_analytics.report.charts.district import SHARE_FORMAT, WIDTH
from cadre_analytics.report.charts.draw import base, highlight
from cadre_analytics.report.strings import t
from cadre_analytics.report.tables import course_label, group_label, quota_label, shown_share

COLOR_MET = "#a5d6a7"
COLOR_FAR = "#d32f2f"
COLOR_NEAR = "#ffe0b2"
COLOR_UP = "#2e7d32"
COLOR_DOWN = "#c62828"


def _quota_names(lang: str) -> pl.Expr:
    return (
        pl.col("indicator")
        .map_elements(lambda q: quota_label(q, lang), return_dtype=pl.Utf8)
        .alias("quota")
    )


def _quota_axis(order: list[str]) -> alt.Y:
    return alt.Y("quota:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))


def _padded_domain(values: pl.Series, share: float = 0.35) -> list[float]:
    """Room beyond the bars' ends for their text labels (the table has the exact numbers)."""
    lo = min(0.0, float(values.min() or 0))
    hi = max(0.0, float(values.max() or 0))
    pad = (hi - lo or 1.0) * share
    return [lo - pad if lo < 0 else 0.0, hi + pad if hi > 0 else 0.0]


# --- Commune heat-map --------------------------------------------------------------------


def heatmap_chart(matrix: pl.DataFrame, lang: str, unit_title: str | None = None) -> alt.LayerChart:
    """Commune x quota, ranked; each cell carries its share and a ✔/✖ so colour is not alone.

    ``matrix``: ``tables.commune_matrix`` rows (indicator, unit, unit_name, rank, share,
    attainment, met, target, comparator: the label takes a decimal where rounding would
    otherwise make a miss read as the target).
    """
    data = matrix.with_columns(
        _quota_names(lang),
        pl.coalesce("unit_name", "unit").alias("commune"),
        pl.struct("share", "met", "target", "comparator")
        .map_elements(
            lambda r: (
                # no people in the population: nothing met or missed, no tick
                (shown_share(r, lang) if r["share"] is not None else "—")
                + {True: " ✔", False: " ✖"}.get(r["met"], "")
            ),
            return_dtype=pl.Utf8,
        )
        .alias("label"),
    ).select("quota", "commune", "rank", "share", "attainment", "met", "label")
    order = data.sort("rank")["commune"].unique(maintain_order=True).to_list()
    quota_order = data["quota"].unique(maintain_order=True).to_list()
    cells = base(data).encode(
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
    color = alt.Color(
        "attainment:Q",
        title=t("communes.attainment", lang),
        scale=alt.Scale(domain=[0, 1], range=[COLOR_FAR, COLOR_NEAR]),
        legend=alt.Legend(format=SHARE_FORMAT, titleLimit=220),
        condition={"test": "datum.met === true", "value": COLOR_MET},
    )
    tooltip = [
        alt.Tooltip("commune:N", title=unit_title or t("communes.col_unit", lang)),
        alt.Tooltip("quota:N", title=t("what_it_takes.col_quota", lang)),
        alt.Tooltip("label:N", title=t("district.axis_share", lang)),
    ]
    return alt.layer(
        cells.mark_rect(stroke="white").encode(color=color, tooltip=tooltip),
        cells.mark_text(fontSize=10).encode(text=alt.Text("label:N"), tooltip=tooltip),
    ).properties(height=22 * max(len(order), 1), width=max(60 * len(quota_order), 200))


# --- What it takes -----------------------------------------------------------------------


def what_it_takes_chart(requirements: pl.DataFrame, lang: str) -> alt.LayerChart:
    """Extra course completions per year each quota needs, one bar per target year."""
    if "course" not in requirements.columns:
        requirements = requirements.with_columns(pl.lit(None, dtype=pl.Utf8).alias("course"))
    data = requirements.with_columns(
        _quota_names(lang),
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
    per_year = t("what_it_takes.axis_per_year", lang)
    target_year = t("what_it_takes.col_target_year", lang)
    bars = base(data).encode(
        y=_quota_axis(order),
        yOffset=alt.YOffset("target_year:N"),
        x=alt.X("extra_completions_per_year:Q"),
    )
    return alt.layer(
        bars.mark_bar().encode(
            x=alt.X(
                "extra_completions_per_year:Q",
                title=per_year,
                scale=alt.Scale(domain=_padded_domain(data["extra_completions_per_year"], 0.15)),
            ),
            color=alt.Color("target_year:N", title=target_year, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("quota:N", title=t("what_it_takes.col_quota", lang)),
                alt.Tooltip("course:N", title=t("what_it_takes.col_course", lang)),
                alt.Tooltip("target_year:N", title=target_year),
                alt.Tooltip("label:N", title=per_year),
            ],
        ),
        bars.mark_text(align="left", dx=3, fontSize=10).encode(text=alt.Text("label:N")),
    ).properties(height=alt.Step(14), width=WIDTH)


# --- Equity --------------------------------------------------------------------------------


def equity_chart(suppressed: pl.DataFrame, dimension: str, lang: str) -> alt.Chart:
    """Dot plot of share by group; suppressed cells are NOT drawn (their share is not shown).

    ``suppressed``: ``tables.suppress_breakdown`` rows. A click on a legend entry highlights
    that group in JupyterLab.
    """
    data = (
        suppressed.filter(
            (pl.col("dimension") == dimension)
            & ~pl.col("den_suppressed")
            & ~pl.col("num_suppressed")
            & pl.col("share").is_not_null()
        )
        .with_columns(
            _quota_names(lang),
            pl.col("group")
            .map_elements(lambda g: group_label(g, lang), return_dtype=pl.Utf8)
            .alias("group_label"),
            pl.col("share")
            .map_elements(lambda s: fmt.percent(s, lang), return_dtype=pl.Utf8)
            .alias("share_text"),
        )
        .select("quota", "group_label", "share", "share_text")
    )
    groups = data["group_label"].unique(maintain_order=True).to_list()
    quotas = data["quota"].unique(maintain_order=True).to_list()
    group_title = t("equity.axis_group", lang)
    share_title = t("equity.axis_share", lang)
    pick = alt.selection_point(
        name="pick_" + re.sub(r"\W", "_", dimension), fields=["group_label"], bind="legend"
    )
    return (
        base(data)
        .mark_point(filled=True, size=70)
        .encode(
            x=alt.X(
                "share:Q",
                title=share_title,
                axis=alt.Axis(format=SHARE_FORMAT),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=_quota_axis(quotas),
            color=alt.Color(
                "group_label:N",
                title=group_title,
                scale=alt.Scale(domain=groups),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape("group_label:N", title=group_title, scale=alt.Scale(domain=groups)),
            # 0.7: Vega-Lite's own opacity of filled points, so overlapping groups show through
            opacity=highlight(alt.OpacityValue, pick, 0.7, 0.1),
            tooltip=[
                alt.Tooltip("quota:N", title=t("equity.col_quota", lang)),
                alt.Tooltip("group_label:N", title=group_title),
                alt.Tooltip("share_text:N", title=share_title),
            ],
        )
        .add_params(pick)
        .properties(height=alt.Step(18), width=WIDTH)
    )


# --- Change since last year --------------------------------------------------------------


def change_chart(change: pl.DataFrame, lang: str) -> alt.LayerChart:
    """Change of each quota's district share since the previous snapshot, in points.

    ``change``: indicator and delta (0..1 scale) per quota, as ``sections.change_frame`` gives.
    """
    data = (
        change.with_columns(
            _quota_names(lang),
            (pl.col("delta") * 100).alias("pp"),
            pl.col("delta")
            .map_elements(lambda d: fmt.points(d, lang), return_dtype=pl.Utf8)
            .alias("label"),
            pl.when(pl.col("delta") >= 0).then(pl.lit("up")).otherwise(pl.lit("down")).alias("dir"),
        )
        .select("quota", "pp", "label", "dir")
        .sort("pp", descending=True)
    )
    bars = base(data).encode(y=_quota_axis(data["quota"].to_list()), x=alt.X("pp:Q"))
    # Labels sit just outside each bar's end: right of rises, left of falls.
    labels = [
        bars.mark_text(align=align, dx=dx, fontSize=10)
        .encode(text=alt.Text("label:N"))
        .transform_filter(alt.datum.dir == direction)
        for direction, align, dx in (("up", "left", 4), ("down", "right", -4))
    ]
    return alt.layer(
        bars.mark_bar().encode(
            x=alt.X(
                "pp:Q",
                title=t("change.axis_change", lang),
                scale=alt.Scale(domain=_padded_domain(data["pp"]), nice=False),
            ),
            color=alt.Color(
                "dir:N",
                scale=alt.Scale(domain=["up", "down"], range=[COLOR_UP, COLOR_DOWN]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("quota:N", title=t("change.col_quota", lang)),
                alt.Tooltip("label:N", title=t("change.col_change", lang)),
            ],
        ),
        *labels,
    ).properties(height=alt.Step(16), width=WIDTH)
