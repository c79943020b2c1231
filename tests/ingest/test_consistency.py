"""Checks across files and years: pure functions on small hand-built frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from cadre_analytics.errors import InputStop, ParamsError
from cadre_analytics.ingest.consistency import (
    ids_shared_stop,
    person_changes,
    quarantine_share_stop,
)
from cadre_analytics.ingest.spec import load_contract_spec
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR

SPEC = load_contract_spec()


def _staff(rows: list[tuple]) -> pl.DataFrame:
    """rows: (year, id, gender, birth date, file, row)."""
    return pl.DataFrame(
        rows,
        schema={
            "snapshot_year": pl.Int32,
            "staff_id": pl.Utf8,
            "gender": pl.Utf8,
            "birth_date": pl.Date,
            "_source_file": pl.Utf8,
            "_source_row": pl.Int64,
        },
        orient="row",
    )


def _people(year: int, ids: list[str]) -> list[tuple]:
    return [(year, i, "male", date(1980, 1, 1), f"s{year}.csv", n + 2) for n, i in enumerate(ids)]


def test_ids_shared_is_measured_against_the_smaller_year():
    # 2024: 10 people; 2025: 4 of them + 36 new.  4 / min(10, 40) = 40 % < 50 %: stop
    before = [f"{n:03d}" for n in range(10)]
    after = before[:4] + [f"{n:03d}" for n in range(100, 136)]
    staff = _staff(_people(2024, before) + _people(2025, after))
    with pytest.raises(InputStop) as stop:
        ids_shared_stop(staff, 2025, SPEC)
    assert "2025 has 40 staff IDs and 2024 has 10, but only 4 are in both" in stop.value.one_line()
    # 5 shared: 5 / 10 = 50 %, not under the threshold
    after = before[:5] + after[4:]
    ids_shared_stop(_staff(_people(2024, before) + _people(2025, after)), 2025, SPEC)


def test_years_after_the_report_year_are_not_compared():
    staff = _staff(_people(2024, ["001"]) + _people(2025, ["001"]) + _people(2026, ["X"]))
    ids_shared_stop(staff, 2025, SPEC)
    with pytest.raises(InputStop):
        ids_shared_stop(staff, 2026, SPEC)


def _quarantine(rows: list[int], rule: str = "invalid_date") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "table": "staff",
            "source_file": "s2025.csv",
            "source_row": rows,
            "column": "Ngày sinh",
            "rule": rule,
        }
    )


def test_quarantine_share_stops_above_the_share_once_enough_rows():
    staff = _staff(_people(2025, [f"{n:03d}" for n in range(100)]))  # rows 2..101
    # 5 of 100 = 5 %: not above 5 %
    quarantine_share_stop(staff, _quarantine(list(range(2, 7))), 2025, SPEC)
    # 10 of 100 = 10 % (one row twice, two rules: counted once) -> stop naming the rule
    taken = pl.concat([_quarantine(list(range(2, 12))), _quarantine([2], "unknown_unit")])
    with pytest.raises(InputStop) as stop:
        quarantine_share_stop(staff, taken, 2025, SPEC)
    line = stop.value.one_line()
    assert "10 of the 100 staff rows of 2025 (10 %)" in line
    assert (
        "'Impossible or unreadable date' 10 rows (e.g. s2025.csv, row 2, column 'Ngày sinh')"
        in line
    )


def test_quarantine_share_ignores_few_rows():
    staff = _staff(_people(2025, ["001", "002", "003"]))
    # 3 of 3 = 100 %, but 3 rows are under the 10-row floor
    quarantine_share_stop(staff, _quarantine([2, 3, 4]), 2025, SPEC)


def test_person_changes_name_both_rows():
    staff = _staff(
        [
            (2024, "001", "male", date(1975, 3, 14), "a.csv", 2),
            (2025, "001", "female", date(1975, 3, 14), "b.csv", 7),
            (2025, "002", "female", date(1980, 1, 1), "b.csv", 8),
            (2024, "002", "female", date(1980, 1, 2), "a.csv", 3),
        ]
    )
    found = person_changes(staff, SPEC).sort("column")
    assert found.select("source_file", "source_row", "column", "raw_value").rows() == [
        ("b.csv", 7, "Giới tính", "Nữ"),
        ("b.csv", 8, "Ngày sinh", "01/01/1980"),
    ]
    assert "'Nam' at a.csv row 2" in found["message_en"][0]
    assert "'02/01/1980' at a.csv row 3" in found["message_en"][1]


def test_thresholds_are_read_and_checked(tmp_path):
    for name in ("columns.yaml", "vocabularies.yaml"):
        (tmp_path / name).write_text((DEFAULT_CONTRACTS_DIR / name).read_text("utf-8"), "utf-8")
    rules = (DEFAULT_CONTRACTS_DIR / "rules.yaml").read_text("utf-8")
    changed = rules.replace(
        "max_report_year_quarantined_share: 0.05", "max_report_year_quarantined_share: 0.2"
    )
    (tmp_path / "rules.yaml").write_text(changed, "utf-8")
    assert load_contract_spec(tmp_path).thresholds["max_report_year_quarantined_share"] == 0.2
    broken = rules.replace(
        "max_report_year_quarantined_share: 0.05", "max_report_year_quarantined_share: 5"
    )
    (tmp_path / "rules.yaml").write_text(broken, "utf-8")
    with pytest.raises(ParamsError):
        load_contract_spec(tmp_path)
