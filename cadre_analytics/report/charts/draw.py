"""From an altair chart to the inline SVG <figure> of the offline report.

Why SVG drawn by vl-convert and not altair's HTML output: that output loads Vega from a CDN
and draws nothing offline; inline SVG needs no script at all, so it draws in any browser with
the network off, prints sharply, and the text stays text (Vietnamese diacritics use the
viewer's fonts; we ask for DejaVu Sans / Noto Sans / Arial, which all carry them).

The chart functions return plain altair charts without report styling, so an analyst can
show, layer or concatenate them in JupyterLab; the report's font, frameless view and number
format (from the string catalogue) are applied here, when the SVG is drawn.
"""

from __future__ import annotations

import re
from html import escape

import altair as alt
import polars as pl

from cadre_analytics import schema
from cadre_analytics.report.strings import t

FONT = "DejaVu Sans, Noto Sans, Arial, Helvetica, sans-serif"
REPORT_CONFIG = {"font": FONT, "view": {"stroke": None}}
# vl-convert bundles several Vega-Lite versions: draw with the one altair's schema is for.
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def assert_no_personal(frame: pl.DataFrame, what: str = "chart data") -> pl.DataFrame:
    """Charts embed their data in the spec: refuse any person-identifying column."""
    leaked = [c for c in frame.columns if c in schema.PERSONAL_COLUMNS]
    if leaked:
        raise AssertionError(f"{what}: personal column(s) {leaked} must never be charted")
    return frame


def base(frame: pl.DataFrame) -> alt.Chart:
    """The one way a chart gets its data: aggregated columns only."""
    return alt.Chart(assert_no_personal(frame))


def highlight(channel: type, pick: alt.Parameter, on: float, off: float) -> alt.SchemaBase:
    """``channel`` (alt.OpacityValue, alt.FillOpacityValue) at ``on`` for what is picked in the
    legend (everything while nothing is), else ``off``.

    Built as a typed channel: altair wraps a plain dict (what ``alt.when`` gives) by matching
    it against the whole schema, about 10 ms a channel."""
    return channel(off, condition={"param": pick.name, "value": on})


def format_locale(lang: str) -> dict:
    """d3-format locale for axis numbers: 20% / 0,5 in Vietnamese, as ``fmt`` writes them."""
    return {
        "decimal": t("format.decimal", lang),
        "thousands": t("format.thousands", lang),
        "grouping": [3],
        "currency": ["", ""],
        "percent": "%",
    }


def report_spec(chart: alt.TopLevelMixin) -> dict:
    """The validated Vega-Lite spec of ``chart`` with the report's look merged into its config."""
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    config = spec.setdefault("config", {})
    config["font"] = FONT
    # The figure carries one text alternative in words; the per-mark descriptions Vega adds
    # would read out field names (and English) to a screen reader.
    config["aria"] = False
    config["view"] = {**config.get("view", {}), **REPORT_CONFIG["view"]}
    return spec


def to_svg(chart: alt.TopLevelMixin, lang: str) -> str:
    """The chart as an SVG string for inlining in HTML (no namespace URLs, nothing fetched).

    vl-convert numbers gradient and clip ids with counters of its process, so the figures of
    one report, all drawn in one process, never share an id.
    """
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(
        report_spec(chart),
        vl_version=VL_VERSION,
        format_locale=format_locale(lang),
        allowed_base_urls=[],
    )
    # Inline SVG in HTML needs no xmlns; dropping them keeps the file free of any URL at all.
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg, count=2)


def figure(chart: alt.TopLevelMixin, alt_text: str, lang: str, cls: str = "chart") -> str:
    """<figure> with the inline SVG (role=img + aria-label) and a figcaption in words."""
    svg = to_svg(chart, lang).replace(
        "<svg ", f'<svg role="img" aria-label="{escape(alt_text)}" ', 1
    )
    return f'<figure class="{cls}">{svg}<figcaption>{escape(alt_text)}</figcaption></figure>'
