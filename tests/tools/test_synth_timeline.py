"""The generator's 2025 timeline: Di Linh's 19 communes merged into 7 xã on 1 July 2025, the
district level ended on 30 June 2025 (params/synth.yaml, ``reorganisation``).

Expected counts are worked out by hand from params/synth.yaml; the sums are in the comments.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import yaml

from cadre_analytics.errors import ParamsError
from tools import synth

SEED = 11
LAST_OLD_DAY = dt.date(2025, 6, 30)
FIRST_NEW_DAY = dt.date(2025, 7, 1)
# The merger (Resolution 1671/NQ-UBTVQH15): new xã code -> the old codes merged into it.
MERGER = {
    "25000": ["25000", "25009", "25027", "25030"],  # TT Di Linh, Tân Châu, Liên Đầm, Gung Ré
    "25007": ["25003", "25006", "25007"],  # Đinh Trang Thượng, Tân Thượng, Tân Lâm
    "25015": ["25015", "25021"],  # Gia Hiệp, Tam Bố
    "25018": ["25012", "25018", "25033"],  # Tân Nghĩa, Đinh Lạc, Bảo Thuận
    "25036": ["25024", "25036", "25039"],  # Đinh Trang Hòa, Hòa Ninh, Hòa Trung
    "25042": ["25042", "25045"],  # Hòa Nam, Hòa Bắc
    "25051": ["25048", "25051"],  # Sơn Điền, Gia Bắc
}
# District bodies' staff who moved to a xã: of every ten eligible (neither a district leader
# nor contract staff) in a body, 7. Eligible per body (fixed roles + the fill roles split by
# largest remainder, params/synth.yaml):
#   VP Huyện ủy 16 - 3 leaders = 13: 2 fixed + 11 split 0.9/0.1 -> 10 + 1 contract -> 12 -> 9
#   BTC 9, BTG 8, UBKT 9, BDV 7: no contract staff -> 7 each (28)
#   VP HĐND-UBND 24 - 5 leaders = 19: 3 fixed + 16 split -> 14.4/1.6 -> 14 + 2 contract
#     -> 17 -> 7 + 7 = 14
#   Nội vụ 10 -> 10 (7); TC-KH 14 -> 13 (10); Tư pháp 6 -> 6 (6); TN-MT 14 -> 13 (10);
#   KT-HT 12 -> 11 (8); NN-PTNT 12 -> 11 (8); GD-ĐT 14 -> 13 (10); VH-TT 7 -> 7 (7);
#   LĐ-TB&XH 10 -> 10 (7); Thanh tra 8 -> 8 (7); Dân tộc 6 -> 6 (6); MTTQ 14 - 1 leader -> 13 (10)
# 9 + 28 + 14 + 7 + 10 + 6 + 10 + 8 + 8 + 10 + 7 + 7 + 7 + 6 + 10 = 147, handed out in turn:
# 147 / 7 = 21 to each xã.
MOVED = 147
# 2025 roster per new xã: the posts of its old communes (sizes in params/synth.yaml) + 21 moved.
ROSTER_2025 = {
    "25000": 26 + 21 + 21 + 21 + 21,  # 110
    "25007": 20 + 20 + 21 + 21,  # 82
    "25015": 21 + 21 + 21,  # 63
    "25018": 21 + 22 + 21 + 21,  # 85
    "25036": 22 + 21 + 20 + 21,  # 84
    "25042": 21 + 20 + 21,  # 62
    "25051": 20 + 20 + 21,  # 61
}


@pytest.fixture(scope="module")
def timeline() -> dict[str, pl.DataFrame]:
    return synth.generate(years=range(2021, 2026), seed=SEED, timeline=True)


@pytest.fixture(scope="module")
def stable() -> dict[str, pl.DataFrame]:
    return synth.generate(years=range(2021, 2026), seed=SEED)


def _year(tables: dict[str, pl.DataFrame], year: int) -> pl.DataFrame:
    return tables["staff"].filter(pl.col("snapshot_year") == year)


def test_seven_new_communes_with_their_predecessors(timeline):
    units = timeline["units"]
    new = units.filter((pl.col("level") == "commune") & (pl.col("valid_from") == FIRST_NEW_DAY))
    new = new.filter(~pl.col("code").str.starts_with("S"))  # schools' second epochs aside
    assert sorted(new["code"]) == sorted(MERGER)
    assert new["valid_to"].is_null().all() and new["successor"].is_null().all()
    old = units.filter((pl.col("level") == "commune") & pl.col("valid_from").is_null())
    assert old.height == 19
    assert (old["valid_to"] == LAST_OLD_DAY).all()
    by_successor = old.group_by("successor").agg(pl.col("code").sort())
    assert {s: list(c) for s, c in by_successor.iter_rows()} == MERGER


def test_the_code_reuse_trap_two_places_in_two_epochs(timeline):
    units = timeline["units"]
    trap = units.filter(pl.col("code") == "25018").sort("valid_to", nulls_last=True)
    assert trap["name"].to_list() == ["Xã Đinh Lạc", "Xã Bảo Thuận"]
    assert trap["valid_from"].to_list() == [None, FIRST_NEW_DAY]
    assert trap["valid_to"].to_list() == [LAST_OLD_DAY, None]
    # Old Bảo Thuận kept its name but not its code: 25033 -> 25018.
    assert units.filter(pl.col("code") == "25033")["successor"].to_list() == ["25018"]
    gia_bac = units.filter(pl.col("code") == "25051").sort("valid_to", nulls_last=True)
    assert gia_bac["name"].to_list() == ["Xã Gia Bắc", "Xã Sơn Điền"]
    # On the rosters: 22 posts of Đinh Lạc under 25018 in 2024; in 2025 the code holds the
    # 85 people of new Bảo Thuận (Tân Nghĩa 21 + Đinh Lạc 22 + Bảo Thuận 21 + 21 moved).
    assert _year(timeline, 2024).filter(pl.col("unit") == "25018").height == 22
    assert _year(timeline, 2025).filter(pl.col("unit") == "25018").height == 85


def test_the_2025_roster_by_hand(timeline):
    staff = _year(timeline, 2025)
    per_unit = dict(staff.group_by("unit").len().iter_rows())
    assert {code: per_unit[code] for code in MERGER} == ROSTER_2025
    # 2,600 posts - health centre 330 - service centres (28 + 28 + 18) - district bodies 200
    # + 147 moved = 2,143.
    assert staff.height == 2600 - 330 - 74 - 200 + MOVED == 2143
    assert staff["staff_id"].is_unique().all()
    # Schools stay, under the same codes: 57 schools, 19 x (24 + 30 + 30) = 1,596 posts.
    schools = staff.filter(pl.col("unit").str.starts_with("S"))
    assert schools.height == 1596 and schools["unit"].n_unique() == 57


def test_district_units_end_on_30_june_2025(timeline):
    units = timeline["units"]
    bodies = units.filter(pl.col("code").str.starts_with("H"))
    assert bodies.height == 18
    assert (bodies["valid_to"] == LAST_OLD_DAY).all() and bodies["successor"].is_null().all()
    # The health centre and the three service centres passed to the province: out of scope.
    centres = units.filter(pl.col("code").is_in(["S01", "S02", "S03", "S04"]))
    assert centres.height == 4
    assert (centres["valid_to"] == LAST_OLD_DAY).all() and centres["successor"].is_null().all()
    on_2025 = set(_year(timeline, 2025)["unit"])
    assert not on_2025 & set(bodies["code"]) and not on_2025 & set(centres["code"])
    # Each school: a district epoch ending 30/6/2025 (successor itself), a commune one after.
    school = units.filter(pl.col("code") == "S05").sort("valid_to", nulls_last=True)
    assert school["level"].to_list() == ["district", "commune"]
    assert school["successor"].to_list() == ["S05", None]
    assert school["valid_from"].to_list() == [None, FIRST_NEW_DAY]
    # 98 old units + 7 new xã + 57 schools' second epochs.
    assert units.height == 98 + 7 + 57


def test_district_staff_moved_as_commune_civil_servants(timeline):
    staff = _year(timeline, 2025)
    # No commune post is called "Chuyên viên": the moved posts are those.
    moved = staff.filter(pl.col("unit").is_in(list(MERGER)) & (pl.col("position") == "Chuyên viên"))
    assert moved.height == MOVED
    assert dict(moved.group_by("unit").len().iter_rows()) == dict.fromkeys(MERGER, 21)
    assert set(moved["staff_type"]) == {"civil_servant"}
    assert not moved["key_leader"].any() and set(moved["leadership"]) == {"none"}
    # Those of them on the 2024 roster (the rest were hired in 2025) were at district bodies.
    before = _year(timeline, 2024).select("staff_id", pl.col("unit").alias("unit_2024"))
    came = moved.join(before, on="staff_id")
    assert came.height > 0.9 * MOVED and came["unit_2024"].str.starts_with("H").all()
    # The district leaders left the scope: nobody on the 2025 roster leads a district.
    assert (staff["leadership"] != "district").all()


def test_a_merged_xa_has_one_head_of_each(timeline):
    staff = _year(timeline, 2025).filter(pl.col("unit").is_in(list(MERGER)))
    heads = staff.filter(
        pl.col("position").is_in(
            ["Bí thư Đảng ủy", "Chủ tịch UBND", "Phó Bí thư Thường trực Đảng ủy"]
        )
    )
    assert dict(heads.group_by("unit").len().iter_rows()) == dict.fromkeys(MERGER, 3)
    # Key leaders: the 6 of the commune whose name the xã took, plus each other merged commune's
    # Phó Chủ tịch UBND (still a key post): Di Linh 6 + 3 = 9, Gia Hiệp 6 + 1 = 7...
    key = dict(staff.filter(pl.col("key_leader")).group_by("unit").len().iter_rows())
    assert key == {code: 6 + len(old) - 1 for code, old in MERGER.items()}

    # Old Bảo Thuận (25033) gave new Bảo Thuận its name: its Bí thư (on both rosters with this
    # seed) leads the xã; old Đinh Lạc's Bí thư (25018 in 2024) is now a Phó Bí thư.
    def holder(year: int, unit: str) -> str:
        rows = _year(timeline, year).filter(
            (pl.col("unit") == unit) & (pl.col("position") == "Bí thư Đảng ủy")
        )
        return rows["staff_id"].item()

    assert holder(2025, "25018") == holder(2024, "25033")
    dinh_lac = _year(timeline, 2025).filter(pl.col("staff_id") == holder(2024, "25018"))
    assert dinh_lac["position"].to_list() == ["Phó Bí thư Đảng ủy"]


def test_old_snapshots_are_the_stable_ones_on_official_codes(timeline, stable):
    # Same draws: 2021-2024 differ from the run without the timeline only in the communes' codes.
    codes = dict(zip(stable["units"]["code"][:19], timeline["units"]["code"][:19], strict=True))
    for year in (2021, 2024):
        want = _year(stable, year).with_columns(pl.col("unit").replace(codes))
        assert _year(timeline, year).equals(want)
    assert codes["X01"] == "25000" and codes["X03"] == "25018"


def test_training_of_2025_only_by_people_on_its_roster(timeline):
    ids = set(_year(timeline, 2025)["staff_id"])
    done_2025 = timeline["training_updates"].filter(pl.col("date").dt.year() == 2025)
    assert done_2025.height > 0 and set(done_2025["staff_id"]) <= ids


def test_units_named_by_hr_as_they_were_on_the_snapshot_date(tmp_path):
    tables = synth.generate(people=2600, years=range(2021, 2026), seed=SEED, timeline=True)
    meta = synth.write_dataset(tables, tmp_path, fmt="xlsx", seed=SEED)
    units = tables["units"]
    cells = [c for c in meta["dirt_cells"] if c["kind"] == "unit_by_name"]
    assert len(cells) == 5
    for cell in cells:
        valid = synth.units_valid_on(units, dt.date(cell["snapshot_year"], 12, 31))
        names = set(valid["name"]) | set(valid["aliases"].explode())
        assert cell["value"] in names, cell
    sheet = pl.read_excel(tmp_path / "sample_district.xlsx", sheet_name="units",
                          engine="calamine", infer_schema_length=0)  # fmt: skip
    assert sheet.columns[-3:] == ["Hiệu lực từ", "Hiệu lực đến", "Đơn vị kế thừa"]
    assert sheet.height == 162


def test_two_districts_each_reorganised():
    units = synth.generate_units(5200, timeline=True)
    new = units.filter(pl.col("valid_from").is_not_null() & pl.col("name").str.starts_with("Xã"))
    assert new.height == 14
    assert {"D1-25018", "D2-25018"} <= set(new["code"])
    old = units.filter(pl.col("code") == "D2-25033")
    assert old["successor"].to_list() == ["D2-25018"]


def test_a_commune_merged_twice_is_refused(tmp_path):
    doc = yaml.safe_load(synth.DEFAULT_PARAMS_FILE.read_text(encoding="utf-8"))
    doc["reorganisation"]["communes"][1]["merged"].append("25000")
    path = tmp_path / "synth.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError, match="exactly one new xã"):
        synth.load_synth_params(path)
