"""Projection on small hand-built rosters; every expected number is worked out in a comment.

Quota definitions come from the real params/quotas.yaml (d_university: district cadres and
civil servants with university or higher, 2025 target 100%; d_postgraduate: master or higher,
20% in 2025 and 25% in 2030; o_pe_headcount: district public employees). Retirement dates
follow the Decree 135/2020 schedule (see tests/test_retirement.py): a man born 01-09/1964
retires in 2025 at 61y3m; a man born in 1963 retires in 2024 at 61y0m.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from cadre_analytics import indicators, projection
from cadre_analytics.params import (
    Scenario,
    load_course_catalogue,
    load_quota_rules,
    load_retirement_schedule,
    load_scenarios,
)
from cadre_analytics.schema import STAFF_COLUMNS, TRAINING_COLUMNS, UNIT_COLUMNS

RULES = load_quota_rules()
SCHEDULE = load_retirement_schedule()
COURSES = load_course_catalogue()
TRAINING = pl.DataFrame(schema=TRAINING_COLUMNS)
UNITS = pl.DataFrame(
    {
        "code": ["NV", "YT", "GH"],
        "name": ["Phòng Nội vụ", "Trung tâm Y tế", "Xã Gia Hiệp"],
        "level": ["district", "district", "commune"],
        "aliases": [[], [], []],
    },
    schema=UNIT_COLUMNS,
)
BASELINE = Scenario(
    name="baseline",
    label_vi="Chỉ nhân sự hiện có",
    label_en="Current staff only",
    source_file="-",
    courses=COURSES,
)


def person(pid: str, unit: str = "NV", year: int = 2023, **kw) -> dict:
    row = {c: None for c in STAFF_COLUMNS}
    row.update(
        snapshot_year=year,
        staff_id=pid,
        full_name=f"Người {pid}",
        birth_date=dt.date(1985, 6, 1),
        gender="male",
        ethnicity="Kinh",
        unit=unit,
        staff_type="civil_servant",
        key_leader=False,
        leadership="none",
        succession_planned=False,
        education="university",
        education_fits_position=True,
        political_theory="none",
        state_management="none",
        foreign_language="none",
        it_use=True,
    )
    row.update(kw)
    return row


def roster(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=STAFF_COLUMNS, orient="row")


def run(staff, scenarios=(BASELINE,), year=2023, seed=7):
    table = indicators.compute_indicators(staff, TRAINING, UNITS, RULES, year)
    return projection.project(
        staff, TRAINING, UNITS, RULES, SCHEDULE, list(scenarios), year, seed, indicator_table=table
    )


def row(result, indicator, year, unit="ALL", scenario="baseline", target_year=2025):
    got = result.projection.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("unit") == unit)
        & (pl.col("year") == year)
        & (pl.col("scenario") == scenario)
        & (pl.col("target_year") == target_year)
    )
    assert got.height == 1
    return got.row(0, named=True)


def test_output_columns():
    res = run(roster([person("A")]))
    assert res.projection.columns == [
        "indicator",
        "level",
        "unit",
        "year",
        "scenario",
        "numerator",
        "denominator",
        "share",
        "share_p10",
        "share_p50",
        "share_p90",
        "target_year",
        "target",
        "met",
        "gap_persons",
        "draws",
        "draws_met",
        "prob_met",
        "headline",
        "assumption",
    ]
    assert res.requirements.columns == [
        "indicator",
        "unit",
        "target_year",
        "scenario",
        "numerator",
        "denominator",
        "extra_completions_total",
        "extra_completions_per_year",
        "recurring",
        "eligible_people",
        "eligible_two_courses",
        "courses",
        "recruit_people",
        "people_over",
        "reason",
    ]
    # YEAR+1 .. 2030 only
    assert sorted(res.projection["year"].unique().to_list()) == list(range(2024, 2031))


def test_course_finishing_the_year_before_retirement_counts():
    # B: man born 05/1964 -> retires 31/08/2025 (61y3m). Studying university, due 2024.
    # A: university, stays. d_university (district CCS):
    #   2024: A + B (course done) = 2 of 2;  2025: B retired -> 1 of 1.
    staff = roster(
        [
            person("A"),
            person(
                "B",
                birth_date=dt.date(1964, 5, 10),
                education="college",
                studying_education="university",
                studying_education_until=2024,
            ),
        ]
    )
    res = run(staff)
    r2024 = row(res, "d_university", 2024)
    assert (r2024["numerator"], r2024["denominator"], r2024["share"]) == (2, 2, 1.0)
    assert r2024["met"] is True
    r2025 = row(res, "d_university", 2025)
    assert (r2025["numerator"], r2025["denominator"]) == (1, 1)
    # deterministic: the percentiles are the share itself
    assert r2024["share_p10"] == r2024["share_p50"] == r2024["share_p90"] == 1.0


def test_course_finishing_after_retirement_does_not_count():
    # Same B, but the course is due in 2026, after he retires in 08/2025.
    #   2024: A only = 1 of 2 (B still college);  2025, 2026: B gone -> 1 of 1, never 2.
    staff = roster(
        [
            person("A"),
            person(
                "B",
                birth_date=dt.date(1964, 5, 10),
                education="college",
                studying_education="university",
                studying_education_until=2026,
            ),
        ]
    )
    res = run(staff)
    assert (
        row(res, "d_university", 2024)["numerator"],
        row(res, "d_university", 2024)["denominator"],
    ) == (1, 2)
    for y in (2025, 2026, 2030):
        r = row(res, "d_university", y)
        assert (r["numerator"], r["denominator"]) == (1, 1)
    # and the lower level never "counts" either for postgraduate etc.: B is simply gone


def test_course_raises_level_only_if_higher():
    # C holds a master's and is "studying" university (data oddity): must stay master.
    # d_postgraduate 2024: C counts (1 of 1).
    staff = roster(
        [
            person(
                "C",
                education="master",
                studying_education="university",
                studying_education_until=2024,
            )
        ]
    )
    res = run(staff)
    r = row(res, "d_postgraduate", 2024)
    assert (r["numerator"], r["denominator"]) == (1, 1)


def test_headcount_path_under_a_cut():
    # 10 district public employees in YT (population of o_pe_headcount), YEAR 2023.
    # Retirements: 3 men born 01-03/1963 leave in 2024; 2 men born 01-02/1964 leave in 2025.
    # Path: ratio 1.0 in 2023 -> 0.8 in 2025, linear: 2024 0.9 (target 9), 2025+ 0.8 (target 8).
    #   2024: 10 - 3 = 7 < 9 -> hire 2 -> 9
    #   2025: 9 - 2 = 7 < 8 -> hire 1 -> 8
    #   2026..2030: 8 = target -> 8 (nobody is laid off, nobody hired)
    born = [dt.date(1963, m, 1) for m in (1, 2, 3)] + [dt.date(1964, m, 1) for m in (1, 2)]
    born += [dt.date(1980, 1, 1)] * 5
    staff = roster(
        [
            person(f"P{i}", unit="YT", staff_type="public_employee", birth_date=b)
            for i, b in enumerate(born)
        ]
    )
    cut = Scenario(
        name="cut",
        label_vi="Tinh giản",
        label_en="Cut",
        source_file="-",
        recruitment="headcount_path",
        headcount_ratio={2025: 0.8},
        headcount_staff_types=("public_employee",),
        hire_mix={"education": {"university": 1.0}, "education_fits_position": 1.0},
        courses=COURSES,
    )
    assert not cut.has_rates  # every probability is 0 or 1: one deterministic path
    res = run(staff, scenarios=(BASELINE, cut))
    heads = {
        y: row(res, "o_pe_headcount", y, scenario="cut")["numerator"] for y in range(2024, 2031)
    }
    assert heads == {2024: 9, 2025: 8, 2026: 8, 2027: 8, 2028: 8, 2029: 8, 2030: 8}
    base = {y: row(res, "o_pe_headcount", y)["numerator"] for y in (2024, 2025, 2030)}
    assert base == {2024: 7, 2025: 5, 2030: 5}  # baseline: retirements only, no hires
    # hires hold a university degree and fit their position: d_pe_fit stays 100%
    assert row(res, "d_pe_fit", 2025, scenario="cut")["share"] == 1.0


def test_backsolve_five_people():
    # District civil servants in NV, YEAR 2023 (ages on 31/12/2023):
    #   A university, born 1980 (43)  -> eligible for a master's (university, under 45)
    #   B university, born 1990 (33)  -> eligible
    #   C university, born 1975 (48)  -> too old for a master's
    #   D college,    born 1985 (38)  -> no university degree: not eligible for a master's
    #   E university, man born 03/1964 -> retires 30/06/2025: gone before 31/12/2025
    # Baseline 2025 and 2030: A, B, C, D in service -> d_postgraduate 0 of 4.
    #   2025 target 20%: need ceil(0.2*4) = 1 -> total 1, per year over 2024-2025: ceil(1/2) = 1
    #   2030 target 25%: need ceil(0.25*4) = 1 -> total 1, per year over 2024-2030: ceil(1/7) = 1
    #   eligible: A and B -> 2
    # d_university 2025: A, B, C of 4 -> 100% needs 1 more (D); D may take the university
    # course (intermediate or higher, under 50) -> eligible 1.
    staff = roster(
        [
            person("A", birth_date=dt.date(1980, 1, 1)),
            person("B", birth_date=dt.date(1990, 1, 1)),
            person("C", birth_date=dt.date(1975, 1, 1)),
            person("D", birth_date=dt.date(1985, 1, 1), education="college"),
            person("E", birth_date=dt.date(1964, 3, 1)),
        ]
    )
    res = run(staff)
    req = res.requirements

    def get(indicator, unit, ty):
        r = req.filter(
            (pl.col("indicator") == indicator)
            & (pl.col("unit") == unit)
            & (pl.col("target_year") == ty)
        )
        assert r.height == 1
        return r.select(
            "extra_completions_total", "extra_completions_per_year", "eligible_people"
        ).row(0)

    assert get("d_postgraduate", "ALL", 2025) == (1, 1, 2)
    assert get("d_postgraduate", "ALL", 2030) == (1, 1, 2)
    assert get("d_postgraduate", "NV", 2025) == (1, 1, 2)
    assert get("d_university", "ALL", 2025) == (1, 1, 1)
    r = row(res, "d_postgraduate", 2025)
    assert (r["numerator"], r["denominator"], r["met"]) == (0, 4, False)
    elig = res.eligible.filter(
        (pl.col("indicator") == "d_postgraduate") & (pl.col("target_year") == 2025)
    )
    assert sorted(elig["staff_id"].to_list()) == ["A", "B"]
    assert set(elig["course"].to_list()) == {"master"}
    uni = res.eligible.filter(
        (pl.col("indicator") == "d_university") & (pl.col("target_year") == 2025)
    )
    assert uni["staff_id"].to_list() == ["D"]
    # the eligible list never reaches the aggregated frames
    for frame in (res.projection, res.requirements, res.trend):
        assert not {"staff_id", "full_name", "birth_date"} & set(frame.columns)


def _zero_one_scenario() -> Scenario:
    # Exits: everyone 50+ leaves each year (rate 1), nobody under 50 (rate 0); leavers are
    # replaced by university graduates; courses complete with probability 1.
    return Scenario(
        name="zero_one",
        label_vi="0/1",
        label_en="0/1",
        source_file="-",
        exits_source="rates",
        age_band_starts=(50,),
        exit_rates=(0.0, 1.0),
        recruitment="replace_leavers",
        hire_mix={"education": {"university": 1.0, "college": 0.0}, "it_use": 1.0},
        courses=COURSES,
    )


def _mc_roster():
    # F born 1970 (53 in 2023): leaves in 2024 (rate 1), replaced by a university hire.
    # G college, studying university due 2025. H college, born 1990, stays college.
    # d_university: 2024: F-hire + nobody else = 1 of 3; 2025: hire + G = 2 of 3.
    return roster(
        [
            person("F", birth_date=dt.date(1970, 1, 1), education="college"),
            person(
                "G",
                education="college",
                studying_education="university",
                studying_education_until=2025,
            ),
            person("H", birth_date=dt.date(1990, 1, 1), education="college"),
        ]
    )


def test_monte_carlo_equals_deterministic_when_rates_are_zero_or_one():
    scenario = _zero_one_scenario()
    staff = _mc_roster()
    # every rate 0 or 1: counted exactly, no draws; the path is the hand-computed one
    res = run(staff, scenarios=(BASELINE, scenario))
    r24 = row(res, "d_university", 2024, scenario="zero_one")
    r25 = row(res, "d_university", 2025, scenario="zero_one")
    assert (r24["numerator"], r24["denominator"]) == (1, 3)
    assert (r25["numerator"], r25["denominator"]) == (2, 3)
    assert r25["share_p10"] == r25["share_p90"] == pytest.approx(2 / 3)


def test_monte_carlo_binomial_exits_and_seeded_reproducibility():
    # 20 people under 30 (10 with a degree, 10 without), annual exit rate 0.5, no replacement:
    # the headcount is Binomial(20, 0.5) after one year (median 10) and Binomial(20, 0.25)
    # after two (median 5). Who leaves does not depend on the degree, so the share with a
    # degree stays about 0.5. The row shows the draw at the median share (1,000 draws: within
    # 0.05 of 0.5): its own numerator and denominator, which divide to the share shown.
    staff = roster(
        [
            person(f"Y{i:02d}", birth_date=dt.date(2000, 1, 1), education="university")
            for i in range(10)
        ]
        + [
            person(f"Z{i:02d}", birth_date=dt.date(2000, 1, 1), education="college")
            for i in range(10)
        ]
    )
    half = Scenario(
        name="half",
        label_vi="Một nửa",
        label_en="Half",
        source_file="-",
        exits_source="rates",
        age_band_starts=(30,),
        exit_rates=(0.5, 0.0),
        courses=COURSES,
    )
    res = run(staff, scenarios=(BASELINE, half), seed=11)
    r24 = row(res, "d_university", 2024, scenario="half")
    r25 = row(res, "d_university", 2025, scenario="half")
    for r in (r24, r25):
        assert r["share"] == r["numerator"] / r["denominator"] == r["share_p50"]
        assert 0 < r["denominator"] <= 20
    assert r24["share"] == pytest.approx(0.5, abs=0.05)
    assert r24["share_p10"] < r24["share_p50"] < r24["share_p90"]
    assert isinstance(r24["numerator"], int)
    again = run(staff, scenarios=(BASELINE, half), seed=11)
    assert again.projection.equals(res.projection)
    other = run(staff, scenarios=(BASELINE, half), seed=12)
    assert not other.projection.equals(res.projection)


def test_planned_training_latest_retirement_first():
    # Plan: 1 master's per year in 2024 for district staff. Eligible: A (born 1980) and
    # B (born 1990): B retires later, so B is chosen. d_postgraduate 2024: 1 of 2.
    staff = roster(
        [person("A", birth_date=dt.date(1980, 1, 1)), person("B", birth_date=dt.date(1990, 1, 1))]
    )
    plan = load_scenarios()  # the shipped files parse
    assert [s.name for s in plan][0] == "baseline"
    from cadre_analytics.params import PlannedCourse

    scenario = replace(
        BASELINE,
        name="plan",
        planned=(
            PlannedCourse(
                course="master",
                population="level:district",
                per_year=1,
                from_year=2024,
                to_year=2024,
                staff_types=None,
            ),
        ),
    )
    res = run(staff, scenarios=(BASELINE, scenario))
    r = row(res, "d_postgraduate", 2024, scenario="plan")
    assert (r["numerator"], r["denominator"]) == (1, 2)


def test_history_exit_rates():
    # Snapshots 2022 and 2023. In 2022: four people under 30 (born 1995); one of them (Q4) is
    # missing in 2023 -> 1 exit / 4 person-years = 0.25. One man born 1962 retired in 2022
    # (60y6m reached 07/2022): missing in 2023 but retired, so not an "other exit".
    y22 = [person(f"Q{i}", year=2022, birth_date=dt.date(1995, 1, 1)) for i in range(1, 5)]
    y22.append(person("R", year=2022, birth_date=dt.date(1962, 1, 1)))
    y23 = [person(f"Q{i}", year=2023, birth_date=dt.date(1995, 1, 1)) for i in range(1, 4)]
    rates, pairs = projection.history_exit_rates(roster(y22 + y23), SCHEDULE, 2023, (30, 40, 50))
    assert pairs == 1
    assert rates == [0.25, 0.0, 0.0, 0.0]


def test_people_of_a_unit_that_vanished_are_no_exits():
    # As above, plus two people under 30 in YT (a body dissolved before 2023: nobody is in YT
    # on the 2023 roster). They are left out of the pair: still 1 exit / 4 person-years.
    y22 = [person(f"Q{i}", year=2022, birth_date=dt.date(1995, 1, 1)) for i in range(1, 5)]
    y22 += [person(f"Y{i}", "YT", year=2022, birth_date=dt.date(1995, 1, 1)) for i in (1, 2)]
    y23 = [person(f"Q{i}", year=2023, birth_date=dt.date(1995, 1, 1)) for i in range(1, 4)]
    rates, _ = projection.history_exit_rates(roster(y22 + y23), SCHEDULE, 2023, (30, 40, 50))
    assert rates == [0.25, 0.0, 0.0, 0.0]
    assert projection.recorded_exits(roster(y22 + y23), SCHEDULE, 2023) == 1  # Q4 only


def test_trend_check_bounded():
    # Shares 0.5, 0.6, 0.7 in 2021-2023: +0.1 a year -> 2024 0.8, 2025 0.9, 2026 1.0,
    # 2027 onwards bounded at 1.0. A unit with only two snapshots gets no trend.
    table = pl.DataFrame(
        {
            "indicator": ["x"] * 5,
            "level": ["district"] * 5,
            "unit": ["ALL", "ALL", "ALL", "NV", "NV"],
            "year": [2021, 2022, 2023, 2022, 2023],
            "share": [0.5, 0.6, 0.7, 0.1, 0.2],
        },
        schema_overrides={"year": pl.Int32},
    )
    trend = projection.trend_check(table, 2023)
    assert trend["unit"].unique().to_list() == ["ALL"]
    got = dict(zip(trend["year"].to_list(), trend["share_trend"].to_list(), strict=True))
    assert got[2024] == pytest.approx(0.8)
    assert got[2025] == pytest.approx(0.9)
    assert got[2026] == pytest.approx(1.0)
    assert got[2030] == 1.0
    assert trend["n_snapshots"].unique().to_list() == [3]
    assert "sanity check" in trend["label"][0].lower()


def test_trend_check_gives_the_same_digits_whatever_the_row_order():
    # Sums of floats depend on their order (0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1 in binary); the
    # report's chart cache and a reproducible trend.csv need the exact same digits every run.
    shares = [0.101, 0.202, 0.303, 0.404, 0.505, 0.1, 0.7, 0.33, 0.9, 0.11]
    table = pl.DataFrame(
        {
            "indicator": ["x"] * 10,
            "level": ["commune"] * 10,
            "unit": ["A"] * 5 + ["B"] * 5,
            "year": [2021, 2022, 2023, 2024, 2025] * 2,
            "share": shares,
        },
        schema_overrides={"year": pl.Int32},
    )
    first = projection.trend_check(table, 2025)
    for seed in range(20):
        again = projection.trend_check(table.sample(fraction=1.0, shuffle=True, seed=seed), 2025)
        assert again["share_trend"].to_list() == first["share_trend"].to_list()


def test_annual_update_is_carried_forward_and_labelled():
    # Nobody had a training update in 2023: d_annual_update is 0 of 1 in every future year,
    # with the assumption stated.
    res = run(roster([person("A")]))
    r = row(res, "d_annual_update", 2027)
    assert (r["numerator"], r["denominator"]) == (0, 1)
    assert "carried forward" in r["assumption"]
    assert row(res, "d_university", 2027)["assumption"] is None


def test_monte_carlo_in_small_batches_matches_the_baseline(monkeypatch):
    # A "history" scenario with a single snapshot has exit rates 0: it runs as a Monte Carlo
    # but every draw is the baseline path. Forcing draws through in batches of a few must
    # give exactly the baseline numbers, for the units (expected path) and for ALL.
    staff = roster(
        [
            person("A"),
            person("B", birth_date=dt.date(1964, 5, 10), education="college"),
            person(
                "C",
                education="college",
                studying_education="university",
                studying_education_until=2025,
            ),
            person("D", unit="GH", political_theory="intermediate"),
            person("E", unit="GH", birth_date=dt.date(1963, 2, 1)),
        ]
    )
    hist = Scenario(
        name="hist",
        label_vi="Lịch sử",
        label_en="History",
        source_file="-",
        exits_source="history",
        age_band_starts=(30,),
        courses=COURSES,
    )
    assert hist.has_rates
    from cadre_analytics.projection import simulate

    monkeypatch.setattr(simulate, "BATCH_ELEMENTS", 100)
    res = run(staff, scenarios=(BASELINE, hist))
    cols = ["indicator", "unit", "year", "target_year"]
    base = res.projection.filter(pl.col("scenario") == "baseline").sort(cols)
    other = res.projection.filter(pl.col("scenario") == "hist").sort(cols)
    assert base.height == other.height > 0
    for c in ("numerator", "denominator", "met"):
        assert base[c].equals(other[c]), c
    # the mean of 1,000 equal shares may differ from the share in the last binary digit;
    # bands only for the whole scope (the report draws no unit band)
    whole = other["unit"] == "ALL"
    for c in ("share", "share_p10", "share_p90"):
        got, want = other[c].filter(whole), base["share"].filter(whole)
        assert got.is_null().equals(want.is_null()), c
        np.testing.assert_allclose(got.fill_null(-1.0), want.fill_null(-1.0), 1e-12)
    assert other["share_p10"].filter(~whole).is_null().all()
    np.testing.assert_allclose(other["share"].fill_null(-1.0), base["share"].fill_null(-1.0), 1e-12)


def test_unknown_planned_population_is_a_clear_error():
    from cadre_analytics.errors import ParamsError
    from cadre_analytics.params import PlannedCourse

    bad = replace(
        BASELINE,
        name="bad",
        source_file="params/scenarios/bad.yaml",
        planned=(PlannedCourse("master", "XYZ", 1, 2024, 2025, None),),
    )
    with pytest.raises(ParamsError, match="XYZ") as err:
        run(roster([person("A")]), scenarios=(BASELINE, bad))
    assert "bad.yaml" in err.value.one_line()


def test_scenario_files_are_checked(tmp_path):
    import shutil

    from cadre_analytics.errors import ParamsError
    from cadre_analytics.params import DEFAULT_PARAMS_DIR

    src = DEFAULT_PARAMS_DIR / "scenarios"
    shutil.copy(src / "_courses.yaml", tmp_path / "_courses.yaml")
    shutil.copy(src / "baseline.yaml", tmp_path / "baseline.yaml")
    names = [s.name for s in load_scenarios(tmp_path)]
    assert names == ["baseline"]
    (tmp_path / "my_plan.yaml").write_text(
        "name: my_plan\nlabel_vi: x\nlabel_en: x\nrecruitment: {mode: replace_leaver}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match="replace_leavers") as err:
        load_scenarios(tmp_path)
    assert "my_plan.yaml" in err.value.one_line()
    (tmp_path / "my_plan.yaml").write_text(
        "name: my_plan\nlabel_vi: x\nlabel_en: x\ndraw: 1000\n", encoding="utf-8"
    )
    with pytest.raises(ParamsError, match="'draw'"):
        load_scenarios(tmp_path)
    (tmp_path / "my_plan.yaml").write_text(
        "name: my_plan\nlabel_vi: x\nlabel_en: x\n"
        "recruitment: {mode: replace_leavers, mix: {education: {university: 0.5, master: 0.4}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match="0.9"):
        load_scenarios(tmp_path)
    (tmp_path / "baseline.yaml").write_text(
        "name: baseline\nlabel_vi: x\nlabel_en: x\nother_exits: {source: history}\n",
        encoding="utf-8",
    )
    (tmp_path / "my_plan.yaml").unlink()
    with pytest.raises(ParamsError, match="baseline"):
        load_scenarios(tmp_path)


def test_a_level_that_ended_is_not_projected():
    # The district bodies NV and YT ended on 30/6/2025 without successor; the commune GH goes on.
    # 2024: A (public employee) in NV, B in GH; 2025: B only. Projecting from 2025, nobody is
    # left at district level: no district row (0 of the 2021 base is no cut achieved).
    from cadre_analytics.units import units_of_year

    lives = UNITS.with_columns(
        valid_from=pl.lit(None, pl.Date),
        valid_to=pl.Series([dt.date(2025, 6, 30), dt.date(2025, 6, 30), None]),
        successor=pl.lit(None, pl.Utf8),
    )
    staff = roster(
        [
            person("A", "NV", 2024, staff_type="public_employee"),
            person("B", "GH", 2024),
            person("B", "GH", 2025),
        ]
    )
    table = indicators.compute_indicators(staff, TRAINING, lives, RULES, 2025)
    assert table.filter(pl.col("level") == "district")["closed_on"].is_not_null().all()
    res = projection.project(
        staff, TRAINING, units_of_year(lives, 2025), RULES, SCHEDULE, [BASELINE], 2025, 7,
        indicator_table=table,
    )  # fmt: skip
    levels = set(res.projection["level"].unique().to_list())
    assert levels == {"commune"}
    assert "o_pe_headcount" not in res.projection["indicator"].to_list()
    assert res.trend.filter(pl.col("indicator").str.starts_with("d_")).is_empty()
    assert any("30/06/2025" in note for note in res.notes)
