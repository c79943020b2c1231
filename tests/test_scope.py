"""The report's scope as a set of units (cadre_analytics/scope.py), on a hand-built district.

Units, one row per epoch (the 2025 trap in small): old A (code 01) and old B (code 02) merged
into new "A-B" on 1/7/2025, which reuses code 02; old C (03) became new C (03, itself); the
district body H ended on 30/6/2025 without successor.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from cadre_analytics import scope
from cadre_analytics.params import Scope

END = dt.date(2025, 6, 30)
START = dt.date(2025, 7, 1)
UNITS = pl.DataFrame(
    {
        "code": ["01", "02", "02", "03", "03", "H"],
        "name": ["Xã A", "Xã B", "Xã A-B", "Xã C", "Xã C", "Phòng H"],
        "level": ["commune", "commune", "commune", "commune", "commune", "district"],
        "valid_from": [None, None, START, None, START, None],
        "valid_to": [END, END, None, END, None, END],
        "successor": ["02", "02", None, "03", None, None],
    }
)
# People per unit and year: 2024 on the old units, 2025 on the new ones.
# 2024: A p1 p2, B p3, C p4, H p5 p6. 2025: A-B (code 02) p1 p2 p3 p5, C p4; p6 left.
STAFF = pl.DataFrame(
    {
        "snapshot_year": [2024] * 6 + [2025] * 5,
        "staff_id": ["p1", "p2", "p3", "p4", "p5", "p6", "p1", "p2", "p3", "p5", "p4"],
        "unit": ["01", "01", "02", "03", "H", "H", "02", "02", "02", "02", "03"],
    }
)
TRAINING = pl.DataFrame({"staff_id": ["p1", "p4", "p6"], "hours": [8.0, 8.0, 8.0]})


def _ids(scoped: scope.Scoped, year: int) -> list[str]:
    return sorted(scoped.staff.filter(pl.col("snapshot_year") == year)["staff_id"])


def test_every_unit_by_default_returns_the_frames_as_they_are():
    scoped = scope.restrict(STAFF, TRAINING, UNITS, Scope())
    assert scoped.staff is STAFF and scoped.training is TRAINING and scoped.units is UNITS


def test_todays_unit_with_its_history_not_the_other_place_of_its_code():
    # Code 02 today is A-B: its history is A (01) and B (02 as it was); C and H are out.
    scoped = scope.restrict(STAFF, TRAINING, UNITS, Scope(codes=("02",)))
    assert scoped.units["name"].to_list() == ["Xã A", "Xã B", "Xã A-B"]
    assert _ids(scoped, 2024) == ["p1", "p2", "p3"]  # A: p1 p2; B: p3
    assert _ids(scoped, 2025) == ["p1", "p2", "p3", "p5"]
    assert sorted(scoped.training["staff_id"]) == ["p1"]  # p4 (C) and p6 (H) are out


def test_a_former_unit_and_everything_that_took_it_over():
    # Old B (02 as it was first) -> A-B; A (01) is not a successor of B, so it stays out.
    scoped = scope.restrict(STAFF, TRAINING, UNITS, Scope(codes=("02",), successors=True))
    assert scoped.units["name"].to_list() == ["Xã B", "Xã A-B"]
    assert _ids(scoped, 2024) == ["p3"]
    assert _ids(scoped, 2025) == ["p1", "p2", "p3", "p5"]


def test_a_former_district_its_units_and_their_successors():
    scoped = scope.restrict(STAFF, TRAINING, UNITS, Scope(codes=("01", "02", "H"), successors=True))
    assert scoped.units["name"].to_list() == ["Xã A", "Xã B", "Xã A-B", "Phòng H"]
    assert _ids(scoped, 2024) == ["p1", "p2", "p3", "p5", "p6"]  # C's p4 out
    assert _ids(scoped, 2025) == ["p1", "p2", "p3", "p5"]


def test_a_units_table_without_lives_scopes_by_code():
    units = pl.DataFrame({"code": ["X1", "X2"], "name": ["Xã 1", "Xã 2"]})
    staff = pl.DataFrame({"snapshot_year": [2024, 2024], "staff_id": ["a", "b"],
                          "unit": ["X1", "X2"]})  # fmt: skip
    scoped = scope.restrict(staff, TRAINING, units, Scope(codes=("X2",)))
    assert scoped.staff["staff_id"].to_list() == ["b"]
    assert scoped.units.columns == ["code", "name"] and scoped.units.height == 1


def test_reused_codes_as_epoch_keys_are_scoped_by_the_code_as_written():
    # The accepted units as ingest keys them: the earlier epoch of a reused code is
    # "code@valid_to", the code as written is official_code, successors and staff use keys.
    keyed = UNITS.with_columns(
        official_code=pl.col("code"),
        code=pl.Series(["01", "02@2025-06-30", "02", "03@2025-06-30", "03", "H"]),
        successor=pl.Series(["02", "02", None, "03", None, None]),
    )
    staff = STAFF.with_columns(
        unit=pl.Series(
            ["01", "01", "02@2025-06-30", "03@2025-06-30", "H", "H"] + ["02"] * 4 + ["03"]
        )
    )
    # Old B (02 as it was first) and what took it over: B then A-B; p3 in 2024, A-B in 2025.
    scoped = scope.restrict(staff, TRAINING, keyed, Scope(codes=("02",), successors=True))
    assert scoped.units["name"].to_list() == ["Xã B", "Xã A-B"]
    assert _ids(scoped, 2024) == ["p3"]
    assert _ids(scoped, 2025) == ["p1", "p2", "p3", "p5"]
    # 02 as it is now (A-B) with its history: A and B in 2024.
    scoped = scope.restrict(staff, TRAINING, keyed, Scope(codes=("02",)))
    assert _ids(scoped, 2024) == ["p1", "p2", "p3"]
