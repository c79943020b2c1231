"""Summary statuses, commune ranking and escaping, on hand-built aggregated frames."""

import polars as pl
import pytest

from cadre_analytics.report import tables


def _ind(rows):
    cols = [
        "indicator", "level", "unit", "unit_name", "year", "numerator", "denominator",
        "target_year", "target", "comparator", "met", "gap_persons",
    ]  # fmt: skip
    frame = pl.DataFrame(rows, schema=cols, orient="row")
    return frame.with_columns((pl.col("numerator") / pl.col("denominator")).alias("share"))


@pytest.mark.parametrize(
    ("met_now", "projected", "target_year", "expected"),
    [
        (True, None, 2025, "met"),  # target year reached: judged today
        (False, True, 2025, "not_met"),  # ... projection does not matter any more
        (False, True, 2030, "on_track"),
        (False, False, 2030, "off_track"),
        (True, False, 2030, "off_track"),  # met today but projected to slip
        (True, True, 2030, "met"),
        (False, None, 2030, "not_met"),  # no projection yet
        (None, None, 2030, "no_data"),  # empty population
    ],
)
def test_status_of(met_now, projected, target_year, expected):
    assert tables.status_of(met_now, projected, target_year, 2025, True) == expected


def test_status_without_target_is_no_target():
    assert tables.status_of(True, True, 2025, 2025, has_target=False) == "no_target"


INDICATORS = _ind(
    [
        # qA: 6/10; 2025 target 50% met; 2030 target 80% not met today (2 short).
        ("qA", "district", "ALL", "Toàn huyện", 2025, 6, 10, 2025, 0.5, ">=", True, 0),
        ("qA", "district", "ALL", "Toàn huyện", 2025, 6, 10, 2030, 0.8, ">=", False, 2),
        # qB: 3/10; 40% in 2025 (1 short), 50% in 2030 (2 short).
        ("qB", "district", "ALL", "Toàn huyện", 2025, 3, 10, 2025, 0.4, ">=", False, 1),
        ("qB", "district", "ALL", "Toàn huyện", 2025, 3, 10, 2030, 0.5, ">=", False, 2),
        # qC (commune quota): 3 communes; X01 misses both, X03 misses one.
        ("qC", "commune", "ALL", "Toàn huyện", 2025, 20, 30, 2025, 0.7, ">=", False, 1),
        ("qC", "commune", "X01", "<b>Xã Một</b>", 2025, 2, 10, 2025, 0.7, ">=", False, 5),
        ("qC", "commune", "X02", "Xã Hai", 2025, 10, 10, 2025, 0.7, ">=", True, 0),
        ("qC", "commune", "X03", "Xã Ba", 2025, 8, 10, 2025, 0.7, ">=", True, 0),
        ("qD", "commune", "ALL", "Toàn huyện", 2025, 22, 30, 2025, 0.8, ">=", False, 2),
        ("qD", "commune", "X01", "<b>Xã Một</b>", 2025, 6, 10, 2025, 0.8, ">=", False, 2),
        ("qD", "commune", "X02", "Xã Hai", 2025, 9, 10, 2025, 0.8, ">=", True, 0),
        ("qD", "commune", "X03", "Xã Ba", 2025, 7, 10, 2025, 0.8, ">=", False, 1),
    ]
)
# 2030 under two scenarios (invented): the headline one (deterministic) and a Monte Carlo one.
#   qA: headline 8 of 10 meets >= 80 % (0 short); the other 7 of 10 does not, 630 of 1,000
#       draws meet it -> "met in 1 of 2 scenarios; 63 % likely".
#   qB: headline 4 of 10 against >= 50 %: 1 short; the other 3 of 10, 4 of 1,000 draws
#       (0.4 %) -> "met in 0 of 2; under 1 % likely" (never rounded to 0 %).
PROJECTION = pl.DataFrame(
    {
        "indicator": ["qA", "qA", "qB", "qB"],
        "unit": ["ALL"] * 4,
        "year": [2030] * 4,
        "scenario": ["baseline", "history_rates"] * 2,
        "target_year": [2030] * 4,
        "numerator": [8, 7, 4, 3],
        "denominator": [10] * 4,
        "share": [0.8, 0.7, 0.4, 0.3],
        "met": [True, False, False, False],
        "gap_persons": [0, 1, 1, 2],
        "prob_met": [None, 0.63, None, 0.004],
        "headline": [True, False, True, False],
    }
)


