"""Summary sentences that stay true with ties and with small numbers (hand-built frames)."""

import polars as pl

from cadre_analytics.report import narrative


def _matrix(unmet_by_unit: dict[str, int], quotas: int = 6) -> pl.DataFrame:
    rows = []
    for unit, unmet in unmet_by_unit.items():
        for q in range(quotas):
            rows.append({"unit": unit, "unit_name": f"Xã {unit}", "indicator": f"q{q}",
                         "unmet": unmet})  # fmt: skip
    return pl.DataFrame(rows)


def test_one_weakest_commune_is_named():
    sentence = narrative._weakest_communes(_matrix({"A": 3, "B": 1}), "vi")
    assert sentence == "Ở cấp xã, Xã A có nhiều chỉ tiêu chưa đạt nhất (3 trên 6)."


def test_tied_communes_are_all_counted_and_the_first_named():
    # ten communes tie at 3 of 6: one name would say something that is not so
    tied = {chr(ord("A") + i): 3 for i in range(10)} | {"Z": 1}
    sentence = narrative._weakest_communes(_matrix(tied), "vi")
    assert sentence == (
        "Ở cấp xã, 10 xã cùng có nhiều chỉ tiêu chưa đạt nhất (3 trên 6): "
        "«Xã A», «Xã B», «Xã C» và 7 nơi khác."
    )


def test_no_commune_sentence_when_all_meet_everything():
    assert narrative._weakest_communes(_matrix({"A": 0, "B": 0}), "en") is None


def _change(rows):
    return pl.DataFrame(rows, schema=["indicator", "delta", "people_delta"], orient="row")


def test_a_change_of_one_person_is_no_headline():
    # +11.1 points is 1 person of 9; the other quota moved 6 people for +2.0 points
    change = _change([("qSmall", 0.111, 1), ("qBig", 0.02, 6)])
    sentence = narrative._biggest_change(change, 2024, "en")
    assert sentence == "Since 2024, the largest change is «qBig» (+2.0 pp, +6 people)."


def test_without_a_change_of_enough_people_the_sentence_says_so():
    change = _change([("qSmall", 0.111, 1), ("qOther", -0.05, -4)])
    sentence = narrative._biggest_change(change, 2024, "vi")
    assert sentence == "So với năm 2024, không chỉ tiêu nào thay đổi từ 5 người trở lên."


def test_tied_largest_gaps_are_reported_as_a_tie():
    summary = pl.DataFrame(
        {"indicator": ["qA", "qB", "qC"], "gap_persons": [7, 7, 2], "share": [0.5, 0.6, 0.9]}
    )
    sentence = narrative._largest_gap(summary, 2025, "en")
    assert sentence == "The largest gap: 2 quotas are each 7 people short («qA», «qB»)."
