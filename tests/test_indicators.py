"""Indicators on small hand-built rosters; every expected number is worked out in a comment.

Targets come from the real params/quotas.yaml (the definitions the Board reads). ``share`` and
``target`` are fractions (0.2 = 20%). Unless said otherwise the snapshot year is 2025, the run
YEAR is 2025 and the row checked is the 2025 target.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import polars as pl
import pytest

from cadre_analytics import breakdowns, indicators
from cadre_analytics.params import load_quota_rules
from cadre_analytics.schema import BREAKDOWN_COUNTS, STAFF_COLUMNS, TRAINING_COLUMNS, UNIT_COLUMNS
from cadre_analytics.targets import gap_persons, met_gap_exprs, target_met

RULES = load_quota_rules()

UNITS = pl.DataFrame(
    {
        "code": ["NV", "YT", "GH", "TB"],
        "name": ["Phòng Nội vụ", "Trung tâm Y tế", "Xã Gia Hiệp", "Xã Tam Bố"],
        "level": ["district", "district", "commune", "commune"],
        "aliases": [[], [], [], []],
    },
    schema=UNIT_COLUMNS,
)

_counter = iter(range(1, 10_000))


def person(unit: str, staff_type: str, *, year: int = 2025, **fields) -> dict:
    """One staff row; unspecified qualifications are blank (null)."""
    row = {c: None for c in STAFF_COLUMNS}
    row.update(
        snapshot_year=year,
        staff_id=f"P{next(_counter):04d}",
        full_name="Nguyễn Văn A",
        birth_date=dt.date(1980, 6, 15),
        gender="male",
        ethnicity="Kinh",
        unit=unit,
        staff_type=staff_type,
    )
    row.update(fields)
    return row


def staff_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=STAFF_COLUMNS)


def training_frame(rows: list[tuple[str, dt.date, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"staff_id": s, "date": d, "topic": t, "course": None, "hours": None} for s, d, t in rows],
        schema=TRAINING_COLUMNS,
    )


NO_TRAINING = training_frame([])


def run(rows, training=NO_TRAINING, rules=RULES, year=2025) -> pl.DataFrame:
    return indicators.compute_indicators(staff_frame(rows), training, UNITS, rules, year)


def row(table: pl.DataFrame, indicator: str, unit="ALL", year=2025, target_year=2025) -> dict:
    hit = table.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("unit") == unit)
        & (pl.col("year") == year)
        & (pl.col("target_year") == target_year)
    )
    assert hit.height == 1, hit
    return hit.row(0, named=True)


def check(r: dict, numerator, denominator, met, gap) -> None:
    assert (r["numerator"], r["denominator"]) == (numerator, denominator)
    assert r["met"] is met
    assert r["gap_persons"] == gap
    if denominator:
        assert r["share"] == pytest.approx(numerator / denominator)
        assert r["population_empty"] is False
    else:
        assert r["share"] is None
        assert r["population_empty"] is True


# --- one test per indicator -------------------------------------------------------------------


def test_d_university():
    rows = [
        person("NV", "civil_servant", education="university"),
        person("NV", "cadre", education="master"),
        person("YT", "civil_servant", education="college"),
        person("NV", "civil_servant", education="specialist_1"),
        person("NV", "contract", education="doctor"),  # contract: never counted
        person("GH", "civil_servant", education="university"),  # commune: not D-CCS
        person("YT", "public_employee", education="university"),  # D-PE, not D-CCS
    ]
    t = run(rows)
    # D-CCS = 4 (univ, master, college, specialist_1); >= university: univ, master, spec_1 = 3.
    # Target >= 100%: need ceil(1.00 * 4) = 4, gap 4 - 3 = 1.
    check(row(t, "d_university"), 3, 4, False, 1)
    # Unit NV: univ, master, spec_1 = 3/3 -> met; unit YT: college = 0/1, gap 1.
    check(row(t, "d_university", unit="NV"), 3, 3, True, 0)
    check(row(t, "d_university", unit="YT"), 0, 1, False, 1)


def test_d_postgraduate_and_specialist_rule():
    rows = [
        person("NV", "civil_servant", education="master"),
        person("NV", "civil_servant", education="specialist_1"),
        person("YT", "civil_servant", education="specialist_2"),
    ] + [person("NV", "civil_servant", education="university") for _ in range(7)]
    rows.append(person("NV", "contract", education="master"))
    # Default (specialists count as postgraduate): 3 of 10 = 30% >= 20% -> met, gap 0.
    check(row(run(rows), "d_postgraduate"), 3, 10, True, 0)
    # 2030 target >= 25%: 30% -> met.
    check(row(run(rows), "d_postgraduate", target_year=2030), 3, 10, True, 0)
    # Rule flipped (amended law): only the master counts: 1 of 10 = 10% < 20%;
    # need ceil(0.20 * 10) = 2 -> gap 1.
    flipped = RULES.with_rules(medical_specialist_counts_as_postgraduate=False)
    check(row(run(rows, rules=flipped), "d_postgraduate"), 1, 10, False, 1)
    # Flipped, specialists still count as university: d_university 10/10.
    check(row(run(rows, rules=flipped), "d_university"), 10, 10, True, 0)


def test_d_key_postgraduate():
    rows = [
        person("NV", "cadre", key_leader=True, education="master"),
        person("NV", "cadre", key_leader=True, education="doctor"),
        person("NV", "cadre", key_leader=True, education="university"),
        person("YT", "civil_servant", key_leader=True, education="university"),
        person("YT", "civil_servant", key_leader=True, education="college"),
        person("NV", "civil_servant", key_leader=False, education="master"),  # not key
        person("NV", "civil_servant", key_leader=None, education="master"),  # blank: not key
        person("NV", "contract", key_leader=True, education="master"),  # contract
    ]
    t = run(rows)
    # Key leaders in D-CCS: 5; postgraduate: master, doctor = 2 -> 40% >= 40% (exactly) met.
    check(row(t, "d_key_postgraduate"), 2, 5, True, 0)
    # 2030 >= 50%: need ceil(0.5 * 5) = 3 -> gap 1.
    check(row(t, "d_key_postgraduate", target_year=2030), 2, 5, False, 1)


def test_d_pt_intermediate_cumulative_and_flipped():
    rows = [
        person("NV", "civil_servant", political_theory="none"),
        person("NV", "civil_servant", political_theory="elementary"),
        person("NV", "civil_servant", political_theory="intermediate"),
        person("YT", "cadre", political_theory="intermediate"),
        person("YT", "cadre", political_theory="advanced"),
        person("YT", "cadre", political_theory=None),
        person("YT", "contract", political_theory="advanced"),
    ]
    # Cumulative (default): intermediate, intermediate, advanced = 3 of 6 = 50% < 60%;
    # need ceil(0.60 * 6) = ceil(3.6) = 4 -> gap 1.
    check(row(run(rows), "d_pt_intermediate"), 3, 6, False, 1)
    # Exactly intermediate: 2 of 6; need 4 -> gap 2.
    flipped = RULES.with_rules(political_theory_cumulative=False)
    check(row(run(rows, rules=flipped), "d_pt_intermediate"), 2, 6, False, 2)


def test_d_pt_advanced():
    rows = [
        person("NV", "civil_servant", political_theory="advanced"),
        person("NV", "civil_servant", political_theory="intermediate"),
        person("NV", "civil_servant", political_theory="intermediate"),
        person("YT", "cadre", political_theory="none"),
        person("YT", "cadre", political_theory="none"),
    ]
    t = run(rows)
    # 1 of 5 = 20% >= 20% -> met. 2030 >= 25%: ceil(1.25) = 2 -> gap 1.
    check(row(t, "d_pt_advanced"), 1, 5, True, 0)
    check(row(t, "d_pt_advanced", target_year=2030), 1, 5, False, 1)


def _update_fixture():
    a = person("NV", "civil_servant")
    b = person("NV", "civil_servant")
    c = person("YT", "cadre")
    d = person("YT", "cadre")
    day = dt.date(2025, 5, 1)
    training = training_frame(
        [
            (a["staff_id"], day, "law"),
            (a["staff_id"], day, "state_management"),
            (a["staff_id"], dt.date(2025, 11, 30), "ethics"),
            (b["staff_id"], day, "law"),
            (b["staff_id"], day, "ethics"),
            (c["staff_id"], day, "law"),
            (c["staff_id"], dt.date(2024, 12, 31), "state_management"),  # previous year
            (c["staff_id"], day, "ethics"),
            (d["staff_id"], dt.date(2024, 3, 1), "law"),  # previous year only
        ]
    )
    return [a, b, c, d], training


def test_d_annual_update_all_topics_vs_any_topic():
    rows, training = _update_fixture()
    # all_topics: only a has law + state_management + ethics in 2025 -> 1 of 4;
    # target == 100%: need 4 -> gap 3.
    check(row(run(rows, training), "d_annual_update"), 1, 4, False, 3)
    # any_topic: a, b, c have a 2025 course; d only in 2024 -> 3 of 4, gap 1.
    any_rules = RULES.with_rules(annual_update_rule="any_topic")
    check(row(run(rows, training, rules=any_rules), "d_annual_update"), 3, 4, False, 1)


def test_updated_in_year_function():
    rows, training = _update_fixture()
    out = indicators.updated_in_year(staff_frame(rows), training, 2025, RULES)
    assert out.get_column("updated_in_year").to_list() == [True, False, False, False]
    out_2024 = indicators.updated_in_year(staff_frame(rows), training, 2024, RULES)
    assert out_2024.get_column("updated_in_year").to_list() == [False] * 4
    any_rules = RULES.with_rules(annual_update_rule="any_topic")
    out_any = indicators.updated_in_year(staff_frame(rows), training, 2024, any_rules)
    # In 2024: c (state_management) and d (law).
    assert out_any.get_column("updated_in_year").to_list() == [False, False, True, True]


def test_d_planned_qualified():
    rows = [
        person(
            "NV",
            "civil_servant",
            succession_planned=True,
            state_management="specialist",
            political_theory="intermediate",
        ),  # fmt: skip
        person(
            "NV",
            "civil_servant",
            succession_planned=True,
            state_management="principal",
            political_theory="advanced",
        ),  # fmt: skip
        person(
            "NV",
            "civil_servant",
            succession_planned=True,
            state_management="none",
            political_theory="intermediate",
        ),  # fmt: skip
        person(
            "YT",
            "civil_servant",
            succession_planned=True,
            state_management="specialist",
            political_theory="elementary",
        ),  # fmt: skip
        person(
            "YT",
            "civil_servant",
            succession_planned=False,
            state_management="senior",
            political_theory="advanced",
        ),  # fmt: skip
    ]
    # Planned: 4; both conditions: the first two -> 2 of 4; == 100% -> gap 2.
    check(row(run(rows), "d_planned_qualified"), 2, 4, False, 2)
    # The text says "trở lên" (or higher): advanced still counts with the rule flipped.
    flipped = RULES.with_rules(political_theory_cumulative=False)
    check(row(run(rows, rules=flipped), "d_planned_qualified"), 2, 4, False, 2)


def test_d_pe_fit():
    rows = [
        person("YT", "public_employee", education_fits_position=True),
        person("YT", "public_employee", education_fits_position=False),
        person("YT", "public_employee", education_fits_position=None),  # blank: not counted
        person("NV", "public_employee", education_fits_position=True),
        person("NV", "civil_servant", education_fits_position=True),  # not D-PE
        person("GH", "public_employee", education_fits_position=True),  # commune: not D-PE
    ]
    # D-PE: 4; fits: 2 -> 50%; == 100% -> gap 2.
    check(row(run(rows), "d_pe_fit"), 2, 4, False, 2)


def test_d_pe_postgraduate():
    rows = [person("YT", "public_employee", education="master")]
    rows += [person("YT", "public_employee", education="university") for _ in range(9)]
    rows.append(person("YT", "contract", education="master"))
    # 1 of 10 = 10% >= 10% exactly (0.1 compared as 1*10 >= 1*10, no float) -> met.
    check(row(run(rows), "d_pe_postgraduate"), 1, 10, True, 0)
    # One more university graduate: 1 of 11 < 10%; need ceil(1.1) = 2 -> gap 1.
    rows.append(person("YT", "public_employee", education="university"))
    check(row(run(rows), "d_pe_postgraduate"), 1, 11, False, 1)


def test_d_lead_international_range_exceeded_from_above_is_not_met():
    rows = [
        person("NV", "cadre", leadership="district", foreign_language="B2"),
        person("NV", "cadre", leadership="district", foreign_language="C1"),
        person("NV", "cadre", leadership="district", foreign_language="B1"),
        person("NV", "cadre", leadership="district", foreign_language="none"),
        person("NV", "civil_servant", leadership="division", foreign_language="C2"),  # division
    ]
    t = run(rows)
    # District leaders: 4; B2 or higher: B2, C1 = 2 -> 50%. The range is 25-35%: 50% is above
    # its upper bound, so not met; at most floor(0.35 * 4) = floor(1.4) = 1 leader fits inside,
    # so the gap is 2 - 1 = 1 person over the upper bound.
    r = row(t, "d_lead_international", target_year=2030)
    check(r, 2, 4, False, 1)
    assert r["target"] == pytest.approx(0.25)
    assert r["target_upper"] == pytest.approx(0.35)
    # The programme sets no 2025 target ("—"): the row is there, target/met/gap null.
    r25 = row(t, "d_lead_international", target_year=2025)
    assert (r25["numerator"], r25["denominator"]) == (2, 4)
    assert r25["target"] is None and r25["comparator"] is None
    assert r25["met"] is None and r25["gap_persons"] is None
    # The language level is a rule: at C1, only the C1 leader counts: 1 of 4 = 25% -> met.
    c1 = RULES.with_rules(international_language_level="C1")
    check(row(run(rows, rules=c1), "d_lead_international", target_year=2030), 1, 4, True, 0)


def test_d_division_international_strict_comparator():
    rows = [
        person("NV", "civil_servant", leadership="division", foreign_language=lvl)
        for lvl in ["B2", "C1", "C2", "B1", "B1", "A2", "A1", "none", None, "B1"]
    ]
    t = run(rows)
    # 3 of 10 = 30%, target "trên 30%" (> 30%): 30% is NOT above -> not met.
    # Smallest k with (3 + k) / 10 > 0.30: k = 1 (4/10 = 40%).
    check(row(t, "d_division_international", target_year=2030), 3, 10, False, 1)


def test_c_university_per_commune_and_all():
    rows = [
        person("GH", "cadre", education="university"),
        person("GH", "civil_servant", education="master"),
        person("GH", "civil_servant", education="college"),
        person("TB", "cadre", education="university"),
        person("TB", "civil_servant", education="intermediate"),
        person("NV", "civil_servant", education="below_intermediate"),  # district: not C-CCS
    ]
    t = run(rows)
    # ALL: 3 of 5 = 60% < 70%: need ceil(3.5) = 4 -> gap 1.
    check(row(t, "c_university"), 3, 5, False, 1)
    # Gia Hiệp 2 of 3: need ceil(2.1) = 3 -> gap 1; Tam Bố 1 of 2: need ceil(1.4) = 2 -> gap 1.
    check(row(t, "c_university", unit="GH"), 2, 3, False, 1)
    check(row(t, "c_university", unit="TB"), 1, 2, False, 1)
    # 2030 >= 90% for ALL: need ceil(4.5) = 5 -> gap 2.
    check(row(t, "c_university", target_year=2030), 3, 5, False, 2)
    # District units carry no commune-indicator rows.
    assert t.filter((pl.col("indicator") == "c_university") & (pl.col("unit") == "NV")).is_empty()


def test_c_postgraduate():
    rows = [person("GH", "civil_servant", education="master")]
    rows += [person("GH", "civil_servant", education="university") for _ in range(4)]
    rows += [person("TB", "cadre", education="university") for _ in range(5)]
    t = run(rows)
    # 1 of 10 = 10% >= 5% -> met; 2030 >= 15%: need ceil(1.5) = 2 -> gap 1.
    check(row(t, "c_postgraduate"), 1, 10, True, 0)
    check(row(t, "c_postgraduate", target_year=2030), 1, 10, False, 1)


def test_c_pt_intermediate():
    rows = [
        person("GH", "cadre", political_theory="intermediate"),
        person("GH", "cadre", political_theory="intermediate"),
        person("TB", "cadre", political_theory="advanced"),
        person("TB", "civil_servant", political_theory="elementary"),
        person("TB", "civil_servant", political_theory="none"),
    ]
    t = run(rows)
    # 3 of 5 = 60% >= 60% exactly -> met. 2030 >= 65%: need ceil(3.25) = 4 -> gap 1.
    check(row(t, "c_pt_intermediate"), 3, 5, True, 0)
    check(row(t, "c_pt_intermediate", target_year=2030), 3, 5, False, 1)


def test_c_pt_advanced():
    rows = [person("GH", "civil_servant", political_theory="intermediate") for _ in range(8)]
    t = run(rows)
    # 0 of 8 = 0%. 2025 >= 5%: need ceil(0.4) = 1 -> gap 1; 2030 >= 10%: ceil(0.8) = 1 -> gap 1.
    check(row(t, "c_pt_advanced"), 0, 8, False, 1)
    check(row(t, "c_pt_advanced", target_year=2030), 0, 8, False, 1)


def test_c_annual_update():
    a, b, c = (person("GH", "civil_servant") for _ in range(3))
    day = dt.date(2025, 9, 9)
    training = training_frame(
        [
            (s["staff_id"], day, topic)
            for s in (a, b)
            for topic in ("law", "state_management", "ethics")
        ]
        + [(c["staff_id"], day, "law")]
    )
    # a and b have all three topics -> 2 of 3; == 100% -> gap 1.
    check(row(run([a, b, c], training), "c_annual_update"), 2, 3, False, 1)


def test_c_it_use_commune_row_and_all_and_empty_commune():
    rows = [
        person("GH", "cadre", it_use=True),
        person("GH", "civil_servant", it_use=True),
        person("GH", "civil_servant", it_use=False),
        person("GH", "civil_servant", it_use=None),
        person("GH", "contract", it_use=True),
    ]
    t = run(rows)
    # Gia Hiệp: 4 counted (contract excluded), 2 use IT -> gap 2. The same people make ALL.
    check(row(t, "c_it_use", unit="GH"), 2, 4, False, 2)
    check(row(t, "c_it_use"), 2, 4, False, 2)
    assert row(t, "c_it_use", unit="GH")["unit_name"] == "Xã Gia Hiệp"
    # Tam Bố has nobody: a row that says so, never 0%.
    check(row(t, "c_it_use", unit="TB"), 0, 0, None, None)


def test_o_pe_headcount_vs_2021_and_vs_2025():
    rows = [person("YT", "public_employee", year=2021) for _ in range(10)]
    rows += [person("NV", "public_employee", year=2021) for _ in range(2)]
    rows += [person("YT", "contract", year=2021) for _ in range(5)]  # never counted
    rows += [person("GH", "public_employee", year=2021)]  # commune: not D-PE
    rows += [person("YT", "public_employee", year=2025) for _ in range(9)]
    rows += [person("NV", "public_employee", year=2025) for _ in range(2)]
    t = run(rows)
    # ALL 2025 vs 2021: 11 / 12 = 91.7% > 90%; reduce to floor(0.9 * 12) = 10 -> gap 1.
    check(row(t, "o_pe_headcount"), 11, 12, False, 1)
    # YT: 9 / 10 = 90% <= 90% exactly -> met. NV: 2 / 2 -> floor(1.8) = 1 -> reduce 1.
    check(row(t, "o_pe_headcount", unit="YT"), 9, 10, True, 0)
    check(row(t, "o_pe_headcount", unit="NV"), 2, 2, False, 1)
    # 2030 target is relative to 2025: 11 / 11; reduce to floor(9.9) = 9 -> gap 2.
    check(row(t, "o_pe_headcount", target_year=2030), 11, 11, False, 2)
    # The 2021 row against the 2025 target: 12 / 12 (base year itself).
    check(row(t, "o_pe_headcount", year=2021), 12, 12, False, 2)


def test_o_pe_headcount_without_base_year_is_empty_not_zero():
    rows = [person("YT", "public_employee", year=2025) for _ in range(3)]
    t = run(rows)
    # No 2021 snapshot: numerator 3, no denominator -> share/met/gap null, flagged.
    r = row(t, "o_pe_headcount")
    assert r["numerator"] == 3 and r["denominator"] is None
    assert r["share"] is None and r["met"] is None and r["gap_persons"] is None
    assert r["population_empty"] is True


# --- structure and edge cases -----------------------------------------------------------------


def test_output_columns_and_rows():
    t = run([person("GH", "cadre", education="university")])
    assert t.columns == list(indicators.INDICATOR_COLUMNS)
    assert t.columns[:13] == [
        "indicator", "level", "unit", "unit_name", "year", "numerator", "denominator", "share",
        "target_year", "target", "comparator", "met", "gap_persons",
    ]  # fmt: skip
    n_ind = len(RULES.indicators)
    # Rows: per target year (2), district indicators x (ALL + 2 district units) and commune
    # indicators x (ALL + 2 communes): 3 rows each -> 18 indicators * 3 * 2 = 108 for 1 year.
    assert t.height == n_ind * 3 * 2
    assert set(t.get_column("target_year")) == {2025, 2030}


def test_every_snapshot_year_up_to_year():
    rows = [person("GH", "cadre", year=y, education="university") for y in (2022, 2023, 2026)]
    t = run(rows, year=2025)
    assert sorted(set(t.get_column("year"))) == [2022, 2023]


def test_empty_population_everywhere():
    # Only a contract worker: every population is empty; nothing divides by zero.
    t = run([person("GH", "contract", education="master", it_use=True)])
    assert t.get_column("population_empty").all()
    assert t.get_column("share").is_null().all()
    assert t.get_column("met").is_null().all()
    assert t.get_column("gap_persons").is_null().all()


def test_flag_people_contract_and_unknown_unit():
    rows = [
        person("GH", "contract", education="doctor", it_use=True, political_theory="advanced"),
        person("XX", "civil_servant", education="doctor"),  # unit not in the units table
        person("GH", "civil_servant", education="doctor"),
    ]
    people = staff_frame(rows).with_columns(pl.lit(True).alias("updated_in_year"))
    flags = indicators.flag_people(people, UNITS, RULES)
    pops = [c for c in flags.columns if c.startswith(("pop__", "num__"))]
    assert len(pops) == 2 * len(RULES.indicators)
    assert not any(flags.row(0, named=True)[c] for c in pops)  # contract: nothing
    assert not any(flags.row(1, named=True)[c] for c in pops)  # unknown unit: nothing
    third = flags.row(2, named=True)
    assert third["unit_level"] == "commune"
    assert third["pop__c_postgraduate"] and third["num__c_postgraduate"]
    assert not third["pop__d_postgraduate"]


def test_aggregate_one_year():
    rows = [
        person("GH", "civil_servant", education="master"),
        person("TB", "civil_servant", education="college"),
    ]
    people = staff_frame(rows).with_columns(pl.lit(False).alias("updated_in_year"))
    flags = indicators.flag_people(people, UNITS, RULES)
    agg = indicators.aggregate(flags, UNITS, RULES, 2025)
    assert agg.columns == list(indicators.COUNT_COLUMNS)
    sel = agg.filter(pl.col("indicator") == "c_university")
    # ALL 1/2, GH 1/1, TB 0/1 (ALL listed first).
    assert sel.select("unit", "numerator", "denominator").rows() == [
        ("ALL", 1, 2),
        ("GH", 1, 1),
        ("TB", 0, 1),
    ]


# --- met and gap arithmetic -----------------------------------------------------------------


def test_gap_persons_scalar_cases():
    g = gap_persons
    assert g(3, 10, 0.30, ">") == 1  # > 30% of 10: need 4
    assert g(0, 10, 0.30, ">") == 4
    assert g(3, 10, 0.30, ">=") == 0
    assert g(2, 10, 0.30, ">=") == 1
    assert g(7, 25, 0.28, ">=") == 0  # 7/25 is exactly 28%
    assert g(28, 100, Fraction(29, 100), ">=") == 1
    assert g(5, 10, 1, "==") == 5
    assert g(11, 12, 0.9, "<=") == 1  # keep floor(10.8) = 10
    assert g(9, 10, 0.9, "<=") == 0
    assert g(0, 0, 0.5, ">=") is None  # empty population
    assert g(1, 3, 0.5, "==") is None  # 1.5 people cannot be exactly 50%
    assert g(1, 10, 1, ">") is None  # > 100% is unreachable


def test_target_met_scalar_cases():
    m = target_met
    assert m(7 / 25, 0.28, ">=") is True
    assert m(7 / 25, 0.28, ">") is False
    assert m(0.1, 0.1, "==") is True
    assert m(3 / 10, 0.3, ">") is False
    assert m(0.9, 0.9, "<=") is True
    assert m(None, 0.3, ">=") is None
    assert m(0.5, None, ">=") is None
    assert m(Fraction(1, 3), Fraction(1, 3), "==") is True


def test_vectorised_met_and_gap_agree_with_scalar_rule():
    """Every numerator 0..den for den 0..25 against awkward targets, both ways, no float drift."""
    targets = [Fraction(7, 100), Fraction(28, 100), Fraction(1, 3), Fraction(9, 10), Fraction(1)]
    rows = [
        (n, d, t.numerator, t.denominator, cmp)
        for d in range(26)
        for n in range(d + 1)
        for t in targets
        for cmp in (">=", ">", "<=", "==")
    ]
    frame = pl.DataFrame(
        rows, schema=["numerator", "denominator", "_tp", "_tq", "comparator"], orient="row"
    )
    out = frame.with_columns(met_gap_exprs())
    for n, d, p, q, cmp, met, gap in out.iter_rows():
        t = Fraction(p, q)
        expected_gap = gap_persons(n, d, t, cmp)
        assert gap == expected_gap, (n, d, t, cmp)
        expected_met = target_met(Fraction(n, d), t, cmp) if d else None
        assert met == expected_met, (n, d, t, cmp)
        if expected_gap is not None:
            # The gap is the smallest k that works (for <= : people removed).
            k_ok = [
                k
                for k in range(0, d + 1)
                if (n - k >= 0 if cmp == "<=" else n + k <= d)
                and target_met(Fraction(n - k if cmp == "<=" else n + k, d), t, cmp)
            ]
            assert k_ok and k_ok[0] == expected_gap


# --- breakdowns -----------------------------------------------------------------------------


def test_breakdowns_gender_ethnicity_age():
    rows = [
        person(
            "GH",
            "civil_servant",
            gender="female",
            ethnicity="K'Ho",
            birth_date=dt.date(1996, 12, 31),
            education="university",
        ),  # fmt: skip
        person(
            "GH",
            "civil_servant",
            gender="female",
            ethnicity="K'Ho",
            birth_date=dt.date(1995, 12, 31),
            education="college",
        ),  # fmt: skip
        person(
            "GH",
            "cadre",
            gender="male",
            ethnicity="Kinh",
            birth_date=dt.date(1985, 1, 1),
            education="university",
        ),  # fmt: skip
        person(
            "TB",
            "cadre",
            gender="male",
            ethnicity="Mạ",
            birth_date=dt.date(1975, 1, 1),
            education="master",
        ),  # fmt: skip
        person(
            "TB",
            "cadre",
            gender="male",
            ethnicity=None,
            birth_date=dt.date(1970, 7, 1),
            education="college",
        ),  # fmt: skip
        person(
            "TB",
            "contract",
            gender="female",
            ethnicity="K'Ho",
            birth_date=dt.date(1999, 1, 1),
            education="master",
        ),  # fmt: skip
    ]
    b = breakdowns.compute_breakdowns(staff_frame(rows), NO_TRAINING, UNITS, RULES, 2025)
    assert b.columns == list(BREAKDOWN_COUNTS)
    cu = b.filter((pl.col("indicator") == "c_university") & (pl.col("unit") == "ALL"))

    def cell(dim, group):
        hit = cu.filter((pl.col("dimension") == dim) & (pl.col("group") == group))
        assert hit.height == 1, (dim, group, cu)
        return hit.select("numerator", "denominator").row(0)

    # Gender: women 2 (univ, college) -> 1/2; men 3 (univ, master, college) -> 2/3.
    assert cell("gender", "female") == (1, 2)
    assert cell("gender", "male") == (2, 3)
    # Kinh 1/1; minorities K'Ho x2 + Mạ = 3, university+: K'Ho univ, Mạ master -> 2/3;
    # blank ethnicity 0/1.
    assert cell("ethnic_majority", "majority") == (1, 1)
    assert cell("ethnic_majority", "minority") == (2, 3)
    assert cell("ethnic_majority", "unknown") == (0, 1)
    assert cell("ethnicity", "K'Ho") == (1, 2)
    assert cell("ethnicity", "Mạ") == (1, 1)
    assert cell("ethnicity", "Kinh") == (1, 1)
    # Ages at 31 Dec 2025: 2025-1996 = 29 (<30), 30 (30-39), 40, 50, 55 (50+).
    assert cell("age_band", "<30") == (1, 1)
    assert cell("age_band", "30-39") == (0, 1)
    assert cell("age_band", "40-49") == (1, 1)
    assert cell("age_band", "50+") == (1, 2)
    # Per commune too (raw counts; suppression is the report's job): Tam Bố men 1/2.
    tb = b.filter(
        (pl.col("indicator") == "c_university")
        & (pl.col("unit") == "TB")
        & (pl.col("dimension") == "gender")
    )
    assert tb.select("group", "numerator", "denominator").rows() == [("male", 1, 2)]
    # Within each indicator x unit x dimension the groups add up to the indicator's total.
    totals = run(rows).filter((pl.col("year") == 2025) & (pl.col("target_year") == 2025))
    sums = b.group_by("indicator", "unit", "dimension").agg(
        pl.col("numerator").sum(), pl.col("denominator").sum()
    )
    joined = sums.join(totals, on=["indicator", "unit"], suffix="_total")
    assert joined.height == sums.height
    assert (joined["numerator"] == joined["numerator_total"]).all()
    assert (joined["denominator"] == joined["denominator_total"]).all()
    # The headcount ratio has no breakdown; no personal column leaks.
    assert "o_pe_headcount" not in set(b.get_column("indicator"))
    assert not {"staff_id", "full_name", "birth_date"} & set(b.columns)


def test_public_expressions_agree_with_flag_people():
    """population_expr / numerator_expr (for projection) give the same flags as flag_people."""
    rows = [
        person(
            "NV",
            "cadre",
            key_leader=True,
            education="specialist_2",
            leadership="district",
            foreign_language="B2",
            political_theory="advanced",
            state_management="specialist",
            succession_planned=True,
        ),  # fmt: skip
        person("GH", "civil_servant", education="college", it_use=True),
        person("YT", "public_employee", education="master", education_fits_position=True),
        person("YT", "contract", education="master"),
    ]
    people = staff_frame(rows).with_columns(pl.lit(True).alias("updated_in_year"))
    flags = indicators.flag_people(people, UNITS, RULES)
    levels = UNITS.select(pl.col("code").alias("unit"), pl.col("level").alias("unit_level"))
    direct = people.join(levels, on="unit", how="left", maintain_order="left").select(
        *[indicators.population_expr(i, RULES).alias(f"pop__{i.id}") for i in RULES.indicators],
        *[indicators.numerator_expr(i, RULES).alias(f"num__{i.id}") for i in RULES.indicators],
    )
    assert flags.select(direct.columns).equals(direct)
    # Hand check of the first person: key leader, district leader, postgraduate via specialist_2.
    first = flags.row(0, named=True)
    assert first["num__d_key_postgraduate"] and first["num__d_lead_international"]
    assert first["num__d_planned_qualified"]
