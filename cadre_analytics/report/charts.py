"""Charts of the report, built ONLY from aggregated frames and rendered to inline SVG.

Why SVG (vl-convert) and not altair's HTML renderer: the default renderer pulls Vega from a CDN
and draws nothing offline; inline SVG needs no script at all, so it draws in any browser with
the network off, prints sharply, and the text stays text (Vietnamese diacritics use the
viewer's fonts; we ask for DejaVu Sans / Arial / Noto Sans which all carry them).
Every chart is wrapped in a <figure> with an aria-label and a figcaption that says in words
what the chart shows.

Why plain Vega-Lite dicts and not altair objects: importing altair and building its objects
cost about 4 s of the report's 9 s on the sample district (``make bench``), for specs that are
fixed code here, not user input. The dicts below are exactly what altair's
``to_dict(validate=False)`` gave for the same charts (same keys, same order), so the SVG is
byte-identical; ``figure``/``to_svg`` still accept an altair chart for ad-hoc use.

Drawing (vl-convert, one Deno worker that holds the GIL, ~0.15 s a chart) is most of what is
left, so ``figure(..., cache=cache)`` keeps each SVG under the SHA-256 of its spec, locale and
vl-convert version: an unchanged chart is never drawn twice.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

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

if TYPE_CHECKING:
    from cadre_analytics.cache import Cache

log = logging.getLogger(__name__)

Spec = dict[str, Any]  # a Vega-Lite spec (what altair's to_dict gives)

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
# altair's default theme plus our font and frameless view (what .configure(...) produced).
CONFIG: Spec = {
    "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
    "font": FONT,
}
CACHE_NAMESPACE = "report_svg"


def assert_no_personal(frame: pl.DataFrame, what: str = "chart data") -> pl.DataFrame:
    """Charts embed their data in the spec: refuse any person-identifying column."""
    leaked = [c for c in frame.columns if c in schema.PERSONAL_COLUMNS]
    if leaked:
        raise AssertionError(f"{what}: personal column(s) {leaked} must never be charted")
    return frame


def _data(frame: pl.DataFrame) -> Spec:
    """Inline data: exactly these (already aggregated) columns, as plain records."""
    assert_no_personal(frame)
    return {"values": frame.to_dicts()}


def _chart(frame: pl.DataFrame) -> Spec:
    return {"data": _data(frame)}


def _field(name: str, kind: str, **props: Any) -> Spec:
    """One encoding channel, keys in altair's (alphabetical) order."""
    props["field"] = name
    props["type"] = kind
    return dict(sorted(props.items()))


def _mark(kind: str, **props: Any) -> Spec:
    return {"type": kind, **dict(sorted(props.items()))}


def _locale(lang: str) -> dict:
    return {
        "decimal": t("format.decimal", lang),
        "thousands": t("format.thousands", lang),
        "grouping": [3],
        "currency": ["", ""],
        "percent": "%",
    }


def chart_spec(chart: Any) -> Spec:
    """The full Vega-Lite spec to draw: our config first, then the chart's own keys."""
    if hasattr(chart, "to_dict"):  # an altair chart (ad-hoc use)
        spec = chart.configure(font=FONT).configure_view(stroke=None).to_dict(validate=False)
        spec.pop("$schema", None)
        return spec
    return {"config": CONFIG, **{k: v for k, v in chart.items() if k != "config"}}


def _is_svg(text: str) -> bool:
    return text.startswith("<svg") and text.rstrip().endswith("</svg>")


def _lookup(cache: Cache | None, spec: Spec, locale: dict) -> tuple[str | None, str | None]:
    """(cached SVG or None, cache key or None)."""
    if cache is None:
        return None, None
    import vl_convert as vlc  # imported when a chart is really drawn (the import is cheap)

    # The spec as written, key order kept: Cache.key sorts dict keys, and nothing promises that
    # Vega-Lite draws the same for two orders of, say, an encoding's channels.
    text = json.dumps(spec, ensure_ascii=False)
    key = cache.key(CACHE_NAMESPACE, text, locale, vlc.__version__)
    data = cache.get_bytes(CACHE_NAMESPACE, key, "svg")
    if data is None:
        return None, key
    try:
        svg = data.decode("utf-8")
    except UnicodeDecodeError:
        svg = ""
    if _is_svg(svg):
        return svg, key
    cache.discard(CACHE_NAMESPACE, key, "svg")  # truncated or foreign: drawn again
    return None, key