def test_summary_frame_statuses_and_gaps_by_hand():
    s = tables.summary_frame(INDICATORS, PROJECTION, 2025)
    rows = {r["indicator"]: r for r in s.iter_rows(named=True)}
    assert rows["qA"]["status_2025"] == "met"
    assert rows["qA"]["status_2030"] == "on_track"
    assert rows["qB"]["status_2025"] == "not_met"
    assert rows["qB"]["status_2030"] == "off_track"
    assert rows["qA"]["gap_persons"] == 0 and rows["qB"]["gap_persons"] == 1  # vs 2025
    assert (rows["qC"]["communes_met"], rows["qC"]["communes_total"]) == (2, 3)
    assert (rows["qD"]["communes_met"], rows["qD"]["communes_total"]) == (1, 3)
    assert rows["qC"]["status_2030"] == "no_target"  # qC has no 2030 row in this fixture


def test_summary_table_has_words_next_to_colours():
    html = tables.summary_table(tables.summary_frame(INDICATORS, PROJECTION, 2025), 2025, "vi")
    # the word, then (a projected target) how many scenarios meet it, in small print
    assert 'class="status status-off_track">✖ Chưa đúng hướng <span class="verdict">' in html
    assert 'class="status status-on_track">↗ Đúng hướng <span class="verdict">' in html
    assert "60,0%" in html and "≥80%" in html
    assert html.count('<th scope="col"') >= 8


def test_commune_matrix_ranks_worst_first_and_escapes_names():
    m = tables.commune_matrix(INDICATORS, 2025)
    order = m.select("unit", "rank").unique().sort("rank")["unit"].to_list()
    assert order == ["X01", "X03", "X02"]  # 2 unmet, 1 unmet, 0 unmet
    html = tables.heatmap_table(m, 2025, 2025, "en")
    assert "<b>Xã Một</b>" not in html and "&lt;b&gt;Xã Một&lt;/b&gt;" in html
    assert "20%<" in html and "2/10" in html and "Not met" in html


def test_summary_gives_people_short_for_each_target_year():
    # 2025 (reached): today's gaps; 2030: the headline projection's (what it takes says the
    # same), not today's 2 and 2 against the 2030 target
    s = tables.summary_frame(INDICATORS, PROJECTION, 2025)
    rows = {r["indicator"]: r for r in s.iter_rows(named=True)}
    assert (rows["qA"]["gap_2025"], rows["qA"]["gap_2030"]) == (0, 0)
    assert (rows["qB"]["gap_2025"], rows["qB"]["gap_2030"]) == (1, 1)


def test_status_says_how_many_scenarios_and_how_likely():
    s = tables.summary_frame(INDICATORS, PROJECTION, 2025)
    rows = {r["indicator"]: r for r in s.iter_rows(named=True)}
    label = tables.scenario_label("history_rates", "en")
    assert tables.verdict_text(rows["qA"], 2030, "en") == (
        f"met in 1 of 2 scenarios; 63% likely («{label}»)"
    )
    assert tables.verdict_text(rows["qB"], 2030, "en") == (
        f"met in 0 of 2 scenarios; under 1% likely («{label}»)"
    )
    vi = tables.verdict_text(rows["qA"], 2030, "vi")
    assert vi.startswith("đạt ở 1/2 kịch bản; khả năng đạt 63%")
    # a target year already reached carries no projection sentence
    assert tables.verdict_text(rows["qA"], 2025, "en") == ""
    html = tables.summary_table(s, 2025, "en")
    assert "People short by 2030, projected" in html and "63% likely" in html


