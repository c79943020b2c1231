"""The report's size does not grow with the number of units: the commune heat-map shows only the
``max_units_shown`` communes that pull the district down most, and says how many more there are.

Indicators-shaped frames are built by hand (no people): 3 commune quotas, target >= 50%, every
commune has 100 people in each quota, so a commune's share is its count meeting / 100.
- "Xã Yếu 01".."Xã Yếu NN": all 3 quotas missed, k people meeting (k% < 50%) in each;
  ranked first (3 quotas missed), lowest mean share first, so Yếu 01 is rank 1.
- "Xã Vừa 01".."Xã Vừa MM": 2 quotas missed (10+k people), the third met (90 people);
  mean share (2(10+k)+90)/300 rises with k, so Vừa 01 comes right after the last Yếu.
- "Xã Tốt 0001"..: every quota met (60 people), ranked last.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from cadre_analytics.errors import ParamsError
from cadre_analytics.report import sections, settings, units_section
from cadre_analytics.report.inputs import ReportInputs
from cadre_analytics.report.settings import ReportSettings, load_report_settings

QUOTAS = ("c_university", "c_pt_advanced", "c_it_use")
CAP = 40
SETTINGS = ReportSettings(max_units_shown=CAP, min_cell=5, heat_low=0.8, min_change_people=5)
MORE_EN = "more of the"  # a fixed fragment of communes.more_not_shown (en)


def _communes(n_weak: int, n_mid: int, n_good: int) -> list[tuple[str, str, tuple[int, ...]]]:
    """(code, name, people meeting per quota) for each commune, out of 100 per quota."""
    out = [(f"W{k:02d}", f"Xã Yếu {k:02d}", (k, k, k)) for k in range(1, n_weak + 1)]
    out += [(f"M{k:02d}", f"Xã Vừa {k:02d}", (10 + k, 10 + k, 90)) for k in range(1, n_mid + 1)]
    out += [(f"G{k:04d}", f"Xã Tốt {k:04d}", (60, 60, 60)) for k in range(1, n_good + 1)]
    return out


def _indicators(communes: list[tuple[str, str, tuple[int, ...]]]) -> pl.DataFrame:
    rows = []
    for q, quota in enumerate(QUOTAS):
        units = [(code, name, counts[q], 100) for code, name, counts in communes]
        total = ("ALL", "Toàn huyện", sum(u[2] for u in units), 100 * len(units))
        for code, name, num, den in [total, *units]:
            rows.append(
                {
                    "indicator": quota,
                    "level": "commune",
                    "unit": code,
                    "unit_name": name,
                    "year": 2025,
                    "numerator": num,
                    "denominator": den,
                    "share": num / den,
                    "target_year": 2025,
                    "target": 0.5,
                    "comparator": ">=",
                    "met": num / den >= 0.5,
                    "gap_persons": max(0, den // 2 - num),
                    "target_upper": None,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"target_upper": pl.Float64})


@pytest.fixture
def capped(monkeypatch):
    monkeypatch.setattr(units_section, "settings", lambda: SETTINGS)


def _row_names(section_html: str) -> list[str]:
    """Commune names of the heat-map table's rows, top to bottom."""
    table = section_html[section_html.index('<table class="data heatmap"') :]
    return re.findall(r'<tr><th scope="row">([^<]*)</th>', table)