def _store(cache: Cache | None, key: str | None, svg: str) -> None:
    if cache is not None and key is not None and _is_svg(svg):
        cache.put_bytes(CACHE_NAMESPACE, key, svg.encode("utf-8"), "svg")


def _vl_to_svg(spec: Spec, locale: dict) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec, format_locale=locale, allowed_base_urls=[])


def _draw(spec: Spec, locale: dict, cache: Cache | None) -> str:
    svg, key = _lookup(cache, spec, locale)
    if svg is None:
        svg = _vl_to_svg(spec, locale)
        _store(cache, key, svg)
    return svg


# The helper process of draw_many: only vl_convert, no package import (starts in ~0.1 s).
_HELPER = """
import json, sys
import vl_convert as vlc
with open(sys.argv[1], encoding="utf-8") as f:
    jobs = json.load(f)
svgs = [vlc.vegalite_to_svg(s, format_locale=l, allowed_base_urls=[]) for s, l in jobs]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(svgs, f)
"""
# Below this many charts to draw, a helper's start-up (~0.6 s with vl-convert's) is not won back.
MIN_PARALLEL = 6
HELPER_TIMEOUT_S = 300


def draw_many(
    jobs: list[tuple[Spec, dict]], *, cache: Cache | None = None, parallel: bool = True
) -> list[str]:
    """SVGs for many (spec, locale) pairs, as ``_draw`` gives them one by one.

    vl-convert runs one JS worker per process and holds the GIL while it draws (threads do
    not help), so with ``parallel`` and enough charts left to draw, a helper process draws
    the second half on the other core. Any trouble with the helper (no second core, a crash,
    a timeout, a damaged answer) only means this process draws those charts itself.
    """
    found = [_lookup(cache, spec, locale) for spec, locale in jobs]
    svgs: list[str | None] = [svg for svg, _ in found]
    todo = [i for i, svg in enumerate(svgs) if svg is None]
    helper_part: list[int] = []
    helper = None
    if parallel and len(todo) >= MIN_PARALLEL and _spare_core():
        helper_part = todo[len(todo) // 2 + 1 :]  # this process also pays the worker start
        helper = _start_helper([jobs[i] for i in helper_part])
        if helper is None:
            helper_part = []
    for i in todo:
        if i not in helper_part:
            svgs[i] = _vl_to_svg(*jobs[i])
    if helper is not None:
        for i, svg in zip(helper_part, _finish_helper(helper, len(helper_part)), strict=True):
            svgs[i] = svg if svg is not None else _vl_to_svg(*jobs[i])
    for i in todo:
        _store(cache, found[i][1], svgs[i])
    return [svg or "" for svg in svgs]


def _spare_core() -> bool:
    """A second core that is idle now. On a busy machine a helper only adds its start-up
    (measured: 5.4 s instead of 4.3 s at load 4 on 2 cores), so it is used only when the
    load average (which counts this very process, busy for the whole run) leaves a core free."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return False
    return cores > 1 and load < cores - 0.5


def _start_helper(jobs: list[tuple[Spec, dict]]) -> tuple[Any, Path] | None:
    import subprocess
    import sys
    import tempfile

    try:
        folder = Path(tempfile.mkdtemp(prefix="cadre-charts-"))  # 0700
        (folder / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, "-c", _HELPER, str(folder / "jobs.json"), str(folder / "svgs.json")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, ValueError, TypeError) as exc:
        log.info("chart helper not started (%s); drawing in this process", exc)
        return None
    return proc, folder


def _finish_helper(helper: tuple[Any, Path], count: int) -> list[str | None]:
    import shutil
    import subprocess

    proc, folder = helper
    try:
        proc.wait(timeout=HELPER_TIMEOUT_S)
        if proc.returncode == 0:
            svgs = json.loads((folder / "svgs.json").read_text(encoding="utf-8"))
            if isinstance(svgs, list) and len(svgs) == count:
                return [s if isinstance(s, str) and _is_svg(s) else None for s in svgs]
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        log.info("chart helper failed (%s); drawing in this process", exc)
        proc.kill()
        proc.wait()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [None] * count


# vl-convert numbers gradient and clip ids with counters of its process (gradient_0, _1, ...),
# so the same spec drawn in another process (the helper, an earlier run's cache) carries other
# numbers. They are renumbered here, in the order figures are emitted, exactly as one process
# drawing the report in order would have: the HTML is the same whoever drew each chart, and
# ids stay unique within the page.
_SVG_ID = re.compile(r'(id="|url\(#)(gradient_|clip)(\d+)')
_id_counters = {"gradient_": itertools.count(0), "clip": itertools.count(1)}


def _renumber_ids(svg: str) -> str:
    mapping: dict[str, str] = {}

    def new_id(match: re.Match) -> str:
        old = match.group(2) + match.group(3)
        if old not in mapping:
            mapping[old] = f"{match.group(2)}{next(_id_counters[match.group(2)])}"
        return match.group(1) + mapping[old]

    return _SVG_ID.sub(new_id, svg)


def _inline(svg: str) -> str:
    # Inline SVG in HTML needs no xmlns; dropping them keeps the file free of any URL at all.
    return _renumber_ids(re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg, count=2))


def to_svg(chart: Spec | Any, lang: str, *, cache: Cache | None = None) -> str:
    """Render a chart to an SVG string suitable for inlining in HTML (no namespace URLs).

    ``cache``: reuse the SVG of an identical spec (same data, labels, locale, vl-convert).
    """
    return _inline(_draw(chart_spec(chart), _locale(lang), cache))


def _figure_html(svg: str, alt_text: str, cls: str) -> str:
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(alt_text)}" ', 1)
    return f'<figure class="{cls}">{svg}<figcaption>{escape(alt_text)}</figcaption></figure>'


class FigureBatch:
    """Figures asked for inside ``batch_figures()``: placeholders now, drawn together later."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Spec, dict]] = []
        self.wrappers: list[tuple[str, str]] = []

    def add(self, spec: Spec, locale: dict, alt_text: str, cls: str) -> str:
        self.jobs.append((spec, locale))
        self.wrappers.append((alt_text, cls))
        return f"\x00figure:{len(self.jobs) - 1}\x00"

    def resolve(
        self, parts: list[str], *, cache: Cache | None = None, parallel: bool = True
    ) -> list[str]:
        """``parts`` with every placeholder replaced by its drawn figure."""
        svgs = draw_many(self.jobs, cache=cache, parallel=parallel)
        figures = [
            _figure_html(_inline(svg), alt_text, cls)
            for svg, (alt_text, cls) in zip(svgs, self.wrappers, strict=True)
        ]
        return [_PLACEHOLDER.sub(lambda m: figures[int(m.group(1))], part) for part in parts]


_PLACEHOLDER = re.compile("\x00figure:(\\d+)\x00")
_batch: ContextVar[FigureBatch | None] = ContextVar("figure_batch", default=None)


@contextmanager
def batch_figures() -> Iterator[FigureBatch]:
    """Inside, ``figure`` returns placeholders; ``batch.resolve(parts)`` draws them all at once
    (cached ones read, the rest split over two processes)."""
    batch = FigureBatch()
    token = _batch.set(batch)
    try:
        yield batch
    finally:
        _batch.reset(token)


def figure(
    chart: Spec | Any,
    alt_text: str,
    lang: str,
    cls: str = "chart",
    *,
    cache: Cache | None = None,
) -> str:
    """<figure> with the inline SVG (role=img + aria-label) and a figcaption in words."""
    batch = _batch.get()
    if batch is not None:
        return batch.add(chart_spec(chart), _locale(lang), alt_text, cls)
    return _figure_html(to_svg(chart, lang, cache=cache), alt_text, cls)


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
) -> Spec:
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
    x = _field(
        "year",
        "quantitative",
        title=t("district.axis_year", lang),
        axis={"format": "d", "tickMinStep": 1},
    )
    y_scale = {"domain": [0, _share_top(lines, band, targets)], "nice": False}
    color_scale = {"domain": series, "range": colors}
    series_title = t("district.legend_series", lang)
    color = _field(
        "series",
        "nominal",
        title=series_title,
        scale=color_scale,
        legend={
            "labelLimit": 300,
            "orient": "bottom",
            "symbolOpacity": 1,
            "symbolSize": 400,
            "symbolStrokeWidth": 2.5,
            "symbolType": "stroke",
        },
    )
    layers = []
    if band.height:
        layers.append(
            # each scenario's P10-P90 band in its line's colour
            {
                **_chart(band.select("year", "lo", "hi", "series")),
                "mark": _mark("area", fillOpacity=0.15),
                "encoding": {
                    "fill": _field("series", "nominal", scale=color_scale, title=series_title),
                    "x": x,
                    "y": _field("lo", "quantitative", scale=y_scale),
                    "y2": {"field": "hi"},
                },
            }
        )
    layers.append(
        {
            **_chart(lines),
            "mark": _mark("line", point=True),
            "encoding": {
                "color": color,
                # same field and title as the colour: one merged legend showing colour and dash
                "strokeDash": _field(
                    "series",
                    "nominal",
                    title=series_title,
                    scale={"domain": series, "range": dashes},
                ),
                "x": x,
                "y": _field(
                    "share",
                    "quantitative",
                    title=t("district.axis_share", lang),
                    axis={"format": SHARE_FORMAT},
                    scale=y_scale,
                ),
            },
        }
    )
    if targets.height:
        layers.append(
            {
                **_chart(targets),
                "mark": _mark("rule", color=COLOR_TARGET, strokeWidth=2),
                "encoding": {
                    "x": _field("from_year", "quantitative"),
                    "x2": {"field": "target_year"},
                    "y": _field("target", "quantitative"),
                },
            }
        )
        labelled = targets.with_columns(
            pl.col("target")
            .map_elements(
                lambda v: t("district.target", lang) + " " + fmt.percent(v, lang, 0),
                return_dtype=pl.Utf8,
            )
            .alias("label")
        )
        layers.append(
            {
                **_chart(labelled),
                "mark": _mark("text", color=COLOR_TARGET, dy=-8, align="right", fontSize=11),
                "encoding": {
                    "text": _field("label", "nominal"),
                    "x": _field("target_year", "quantitative"),
                    "y": _field("target", "quantitative"),
                },
            }
        )
    return {
        "layer": layers,
        "height": HEIGHT,
        "title": {"text": quota_label(indicator, lang), "fontSize": 13},
        "width": WIDTH,
    }


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


