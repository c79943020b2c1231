"""History on today's units and a level that ended, on the merger fixture
(tests/fixtures/merger/README.md): Tân Nghĩa 25012, Đinh Lạc 25018 and Bảo Thuận 25033 merge on
1/7/2025 into new Bảo Thuận, which reuses code 25018; Gia Hiệp 25015 never changes; the
district office H01 ends on 30/6/2025. Every person is a civil servant; c_university counts
those with a university degree (Đại học) among commune cadres and civil servants.

People (u = Đại học, c = Cao đẳng), by snapshot:
  Tân Nghĩa   2022: P01 u, P02 c        2023: same         2024: P01 u, P02 c, P06 c
  Đinh Lạc    2022-2024: P03 u, P04 u
  Bảo Thuận   2022: P05 c               2023, 2024: P05 u
  new 25018   2025: P01 u, P02 c, P03 u, P04 u, P05 u
  Gia Hiệp    2022-2024: P07 u          2025: P07 u, P08 u
  H01         2022-2024: P08 u          2025: none (P08 moved to Gia Hiệp)
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cadre_analytics import contracts, indicators, readings
from cadre_analytics.ingest import read_inputs
from cadre_analytics.params import load_quota_rules, load_readings
from tests.ingest.helpers import TODAY

MERGER = Path(__file__).resolve().parent / "fixtures" / "merger"
RULES = load_quota_rules()


@pytest.fixture(scope="module")
def merger():
    return contracts.validate_inputs(read_inputs(MERGER), 2025, today=TODAY)


def _rows(table, indicator, unit):
    rows = table.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("unit") == unit)
        & (pl.col("target_year") == 2025)
    ).sort("year")
    return rows.select("year", "numerator", "denominator", "rebased").rows()


def test_three_into_one_merger_rebased_over_four_snapshots(merger):
    table = indicators.compute_indicators(merger.staff, merger.training, merger.units, RULES, 2025)
    # new Bảo Thuận = Tân Nghĩa + Đinh Lạc + old Bảo Thuận, counts added:
    # 2022: (1+2+0)/(2+2+1) = 3/5; 2023: (1+2+1)/(2+2+1) = 4/5; 2024: (1+2+1)/(3+2+1) = 4/6;
    # 2025: itself, 4/5, not re-based
    assert _rows(table, "c_university", "25018") == [
        (2022, 3, 5, True),
        (2023, 4, 5, True),
        (2024, 4, 6, True),
        (2025, 4, 5, False),
    ]
    share = table.filter(
        (pl.col("indicator") == "c_university")
        & (pl.col("unit") == "25018")
        & (pl.col("year") == 2024)
    )["share"][0]
    assert share == pytest.approx(4 / 6)  # recomputed from the pooled counts
    # Gia Hiệp pools nobody: 1/1 three times, then 2/2 (P08 came from the district)
    assert _rows(table, "c_university", "25015") == [
        (2022, 1, 1, False),
        (2023, 1, 1, False),
        (2024, 1, 1, False),
        (2025, 2, 2, False),
    ]
    # only today's communes carry unit rows
    units = table.filter(pl.col("level") == "commune")["unit"].unique().sort().to_list()
    assert units == ["25015", "25018", "ALL"]
    # the whole district is the same either way: 2022 (3+1)/(5+1), 2025 (4+2)/(5+2)
    assert _rows(table, "c_university", "ALL")[0][1:3] == (4, 6)
    assert _rows(table, "c_university", "ALL")[-1][1:3] == (6, 7)


def test_code_reuse_as_they_were_keeps_two_places_apart(merger):
    table = indicators.compute_indicators(
        merger.staff, merger.training, merger.units, RULES, 2025, history="as_they_were"
    )
    # code 25018 is Đinh Lạc until 30/6/2025 (P03, P04: 2/2 each year) and new Bảo Thuận after
    assert _rows(table, "c_university", "25018@2025-06-30") == [
        (2022, 2, 2, False),
        (2023, 2, 2, False),
        (2024, 2, 2, False),
    ]
    assert _rows(table, "c_university", "25018") == [(2025, 4, 5, False)]
    # old Bảo Thuận 25033: P05 college in 2022 (0/1), university after (1/1)
    assert _rows(table, "c_university", "25033") == [
        (2022, 0, 1, False),
        (2023, 1, 1, False),
        (2024, 1, 1, False),
    ]
    names = dict(table.select("unit", "unit_name").unique().iter_rows())
    assert names["25018@2025-06-30"] == "Xã Đinh Lạc" and names["25018"] == "Xã Bảo Thuận"


def test_district_level_after_it_ended_carries_its_last_value(merger):
    from datetime import date

    table = indicators.compute_indicators(merger.staff, merger.training, merger.units, RULES, 2025)
    rows = table.filter(
        (pl.col("indicator") == "d_university")
        & (pl.col("unit") == "ALL")
        & (pl.col("target_year") == 2025)
    ).sort("year")
    # H01 had P08 (university) in 2022-2024: 1/1; nobody in 2025, so 2025 carries 2024's 1/1
    assert rows.select("year", "numerator", "denominator", "carried_from").rows() == [
        (2022, 1, 1, None),
        (2023, 1, 1, None),
        (2024, 1, 1, None),
        (2025, 1, 1, 2024),
    ]
    assert rows["closed_on"].to_list() == [date(2025, 6, 30)] * 4
    assert rows["met"][-1] is True  # 100% against the 2025 target of 100%
    # the commune level did not end
    assert (
        table.filter(pl.col("level") == "commune")["closed_on"].null_count()
        == table.filter(pl.col("level") == "commune").height
    )


def test_the_rebased_history_is_disclosed_as_a_reading(merger):
    table = indicators.compute_indicators(merger.staff, merger.training, merger.units, RULES, 2025)
    frame = readings.reading_effects(
        table, merger.staff, merger.training, merger.units, RULES, load_readings(RULES), 2025
    )
    disclosed = frame.filter(pl.col("reading") == "history_on_todays_units")
    # every commune quota has unit rows for new Bảo Thuận before 2025; one unit pools others
    commune = sorted(i.id for i in RULES.indicators if i.level == "commune")
    assert sorted(disclosed["indicator"].to_list()) == commune
    assert "1 đơn vị hiện nay" in disclosed["reading_vi"][0]
    assert "1 units of today" in disclosed["reading_en"][0]


def test_a_table_without_a_life_is_counted_as_before():
    from tests.test_indicators import UNITS, person, run

    # the other indicator tests' units table: no validity columns at all
    assert "valid_to" not in UNITS.columns
    # Gia Hiệp: 2 commune civil servants, one with a degree, in 2024 and 2025 -> 1/2 each year
    rows = [
        person("GH", "civil_servant", year=y, education=e)
        for y in (2024, 2025)
        for e in ("university", "college")
    ]
    table = run(rows)
    got = table.filter(
        (pl.col("indicator") == "c_university")
        & (pl.col("unit") == "GH")
        & (pl.col("target_year") == 2025)
    ).sort("year")
    assert got.select("year", "numerator", "denominator").rows() == [(2024, 1, 2), (2025, 1, 2)]
    assert not table["rebased"].any()
    assert table["closed_on"].null_count() == table.height
    assert table["carried_from"].null_count() == table.height


def test_where_the_district_staff_went(merger):
    from datetime import date

    from cadre_analytics.closures import level_closures
    from cadre_analytics.report.closures import closure_sentences

    went = level_closures(merger.staff, merger.units, 2025)
    # H01's only person in 2024 (P08) is in Gia Hiệp in 2025
    assert went.rows() == [
        ("district", date(2025, 6, 30), 2024, 2025, "25015", "Xã Gia Hiệp", False, 1)
    ]
    # without P08's 2025 row, that person left the data's scope
    staff = merger.staff.filter(
        ~((pl.col("staff_id") == "P08") & (pl.col("snapshot_year") == 2025))
    )
    gone = level_closures(staff, merger.units, 2025)
    assert gone.select("unit", "people").rows() == [(None, 1)]
    # before the end there is nothing to say
    assert level_closures(merger.staff, merger.units, 2024).is_empty()
    table = indicators.compute_indicators(merger.staff, merger.training, merger.units, RULES, 2025)
    vi = closure_sentences(table, went, 2025, "vi")
    assert vi == [
        "Cấp huyện kết thúc ngày 30/06/2025: giá trị cuối cùng đo được là năm 2024, so với mục "
        "tiêu năm 2025.",
        "Người của cấp huyện năm 2024, đến năm 2025: 1 người ở Xã Gia Hiệp.",
    ]
    en = closure_sentences(table, gone, 2025, "en")
    assert (
        en[1]
        == "Where the district-level staff of 2024 were in 2025: 1 no longer in the data's scope."
    )


def test_a_school_moved_to_commune_level_is_not_listed_as_a_commune(tmp_path):
    import shutil

    from tests.ingest.helpers import append_row, read_rows

    folder = tmp_path / "data"
    shutil.copytree(MERGER, folder)
    # school S01: district level until 30/06/2025, commune level (same code) from 01/07/2025
    life = {"Tên đơn vị": "Trường Mầm non Thử", "Mã đơn vị": "S01"}
    append_row(
        folder,
        "units",
        {**life, "Cấp": "Cấp huyện", "Hiệu lực đến": "30/06/2025", "Đơn vị kế thừa": "S01"},
    )
    append_row(folder, "units", {**life, "Cấp": "Cấp xã", "Hiệu lực từ": "01/07/2025"})
    # an empty commune: nobody works there
    append_row(folder, "units", {"Mã đơn vị": "25099", "Tên đơn vị": "Xã Trống", "Cấp": "Cấp xã"})
    template = dict(zip(*read_rows(folder / "staff.csv")[:2], strict=True))
    for year in (2024, 2025):
        append_row(
            folder,
            "staff",
            {
                **template,
                "Năm báo cáo": str(year),
                "Mã cán bộ": "P09",
                "Đơn vị": "S01",
                "Loại cán bộ": "Viên chức",
            },
        )
    result = contracts.validate_inputs(read_inputs(folder), 2025, today=TODAY)
    table = indicators.compute_indicators(result.staff, result.training, result.units, RULES, 2025)
    # one public employee is in no commune population: S01 has no commune rows; the empty
    # commune keeps its 0/0 rows so that it shows
    communes = table.filter(pl.col("level") == "commune")["unit"].unique().sort().to_list()
    assert communes == ["25015", "25018", "25099", "ALL"]
    # 2024: P09 is a district public employee (d_pe_fit population 1); 2025: nobody at
    # district level, so 2025 carries 2024's 1 person
    pe = table.filter(
        (pl.col("indicator") == "d_pe_fit")
        & (pl.col("unit") == "ALL")
        & (pl.col("target_year") == 2025)
    ).sort("year")
    assert pe.select("year", "denominator", "carried_from").rows()[-2:] == [
        (2024, 1, None),
        (2025, 1, 2024),
    ]
    # where the district's 2024 staff are in 2025: P09 in the same school, now at commune
    # level; P08 (district office H01) in Gia Hiệp
    from cadre_analytics.closures import level_closures
    from cadre_analytics.report.closures import closure_sentences

    went = level_closures(result.staff, result.units, 2025)
    assert sorted(went.select("unit", "own_unit", "people").rows()) == [
        ("25015", False, 1),
        ("S01", True, 1),
    ]
    assert closure_sentences(table, went, 2025, "en")[1] == (
        "Where the district-level staff of 2024 were in 2025: 1 still in their own unit "
        "(1 units, now run at another level); 1 in Xã Gia Hiệp."
    )
