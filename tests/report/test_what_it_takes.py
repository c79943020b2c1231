"""Section 4 (what it takes), on hand-built requirements (the headline scenario's gaps)."""

import html
import re

import polars as pl

from cadre_analytics.report.tables import course_label, quota_label, scenario_label
from cadre_analytics.report.what_it_takes import what_it_takes_body

# Invented, YEAR 2025, target year 2030:
#   c_annual_update: 170 short, the same 170 again every year (the update lapses);
#   d_planned_qualified: 17 short, 16 eligible of whom 3 need both courses -> 1 to recruit;
#   c_university: 23 short, 46 eligible at district level, but communes X09 and X14 need 2
#     with 1 eligible each -> 1 to recruit in each;
#   d_pe_fit: 88 short, nobody can take a course (no unit listed: said once for the district);
#   d_lead_international: 3 of 7 (42.9 %) above the range 25–35 %: 1 over, no course helps.
ROWS = [
    ("c_annual_update", "ALL", 162, 332, 170, 170.0, True, 170, 0, "annual_update", 0, None, None),
    ("d_planned_qualified", "ALL", 17, 34, 17, 4.0, False, 16, 3,
     "pt_intermediate;state_management_specialist", 1, None, "too_few_eligible"),
    ("c_university", "ALL", 276, 332, 23, 5.0, False, 46, 0, "university", 0, None, None),
    ("c_university", "X09", 13, 16, 2, 1.0, False, 1, 0, "university", 1, None,
     "too_few_eligible"),
    ("c_university", "X14", 13, 16, 2, 1.0, False, 1, 0, "university", 1, None,
     "too_few_eligible"),
    ("d_pe_fit", "ALL", 1630, 1718, 88, 18.0, False, 0, 0, None, 88, None, "too_few_eligible"),
    ("d_pe_fit", "S01", 268, 281, 13, 3.0, False, 0, 0, None, 13, None, "too_few_eligible"),
    ("d_lead_international", "ALL", 3, 7, None, None, False, 2, 0, "foreign_language_b2", 0, 1,
     "above_range"),
]  # fmt: skip
COLUMNS = [
    "indicator", "unit", "numerator", "denominator", "extra_completions_total",
    "extra_completions_per_year", "recurring", "eligible_people", "eligible_two_courses",
    "courses", "recruit_people", "people_over", "reason",
]  # fmt: skip
REQ = pl.DataFrame(ROWS, schema=COLUMNS, orient="row").with_columns(
    pl.lit(2030).alias("target_year"), pl.lit("baseline").alias("scenario")
)
UNITS = {"X09": "Xã Chín", "X14": "Xã Mười Bốn", "S01": "Trường Một"}


def _text(fragment: str) -> str:
    fragment = re.sub(r"<svg.*?</svg>", "", fragment, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def test_what_it_takes_in_words():
    text = _text(what_it_takes_body(REQ, UNITS, "en"))
    assert f"headline scenario «{scenario_label('baseline', 'en')}»" in text
    # the annual update: a number of people every year, never "total 170 / 170 a year"
    assert "170 people every year 170 (the same every year)" in text
    # two courses named, and who needs both
    pt = course_label("d_planned_qualified", "pt_intermediate", "en")
    sm = course_label("d_planned_qualified", "state_management_specialist", "en")
    assert f"{pt} and {sm} (3 people need both) 2030 17 4 16 1" in text
    # communes needing 2 with 1 eligible are listed; the school short of d_pe_fit is not (no
    # course in the district: said once, in the district table)
    uni = quota_label("c_university", "en")
    assert (
        f"«{uni}», 2030: too few people eligible in Xã Chín (needs 2, 1 eligible), Xã Mười Bốn "
        "(needs 2, 1 eligible); 2 people with the qualification must be recruited." in text
    )
    assert "Trường Một" not in text
    assert "No course 2030 88 18 0 88" in text
    # a range exceeded from above: the people over it, and why courses do not help
    lead = quota_label("d_lead_international", "en")
    assert (
        f"«{lead}»: projected 42.9% in 2030 (3/7 people), above the upper bound of the target "
        "25–35%: 1 over." in text
    )


def test_nothing_needed_still_names_the_headline_and_the_range():
    only = REQ.filter(pl.col("indicator") == "d_lead_international")
    text = _text(what_it_takes_body(only, UNITS, "vi"))
    assert "Không có chỉ tiêu nào cần thêm người theo kịch bản chính." in text
    assert "vượt 1 người" in text