def test_narrative_sentences_from_the_numbers():
    from cadre_analytics.report.narrative import summary_sentences

    s = tables.summary_frame(INDICATORS, PROJECTION, 2025)
    m = tables.commune_matrix(INDICATORS, 2025)
    out = summary_sentences(s, 2025, "en", has_projection=True, matrix=m, headline="Baseline")
    # qA met (6/10 >= 50%), qC not (20/30 < 70%), qB and qD not -> 1 of 4
    assert out[0] == (
        "In 2025, the whole district meets 1 of the 4 quotas that have a 2025 target."
    )
    # 2030 statuses: qA on track, qB off track (qC, qD have no 2030 target here)
    assert out[1] == (
        "Under the headline scenario «Baseline», for the 2030 target: 1 on track, 1 off track."
    )
    # largest 2025 gap: qD and qB... qD short 2, qB short 1, qC short 1 -> qD
    assert out[2].startswith("The largest gap is «qD»: 73.3% today against a target of ≥80%")
    assert out[2].endswith("2 people short.")
    assert out[3] == "Among communes, <b>Xã Một</b> misses the most quotas (2 of 2)."
    assert 3 <= len(out) <= 5
    without = summary_sentences(s, 2025, "vi", has_projection=False)
    assert without[1] == "Chưa có kết quả dự báo, nên chưa đánh giá được chỉ tiêu nào đúng hướng."


def test_data_quality_sentence(tmp_path):
    from cadre_analytics.report.inputs import ReportInputs
    from cadre_analytics.report.sections import section_data_quality

    inputs = ReportInputs(
        year=2025,
        reconciliation=pl.DataFrame(
            {
                "table": ["staff", "units"],
                "rows_read": [9990, 10],
                "rows_accepted": [9988, 10],
                "rows_quarantined": [2, 0],
            }
        ),
        warning_counts=pl.DataFrame({"table": ["staff"], "rule": ["w"], "rows": [3]}),
    )
    html = section_data_quality(inputs, "vi")
    # 9,998 of 10,000 accepted: 99,98% (never rounded up to 100%)
    assert "99,98% số dòng đọc được đã được chấp nhận (9.998 / 10.000)" in html
    assert "2 dòng bị cách ly và 3 dòng có cảnh báo" in html
    assert "10.000" in html  # the total row


def test_quota_labels_from_catalogue_then_params_then_id():
    assert tables.quota_label("c_it_use", "vi") == "Xã: CB, CC sử dụng được công nghệ thông tin"
    assert tables.quota_label("qZ_not_anywhere", "en") == "qZ_not_anywhere"


def test_fired_rules_are_named_in_words_never_by_their_code():
    from cadre_analytics.report.inputs import RULE_RESULT_COLUMNS, ReportInputs, conform
    from cadre_analytics.report.sections import section_data_quality

    rules = pl.DataFrame(
        {
            "table": ["staff", "staff", "staff"],
            "rule": ["unknown_unit", "unknown_unit", "no_title_rule"],
            "grade": ["quarantine", "quarantine", "warn"],
            "rows_failed": [2, 1, 4],
            "title_vi": ["Đơn vị không có trong danh mục", "Đơn vị không có trong danh mục", None],
            "title_en": ["Unit not in the units table", "Unit not in the units table", None],
        }
    )
    reconciliation = pl.DataFrame(
        {"table": ["staff"], "rows_read": [10], "rows_accepted": [7], "rows_quarantined": [3]}
    )
    inputs = ReportInputs(
        year=2025,
        reconciliation=reconciliation,
        rule_results=conform(rules, RULE_RESULT_COLUMNS),
    )
    vi = section_data_quality(inputs, "vi")
    en = section_data_quality(inputs, "en")
    assert "Đơn vị không có trong danh mục" in vi and "Unit not in the units table" in en
    assert "unknown_unit" not in vi + en
    assert "<td>3</td>" in vi.replace(' class="num"', "")  # 2 + 1 rows, summed per rule
    # no title: a plain "unnamed rule", never the code
    assert "no_title_rule" not in en and "Unnamed rule" in en


