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


def test_recruiting_without_a_mix_takes_each_groups_profile(folder):
    # no mix: the four staff groups' profiles of _staffing.yaml (new commune civil servants:
    # university; elected commune cadres: intermediate political theory)
    (folder / "my_plan.yaml").write_text(
        HEAD + "recruitment: {mode: replace_leavers, refill_posts: true}\n", encoding="utf-8"
    )
    plan = next(s for s in load_scenarios(folder) if s.name == "my_plan")
    assert plan.hire_mix == {} and plan.refill_posts
    assert plan.mix_for("commune_civil_servant")["education"] == {"university": 1.0}
    assert plan.mix_for("commune_cadre")["political_theory"] == {"intermediate": 1.0}
    assert plan.post_standard["key_leader"]["political_theory"] == "intermediate"
    assert not plan.has_rates  # every default share is 0 or 1: counted exactly


def test_a_scenario_mix_applies_to_every_group(folder):
    body = (
        "recruitment: {mode: replace_leavers, mix: {education: {university: 0.5, master: 0.5}}}\n"
    )
    (folder / "my_plan.yaml").write_text(HEAD + body, encoding="utf-8")
    plan = next(s for s in load_scenarios(folder) if s.name == "my_plan")
    assert plan.mix_for("public_employee") == plan.mix_for("commune_cadre") == plan.hire_mix
    assert plan.has_rates


def test_staffing_file_must_name_every_group(folder):
    text = (folder / "_staffing.yaml").read_text(encoding="utf-8")
    start = text.index("  commune_cadre:")
    end = text.index("  district_civil_servant:")
    (folder / "_staffing.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    (folder / "my_plan.yaml").write_text(
        HEAD + "recruitment: {mode: replace_leavers}\n", encoding="utf-8"
    )
    with pytest.raises(ParamsError) as info:
        load_scenarios(folder)
    message = info.value.one_line()
    assert str(folder / "_staffing.yaml") in message
    assert "'hire_profiles'" in message and "missing: commune_cadre" in message


def test_early_exit_rates_one_per_band(folder):
    body = (
        "early_exits:\n"
        "  from_year: 2025\n  to_year: 2030\n  years_to_retirement_starts: [2, 5]\n"
        "  rates: {commune_cadre: [0.2, 0.1]}\n"
    )
    assert "early_exits.rates.commune_cadre" in _error(folder, body)


def test_early_exit_staff_group_must_be_known(folder):
    body = (
        "early_exits:\n"
        "  from_year: 2025\n  to_year: 2030\n  years_to_retirement_starts: [2]\n"
        "  rates: {commune_cadres: [0.2, 0.1]}\n"
    )
    assert "commune_cadres" in _error(folder, body)
