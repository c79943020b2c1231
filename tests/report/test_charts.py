"""Charts are altair charts: they validate against the Vega-Lite schema, encode the right
fields, carry exactly the data of tiny hand-built frames, and draw to offline inline SVG with
Vietnamese text kept as text."""

from __future__ import annotations

import re

import altair as alt
import polars as pl
import pytest

from cadre_analytics.report import charts
from cadre_analytics.report.charts.draw import base
from cadre_analytics.report.render import assert_offline
from cadre_analytics.report.tables import quota_label, scenario_label

PG = "d_postgraduate"  # targets 20% (2025) and 25% (2030)


def _layers(spec: dict) -> dict[str, dict]:
    """Layers of a layered spec by mark type (each type appears once in these charts)."""
    return {layer["mark"]["type"]: layer for layer in spec["layer"]}


def _values(spec: dict, part: dict) -> list[dict]:
    """The inline rows a (layer) spec draws; altair keeps them in top-level ``datasets``."""
    data = part.get("data") or spec["data"]
    return spec["datasets"][data["name"]]


def _indicators() -> pl.DataFrame:
    # Whole district: 3 of 20 (15%) in 2024, 4 of 20 (20%) in 2025; two target rows per year.
    rows = []
    for year, num in ((2024, 3), (2025, 4)):
        for target_year, target in ((2025, 0.20), (2030, 0.25)):
            rows.append(
                {
                    "indicator": PG,
                    "unit": "ALL",
                    "year": year,
                    "numerator": num,
                    "denominator": 20,
                    "share": num / 20,
                    "target_year": target_year,
                    "target": target,
                    "comparator": ">=",
                }
            )
    return pl.DataFrame(rows)


def _projection() -> pl.DataFrame:
    # baseline (deterministic): 22% in 2026, 24% in 2027; plan (Monte Carlo): median 25% / 30%
    # with P10-P90 bands 20-28% and 26-32%. One row per target year, as projection.csv has.
    rows = []
    for scenario, year, share, p10, p50, p90 in (
        ("baseline", 2026, 0.22, None, None, None),
        ("baseline", 2027, 0.24, None, None, None),
        ("plan", 2026, 0.26, 0.20, 0.25, 0.28),
        ("plan", 2027, 0.29, 0.26, 0.30, 0.32),
    ):
        for target_year, target in ((2025, 0.20), (2030, 0.25)):
            rows.append(
                {
                    "indicator": PG,
                    "unit": "ALL",
                    "year": year,
                    "scenario": scenario,
                    "share": share,
                    "share_p10": p10,
                    "share_p50": p50,
                    "share_p90": p90,
                    "target_year": target_year,
                    "target": target,
                }
            )
    return pl.DataFrame(rows)


def test_charts_refuse_personal_columns():
    frame = pl.DataFrame({"staff_id": ["A1"], "share": [0.5]})
    with pytest.raises(AssertionError, match="staff_id"):
        charts.assert_no_personal(frame)
    with pytest.raises(AssertionError, match="full_name"):
        base(pl.DataFrame({"full_name": ["x"], "year": [2025]}))


def test_district_chart_history_projection_band_and_targets():
    chart = charts.district_chart(_indicators(), _projection(), PG, "vi")
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()  # raises if the spec breaks the Vega-Lite schema
    layers = _layers(spec)
    assert set(layers) == {"area", "line", "rule", "text"}
    assert spec["title"]["text"] == quota_label(PG, "vi")

    line = layers["line"]["encoding"]
    assert (line["x"]["field"], line["y"]["field"]) == ("year", "share")
    assert line["color"]["field"] == line["strokeDash"]["field"] == "series"
    lines = [(r["series"], r["year"], r["share"]) for r in _values(spec, layers["line"])]
    history, base_label, plan = "Thực tế", scenario_label("baseline", "vi"), "Kế hoạch"
    # each projected line starts at the last snapshot (2025, 20%); the plan line is its median
    assert lines == [
        (history, 2024, 0.15),
        (history, 2025, 0.20),
        (base_label, 2025, 0.20),
        (base_label, 2026, 0.22),
        (base_label, 2027, 0.24),
        (plan, 2025, 0.20),
        (plan, 2026, 0.25),
        (plan, 2027, 0.30),
    ]
    # history solid navy, baseline then plan dashed in the scenario colours
    assert line["color"]["scale"]["domain"] == [history, base_label, plan]
    assert line["strokeDash"]["scale"]["range"] == [[1, 0], [6, 3], [6, 3]]

    band = [(r["series"], r["year"], r["lo"], r["hi"]) for r in _values(spec, layers["area"])]
    assert band == [(plan, 2026, 0.20, 0.28), (plan, 2027, 0.26, 0.32)]  # baseline has no band

    rules = [(r["from_year"], r["target_year"], r["target"]) for r in _values(spec, layers["rule"])]
    assert rules == [(2024, 2025, 0.20), (2024, 2030, 0.25)]  # from the first year shown
    labels = [r["label"] for r in _values(spec, layers["text"])]
    assert labels == ["Mục tiêu 20%", "Mục tiêu 25%"]
    # highest value drawn: band top 32% -> 32% * 1.2 = 38.4% -> rounded up to 40%
    assert line["y"]["scale"]["domain"] == [0, 0.4]
    # a click on the legend highlights a series (interactive in JupyterLab)
    assert any(p.get("bind") == "legend" for p in spec["params"])