def test_no_run_and_every_run_are_exact_percents():
    # 0 of 1,000 draws and 1,000 of 1,000 are exactly 0 % and 100 %; 999 of 1,000 is not 100 %
    row = {
        "scenarios_met_2030": 1,
        "scenarios_judged_2030": 4,
        "prob_scenarios_2030": ["history_rates", "plan", "other"],
        "prob_values_2030": [0.0, 1.0, 0.999],
    }
    text = tables.verdict_text(row, 2030, "en")
    rates, plan = tables.scenario_label("history_rates", "en"), tables.scenario_label("plan", "en")
    other = tables.scenario_label("other", "en")
    assert text == (
        f"met in 1 of 4 scenarios; 0% likely («{rates}»); 100% likely («{plan}»); "
        f"over 99% likely («{other}»)"
    )


def test_a_level_that_ended_shows_its_last_value_and_no_later_verdict():
    # qE's level ended on 30/6/2025: the 2025 rows carry the 2024 value, 9 of 10 against
    # >= 100 % (1 short, judged: the 2025 target year has come); 2030 has no verdict.
    closed = _ind(
        [
            ("qE", "district", "ALL", "Toàn huyện", 2025, 9, 10, 2025, 1.0, ">=", False, 1),
            ("qE", "district", "ALL", "Toàn huyện", 2025, 9, 10, 2030, 1.0, ">=", False, 1),
        ]
    ).with_columns(
        carried_from=pl.lit(2024, pl.Int32), closed_on=pl.lit("2025-06-30").str.to_date()
    )
    s = tables.summary_frame(closed, None, 2025)
    row = s.row(0, named=True)
    assert (row["status_2025"], row["gap_2025"]) == ("not_met", 1)
    assert (row["status_2030"], row["gap_2030"]) == ("closed", None)
    html = tables.summary_table(s, 2025, "vi")
    assert "90,0% (năm 2024)" in html
    assert 'class="status status-closed">Cấp đã kết thúc' in html
    assert "Level ended" in tables.summary_table(s, 2025, "en")


def test_no_change_is_shown_for_a_level_that_ended():
    from cadre_analytics.report.sections import change_frame

    # qE (ended) carries its 2024 value 9/10 into 2025; qF went from 5/10 to 6/10: +10 points.
    rows = _ind(
        [
            ("qE", "district", "ALL", "Toàn huyện", 2024, 9, 10, 2025, 1.0, ">=", False, 1),
            ("qE", "district", "ALL", "Toàn huyện", 2025, 9, 10, 2025, 1.0, ">=", False, 1),
            ("qF", "commune", "ALL", "Toàn huyện", 2024, 5, 10, 2025, 0.5, ">=", True, 0),
            ("qF", "commune", "ALL", "Toàn huyện", 2025, 6, 10, 2025, 0.5, ">=", True, 0),
        ]
    ).with_columns(
        carried_from=pl.when((pl.col("indicator") == "qE") & (pl.col("year") == 2025))
        .then(2024)
        .otherwise(None)
    )
    change, prev = change_frame(rows, 2025)
    assert prev == 2024 and change["indicator"].to_list() == ["qF"]
    assert change["people_delta"].to_list() == [1]


def test_a_closed_level_chart_caption_gives_the_last_year_measured():
    from cadre_analytics.report.charts.district import district_alt_text

    # qE carries 9/10 (90 %) from 2024 into 2025; nothing is projected for it.
    rows = _ind(
        [("qE", "district", "ALL", "Toàn huyện", 2025, 9, 10, 2025, 1.0, ">=", False, 1)]
    ).with_columns(carried_from=pl.lit(2024))
    text = district_alt_text(rows, None, "qE", 2025, "vi")
    assert "năm 2024, đạt 90,0%" in text and "không dự báo" in text and "năm 2025" not in text
