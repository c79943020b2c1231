"""The rendered report: structure, offline, size, both languages, and no personal data."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from cadre_analytics import report, schema
from cadre_analytics.params import PROJECT_ROOT
from cadre_analytics.report.render import MAX_BYTES, assert_offline, render_html
from cadre_analytics.report.sections import SECTION_IDS
from cadre_analytics.report.settings import scope_words
from cadre_analytics.report.strings import t
from tests.report import aggregates
from tests.report.conftest import run_report_notebook

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "e2e_district"


def _check_structure(html: str, lang: str) -> None:
    assert_offline(html)
    assert f'<html lang="{lang}">' in html
    assert "<script" not in html.lower()
    # headings in order: one h1, then the nine sections' h2 in report order
    assert html.count("<h1") == 1
    h2 = re.findall(r"<h2>(.*?)</h2>", html)
    assert h2 == [t(f"section.{s}", lang, **scope_words(lang)) for s in SECTION_IDS]
    # every table has header cells and a caption
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        assert "<th" in table and "<caption>" in table
    # every chart has a text alternative
    figures = re.findall(r"<figure.*?</figure>", html, flags=re.S)
    assert figures
    for fig in figures:
        assert 'role="img" aria-label="' in fig and "<figcaption>" in fig
    assert "@media print" in html and "size: A4" in html
    assert len(html.encode()) < MAX_BYTES


@pytest.mark.e2e
def test_sample_report_structure(sample_report):
    html = sample_report.read_text(encoding="utf-8")
    _check_structure(html, "vi")
    # no code, no prompts, no developer markdown
    assert "load_report_inputs" not in html and "In&nbsp;[" not in html
    assert "display(HTML" not in html and "Leadership report" not in html
    assert "Tình trạng 2030" in html and "Chưa đúng hướng" in html


@pytest.mark.e2e
def test_english_edition(tmp_path):
    aggregates.write(tmp_path, aggregates.build())
    html = run_report_notebook(tmp_path, 2025, "en").read_text(encoding="utf-8")
    _check_structure(html, "en")
    assert (
        "Qualifications of cadres, civil servants and public employees in the whole district, 2025"
        in html
    )
    assert "Off track" in html and "Tình trạng" not in html


def test_render_keeps_only_html_outputs(tmp_path):
    nb = aggregates.fake_executed_notebook(
        ["<header><h1>Tiêu đề</h1></header>", "<section><h2>Một</h2><p>xin chào</p></section>"],
        tmp_path / "nb.ipynb",
    )
    render_html(nb, tmp_path / "r.html", "vi")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<title>Tiêu đề</title>" in html and "<p>xin chào</p>" in html
    for marker in ("SHOULD_NOT_RENDER", "IPython HTML", "jp-", "require", "MathJax"):
        assert marker not in html


@pytest.mark.parametrize(
    "bad",
    [
        '<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>',
        '<link rel="stylesheet" href="style.css">',
        "<style>@import 'x.css';</style>",
        '<img src="logo.png">',
        "<div style=\"background: url('a.png')\"></div>",
        '<script src="//cdn.example/x.js"></script>',
    ],
)
def test_assert_offline_catches_external_references(bad):
    with pytest.raises(AssertionError):
        assert_offline(f"<html><body>{bad}</body></html>")


def test_assert_offline_accepts_inline_svg_and_data():
    assert_offline('<svg><g clip-path="url(#c1)"><path d="M0,0"/></g></svg><img src="data:,x">')


def test_missing_projection_shows_a_note_instead_of_failing(tmp_path):
    frames = aggregates.build(with_projection=False)
    aggregates.write(tmp_path, frames)
    inputs = report.load_report_inputs(tmp_path, 2025)
    assert inputs.projection is None and "projection" in inputs.missing
    html = "".join(report.all_sections(inputs, "vi"))
    assert t("report.not_available", "vi", what="projection.csv") in html
    assert t("report.not_available", "vi", what="requirements.csv") in html
    assert t("narrative.no_projection", "vi") in html


def test_nothing_but_provenance_when_no_stage_has_run(tmp_path):
    inputs = report.load_report_inputs(tmp_path, 2025)
    html = "".join(report.all_sections(inputs, "en"))
    # all eleven sections but method and provenance (the plan, section 5, among them)
    assert html.count("No data for this section yet") == 9
    assert "Provenance" in html


def test_size_stays_small_with_many_communes(tmp_path):
    """Size depends on units and quotas, not people: 80 communes stay far below 3 MB."""
    aggregates.write(tmp_path, aggregates.build(n_communes=80))
    inputs = report.load_report_inputs(tmp_path, 2025)
    nb = aggregates.fake_executed_notebook(report.all_sections(inputs, "vi"), tmp_path / "nb.ipynb")
    render_html(nb, tmp_path / "report.html", "vi")
    size = (tmp_path / "report.html").stat().st_size
    assert size < MAX_BYTES, size


# --- No personal data ----------------------------------------------------------------------


def _personal_values() -> list[str]:
    """Every name, ID and birth date of the fixture, as written and in the usual date forms."""
    values: set[str] = set()
    with open(FIXTURE / "staff.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values.add(row["Mã cán bộ"])
            values.add(row["Họ và tên"])
            values.update(part for part in row["Họ và tên"].split() if len(part) > 5)
            raw = row["Ngày sinh"].strip()
            values.add(raw)
            for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
                try:
                    day = datetime.strptime(raw, pattern).date()
                except ValueError:
                    continue
                values.update({day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d.%m.%Y")})
    return sorted(v for v in values if len(v) >= 6 and not v.isdigit())


@pytest.fixture(scope="module")
def real_out(tmp_path_factory) -> Path:
    """The fixture district run through the real stages (ingest, contracts, indicators,
    projection) into an OUT folder, exactly what notebooks 01-03 leave for the report."""
    from cadre_analytics import breakdowns, contracts, indicators, projection
    from cadre_analytics.ingest import read_inputs
    from cadre_analytics.outputs import write_restricted, write_table, write_validation_outputs
    from cadre_analytics.params import (
        load_quota_rules,
        load_retirement_schedule,
        load_scenarios,
    )
    from cadre_analytics.plan import load_seats
    from cadre_analytics.plan.stage import run_plan

    out = tmp_path_factory.mktemp("real_out")
    result = contracts.validate_inputs(read_inputs(FIXTURE), 2025)
    write_validation_outputs(result, out)
    rules = load_quota_rules()
    args = (result.staff, result.training, result.units, rules, 2025)
    indicator_table = indicators.compute_indicators(*args)
    write_table(indicator_table, out, "indicators")
    write_table(breakdowns.compute_breakdowns(*args), out, "breakdowns")
    proj = projection.project(
        result.staff,
        result.training,
        result.units,
        rules,
        load_retirement_schedule(),
        load_scenarios(),
        2025,
        seed=1,
        indicator_table=indicator_table,
    )
    write_table(proj.projection, out, "projection")
    write_table(proj.requirements, out, "requirements")
    write_table(proj.trend, out, "trend")
    write_restricted(proj.eligible, out, "eligible", csv=True)
    plan = run_plan(
        result.staff,
        result.training,
        result.units,
        rules,
        load_retirement_schedule(),
        load_scenarios(),
        proj.projection,
        load_seats(),
        year=2025,
    )
    for name in ("plan_outcome", "plan_bottlenecks", "plan_solver"):
        write_table(getattr(plan, name.removeprefix("plan_")), out, name)
    write_restricted(plan.nominations, out, "plan_nominations", csv=True)
    return out


@pytest.mark.e2e
def test_no_personal_data_reaches_the_report(real_out):
    values = _personal_values()
    assert len(values) > 20  # names, name parts, IDs and dates of the fixture
    # the person-level data is really there next to the report (restricted/, staff table)
    restricted = pl.read_parquet(real_out / "restricted" / "accepted_staff.parquet")
    assert restricted["staff_id"].is_in(values).any()
    html_path = run_report_notebook(real_out, 2025, "vi")
    html = html_path.read_text(encoding="utf-8")
    _check_structure(html, "vi")
    executed = (real_out / "notebooks" / "04_report.ipynb").read_text(encoding="utf-8")
    leaked = [v for v in values if v in html]
    assert leaked == [], f"personal data in report.html: {leaked}"
    leaked = [v for v in values if v in executed]
    assert leaked == [], f"personal data in the executed notebook: {leaked}"
    # The plan's public tables beside the report: aggregates only, the names stay restricted.
    assert 'id="plan"' in html
    named = pl.read_parquet(real_out / "restricted" / "plan_nominations.parquet")
    assert named["full_name"].is_in(values).any()  # the names are there, restricted
    for name in ("plan_outcome", "plan_bottlenecks", "plan_solver"):
        public = (real_out / f"{name}.csv").read_text(encoding="utf-8")
        assert [v for v in values if v in public] == [], f"personal data in {name}.csv"
        assert not set(schema.PERSONAL_COLUMNS) & set(public.splitlines()[0].split(","))


def test_loader_never_passes_on_raw_values_or_personal_columns(tmp_path):
    """quarantine.csv quotes raw cells (a name, a birth date) for the Board: only its counts
    reach the report. A personal column slipped into an aggregate file is dropped."""
    frames = aggregates.build()
    frames["indicators"] = frames["indicators"].with_columns(
        pl.lit("ZZ-LEAK-ID-4711").alias("staff_id"), pl.lit("Ôn Zzyzx Quýt").alias("full_name")
    )
    aggregates.write(tmp_path, frames)
    pl.DataFrame(
        {
            "table": ["staff", "staff"],
            "source_file": ["staff.xlsx", "staff.xlsx"],
            "source_row": [7, 9],
            "column": ["Ngày sinh", "Họ và tên"],
            "raw_value": ["31/02/1977", "Lều Thị Xyloph"],
            "rule": ["birth_date_valid", "name_present"],
            "message_vi": ["Ngày sinh không hợp lệ 31/02/1977", "x"],
            "message_en": ["Invalid birth date 31/02/1977", "x"],
        }
    ).write_csv(tmp_path / "quarantine.csv")
    inputs = report.load_report_inputs(tmp_path, 2025)
    assert "staff_id" not in inputs.indicators.columns
    assert inputs.quarantine_counts.columns == ["table", "rule", "rows"]
    html = "".join(report.all_sections(inputs, "vi"))
    for value in ("ZZ-LEAK-ID-4711", "Zzyzx", "31/02/1977", "Xyloph"):
        assert value not in html


def test_a_report_of_the_bundled_sample_says_so_on_its_first_screen():
    sample = report.ReportInputs(year=2025, manifest={"sample_data": True})
    real = report.ReportInputs(year=2025, manifest={"sample_data": False})
    assert "DỮ LIỆU MẪU" in report.title_block(sample, "vi")
    assert "SAMPLE DATA" in report.title_block(sample, "en")
    assert "sample-banner" not in report.title_block(real, "vi")