def test_notebook_02_grid_of_indicators_alone():
    spec = charts.district_charts(_indicators(), "en").to_dict()
    assert len(spec["concat"]) == 1  # one quota in the frame
    layers = _layers(spec["concat"][0])
    assert set(layers) == {"line", "rule", "text"}  # no projection: no band
    assert [r["share"] for r in _values(spec, layers["line"])] == [0.15, 0.20]


def test_notebook_03_projection_alone():
    # notebook 03 has result.projection (all units, every target year), not the indicators
    projection = pl.concat([_projection(), _projection().with_columns(pl.lit("X01").alias("unit"))])
    grid = charts.projection_charts(projection, "vi")
    spec = grid.to_dict()
    layers = _layers(spec["concat"][0])
    lines = [(r["series"], r["year"], r["share"]) for r in _values(spec, layers["line"])]
    assert lines[0] == (scenario_label("baseline", "vi"), 2026, 0.22)  # no snapshot to start at
    assert len(lines) == 4  # whole district only, one row per projected year
    rules = [(r["from_year"], r["target"]) for r in _values(spec, layers["rule"])]
    assert rules == [(2026, 0.20), (2026, 0.25)]  # targets read from the projection
    assert charts.to_svg(grid, "vi").startswith("<svg")


def _matrix() -> pl.DataFrame:
    # Xã A: 10 of 20 = 50% against 70% (not met; 50/70 of the target); Xã B: 18 of 20 = 90% (met).
    return pl.DataFrame(
        {
            "indicator": ["c_university", "c_university"],
            "unit": ["X01", "X02"],
            "unit_name": ["Xã A", "Xã B"],
            "share": [0.5, 0.9],
            "met": [False, True],
            "attainment": [0.5 / 0.7, 1.0],
            "rank": [1, 2],
            "target": [0.7, 0.7],
            "comparator": [">=", ">="],
        }
    )


def test_heatmap_cells_labels_and_colour_rule():
    spec = charts.heatmap_chart(_matrix(), "vi").to_dict()
    layers = _layers(spec)
    rows = {r["commune"]: r["label"] for r in _values(spec, layers["rect"])}
    assert rows == {"Xã A": "50% ✖", "Xã B": "90% ✔"}
    color = layers["rect"]["encoding"]["color"]
    assert color["field"] == "attainment"
    assert color["condition"]["test"] == "datum.met === true"  # met cells one flat green
    assert layers["rect"]["encoding"]["y"]["sort"] == ["Xã A", "Xã B"]  # worst (rank 1) first
    assert spec["height"] == 44  # 22 px per commune


def test_heatmap_label_never_rounds_a_miss_up_to_the_target():
    # Xã C: 1 of 21 = 4.76% against ≥5%; "5% ✖" would sit beside another commune's "5% ✔"
    miss = (
        _matrix()
        .head(1)
        .with_columns(
            pl.lit(1 / 21).alias("share"),
            pl.lit(0.05).alias("target"),
            pl.lit("Xã C").alias("unit_name"),
        )
    )
    spec = charts.heatmap_chart(miss, "vi").to_dict()
    assert [r["label"] for r in _values(spec, _layers(spec)["rect"])] == ["4,8% ✖"]


def test_what_it_takes_bars_sorted_by_need():
    requirements = pl.DataFrame(
        {
            "indicator": ["c_university", "d_postgraduate"],
            "target_year": [2030, 2030],
            "extra_completions_per_year": [0.5, 2.0],
        }
    )
    spec = charts.what_it_takes_chart(requirements, "vi").to_dict()
    bar = _layers(spec)["bar"]
    assert bar["encoding"]["x"]["field"] == "extra_completions_per_year"
    assert bar["encoding"]["y"]["sort"] == [quota_label(q, "vi") for q in (PG, "c_university")]
    assert [r["label"] for r in _values(spec, bar)] == ["0,5", "2"]
    # room for the labels: 0 .. 2 + 15% of 2 = 2.3
    assert bar["encoding"]["x"]["scale"]["domain"] == [0.0, 2.3]


