"""The first page's actions, from the back-solve: how many, in what, where, by when."""

import polars as pl

from cadre_analytics.report.actions import action_items
from cadre_analytics.report.tables import course_label, quota_label

# Invented requirements (the headline scenario's gaps in 2030, YEAR 2025: five years left).
REQUIREMENTS = pl.DataFrame(
    {
        "indicator": ["c_annual_update"] * 5
        + ["d_pe_fit", "c_university", "c_university", "c_university", "d_postgraduate"]
        + ["d_planned_qualified"],
        "unit": ["ALL", "X01", "X02", "X03", "X04", "ALL", "ALL", "X09", "X14", "ALL", "ALL"],
        "target_year": [2030] * 11,
        "extra_completions_total": [170, 60, 40, 30, 40, 88, 23, 2, 2, 0, 17],
        "extra_completions_per_year": [170.0, 60, 40, 30, 40, 18, 5, 1, 1, 0, 4],
        "recurring": [True] * 5 + [False] * 6,
        "eligible_people": [170, 60, 40, 30, 40, 0, 10, 1, 1, 71, 16],
        "eligible_two_courses": [0] * 10 + [3],
        "courses": ["annual_update"] * 5
        + [None, "university", "university", "university", "master"]
        + ["pt_intermediate;state_management_specialist"],
        "recruit_people": [0] * 5 + [88, 13, 1, 1, 0, 1],
    }
)
UNITS = {"X01": "Xã Một", "X02": "Xã Hai", "X03": "Xã Ba", "X04": "Xã Bốn", "X09": "Xã Chín"}


def test_actions_largest_effort_first_with_where_and_limits():
    out = action_items(REQUIREMENTS, UNITS, "en")
    # 170 a year (the annual update), then 18, then 5 and 4; d_postgraduate needs nobody
    assert len(out) == 4
    update = course_label("c_annual_update", "annual_update", "en")
    assert out[0] == (
        f"Every year, send 170 people not yet updated to «{update}» to reach "
        f"«{quota_label('c_annual_update', 'en')}» (the update lapses every year). "
        "Most needed in: Xã Một (60 people), Xã Hai (40 people), Xã Bốn (40 people)."
    )  # X02 and X04 tie at 40: by code
    # nobody eligible for d_pe_fit: the action is to recruit, not "send 18 a year"
    assert out[1] == (
        f"«{quota_label('d_pe_fit', 'en')}» needs 88 more people meeting it by the end of "
        "2030, but nobody on the staff is eligible for a course: 88 people with the "
        "qualification must be recruited, or staff redeployed."
    )
    # 23 short, 10 eligible: 23 - 10 = 13 to recruit; X09 and X14 need 2 with 1 eligible each
    uni = course_label("c_university", "university", "en")
    assert out[2] == (
        f"Send 23 more people to «{uni}» by the end of 2030 (about 5 a year) to reach "
        f"«{quota_label('c_university', 'en')}». Most needed in: Xã Chín (2 people), "
        "X14 (2 people). People with the qualification must be recruited in 2 units with too "
        "few eligible: Xã Chín, X14. Not enough people can go: only 10 are eligible, so 13 "
        "must be recruited with the qualification."
    )
    # 17 short: 16 eligible, 3 of them need both courses, 1 to recruit
    pt = course_label("d_planned_qualified", "pt_intermediate", "en")
    sm = course_label("d_planned_qualified", "state_management_specialist", "en")
    assert out[3].startswith(f"Send 17 more people to «{pt} and {sm}» by the end of 2030")
    assert "Of the 16 people eligible, 3 need both courses." in out[3]
    assert out[3].endswith("only 16 are eligible, so 1 must be recruited with the qualification.")


def test_no_requirements_no_actions():
    assert action_items(None, {}, "vi") == []
    assert (
        action_items(REQUIREMENTS.filter(pl.col("indicator") == "d_postgraduate"), {}, "vi") == []
    )


def test_requirements_without_the_newer_columns_still_read():
    # a requirements table from before the two-course columns: the actions still say "send"
    old = REQUIREMENTS.select(
        "indicator", "unit", "target_year", "extra_completions_total",
        "extra_completions_per_year", "eligible_people",
    ).filter(pl.col("indicator") == "c_university")  # fmt: skip
    out = action_items(old, UNITS, "vi")
    assert len(out) == 1 and "23" in out[0]
