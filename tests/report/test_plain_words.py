"""The report speaks in words: no code, key or snake_case token reaches a reader, in either
edition, whether in the text, a chart's SVG text (titles and descriptions included) or an
accessible label."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from cadre_analytics import report
from cadre_analytics.report.strings import LANGUAGES, catalogue
from tests.report import aggregates

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
READ_ALOUD = ("aria-label", "title", "alt")


class _VisibleText(HTMLParser):
    """Text a reader sees or hears: text nodes (SVG <text>, <title>, <desc> too) and the
    attributes a screen reader reads; not <style> or <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in READ_ALOUD and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def test_visible_text_reads_svg_titles_and_labels_but_not_styles():
    html = (
        '<style>.a_b{}</style><p title="t_one">x</p>'
        "<svg><title>svg_title</title><desc>svg_desc</desc><text>axis_name</text></svg>"
    )
    assert SNAKE.findall(visible_text(html)) == ["t_one", "svg_title", "svg_desc", "axis_name"]


@pytest.fixture(scope="module")
def sample_inputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("plain_words")
    aggregates.write(out, aggregates.build())
    return report.load_report_inputs(out, 2025)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_code_or_catalogue_key_in_the_rendered_text(sample_inputs, lang):
    text = visible_text("".join(report.all_sections(sample_inputs, lang)))
    assert SNAKE.findall(text) == []
    keys = [k for k in catalogue(lang) if k in text]
    assert keys == []
    for code in ("P10", "P90", "(restricted)", "params/scenarios"):
        assert code not in text


def test_a_scenario_is_one_sentence_built_from_its_parameters():
    from cadre_analytics.params.scenarios import Course, PlannedCourse, Scenario
    from cadre_analytics.report.scenario_text import scenario_sentence

    master = Course("master", "education", "master", {}, 45, "Thạc sĩ", "Master's degree")
    plan = Scenario(
        name="plan",
        label_vi="Kế hoạch",
        label_en="Plan",
        source_file="plan.yaml",
        course_completion_rate=0.9,
        exits_source="rates",
        age_band_starts=(40,),
        exit_rates=(0.03, 0.01),
        recruitment="replace_leavers",
        hire_age=28,
        hire_mix={"education": {"university": 0.75, "master": 0.25}, "it_use": 1.0},
        planned=(PlannedCourse("master", "level:commune", 4, 2026, 2030, None),),
        courses={"master": master},
    )
    en = scenario_sentence(plan, "en")
    assert en.startswith("«Plan»: 90% of the people now on a course complete it on time; ")
    assert "3% of those aged under 40, 1% of those aged 40 and over" in en
    assert "replaced by a new hire aged 28" in en
    assert "75% with a university degree, 25% with a master's degree, 100% able to use IT" in en
    assert (
        "from 2026 to 2030, 4 more people a year at commune level complete «Master's degree»" in en
    )
    vi = scenario_sentence(plan, "vi")
    assert "mỗi năm thêm 4 người cấp xã hoàn thành khóa «Thạc sĩ»" in vi
    assert SNAKE.findall(vi + en) == []
    assert ". " not in vi + en and vi.endswith(".") and en.endswith(".")  # one sentence each


def test_the_example_plan_is_not_run_until_the_board_copies_it(tmp_path):
    import shutil

    from cadre_analytics.params import DEFAULT_PARAMS_DIR, load_scenarios
    from cadre_analytics.report.scenario_text import scenario_sentence

    shipped = DEFAULT_PARAMS_DIR / "scenarios"
    assert "plan" not in {s.name for s in load_scenarios(shipped)}
    for name in ("baseline.yaml", "_courses.yaml"):
        shutil.copy(shipped / name, tmp_path / name)
    shutil.copy(shipped / "_plan_example.yaml", tmp_path / "plan.yaml")
    plan = {s.name: s for s in load_scenarios(tmp_path)}["plan"]
    assert scenario_sentence(plan, "vi").startswith("«Kế hoạch»: ")
    assert "(mẫu)" not in scenario_sentence(plan, "vi")


def test_the_shipped_scenarios_say_who_is_hired_appointed_and_cut():
    from cadre_analytics.params import load_scenarios
    from cadre_analytics.report.scenario_text import scenario_sentence

    scenarios = {s.name: s for s in load_scenarios()}
    base = scenario_sentence(scenarios["baseline"], "en")
    assert base.startswith("«Current staff only»: ") and "no new hires" in base
    filled = scenario_sentence(scenarios["posts_filled"], "en")
    assert "commune cadres (100% with a university degree, 100% with intermediate" in filled
    assert "empty leadership posts go to the planning pool first" in filled
    assert "random simulations" not in filled  # every rate 0 or 1: counted exactly
    cut = scenario_sentence(scenarios["streamlining"], "vi")
    assert "từ 2025 đến 2030, mỗi năm 0,5%–20% người nghỉ trước tuổi" in cut
    assert "vị trí của họ bị cắt giảm" in cut and "1.000 lần mô phỏng" in cut
    for s in scenarios.values():
        for lang in ("vi", "en"):
            text = scenario_sentence(s, lang)
            assert SNAKE.findall(text) == [] and ". " not in text
