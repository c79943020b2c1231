"""params/quotas.yaml: the definitions match issue 4 and the programme text, and every mistake a
Board member can make while editing it is a ParamsError naming the file and the key."""

from __future__ import annotations

import copy
import re
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from cadre_analytics.errors import ParamsError
from cadre_analytics.params import DEFAULT_PARAMS_DIR, PROJECT_ROOT, load_quota_rules

QUOTAS = DEFAULT_PARAMS_DIR / "quotas.yaml"
RAW = yaml.safe_load(QUOTAS.read_text(encoding="utf-8"))

# The issue 4 table, copied by hand: id -> (population, within, 2025, 2030); None = "—".
ISSUE_TABLE = {
    "d_university": ("D-CCS", None, (">=", 100), (">=", 100)),
    "d_postgraduate": ("D-CCS", None, (">=", 20), (">=", 25)),
    "d_key_postgraduate": ("D-CCS", "key_leader", (">=", 40), (">=", 50)),
    "d_pt_intermediate": ("D-CCS", None, (">=", 60), (">=", 65)),
    "d_pt_advanced": ("D-CCS", None, (">=", 20), (">=", 25)),
    "d_annual_update": ("D-CCS", None, ("==", 100), ("==", 100)),
    "d_planned_qualified": ("D-CCS", "succession_planned", ("==", 100), ("==", 100)),
    "d_pe_fit": ("D-PE", None, ("==", 100), ("==", 100)),
    "d_pe_postgraduate": ("D-PE", None, (">=", 10), (">=", 10)),
    "d_lead_international": ("D-CCS", "leadership", None, (">=", 25)),
    "d_division_international": ("D-CCS", "leadership", None, (">", 30)),
    "c_university": ("C-CCS", None, (">=", 70), (">=", 90)),
    "c_postgraduate": ("C-CCS", None, (">=", 5), (">=", 15)),
    "c_pt_intermediate": ("C-CCS", None, (">=", 60), (">=", 65)),
    "c_pt_advanced": ("C-CCS", None, (">=", 5), (">=", 10)),
    "c_annual_update": ("C-CCS", None, ("==", 100), ("==", 100)),
    "c_it_use": ("C-CCS", None, ("==", 100), ("==", 100)),
    "o_pe_headcount": ("D-PE", None, ("<=", 90), ("<=", 90)),
}


def test_defaults_and_indicators_match_issue_table():
    rules = load_quota_rules()
    assert rules.target_years == (2025, 2030)
    assert rules.used_rules() == {
        "medical_specialist_counts_as_postgraduate": True,
        "political_theory_cumulative": True,
        "international_language_level": "B2",
        "annual_update_rule": "all_topics",
        "annual_update_topics": ("law", "state_management", "ethics"),
    }
    assert [i.id for i in rules.indicators] == list(ISSUE_TABLE)
    for ind in rules.indicators:
        population, within, t25, t30 = ISSUE_TABLE[ind.id]
        assert ind.population == population, ind.id
        assert (ind.within.field if ind.within else None) == within, ind.id
        for year, expected in ((2025, t25), (2030, t30)):
            target = ind.targets[year]
            if expected is None:
                assert target is None, (ind.id, year)
            else:
                assert (target.comparator, target.value) == (expected[0], Fraction(expected[1]))
    assert rules.populations["D-CCS"].staff_types == ("cadre", "civil_servant")
    assert rules.populations["D-PE"].staff_types == ("public_employee",)
    assert rules.populations["C-CCS"].unit_level == "commune"
    lead = rules.indicator("d_lead_international").targets[2030]
    assert (lead.value, lead.upper) == (25, 35)
    head = rules.indicator("o_pe_headcount")
    assert head.kind == "headcount_ratio"
    assert (head.targets[2025].base_year, head.targets[2030].base_year) == (2021, 2025)


