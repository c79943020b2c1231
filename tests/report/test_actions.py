"""The first page's actions, from the back-solve: how many, in what, where, by when."""

import polars as pl

from cadre_analytics.report.actions import action_items
from cadre_analytics.report.tables import course_label, quota_label

REQUIREMENTS = pl.DataFrame(
    {
        "indicator": ["c_annual_update"] * 5 + ["d_pe_fit", "c_university", "d_postgraduate"],
        "unit": ["ALL", "X01", "X02", "X03", "X04", "ALL", "ALL", "ALL"],
        "target_year": [2030] * 8,
        "extra_completions_total": [170, 60, 40, 30, 40, 88, 23, 0],
        "extra_completions_per_year": [34.0, 12.0, 8.0, 6.0, 8.0, 18.0, 4.6, 0.0],
        "eligible_people": [170, 60, 40, 30, 40, 0, 10, 71],
    }
)
UNITS = {"X01": "Xã Một", "X02": "Xã Hai", "X03": "Xã Ba", "X04": "Xã Bốn"}


def test_actions_largest_effort_first_with_where_and_limits():
    out = action_items(REQUIREMENTS, UNITS, "en")
    # 34 a year, then 18, then 4.6; d_postgraduate needs nobody and is left out
    assert len(out) == 3
    update = course_label("c_annual_update", None, "en")
    assert out[0] == (
        f"Send 34 more people a year to «{update}» (170 people by 2030) to reach "
        f"«{quota_label('c_annual_update', 'en')}». Most needed in: Xã Một (60 people), "
        "Xã Hai (40 people), Xã Bốn (40 people)."  # X02 and X04 tie at 40: by code
    )
    # nobody eligible for d_pe_fit: the action is to recruit, not "send 18 a year"
    assert out[1] == (
        f"«{quota_label('d_pe_fit', 'en')}» needs 88 more people meeting it by 2030, but nobody "
        "on the staff is eligible for the course: only recruitment or redeployment can reach it."
    )
    # 23 needed, 10 eligible: 23 - 10 = 13 only by recruitment
    assert out[2].startswith("Send 4.6 more people a year")
    assert out[2].endswith(
        "Only 10 people are eligible for the course: the other 13 can only come from recruitment."
    )


def test_no_requirements_no_actions():
    assert action_items(None, {}, "vi") == []
    assert (
        action_items(REQUIREMENTS.filter(pl.col("indicator") == "d_postgraduate"), {}, "vi") == []
    )