def heatmap_chart(matrix: pl.DataFrame, lang: str) -> Spec:
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
    x = _field(
        "quota",
        "nominal",
        title=None,
        sort=quota_order,
        axis={"labelAngle": -35, "labelLimit": 220, "orient": "top"},
    )
    y = _field("commune", "nominal", title=None, sort=order, axis={"labelLimit": 200})
    # Met cells one flat green; the others from red (far off) to pale orange (nearly there),
    # so no "not met" cell looks green.
    color = _field(
        "attainment",
        "quantitative",
        condition={"test": "datum.met === true", "value": COLOR_MET},
        title=t("communes.attainment", lang),
        scale={"domain": [0, 1], "range": [COLOR_FAR, COLOR_NEAR]},
        legend={"format": SHARE_FORMAT, "titleLimit": 220},
    )
    rect = {"mark": _mark("rect", stroke="white"), "encoding": {"color": color, "x": x, "y": y}}
    text = {
        "mark": _mark("text", fontSize=10),
        "encoding": {"text": _field("label", "nominal"), "x": x, "y": y},
    }
    # Both layers share one data set: it sits once at the top (as altair hoisted it).
    return {
        "layer": [rect, text],
        **_chart(data),
        "height": 22 * max(len(order), 1),
        "width": max(60 * data["quota"].n_unique(), 200),
    }