def _programme_lines() -> list[str] | None:
    path = PROJECT_ROOT.parent / "shared" / RAW["source"]["file"]
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8").splitlines()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_target_quotes_the_programme_at_the_lines_it_names():
    lines = _programme_lines()
    if lines is None:
        pytest.skip("programme text not available beside the repository")
    rules = load_quota_rules()
    for ind in rules.indicators:
        for year, target in ind.targets.items():
            if target is None:
                continue
            first, _, last = target.source_lines.partition("-")
            start, end = int(first), int(last or first)
            # The quote may run on past the named lines' end by one wrapped line at most.
            window = _squash(" ".join(lines[start - 1 : end + 2]))
            assert _squash(target.source_vi) in window, (ind.id, year, target.source_lines)
            assert _squash(target.source_vi)[:20] in _squash(" ".join(lines[start - 1 : end])), (
                ind.id,
                year,
            )


# --- errors ---------------------------------------------------------------------------------


def _write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "quotas.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _indicator(doc: dict, indicator_id: str) -> dict:
    return next(i for i in doc["indicators"] if i["id"] == indicator_id)


def _error(tmp_path: Path, doc: dict) -> str:
    path = _write(tmp_path, doc)
    with pytest.raises(ParamsError) as info:
        load_quota_rules(path)
    message = info.value.one_line()
    assert str(path) in message  # always names the file
    return message


def test_written_copy_loads(tmp_path):
    rules = load_quota_rules(_write(tmp_path, copy.deepcopy(RAW)))
    assert len(rules.indicators) == 18


def test_unknown_top_level_key(tmp_path):
    doc = copy.deepcopy(RAW)
    doc["targets_2035"] = {}
    assert "'targets_2035'" in _error(tmp_path, doc)


def test_unknown_key_in_indicator(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "c_university")["treshold"] = 70
    message = _error(tmp_path, doc)
    assert "'treshold'" in message and "indicators.c_university" in message


def test_missing_target_year(tmp_path):
    doc = copy.deepcopy(RAW)
    del _indicator(doc, "d_postgraduate")["targets"][2030]
    message = _error(tmp_path, doc)
    assert "'2030'" in message and "indicators.d_postgraduate.targets" in message


def test_missing_target_value(tmp_path):
    doc = copy.deepcopy(RAW)
    del _indicator(doc, "c_it_use")["targets"][2025]["value"]
    message = _error(tmp_path, doc)
    assert "'value'" in message and "indicators.c_it_use.targets.2025" in message


def test_missing_rule(tmp_path):
    doc = copy.deepcopy(RAW)
    del doc["rules"]["political_theory_cumulative"]
    message = _error(tmp_path, doc)
    assert "'political_theory_cumulative'" in message and "'rules'" in message


def test_bad_comparator(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "d_division_international")["targets"][2030]["comparator"] = "=>"
    message = _error(tmp_path, doc)
    assert "'=>'" in message and "d_division_international.targets.2030.comparator" in message


def test_percent_over_100(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "c_postgraduate")["targets"][2025]["value"] = 150
    assert "c_postgraduate.targets.2025.value" in _error(tmp_path, doc)


def test_condition_on_unknown_column(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "c_it_use")["counts_when"] = {"field": "it_skills", "is": True}
    message = _error(tmp_path, doc)
    assert "'it_skills'" in message and "c_it_use.counts_when.field" in message


def test_condition_level_not_on_scale(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "d_postgraduate")["counts_when"] = {"field": "education", "at_least": "phd"}
    message = _error(tmp_path, doc)
    assert "'phd'" in message and "d_postgraduate.counts_when.at_least" in message


def test_condition_param_unknown(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "d_lead_international")["counts_when"]["at_least"] = {"param": "lang"}
    assert "'lang'" in _error(tmp_path, doc)


def test_contract_can_never_be_counted(tmp_path):
    doc = copy.deepcopy(RAW)
    doc["populations"]["C-CCS"]["staff_types"].append("contract")
    message = _error(tmp_path, doc)
    assert "populations.C-CCS.staff_types" in message and "'contract'" in message


def test_bad_annual_update_rule(tmp_path):
    doc = copy.deepcopy(RAW)
    doc["rules"]["annual_update_rule"] = "some_topics"
    assert "rules.annual_update_rule" in _error(tmp_path, doc)


