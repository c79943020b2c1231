"""params/scenarios/: every size a user types is bounded, every mistake is one line naming the
file and the key path."""

from __future__ import annotations

import shutil

import pytest

from cadre_analytics.errors import ParamsError
from cadre_analytics.params import DEFAULT_PARAMS_DIR, MAX_MONTE_CARLO_DRAWS, load_scenarios

HEAD = "name: my_plan\nlabel_vi: x\nlabel_en: x\n"


@pytest.fixture()
def folder(tmp_path):
    for name in ("_courses.yaml", "_staffing.yaml", "baseline.yaml"):
        shutil.copy(DEFAULT_PARAMS_DIR / "scenarios" / name, tmp_path / name)
    return tmp_path


def _error(folder, body: str) -> str:
    path = folder / "my_plan.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_scenarios(folder)
    message = info.value.one_line()
    assert str(path) in message and "\n" not in message
    return message


def test_draws_over_the_bound_stop_with_one_line(folder):
    message = _error(folder, "draws: 100000000\n")
    assert "'draws'" in message and str(MAX_MONTE_CARLO_DRAWS) in message


def test_draws_written_1e8_is_not_a_number_of_draws(folder):
    # YAML reads 1e8 (no dot) as text; it must not become a float of 100 million draws.
    assert "'draws'" in _error(folder, "draws: 1e8\n")


def test_people_per_year_bounded(folder):
    body = (
        "planned_training:\n"
        "  - {course: master, population: ALL, per_year: 10000000,\n"
        "     from_year: 2025, to_year: 2030}\n"
    )
    assert "planned_training[0].per_year" in _error(folder, body)


def test_unknown_key_names_file_and_key_path(folder):
    message = _error(folder, "recruitment: {mode: none, hire_agee: 30}\n")
    assert "'hire_agee'" in message and "'recruitment'" in message


def test_level_of_a_mix_comes_from_the_vocabulary(folder):
    body = "recruitment: {mode: replace_leavers, mix: {education: {phd: 1.0}}}\n"
    assert "recruitment.mix.education.phd" in _error(folder, body)


def test_probability_is_a_fraction_not_a_percent(folder):
    # 90 (meaning 90 %) is refused: completion rates are written 0.9.
    assert "course_completion_rate" in _error(folder, "course_completion_rate: 90\n")


def test_valid_plan_loads(folder):
    (folder / "my_plan.yaml").write_text(HEAD + "draws: 2000\n", encoding="utf-8")
    plan = next(s for s in load_scenarios(folder) if s.name == "my_plan")
    assert plan.draws == 2000 and plan.recruitment == "none" and plan.planned == ()


def test_headline_is_baseline_unless_a_file_says_so(folder):
    from cadre_analytics.params import headline_scenario

    assert headline_scenario(load_scenarios(folder)).name == "baseline"
    text = (DEFAULT_PARAMS_DIR / "scenarios" / "history_rates.yaml").read_text(encoding="utf-8")
    (folder / "history_rates.yaml").write_text(text + "headline: true\n", encoding="utf-8")
    assert headline_scenario(load_scenarios(folder)).name == "history_rates"


def test_two_headline_scenarios_stop_naming_both(folder):
    for name in ("history_rates.yaml", "extra.yaml"):
        text = (DEFAULT_PARAMS_DIR / "scenarios" / "history_rates.yaml").read_text("utf-8")
        if name == "extra.yaml":
            text = text.replace("name: history_rates", "name: extra")
        (folder / name).write_text(text + "headline: true\n", encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_scenarios(folder)
    assert "extra" in str(err.value) and "history_rates" in str(err.value)
