"""The staffing cut (quota o_pe_headcount, a headcount ratio) speaks in its own terms: the
headcount against its base year and posts to cut, never "people short"."""

import polars as pl

from cadre_analytics.report import tables
from cadre_analytics.report.narrative import summary_sentences
from tests.report.test_tables import _ind

CUT = "o_pe_headcount"
# YEAR 2025, 1,862 public employees. Against 2021 (2,000): 1,862 / 2,000 = 93.1% > ≤90%;
# posts to cut = 1,862 - 90% of 2,000 = 1,862 - 1,800 = 62. The 2030 target is measured
# against 2025 itself (1,862 / 1,862 = 100%): 1,862 - floor(0.9 x 1,862 = 1,675.8) = 187,
# but the cut has not started to count.
INDICATORS = _ind(
    [
        [CUT, "district", "ALL", None, 2025, 1862, 2000, 2025, 0.9, "<=", False, 62],
        [CUT, "district", "ALL", None, 2025, 1862, 1862, 2030, 0.9, "<=", False, 187],
    ]
)


def _summary() -> dict:
    return tables.summary_frame(INDICATORS, None, 2025).row(0, named=True)


def test_summary_row_shows_the_base_year_and_posts_to_cut():
    row = _summary()
    assert row["cut"] and (row["base_2025"], row["base_2030"]) == (2021, 2025)
    assert tables.people_text(row, 2025, "vi") == "1.862 năm 2025 / 2.000 năm gốc 2021"
    assert tables.gap_text(row, 2025, 2025, "vi") == "còn phải giảm 62 biên chế (so với năm 2021)"
    assert tables.gap_text(row, 2030, 2025, "vi") == "chưa bắt đầu tính: năm gốc là năm báo cáo"
    html = tables.summary_table(tables.summary_frame(INDICATORS, None, 2025), 2025, "en")
    assert "62 posts still to cut (against 2021)" in html
    assert "not started: the base year is the report year" in html
    assert "187" not in html  # not "187 people short" against a base that is today


def test_the_cut_is_never_the_largest_gap_and_has_its_own_sentence():
    summary = tables.summary_frame(INDICATORS, None, 2025)
    out = summary_sentences(summary, 2025, "en", has_projection=False)
    assert not any("largest gap" in s for s in out)
    assert out[-1] == (
        "«Public employees relative to the base year (staffing cut)»: 1,862 people in 2025, "
        "93.1% of the base year 2021 (target ≤90%); 62 posts still to cut to reach the 2025 target."
    )


def test_a_cut_measured_from_the_report_year_has_not_started():
    later = INDICATORS.filter(pl.col("target_year") == 2030)  # 2025 target gone: next is 2030
    out = summary_sentences(
        tables.summary_frame(later, None, 2025), 2025, "vi", has_projection=False
    )
    assert out[-1].endswith(
        "mục tiêu năm 2030 tính so với năm 2025, chính là năm báo cáo, nên việc tinh giản chưa bắt"
        " đầu được tính."
    )


def test_the_workbook_summary_says_posts_to_cut_too():
    from cadre_analytics.report.workbook import Frames, summary_sheet

    sheet = summary_sheet(Frames(2025, {"indicators": INDICATORS}), "vi")
    (row,) = sheet.rows
    assert "còn phải giảm 62 biên chế (so với năm 2021)" in row
    assert "chưa bắt đầu tính: năm gốc là năm báo cáo" in row
    assert 187 not in row