def test_headcount_target_needs_base_year(tmp_path):
    doc = copy.deepcopy(RAW)
    del _indicator(doc, "o_pe_headcount")["targets"][2025]["base_year"]
    assert "o_pe_headcount.targets.2025.base_year" in _error(tmp_path, doc)


def test_range_upper_below_lower(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "d_lead_international")["targets"][2030]["upper"] = 20
    assert "d_lead_international.targets.2030.upper" in _error(tmp_path, doc)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ParamsError, match="not found"):
        load_quota_rules(tmp_path / "nope.yaml")
    bad = tmp_path / "quotas.yaml"
    bad.write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="YAML"):
        load_quota_rules(bad)


def test_with_rules_checks_names_and_values():
    rules = load_quota_rules()
    with pytest.raises(KeyError):
        rules.with_rules(political_theory=False)
    with pytest.raises(ParamsError, match="annual_update_rule"):
        rules.with_rules(annual_update_rule="most_topics")
    flipped = rules.with_rules(political_theory_cumulative=False)
    assert flipped.political_theory_cumulative is False
    assert rules.political_theory_cumulative is True  # the original is unchanged


def test_percent_between_0_and_1_is_refused_with_the_convention(tmp_path):
    # 0.7 could mean 70 % or 0.7 %: the file writes percent, so it must say 70.
    doc = copy.deepcopy(RAW)
    _indicator(doc, "c_university")["targets"][2025]["value"] = 0.7
    message = _error(tmp_path, doc)
    assert "c_university.targets.2025.value" in message and "write 70 for 70 %" in message
    assert len(message.splitlines()) == 1


def test_percent_70_reads_as_seventy_percent(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "c_university")["targets"][2025]["value"] = 70.5
    target = load_quota_rules(_write(tmp_path, doc)).indicator("c_university").targets[2025]
    assert target.value == Fraction(141, 2)  # 70.5 % exactly
    assert target.share == 0.705


def test_scales_come_from_the_vocabulary_ranks():
    # vocabularies.yaml ranks education 0..5, specialist_1 with master (4), specialist_2 with
    # doctor (5); the specialists are mapped by the rule, so the scale is the six others.
    rules = load_quota_rules()
    assert rules.scales["education"].order == (
        "below_intermediate",
        "intermediate",
        "college",
        "university",
        "master",
        "doctor",
    )
    assert rules.scales["foreign_language"].order == ("none", "A1", "A2", "B1", "B2", "C1", "C2")


def test_scale_written_out_must_follow_the_vocabulary(tmp_path):
    doc = copy.deepcopy(RAW)
    doc["scales"]["political_theory"] = {"order": ["none", "intermediate", "elementary"]}
    message = _error(tmp_path, doc)
    assert "scales.political_theory.order" in message and "vocabularies.yaml" in message
    doc = copy.deepcopy(RAW)
    doc["scales"]["phd_scale"] = {}
    assert "scales.phd_scale" in _error(tmp_path, doc)


def test_two_levels_of_one_rank_need_a_mapping(tmp_path):
    # Without the equivalents, master and specialist_1 share rank 4: no single order exists.
    doc = copy.deepcopy(RAW)
    del doc["scales"]["education"]["equivalents"]
    assert "scales.education" in _error(tmp_path, doc)


def test_unknown_key_deep_names_the_key_path(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "d_postgraduate")["targets"][2030]["valeu"] = 25
    message = _error(tmp_path, doc)
    assert "'valeu'" in message and "indicators.d_postgraduate.targets.2030" in message


def test_huge_value_is_cut_in_the_message(tmp_path):
    doc = copy.deepcopy(RAW)
    doc["rules"]["annual_update_rule"] = "x" * 100_000
    message = _error(tmp_path, doc)
    assert "rules.annual_update_rule" in message and len(message) < 600


def test_condition_code_must_be_a_vocabulary_code(tmp_path):
    doc = copy.deepcopy(RAW)
    _indicator(doc, "d_lead_international")["within"] = {"field": "leadership", "is": "distric"}
    message = _error(tmp_path, doc)
    assert "'distric'" in message and "d_lead_international.within.is" in message