def test_many_communes_show_only_the_worst_and_say_how_many_more(capped):
    # 30 + 20 + 1,950 = 2,000 communes. Shown: Yếu 01..30 (ranks 1..30), Vừa 01..10 (31..40).
    ind = _indicators(_communes(30, 20, 1950))
    inputs = ReportInputs(year=2025, indicators=ind)

    communes_en = sections.section_communes(inputs, "en")
    expected_rows = [f"Xã Yếu {k:02d}" for k in range(1, 31)]
    expected_rows += [f"Xã Vừa {k:02d}" for k in range(1, 11)]
    assert _row_names(communes_en) == expected_rows
    assert "Xã Vừa 11" not in communes_en and "Xã Tốt" not in communes_en
    # 2,000 - 40 = 1,960 more.
    assert (
        "Only the 40 communes that pull the whole district down most are shown; 1,960 more of "
        "the "
        "2,000 communes are not shown here. The full table for every commune is in "
        "indicators.csv, in the same folder as this report (OUT/indicators.csv)."
    ) in communes_en
    communes_vi = sections.section_communes(inputs, "vi")
    assert "Chỉ hiển thị 40 xã" in communes_vi
    assert "còn 1.960 trong tổng số 2.000 xã không hiển thị" in communes_vi
    assert len(_row_names(communes_vi)) == CAP

    # The summary keeps the true count: qC-type scope "met / total communes". Yếu and Vừa miss
    # c_university, so 2,000 - 30 - 20 = 1,950 of 2,000 communes meet it.
    summary_en = sections.section_summary(inputs, "en")
    assert "1,950 / 2,000 communes meet it" in summary_en

    html = "".join(sections.all_sections(inputs, "en"))
    assert len(html.encode("utf-8")) < 1024 * 1024  # well under the 3 MB ceiling

    # Bounded: the same report over only the 40 shown communes differs by the sentence alone.
    shown_only = _indicators(_communes(30, 10, 0))
    small = sections.section_communes(ReportInputs(year=2025, indicators=shown_only), "en")
    assert MORE_EN not in small
    assert abs(len(communes_en) - len(small)) < 600


def test_fewer_communes_than_the_cap_are_all_shown_without_a_sentence(capped):
    # 5 + 4 + 3 = 12 communes < 40: all of them, ranked, and no "more" sentence.
    ind = _indicators(_communes(5, 4, 3))
    html = sections.section_communes(ReportInputs(year=2025, indicators=ind), "en")
    expected = [f"Xã Yếu {k:02d}" for k in range(1, 6)]
    expected += [f"Xã Vừa {k:02d}" for k in range(1, 5)]
    expected += [f"Xã Tốt {k:04d}" for k in range(1, 4)]
    assert _row_names(html) == expected
    assert MORE_EN not in html
    assert "Chỉ hiển thị" not in sections.section_communes(
        ReportInputs(year=2025, indicators=ind), "vi"
    )


def test_exactly_the_cap_shows_no_sentence(monkeypatch):
    monkeypatch.setattr(
        units_section,
        "settings",
        lambda: ReportSettings(max_units_shown=12, min_cell=5, heat_low=0.8, min_change_people=5),
    )
    ind = _indicators(_communes(5, 4, 3))
    html = sections.section_communes(ReportInputs(year=2025, indicators=ind), "en")
    assert len(_row_names(html)) == 12 and MORE_EN not in html


def test_one_over_the_cap_says_one_more(monkeypatch):
    monkeypatch.setattr(
        units_section,
        "settings",
        lambda: ReportSettings(max_units_shown=11, min_cell=5, heat_low=0.8, min_change_people=5),
    )
    ind = _indicators(_communes(5, 4, 3))
    html = sections.section_communes(ReportInputs(year=2025, indicators=ind), "en")
    assert _row_names(html)[-1] == "Xã Tốt 0002"  # Tốt 0003 (rank 12) is the one left out
    assert "Only the 11 communes" in html and "1 more of the 12 communes" in html


def test_shipped_report_params_load():
    s = load_report_settings()
    assert isinstance(s.max_units_shown, int) and s.max_units_shown >= 1
    assert isinstance(s.min_cell, int) and 0 < s.heat_low <= 1
    assert settings.settings() == s


OK = "max_units_shown: 40\nmin_cell: 5\nheat_low: 0.8\nmin_change_people: 5\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("max_units_shown: 40\nmin_cell: 5\nmin_change_people: 5\n", "heat_low"),  # missing
        (f"{OK}max_unit: 3\n", "max_unit"),  # typo
        (OK.replace("max_units_shown: 40", "max_units_shown: 0"), "max_units_shown"),
        (OK.replace("max_units_shown: 40", "max_units_shown: forty"), "max_units_shown"),
        (OK.replace("heat_low: 0.8", "heat_low: 80"), "heat_low"),
        (OK.replace("min_change_people: 5", "min_change_people: 0"), "min_change_people"),
    ],
)
def test_bad_report_params_are_clear_errors(tmp_path, text, fragment):
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_report_settings(path)
    e = err.value
    assert fragment in f"{e.message_en} {e.where}"