# --- What it takes -----------------------------------------------------------------------


def what_it_takes_chart(requirements: pl.DataFrame, lang: str) -> Spec:
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
    y = _field("quota", "nominal", title=None, sort=order, axis={"labelLimit": 320})
    y_offset = _field("target_year", "nominal")
    bars = {
        **_chart(data),
        "mark": _mark("bar"),
        "encoding": {
            "color": _field(
                "target_year",
                "nominal",
                title=t("what_it_takes.col_target_year", lang),
                legend={"orient": "bottom"},
            ),
            "x": _field(
                "extra_completions_per_year",
                "quantitative",
                title=t("what_it_takes.axis_per_year", lang),
                scale={"domain": _padded_domain(data["extra_completions_per_year"], 0.15)},
            ),
            "y": y,
            "yOffset": y_offset,
        },
    }
    labels = {
        **_chart(data),
        "mark": _mark("text", align="left", dx=3, fontSize=10),
        "encoding": {
            "text": _field("label", "nominal"),
            "x": _field("extra_completions_per_year", "quantitative"),
            "y": y,
            "yOffset": y_offset,
        },
    }
    return {"layer": [bars, labels], "height": {"step": 14}, "width": WIDTH}


# --- Equity --------------------------------------------------------------------------------


def equity_chart(suppressed: pl.DataFrame, dimension: str, lang: str) -> Spec:
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
    group_title = t("equity.axis_group", lang)
    return {
        **_chart(data),
        "mark": _mark("point", filled=True, size=70),
        "encoding": {
            "color": _field(
                "group_label",
                "nominal",
                title=group_title,
                scale={"domain": groups},
                legend={"orient": "bottom"},
            ),
            "shape": _field("group_label", "nominal", title=group_title, scale={"domain": groups}),
            "x": _field(
                "share",
                "quantitative",
                title=t("equity.axis_share", lang),
                axis={"format": SHARE_FORMAT},
                scale={"domain": [0, 1]},
            ),
            "y": _field("quota", "nominal", title=None, sort=quotas, axis={"labelLimit": 320}),
        },
        "height": {"step": 18},
        "width": WIDTH,
    }