def test_axis_numbers_follow_the_language():
    # 0.5 a year: the axis runs 0 .. 0.575 in ticks of 0.05
    requirements = pl.DataFrame(
        {"indicator": [PG], "target_year": [2030], "extra_completions_per_year": [0.5]}
    )
    vi = charts.to_svg(charts.what_it_takes_chart(requirements, "vi"), "vi")
    en = charts.to_svg(charts.what_it_takes_chart(requirements, "en"), "en")
    assert ">0,05<" in vi and ">0.05<" not in vi  # decimal comma, as fmt writes numbers
    assert ">0.05<" in en


def test_equity_chart_leaves_out_suppressed_cells():
    suppressed = pl.DataFrame(
        {
            "indicator": [PG, PG, PG],
            "dimension": ["gender", "gender", "age_band"],
            "group": ["male", "female", "<30"],
            "share": [0.25, 0.4, 0.5],
            "den_suppressed": [False, True, False],
            "num_suppressed": [False, True, False],
        }
    )
    spec = charts.equity_chart(suppressed, "gender", "vi").to_dict()
    rows = [(r["group_label"], r["share"]) for r in _values(spec, spec)]
    assert rows == [("Nam", 0.25)]  # women's cell suppressed, age bands another chart
    assert spec["encoding"]["x"]["field"] == "share"
    assert spec["encoding"]["color"]["field"] == "group_label"


def test_change_chart_points_and_padded_axis():
    change = pl.DataFrame({"indicator": ["c_university", PG], "delta": [-0.05, 0.1]})
    spec = charts.change_chart(change, "vi").to_dict()
    bar = _layers(spec)["bar"]
    rows = [(r["pp"], r["label"], r["dir"]) for r in _values(spec, bar)]
    assert rows == [(10.0, "+10,0 điểm %", "up"), (-5.0, "−5,0 điểm %", "down")]
    # -5 .. 10, padded by 35% of the span 15 = 5.25 on each side
    assert bar["encoding"]["x"]["scale"]["domain"] == [-10.25, 15.25]


def test_change_chart_svg_is_offline_accessible_and_vietnamese():
    change = pl.DataFrame({"indicator": ["c_university", PG], "delta": [0.1, -0.05]})
    html = charts.figure(charts.change_chart(change, "vi"), "Biểu đồ thay đổi", "vi")
    assert_offline(html)
    assert "<script" not in html
    assert 'role="img" aria-label="Biểu đồ thay đổi"' in html
    assert "<figcaption>Biểu đồ thay đổi</figcaption>" in html
    assert "Xã: CB, CC có trình độ đại học trở lên" in html  # diacritics as SVG text
    assert "+10,0 điểm %" in html and "−5,0 điểm %" in html
    assert html.count("<path") > 2
    assert "DejaVu Sans" in html  # the report's font, set when drawn


def test_two_figures_in_one_page_share_no_svg_id():
    # the heat-map legend is a gradient: drawn twice in one process, the ids must differ
    page = charts.figure(charts.heatmap_chart(_matrix(), "vi"), "a", "vi") + charts.figure(
        charts.heatmap_chart(_matrix(), "vi"), "b", "vi"
    )
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))


def test_report_package_keeps_jsonschemas_iri_checker_out_and_still_validates():
    import subprocess
    import sys

    # cadre_analytics.report first, as notebooks 02 and 04 import it
    code = (
        "import sys\n"
        "import cadre_analytics.report\n"
        "import altair as alt\n"
        "assert sys.modules['rfc3987_syntax'] is None\n"
        "try:\n"
        "    alt.Chart().encode(x=alt.X('a:Q', scale=alt.Scale(type='no'))).to_dict()\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.stdout.strip() == "SchemaValidationError", done.stderr


def test_heatmap_cell_without_people_has_no_tick():
    # nobody in the population: neither met nor missed, so neither ✔ nor ✖
    empty = (
        _matrix()
        .head(1)
        .with_columns(
            pl.lit(None, dtype=pl.Float64).alias("share"),
            pl.lit(None, dtype=pl.Boolean).alias("met"),
        )
    )
    spec = charts.heatmap_chart(empty, "vi").to_dict()
    assert [r["label"] for r in _values(spec, _layers(spec)["rect"])] == ["—"]
