"""Chart speed: specs are plain Vega-Lite dicts (what altair gave), drawn SVGs are cached under
the hash of their spec, and a bad or unusable cache only costs time, never changes a chart."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import polars as pl
import pytest

from cadre_analytics.cache import open_cache
from cadre_analytics.report import charts, sections
from cadre_analytics.report.inputs import ReportInputs
from tests.report import aggregates

CHANGE = pl.DataFrame({"indicator": ["c_university", "d_postgraduate"], "delta": [0.1, -0.05]})


def _entries(root):
    return sorted((root / charts.CACHE_NAMESPACE).glob("*.svg"))


def _no_drawing(monkeypatch):
    import vl_convert as vlc

    def refuse(*args, **kwargs):
        raise AssertionError("vl-convert called although the SVG was cached")

    monkeypatch.setattr(vlc, "vegalite_to_svg", refuse)


def test_a_cached_chart_is_not_drawn_again_and_is_identical(tmp_path, monkeypatch):
    cache = open_cache(tmp_path / "cache")
    plain = charts.figure(charts.change_chart(CHANGE, "vi"), "Thay đổi", "vi")
    first = charts.figure(charts.change_chart(CHANGE, "vi"), "Thay đổi", "vi", cache=cache)
    assert first == plain
    assert len(_entries(tmp_path / "cache")) == 1
    _no_drawing(monkeypatch)
    again = charts.figure(charts.change_chart(CHANGE, "vi"), "Thay đổi", "vi", cache=cache)
    assert again == plain


def test_changed_data_or_language_is_a_new_entry(tmp_path):
    cache = open_cache(tmp_path / "cache")
    charts.figure(charts.change_chart(CHANGE, "vi"), "a", "vi", cache=cache)
    other = CHANGE.with_columns(pl.Series("delta", [0.1, -0.04]))
    html = charts.figure(charts.change_chart(other, "vi"), "a", "vi", cache=cache)
    assert "−4,0 điểm %" in html and "−5,0 điểm %" not in html
    english = charts.figure(charts.change_chart(CHANGE, "en"), "a", "en", cache=cache)
    assert "−5.0 pp" in english and "điểm" not in english
    assert len(_entries(tmp_path / "cache")) == 3


@pytest.mark.parametrize("damage", [b"", b"<svg width='1'>", b"\xff\xfe not text", b"<html/>"])
def test_a_damaged_entry_is_redrawn_and_replaced(tmp_path, damage):
    cache = open_cache(tmp_path / "cache")
    plain = charts.figure(charts.change_chart(CHANGE, "vi"), "x", "vi")
    charts.figure(charts.change_chart(CHANGE, "vi"), "x", "vi", cache=cache)
    (entry,) = _entries(tmp_path / "cache")
    entry.write_bytes(damage)
    assert charts.figure(charts.change_chart(CHANGE, "vi"), "x", "vi", cache=cache) == plain
    assert entry.read_text(encoding="utf-8").startswith("<svg")  # drawn again and stored


def test_an_unwritable_cache_folder_behaves_like_no_cache(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the cache folder should be")
    cache = open_cache(blocker)
    plain = charts.figure(charts.change_chart(CHANGE, "vi"), "x", "vi")
    assert charts.figure(charts.change_chart(CHANGE, "vi"), "x", "vi", cache=cache) == plain


def test_whole_report_with_cache_equals_without_and_a_rerun_draws_nothing(
    sample_inputs, tmp_path, monkeypatch
):
    inputs = sample_inputs
    cache = open_cache(tmp_path / "cache")
    drawn = [
        sections.section_district(inputs, "vi", cache=cache),
        sections.section_communes(inputs, "vi", cache=cache),
        sections.section_what_it_takes(inputs, "vi", cache=cache),
        sections.section_equity(inputs, "vi", cache=cache),
        sections.section_change(inputs, "vi", cache=cache),
    ]
    figures = sum(part.count("<figure") for part in drawn)
    assert figures >= 5
    assert len(_entries(tmp_path / "cache")) == figures  # every chart differs: one entry each
    _no_drawing(monkeypatch)
    again = sections.all_sections(inputs, "vi", cache=cache)[2:7]
    assert [_ids(part) for part in again] == [_ids(part) for part in drawn]


@pytest.fixture(scope="module")
def sample_inputs() -> ReportInputs:
    frames = aggregates.build()
    return ReportInputs(
        year=2025,
        indicators=frames["indicators"],
        projection=frames.get("projection"),
        requirements=frames.get("requirements"),
        breakdowns=frames.get("breakdowns"),
    )


@pytest.fixture(scope="module")
def one_by_one(sample_inputs) -> list[str]:
    """The report drawn chart by chart, as the notebook's section cells do."""
    inputs = sample_inputs
    return [
        sections.title_block(inputs, "vi"),
        sections.section_summary(inputs, "vi"),
        sections.section_district(inputs, "vi"),
        sections.section_communes(inputs, "vi"),
        sections.section_what_it_takes(inputs, "vi"),
        sections.section_equity(inputs, "vi"),
        sections.section_change(inputs, "vi"),
        sections.section_data_quality(inputs, "vi"),
        sections.section_method(inputs, "vi"),
        sections.section_provenance(inputs, "vi"),
    ]


