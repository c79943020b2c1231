"""Verdicts on the projection: the probability of meeting a target over the draws, both bounds
of a range, and "what it takes" on the headline scenario (two courses, too few eligible, a
range exceeded from above). People as in tests/projection/test_project.py (district unit NV,
civil servant, university, born 1985-06-01, male: retires in 2047); YEAR 2023."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from cadre_analytics.params import Scenario
from cadre_analytics.projection.frames import _draw_counts, _whole_scope
from tests.projection.test_project import BASELINE, COURSES, RULES, person, roster, row, run

K = {ind.id: k for k, ind in enumerate(RULES.indicators)}


def _draws(counts: dict[str, list[tuple[int, int]]]) -> tuple[np.ndarray, np.ndarray]:
    """One projected year x every quota x the draws given (num, den) per quota."""
    n_draws = len(next(iter(counts.values())))
    num = np.zeros((1, len(RULES.indicators), n_draws))
    den = np.zeros_like(num)
    for quota, pairs in counts.items():
        num[0, K[quota]] = [n for n, _ in pairs]
        den[0, K[quota]] = [d for _, d in pairs]
    return num, den


def test_probability_of_meeting_over_five_draws():
    # Five draws of 10 people with 3, 2, 5, 1, 4 meeting it (30 %, 20 %, 50 %, 10 %, 40 %).
    # d_postgraduate 2030 ">= 25 %": 30, 50, 40 meet -> 3 of 5 draws, 60 %.
    # d_lead_international 2030 "25–35 %": only 30 % is inside -> 1 of 5, 20 % (50 % and 40 %
    # are above the range).
    five = [(3, 10), (2, 10), (5, 10), (1, 10), (4, 10)]
    num, den = _draws({"d_postgraduate": five, "d_lead_international": five})
    got = _draw_counts(num, den, RULES, [2030], 2030)
    by = {r["indicator"]: (r["draws_met"], r["draws"]) for r in got.iter_rows(named=True)}
    assert by["d_postgraduate"] == (3, 5)
    assert by["d_lead_international"] == (1, 5)
    # The draw shown: shares sorted 10, 20, 30, 40, 50 %; the median (third) is 3 of 10 —
    # numerator, denominator and share of one draw, so they divide.
    med_num, med_den, med_share, p10, p90 = _whole_scope(num, den)
    k = K["d_postgraduate"]
    assert (med_num[0, k], med_den[0, k], med_share[0, k]) == (3, 10, 0.3)
    # P10 and P90 interpolate: 10 % + 0.4 * (20 % - 10 %) = 14 %; 40 % + 0.6 * 10 % = 46 %.
    assert (p10[0, k], p90[0, k]) == pytest.approx((0.14, 0.46))


def test_draws_without_a_population_have_no_verdict():
    # Four draws, one with nobody in the population (0 of 0): 1 of 2 (50 %) meets ">= 25 %",
    # 0 of 4 and 1 of 5 (20 %) do not -> 1 of the 3 draws with a verdict.
    num, den = _draws({"d_postgraduate": [(1, 2), (0, 0), (0, 4), (1, 5)]})
    got = _draw_counts(num, den, RULES, [2030], 2030)
    r = got.filter(pl.col("indicator") == "d_postgraduate").row(0, named=True)
    assert (r["draws_met"], r["draws"]) == (1, 3)
    # shares 50 %, 0 %, 20 % (one missing): sorted 0, 20, 50 -> the median is 1 of 5
    med_num, med_den, _, _, _ = _whole_scope(num, den)
    assert (med_num[0, K["d_postgraduate"]], med_den[0, K["d_postgraduate"]]) == (1, 5)


def _leaders_over_the_range():
    # Three district leaders, two with B2: 2 of 3 = 66.7 % against "25–35 %" in 2030. At most
    # floor(0.35 * 3) = 1 leader fits inside the range: 2 - 1 = 1 person over the upper bound.
    return [
        person("L1", leadership="district", foreign_language="B2"),
        person("L2", leadership="district", foreign_language="B2"),
        person("L3", leadership="district", foreign_language="none"),
    ]


def test_a_range_exceeded_from_above_in_the_projection_and_back_solve():
    res = run(roster(_leaders_over_the_range()))
    r = row(res, "d_lead_international", 2030, target_year=2030)
    assert (r["numerator"], r["denominator"], r["met"], r["gap_persons"]) == (2, 3, False, 1)
    req = res.requirements.filter(
        (pl.col("indicator") == "d_lead_international") & (pl.col("unit") == "ALL")
    ).row(0, named=True)
    # no course closes it: nobody to send, the reason and the people over say why
    assert req["reason"] == "above_range"
    assert req["people_over"] == 1
    assert req["extra_completions_total"] is None and req["recruit_people"] == 0


def test_two_courses_counted_once_and_too_few_eligible():
    # d_planned_qualified (planned for division head/deputy: state-management training AND
    # intermediate political theory, 2025 target 100 %). Five planned civil servants in NV:
    #   A both (counts); B state management only -> needs political theory;
    #   C political theory only -> needs state management; D neither -> needs both courses;
    #   E neither, born 01/1966 (57 on 31/12/2023, still in service in 2025): the political
    #     theory course takes people under 55 only -> cannot go.
    # 2025: 1 of 5, 100 % needs 4 more; eligible B, C, D = 3 people (D once, with two
    # courses); 4 - 3 = 1 must be recruited with the qualification. Per year over
    # 2024-2025: ceil(4 / 2) = 2.
    planned = {"succession_planned": True}
    sm, pt = {"state_management": "specialist"}, {"political_theory": "intermediate"}
    staff = roster(
        [
            person("A", **planned, **sm, **pt),
            person("B", **planned, **sm),
            person("C", **planned, **pt),
            person("D", **planned),
            person("E", **planned, birth_date=dt.date(1966, 1, 1)),
        ]
    )
    res = run(staff)
    req = res.requirements.filter(
        (pl.col("indicator") == "d_planned_qualified")
        & (pl.col("unit") == "ALL")
        & (pl.col("target_year") == 2025)
    ).row(0, named=True)
    assert (req["numerator"], req["denominator"]) == (1, 5)
    assert req["extra_completions_total"] == 4
    assert req["extra_completions_per_year"] == 2
    assert (req["eligible_people"], req["eligible_two_courses"]) == (3, 1)
    assert req["recruit_people"] == 1 and req["reason"] == "too_few_eligible"
    assert req["courses"] == "pt_intermediate;state_management_specialist"
    listed = res.eligible.filter(
        (pl.col("indicator") == "d_planned_qualified") & (pl.col("target_year") == 2025)
    )
    by_person = {
        pid: sorted(group["course"].to_list())
        for (pid,), group in listed.unique(["staff_id", "course"]).group_by("staff_id")
    }
    assert by_person == {
        "B": ["pt_intermediate"],
        "C": ["state_management_specialist"],
        "D": ["pt_intermediate", "state_management_specialist"],
    }


def test_a_commune_needing_two_with_one_eligible_is_flagged():
    # Commune GH, 10 civil servants; c_university 2030 ">= 90 %": 7 with a degree, one with
    # a college diploma born 1985 (38: may take the university course, under 50), two with
    # a college diploma born 1970 (53: too old; men born 1970 retire after 2030).
    # 2030: 7 of 10, need ceil(0.9 * 10) = 9 -> 2 short, 1 eligible -> recruit 1.
    staff = roster(
        [person(f"U{i}", unit="GH") for i in range(7)]
        + [person("Y", unit="GH", education="college")]
        + [
            person(f"O{i}", unit="GH", education="college", birth_date=dt.date(1970, 1, 1))
            for i in range(2)
        ]
    )
    res = run(staff)
    req = res.requirements.filter(
        (pl.col("indicator") == "c_university")
        & (pl.col("unit") == "GH")
        & (pl.col("target_year") == 2030)
    ).row(0, named=True)
    assert (req["extra_completions_total"], req["eligible_people"]) == (2, 1)
    assert (req["recruit_people"], req["reason"]) == (1, "too_few_eligible")


def test_the_back_solve_reads_the_headline_scenario():
    # A stochastic headline: one exit rate 0.2 for all, no hires. The requirements are that
    # scenario's own rows at the target year (the draw shown at ALL, the expected path in
    # units), so the summary and "what it takes" say one thing.
    staff = roster(
        [person(f"N{i}", education="university") for i in range(6)]
        + [person(f"M{i}", education="college") for i in range(6)]
    )
    fifth = Scenario(
        name="fifth",
        label_vi="Một phần năm",
        label_en="A fifth",
        source_file="-",
        exits_source="rates",
        age_band_starts=(30,),
        exit_rates=(0.2, 0.2),
        courses=COURSES,
        headline=True,
        draws=200,
    )
    res = run(staff, scenarios=(BASELINE, fifth))
    assert set(res.requirements["scenario"].unique()) == {"fifth"}
    heads = res.projection.filter(pl.col("headline"))
    assert set(heads["scenario"].unique()) == {"fifth"}
    at = heads.filter(
        (pl.col("year") == pl.col("target_year"))
        & (pl.col("target_year") == 2025)
        & (pl.col("indicator") == "d_university")
    )
    req = res.requirements.filter(
        (pl.col("indicator") == "d_university") & (pl.col("target_year") == 2025)
    )
    joined = at.join(req, on=["indicator", "unit", "target_year"])
    assert {"ALL", "NV"} <= set(joined["unit"])  # and YT, with nobody in it
    assert joined["gap_persons"].eq_missing(joined["extra_completions_total"]).all()
    assert joined["numerator"].eq_missing(joined["numerator_right"]).all()
    whole = row(res, "d_university", 2025, scenario="fifth")
    # the draws of the whole scope carry the probability, 0 <= draws_met <= draws = 200
    assert whole["draws"] == 200 and 0 <= whole["draws_met"] <= 200
    assert whole["prob_met"] == whole["draws_met"] / whole["draws"]
    assert whole["share"] == whole["numerator"] / whole["denominator"]
    # the baseline (deterministic) has no probability, and is not the headline
    base = row(res, "d_university", 2025)
    assert base["prob_met"] is None and base["headline"] is False
    # a unit row of a Monte Carlo scenario has no draws behind it
    assert row(res, "d_university", 2025, unit="NV", scenario="fifth")["prob_met"] is None
    # who could go is read on the baseline run (today's staff still in service): the six
    # with a college diploma (38, under the university course's 50)
    uni = res.eligible.filter(
        (pl.col("indicator") == "d_university") & (pl.col("target_year") == 2025)
    )
    assert sorted(uni["staff_id"]) == [f"M{i}" for i in range(6)]


def test_a_scenario_folder_naming_a_stochastic_headline(tmp_path):
    # The scenario files as shipped, with history_rates marked "headline: true": its rows
    # carry the headline mark and the back-solve reads them (the seam the summary goes through).
    from pathlib import Path

    from cadre_analytics.params import load_scenarios

    shipped = Path(__file__).resolve().parents[2] / "params" / "scenarios"
    for f in shipped.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        text = text.replace("\nheadline: true", "\n")  # the shipped headline steps down
        if f.name == "history_rates.yaml":
            text += "\nheadline: true\n"
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    scenarios = load_scenarios(tmp_path)
    staff = roster([person(f"N{i}") for i in range(3)] + [person("M", education="college")])
    res = run(staff, scenarios=scenarios)
    marked = res.projection.filter(pl.col("headline"))["scenario"].unique().to_list()
    assert marked == ["history_rates"]
    assert res.requirements["scenario"].unique().to_list() == ["history_rates"]
    # d_university 2025 ">= 100 %": 3 of 4 today; whatever the draw shown, the requirement
    # is that row's own gap
    shown = row(res, "d_university", 2025, scenario="history_rates")
    need = res.requirements.filter(
        (pl.col("indicator") == "d_university")
        & (pl.col("unit") == "ALL")
        & (pl.col("target_year") == 2025)
    )
    assert need["extra_completions_total"].to_list() == [shown["gap_persons"]]