# --- Change since last year --------------------------------------------------------------


def _padded_domain(values: pl.Series, share: float = 0.35) -> list[float]:
    """Room beyond the bars' ends for their text labels (the table has the exact numbers)."""
    lo = min(0.0, float(values.min() or 0))
    hi = max(0.0, float(values.max() or 0))
    pad = (hi - lo or 1.0) * share
    return [lo - pad if lo < 0 else 0.0, hi + pad if hi > 0 else 0.0]


def change_chart(change: pl.DataFrame, lang: str) -> Spec:
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
    y = _field(
        "quota", "nominal", title=None, sort=data["quota"].to_list(), axis={"labelLimit": 320}
    )
    bars = {
        **_chart(data),
        "mark": _mark("bar"),
        "encoding": {
            "color": _field(
                "dir",
                "nominal",
                scale={"domain": ["up", "down"], "range": ["#2e7d32", "#c62828"]},
                legend=None,
            ),
            "x": _field(
                "pp",
                "quantitative",
                title=t("change.axis_change", lang),
                scale={"domain": _padded_domain(data["pp"]), "nice": False},
            ),
            "y": y,
        },
    }

    def labels(direction: str, align: str, dx: int) -> Spec:
        return {
            **_chart(data),
            "mark": _mark("text", align=align, dx=dx, fontSize=10),
            "encoding": {
                "text": _field("label", "nominal"),
                "x": _field("pp", "quantitative"),
                "y": y,
            },
            "transform": [{"filter": f"(datum.dir === '{direction}')"}],
        }

    # Labels sit just outside each bar's end: right of rises, left of falls.
    return {
        "layer": [bars, labels("up", "left", 4), labels("down", "right", -4)],
        "height": {"step": 16},
        "width": WIDTH,
    }