def _ids(html: str) -> str:
    """Gradient ids count up with each figure this process emits (as vl-convert's do)."""
    return re.sub(r"gradient_\d+", "gradient_N", html)


def _same_but_time(a: list[str], b: list[str]) -> None:
    """Equal, except the provenance footer's generation time (no manifest in the fixture)."""
    assert len(a) == len(b)
    assert [_ids(x) for x in a[:-1]] == [_ids(x) for x in b[:-1]]
    assert "\x00" not in "".join(b)  # no placeholder left behind


def _force_helper(monkeypatch):
    monkeypatch.setattr(charts, "_spare_core", lambda: True)
    monkeypatch.setattr(charts, "MIN_PARALLEL", 2)


def test_all_sections_with_a_helper_process_equals_one_by_one(
    sample_inputs, one_by_one, monkeypatch, tmp_path
):
    _force_helper(monkeypatch)
    started = []
    real_start = charts._start_helper
    monkeypatch.setattr(
        charts, "_start_helper", lambda jobs: started.append(len(jobs)) or real_start(jobs)
    )
    cache = open_cache(tmp_path / "cache")
    _same_but_time(one_by_one, sections.all_sections(sample_inputs, "vi", cache=cache))
    figures = "".join(one_by_one).count("<figure")
    # the helper drew the second half: 1 fewer than this process, which also starts it
    assert started == [(figures - 1) // 2]
    assert len(_entries(tmp_path / "cache")) == figures
    # a rerun draws nothing and starts no helper
    monkeypatch.setattr(charts, "_vl_to_svg", lambda *a: pytest.fail("drawn again"))
    _same_but_time(one_by_one, sections.all_sections(sample_inputs, "vi", cache=cache))
    assert len(started) == 1


def _jobs(n: int) -> list[tuple[dict, dict]]:
    deltas = [0.01 * (k + 1) for k in range(n)]
    frames = [CHANGE.with_columns(pl.Series("delta", [d, -d])) for d in deltas]
    return [(charts.chart_spec(charts.change_chart(f, "vi")), charts._locale("vi")) for f in frames]


@pytest.mark.parametrize(
    "helper",
    [
        "import sys; sys.exit(3)",  # crashes
        "import sys, json; json.dump(['<svg></svg>'] * 99, open(sys.argv[2], 'w'))",  # count
        "import sys; open(sys.argv[2], 'w').write('[')",  # damaged answer
        # SVG-looking but cut short
        "import sys, json; n = len(json.load(open(sys.argv[1])));"
        " json.dump(['<svg>x'] * n, open(sys.argv[2], 'w'))",
    ],
)
def test_a_failing_helper_only_costs_time(monkeypatch, helper):
    jobs = _jobs(3)
    expected = [charts._vl_to_svg(*job) for job in jobs]
    _force_helper(monkeypatch)
    started = []
    real_start = charts._start_helper
    monkeypatch.setattr(
        charts, "_start_helper", lambda jobs: started.append(len(jobs)) or real_start(jobs)
    )
    monkeypatch.setattr(charts, "_HELPER", helper)
    assert charts.draw_many(jobs) == expected
    assert started == [1]  # the helper was asked for the last chart, and failed


def test_gradient_ids_count_on_across_figures_whoever_drew_them(tmp_path):
    """Each SVG's gradient id is unique in the page, as when one process draws them all."""
    matrix = pl.DataFrame(
        {
            "indicator": ["c_university"] * 2,
            "unit": ["X1", "X2"],
            "unit_name": ["Xã A", "Xã B"],
            "rank": [1, 2],
            "share": [0.4, 0.9],
            "attainment": [0.5, 1.0],
            "met": [False, True],
        }
    )
    cache = open_cache(tmp_path / "cache")
    first = charts.figure(charts.heatmap_chart(matrix, "vi"), "a", "vi", cache=cache)
    second = charts.figure(charts.heatmap_chart(matrix, "vi"), "a", "vi", cache=cache)  # cached
    (n,) = set(re.findall(r'id="gradient_(\d+)"', first))
    assert re.findall(r"url\(#gradient_(\d+)\)", first) == [n]
    assert re.findall(r'id="gradient_(\d+)"', second) == [str(int(n) + 1)]
    assert re.findall(r"url\(#gradient_(\d+)\)", second) == [str(int(n) + 1)]
    assert _ids(first) == _ids(second)


def test_specs_are_what_altair_gave(tmp_path):
    """The dict builders replaced altair objects: the spec for a layered chart with a
    transform must be the same JSON, key order included (so the SVG is byte-identical)."""
    alt = pytest.importorskip("altair")
    data = charts.change_chart(CHANGE, "vi")["layer"][0]["data"]["values"]
    order = [r["quota"] for r in data]
    y = alt.Y("quota:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))
    base = alt.Chart(alt.Data(values=data))
    bars = base.mark_bar().encode(
        y=y,
        x=alt.X(
            "pp:Q",
            title="Thay đổi (điểm phần trăm)",
            scale=alt.Scale(domain=charts._padded_domain(pl.Series([10.0, -5.0])), nice=False),
        ),
        color=alt.Color(
            "dir:N",
            scale=alt.Scale(domain=["up", "down"], range=["#2e7d32", "#c62828"]),
            legend=None,
        ),
    )
    up = (
        alt.Chart(alt.Data(values=data))
        .transform_filter(alt.datum.dir == "up")
        .mark_text(align="left", dx=4, fontSize=10)
        .encode(y=y, x="pp:Q", text="label:N")
    )
    down = (
        alt.Chart(alt.Data(values=data))
        .transform_filter(alt.datum.dir == "down")
        .mark_text(align="right", dx=-4, fontSize=10)
        .encode(y=y, x="pp:Q", text="label:N")
    )
    chart = alt.layer(bars, up, down).properties(width=charts.WIDTH, height=alt.Step(16))
    expected = chart.configure(font=charts.FONT).configure_view(stroke=None)
    expected = expected.to_dict(validate=False)
    expected.pop("$schema")
    got = charts.chart_spec(charts.change_chart(CHANGE, "vi"))
    assert json.dumps(got, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    # an altair chart is still accepted (ad-hoc use) and draws the same SVG
    assert charts.to_svg(chart, "vi") == charts.to_svg(charts.change_chart(CHANGE, "vi"), "vi")


def test_importing_the_report_package_loads_no_chart_or_notebook_library():
    """The report kernel imports ``cadre_analytics.report`` first thing: altair and
    nbformat/nbconvert (jsonschema format checkers) cost ~2 s each and are not needed there."""
    code = (
        "import sys; import cadre_analytics.report; "
        "print(sorted(m for m in ('altair', 'nbformat', 'nbconvert', 'jsonschema') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
