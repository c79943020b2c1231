"""Section 3 ranks the district's own agencies and schools beside the communes."""

import re

from cadre_analytics.report import sections
from cadre_analytics.report.inputs import ReportInputs
from tests.report.test_tables import _ind

# Targets ≥70% (d_university), ≥20% (d_postgraduate), ≥90% (d_pe_fit), at YEAR 2025.
# H01: 8/10 = 80% met, 1/10 = 10% not met          -> 1 of 2 not met (50%)
# S01: a school, 5/10 = 50% against ≥90%, not met   -> 1 of 1 not met (100%): ranked first
# H02: 9/10 met, 3/10 = 30% met                     -> 0 of 2 (0%): last
# The staffing cut of H01 is the district's target, never a unit's cell.
INDICATORS = _ind(
    [
        ["d_university", "district", "H01", "Phòng Nội vụ", 2025, 8, 10, 2025, 0.7, ">=", True, 0],
        [
            "d_postgraduate",
            "district",
            "H01",
            "Phòng Nội vụ",
            2025,
            1,
            10,
            2025,
            0.2,
            ">=",
            False,
            1,
        ],
        ["d_pe_fit", "district", "S01", "Trường Mầm non A", 2025, 5, 10, 2025, 0.9, ">=", False, 4],
        ["d_university", "district", "H02", "Phòng Tư pháp", 2025, 9, 10, 2025, 0.7, ">=", True, 0],
        [
            "d_postgraduate",
            "district",
            "H02",
            "Phòng Tư pháp",
            2025,
            3,
            10,
            2025,
            0.2,
            ">=",
            True,
            0,
        ],
        [
            "o_pe_headcount",
            "district",
            "H01",
            "Phòng Nội vụ",
            2025,
            10,
            10,
            2025,
            0.9,
            "<=",
            False,
            1,
        ],
    ]
)


def _rows(html: str) -> list[str]:
    table = html[html.index('<table class="data ranking"') :]
    return re.findall(
        r'<tr><th scope="row">([^<]*)</th><td class="num">([^<]*)</td><td>([^<]*)</td>', table
    )


def test_agencies_and_schools_ranked_by_share_of_their_quotas_not_met():
    html = sections.section_communes(ReportInputs(year=2025, indicators=INDICATORS), "vi")
    assert "Các cơ quan, đơn vị cấp huyện" in html and "Các xã, thị trấn" not in html
    pg = "Huyện: CB, CC có trình độ sau đại học"
    pe_fit = "Huyện: viên chức có trình độ phù hợp vị trí việc làm"
    assert _rows(html) == [
        ("Trường Mầm non A", "1 / 1", f"{pe_fit}: 50% (5/10)"),
        ("Phòng Nội vụ", "1 / 2", f"{pg}: 10% (1/10)"),
        ("Phòng Tư pháp", "0 / 2", "—"),
    ]
    assert "Biên chế" not in html and "tinh giản" not in html  # no staffing-cut column
    assert '<th scope="col">Cơ quan, đơn vị</th>' in html
