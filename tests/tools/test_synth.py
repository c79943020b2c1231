"""Tests for the synthetic sample-district generator (tools.synth).

Expected counts are worked out by hand from params/synth.yaml (the comments show the sums);
calibration bounds come from the published figures (2021 commune cadres and civil servants:
66-73% with a university degree, ~3.5% postgraduate).
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import polars as pl
import pytest
import yaml

from cadre_analytics import retirement, schema
from cadre_analytics.errors import ParamsError, UserError
from cadre_analytics.params import load_retirement_schedule
from tools import synth

SEED = 11
CCS = ["cadre", "civil_servant"]
UNIVERSITY_OR_ABOVE = ["university", "master", "doctor", "specialist_1", "specialist_2"]
POSTGRADUATE = ["master", "doctor", "specialist_1", "specialist_2"]
DI_LINH_COMMUNES = [
    "Bảo Thuận", "Đinh Lạc", "Đinh Trang Hòa", "Đinh Trang Thượng", "Gia Bắc", "Gia Hiệp",
    "Gung Ré", "Hòa Bắc", "Hòa Nam", "Hòa Ninh", "Hòa Trung", "Liên Đầm", "Sơn Điền", "Tam Bố",
    "Tân Châu", "Tân Lâm", "Tân Nghĩa", "Tân Thượng",
]  # fmt: skip
STAFF_HEADERS = [
    "Năm báo cáo", "Mã cán bộ", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Đơn vị",
    "Loại cán bộ", "Chức vụ", "Cán bộ chủ chốt", "Cấp lãnh đạo", "Quy hoạch trưởng/phó phòng",
    "Trình độ chuyên môn", "Chuyên môn phù hợp vị trí việc làm", "Lý luận chính trị",
    "Quản lý nhà nước", "Ngoại ngữ", "Ứng dụng CNTT", "Đang học chuyên môn",
    "Năm tốt nghiệp dự kiến", "Đang học LLCT", "Năm hoàn thành LLCT dự kiến",
]  # fmt: skip
# Dirt counts in params/synth.yaml (the tests below check the writer honours them exactly).
DIRT = {
    "synonym": 12, "nfd_text": 8, "birth_date_text": 5, "birth_date_serial": 5,
    "training_date_text": 3, "training_date_serial": 3, "unknown_value": 3, "duplicate": 1,
    "departed_training": 1, "unit_by_name": 5,
}  # fmt: skip


@pytest.fixture(scope="module")
def district() -> dict[str, pl.DataFrame]:
    """The default district (2,600 posts), 2021-2025."""
    return synth.generate(years=range(2021, 2026), seed=SEED)


@pytest.fixture(scope="module")
def staff_2021(district) -> pl.DataFrame:
    units = district["units"].select(pl.col("code").alias("unit"), "level")
    return district["staff"].filter(pl.col("snapshot_year") == 2021).join(units, on="unit")


@pytest.fixture(scope="module")
def xlsx_written(district, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("xlsx")
    meta = synth.write_dataset(district, out, fmt="xlsx", seed=SEED)
    return out / "sample_district.xlsx", meta


def _read_sheet(path: Path, sheet: str) -> pl.DataFrame:
    return pl.read_excel(path, sheet_name=sheet, engine="calamine", infer_schema_length=0)


# --- determinism and shape -----------------------------------------------------------------


def test_same_seed_gives_identical_frames_and_another_seed_does_not():
    a = synth.generate(people=700, years=(2021, 2023), seed=5)
    b = synth.generate(people=700, years=(2021, 2023), seed=5)
    c = synth.generate(people=700, years=(2021, 2023), seed=6)
    for table in schema.TABLES:
        assert a[table].equals(b[table]), table
    assert not a["staff"].equals(c["staff"])


def test_canonical_columns_and_types(district):
    assert district["staff"].schema == pl.Schema(schema.STAFF_COLUMNS)
    assert district["training_updates"].schema == pl.Schema(schema.TRAINING_COLUMNS)
    assert district["units"].schema == pl.Schema(schema.UNIT_COLUMNS)
    staff = district["staff"]
    for col, vocab in (
        ("gender", schema.GENDER),
        ("staff_type", schema.STAFF_TYPE),
        ("leadership", schema.LEADERSHIP),
        ("education", schema.EDUCATION),
        ("political_theory", schema.POLITICAL_THEORY),
        ("state_management", schema.STATE_MANAGEMENT),
        ("foreign_language", schema.FOREIGN_LANGUAGE),
    ):
        assert set(staff[col].unique().to_list()) <= set(vocab), col
    assert set(district["training_updates"]["topic"].unique()) == set(schema.TRAINING_TOPIC)
    assert staff["staff_id"].str.contains(r"^CB\d{8}$").all()


def test_every_roster_has_people_rows_and_unique_ids(district):
    per_year = (
        district["staff"]
        .group_by("snapshot_year")
        .agg(pl.len(), pl.col("staff_id").n_unique().alias("ids"))
    )
    # 19 communes (400 posts) + 18 agencies (200) + 4 service units (404) + 57 schools
    # (19 x (24 + 30 + 30) = 1,596) = 2,600 posts, each held by one person.
    assert synth.base_size() == 2600
    assert sorted(per_year["snapshot_year"]) == [2021, 2022, 2023, 2024, 2025]
    assert per_year["len"].to_list() == [2600] * 5
    assert per_year["ids"].to_list() == [2600] * 5


def test_units_follow_di_linh(district):
    units = district["units"]
    communes = units.filter(pl.col("level") == "commune")
    assert communes["code"].to_list() == [f"X{i:02d}" for i in range(1, 20)]
    assert communes["name"][0] == "Thị trấn Di Linh"
    assert communes["name"][1:].to_list() == [f"Xã {c}" for c in DI_LINH_COMMUNES]
    agencies = units.filter(pl.col("code").str.starts_with("H"))
    assert agencies.height == 18
    assert {"Văn phòng HĐND và UBND huyện", "Phòng Nội vụ", "Phòng Tài chính - Kế hoạch",
            "Ban Tổ chức Huyện ủy"} <= set(agencies["name"])  # fmt: skip
    assert units.height == 19 + 18 + 4 + 57
    assert units["code"].is_unique().all() and units["name"].is_unique().all()
    assert set(district["staff"]["unit"].unique()) <= set(units["code"])
    gia_hiep = units.filter(pl.col("code") == "X07")
    assert gia_hiep["aliases"].to_list() == [["UBND xã Gia Hiệp", "Gia Hiệp"]]


def test_a_twenty_post_commune_by_hand(staff_2021):
    # Xã Gia Bắc (X06), 20 posts: 6 key cadres + 5 other cadres fixed (11 cadres); the other 9
    # split 0.9 / 0.1 -> 8.1 / 0.9 -> floors 8 / 0, the larger remainder (0.9) gets the last
    # post: 8 civil servants and 1 contract.
    x06 = staff_2021.filter(pl.col("unit") == "X06")
    counts = dict(x06.group_by("staff_type").len().iter_rows())
    assert counts == {"cadre": 11, "civil_servant": 8, "contract": 1}
    assert x06["key_leader"].sum() == 6
    assert x06.filter(pl.col("position") == "Chủ tịch UBND").height == 1


def test_sizes_by_level(staff_2021):
    ccs = staff_2021.filter(pl.col("staff_type").is_in(CCS))
    per_commune = ccs.filter(pl.col("level") == "commune").group_by("unit").len()
    assert per_commune.height == 19
    # Commune of 20 / 21 / 22 posts: 11 cadres + the rest split 0.9 / 0.1 (largest remainder)
    # -> 19 / 20 / 21 cadres and civil servants. Town (26): 11 + 15 -> 13.5 / 1.5, the tie
    # goes to the first fill role -> 11 + 14 = 25.
    sizes = dict(per_commune.iter_rows())
    assert sizes.pop("X01") == 25
    assert set(sizes.values()) == {19, 20, 21}
    district_ccs = ccs.filter(pl.col("level") == "district").height
    assert 180 <= district_ccs <= 220
    pe = staff_2021.filter(pl.col("staff_type") == "public_employee").height
    assert 1700 <= pe <= 2100
    assert 50 <= staff_2021.filter(pl.col("staff_type") == "contract").height <= 250


def test_leadership_counts_by_hand(staff_2021):
    # District leadership: 3 (Văn phòng Huyện ủy) + 5 (VP HĐND-UBND) + 1 (MTTQ) = 9.
    # Division leadership: 20 heads (17 single-head agencies + 3 in MTTQ và đoàn thể),
    # 29 deputies (1 + 3x1 + 2 + 2 + 10x2 + 1), 6 service-unit managers (TTYT 1 + 2, three
    # centres x 1 director) = 55.
    leadership = dict(staff_2021.group_by("leadership").len().iter_rows())
    assert leadership == {"none": 2600 - 9 - 55, "district": 9, "division": 55}
    # Key leaders: 19 communes x 6 + 9 district leaders + 20 heads = 143.
    assert staff_2021["key_leader"].sum() == 143
    planned = staff_2021.filter(pl.col("succession_planned"))
    assert 20 <= planned.height <= 60
    assert set(planned["level"]) == {"district"}


# --- calibration -------------------------------------------------------------------------------


def test_2021_commune_cadres_and_civil_servants_match_lam_dong(staff_2021):
    ccs = staff_2021.filter((pl.col("level") == "commune") & pl.col("staff_type").is_in(CCS))
    university = ccs["education"].is_in(UNIVERSITY_OR_ABOVE).mean()
    postgraduate = ccs["education"].is_in(POSTGRADUATE).mean()
    assert 0.66 <= university <= 0.73
    assert 0.025 <= postgraduate <= 0.05
    # Minorities are a large share in communes; Kinh a clear majority at district level.
    assert (ccs["ethnicity"] != "Kinh").mean() >= 0.35
    assert {"K'Ho", "Mạ", "Chu Ru"} <= set(staff_2021["ethnicity"])
    district_ccs = staff_2021.filter(
        (pl.col("level") == "district") & pl.col("staff_type").is_in(CCS)
    )
    assert (district_ccs["ethnicity"] == "Kinh").mean() >= 0.75


def test_2021_quota_levels_are_plausible_some_met_some_not(staff_2021):
    ccs = staff_2021.filter(pl.col("staff_type").is_in(CCS))
    by_level = {lvl: g for (lvl,), g in ccs.group_by("level")}  # commune / district frames
    commune, district_ = by_level["commune"], by_level["district"]
    # 2025 targets: commune >= 60% intermediate political theory (not met in 2021), district
    # 20% postgraduate (close), IT use 100% (not met).
    pt_commune = commune["political_theory"].is_in(["intermediate", "advanced"]).mean()
    assert 0.45 <= pt_commune < 0.60
    assert 0.14 <= district_["education"].is_in(POSTGRADUATE).mean() <= 0.25
    assert 0.8 <= commune["it_use"].mean() < 1.0
    pe = staff_2021.filter(pl.col("staff_type") == "public_employee")
    assert pe["education_fits_position"].mean() >= 0.9
    assert (
        staff_2021.filter(pl.col("staff_type") != "public_employee")["education_fits_position"]
        .is_null()
        .all()
    )


def test_training_updates_several_per_person_year_not_everyone(district):
    staff = district["staff"]
    training = district["training_updates"].with_columns(year=pl.col("date").dt.year())
    assert training["year"].is_between(2021, 2025).all()
    per_year = training.group_by("year").agg(rows=pl.len(), people=pl.col("staff_id").n_unique())
    for rows, people in per_year.select("rows", "people").iter_rows():
        assert rows > people  # several courses per person-year
        assert people < 2600  # not everyone
    # Every course was taken by someone on that year's roster.
    joined = training.join(
        staff.select("staff_id", pl.col("snapshot_year").alias("year")),
        on=["staff_id", "year"],
        how="anti",
    )
    assert joined.height == 0
    assert (training["hours"] > 0).all()


# --- people follow across years -----------------------------------------------------------


def test_people_follow_across_years(district):
    staff = district["staff"]
    first = set(staff.filter(pl.col("snapshot_year") == 2021)["staff_id"])
    last = set(staff.filter(pl.col("snapshot_year") == 2025)["staff_id"])
    kept = len(first & last) / len(first)
    assert 0.75 <= kept <= 0.97  # retirements and other exits, but mostly the same people
    stable = staff.group_by("staff_id").agg(
        pl.col("birth_date").n_unique().alias("b"),
        pl.col("gender").n_unique().alias("g"),
        pl.col("full_name").n_unique().alias("n"),
        pl.col("snapshot_year").sort().diff().max().alias("gap"),
    )
    assert (stable["b"] == 1).all() and (stable["g"] == 1).all() and (stable["n"] == 1).all()
    # Nobody comes back after leaving: a person's years are consecutive.
    assert stable["gap"].fill_null(1).max() == 1


def test_qualifications_never_go_down_and_courses_finish(district):
    rank = {v: i for i, v in enumerate(schema.EDUCATION)}
    rank.update(specialist_1=rank["master"], specialist_2=rank["doctor"])
    pt_rank = {v: i for i, v in enumerate(schema.POLITICAL_THEORY)}
    staff = (
        district["staff"]
        .sort("staff_id", "snapshot_year")
        .with_columns(
            e=pl.col("education").replace_strict(rank),
            p=pl.col("political_theory").replace_strict(pt_rank),
        )
    )
    steps = staff.with_columns(
        de=pl.col("e").diff().over("staff_id"), dp=pl.col("p").diff().over("staff_id")
    )
    assert steps["de"].fill_null(0).min() >= 0
    assert steps["dp"].fill_null(0).min() >= 0
    assert (steps["de"].fill_null(0) > 0).sum() > 0  # some finish their degree
    studying = staff.filter(pl.col("studying_education").is_not_null())
    assert (studying["studying_education_until"] > studying["snapshot_year"]).all()
    assert (
        staff.filter(pl.col("studying_education").is_null())["studying_education_until"]
        .is_null()
        .all()
    )


def test_nobody_past_retirement_and_people_do_retire(district):
    schedule = load_retirement_schedule()
    staff = retirement.with_retirement_date(district["staff"], schedule)
    end_of_year = pl.date(pl.col("snapshot_year"), 12, 31)
    assert staff.filter(pl.col("retirement_date") <= end_of_year).height == 0
    # Those in 2021 who reach the statutory age in 2022 are gone from the 2022 roster.
    due = staff.filter(
        (pl.col("snapshot_year") == 2021) & (pl.col("retirement_date").dt.year() == 2022)
    )["staff_id"]
    assert due.len() > 10
    roster_2022 = staff.filter(pl.col("snapshot_year") == 2022)["staff_id"]
    assert not due.is_in(roster_2022.implode()).any()
    # Birth dates are plausible: aged 18 to the retirement age.
    age = (pl.date(pl.col("snapshot_year"), 12, 31) - pl.col("birth_date")).dt.total_days()
    assert staff.select((age / 365.25).min()).item() >= 18


def test_scaling_keeps_unit_sizes(tmp_path):
    # 5,200 = 2 x 2,600: two districts' worth of units, each the base size.
    two = synth.generate_units(5200)
    assert two.height == 2 * 98
    assert two["code"].head(2).to_list() == ["D1-X01", "D1-X02"]
    assert two["code"].is_unique().all() and two["name"].is_unique().all()
    # 1,300 = half a district: one district, every unit about half its size.
    half = synth.generate(people=1300, years=(2021, 2021), seed=1)
    assert half["units"].height == 98
    sizes = half["staff"].group_by("unit").len()
    assert sizes.filter(pl.col("unit") == "S01")["len"].item() == 165  # TTYT 330 / 2


# --- what users have: the written files -------------------------------------------------------


@pytest.mark.slow
def test_xlsx_round_trip_with_vietnamese_headers(xlsx_written, district):
    path, meta = xlsx_written
    assert path.stat().st_size < 5_000_000
    staff = _read_sheet(path, "staff")
    training = _read_sheet(path, "training_updates")
    units = _read_sheet(path, "units")
    assert staff.columns == STAFF_HEADERS
    assert training.columns == ["Mã cán bộ", "Ngày", "Nội dung", "Khóa học", "Số giờ"]
    assert units.columns == ["Mã đơn vị", "Tên đơn vị", "Cấp", "Tên khác"]
    # Rows: every canonical row, plus the duplicate and the departed person's course.
    assert staff.height == district["staff"].height + 1 == meta["rows"]["staff"]
    assert training.height == district["training_updates"].height + 1
    assert units.height == district["units"].height
    assert set(staff["Giới tính"]) == {"Nam", "Nữ"}
    assert set(staff["Loại cán bộ"].drop_nulls()) >= {
        "Cán bộ",
        "Công chức",
        "Viên chức",
        "Hợp đồng",
    }
    assert {"Đại học", "Thạc sĩ", "Trung cấp"} <= set(staff["Trình độ chuyên môn"])
    assert set(staff["Cấp lãnh đạo"].drop_nulls()) == {"Lãnh đạo huyện", "Lãnh đạo cấp phòng"}
    assert set(staff["Cán bộ chủ chốt"].drop_nulls()) == {"x"}
    assert set(training["Nội dung"]) == {"Pháp luật", "Quản lý nhà nước", "Đạo đức công vụ"}
    assert set(units["Cấp"]) == {"Cấp huyện", "Cấp xã"}
    assert units["Mã đơn vị"].head(1).item() == "X01"  # codes stay text


@pytest.mark.slow
def test_xlsx_dirt_counts(xlsx_written, district):
    path, meta = xlsx_written
    assert meta["dirt"] == DIRT
    staff = _read_sheet(path, "staff")
    training = _read_sheet(path, "training_updates")
    # One duplicated (staff_id, snapshot_year).
    dup = staff.group_by("Mã cán bộ", "Năm báo cáo").len().filter(pl.col("len") > 1)
    assert dup.height == 1
    # Birth dates: 5 dd/mm/yyyy texts, 5 Excel serial numbers, the rest real dates.
    birth = staff["Ngày sinh"]
    assert birth.str.contains(r"^\d{2}/\d{2}/\d{4}$").sum() == 5
    assert birth.str.contains(r"^\d{4,5}(\.0)?$").sum() == 5
    assert training["Ngày"].str.contains(r"^\d{2}/\d{2}/\d{4}$").sum() == 3
    assert training["Ngày"].str.contains(r"^\d{4,5}(\.0)?$").sum() == 3
    # NFD cells: 8 in the staff sheet.
    nfd = 0
    for col in staff.columns:
        values = staff[col].drop_nulls().to_list()
        nfd += sum(1 for v in values if unicodedata.normalize("NFC", v) != v)
    assert nfd == 8
    # Unknown vocabulary values.
    assert staff.filter(pl.col("Trình độ chuyên môn") == "Tú tài").height == 1
    assert staff.filter(pl.col("Ngoại ngữ") == "TOEIC 450").height == 1
    assert staff.filter(pl.col("Loại cán bộ") == "Cộng tác viên").height == 1
    # Synonyms: 12 cells spelled another accepted way.
    d = yaml.safe_load((synth.DEFAULT_PARAMS_FILE).read_text(encoding="utf-8"))["dirt"]
    syn = {v for col in d["synonyms"].values() for vals in col.values() for v in vals}
    cols = ["Trình độ chuyên môn", "Lý luận chính trị", "Ngoại ngữ", "Loại cán bộ"]
    assert sum(staff[c].is_in(list(syn)).sum() for c in cols) == 12
    # Units by name or alias instead of code: 5.
    units = district["units"]
    names = set(units["name"]) | {a for lst in units["aliases"].to_list() for a in lst}
    by_name = staff.filter(~pl.col("Đơn vị").is_in(units["code"].implode()))
    assert by_name.height == 5 and set(by_name["Đơn vị"]) <= names
    # The departed person's course: a staff_id on no roster.
    departed = set(training["Mã cán bộ"]) - set(staff["Mã cán bộ"])
    assert departed == {d["departed_staff_id"]}
    # The log points at the right Excel rows.
    for cell in meta["dirt_cells"]:
        if cell["kind"] == "birth_date_text":
            assert re.match(r"^\d{2}/\d{2}/\d{4}$", birth[cell["excel_row"] - 2])


def test_clean_write_has_no_dirt(district, tmp_path):
    meta = synth.write_dataset(district, tmp_path, fmt="parquet", dirt=False)
    staff = pl.read_parquet(tmp_path / "staff.parquet")
    assert meta["dirt"] == {} and staff.height == district["staff"].height
    assert staff.schema["Ngày sinh"] == pl.Date
    assert staff.group_by("Mã cán bộ", "Năm báo cáo").len()["len"].max() == 1


@pytest.mark.slow
def test_parquet_split_per_year_and_streaming_gives_the_same_files(tmp_path):
    tables = synth.generate(people=900, years=(2021, 2023), seed=4)
    a = synth.write_dataset(tables, tmp_path / "a", fmt="parquet", seed=4, split_staff=True)
    b = synth.write_generated(
        tmp_path / "b", people=900, years=(2021, 2023), seed=4, fmt="parquet", split_staff=True
    )
    assert a["files"] == b["files"] == [
        "staff_2021.parquet", "staff_2022.parquet", "staff_2023.parquet",
        "training_updates_2021.parquet", "training_updates_2022.parquet",
        "training_updates_2023.parquet", "units.parquet",
    ]  # fmt: skip
    for name in a["files"]:
        assert pl.read_parquet(tmp_path / "a" / name).equals(pl.read_parquet(tmp_path / "b" / name))
    staff = pl.read_parquet(tmp_path / "a" / "staff*.parquet")
    assert staff.height == 3 * 900 + 1
    assert staff.schema["Mã cán bộ"] == pl.Utf8
    assert a["dirt"] == b["dirt"] == DIRT


def test_csv_round_trip(tmp_path):
    tables = synth.generate(people=400, years=(2024, 2025), seed=2)
    meta = synth.write_dataset(tables, tmp_path, fmt="csv", seed=2)
    staff = pl.read_csv(tmp_path / "staff.csv", infer_schema=False)
    training = pl.read_csv(tmp_path / "training_updates.csv", infer_schema=False)
    assert staff.height == meta["rows"]["staff"] == 2 * 400 + 1
    assert training.height == meta["rows"]["training_updates"]
    assert staff["Mã cán bộ"].str.starts_with("CB0").all()


def test_main_writes_a_folder(tmp_path):
    assert synth.main(["--people", "300", "--years", "2024-2025", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "sample_district.xlsx").exists()


def test_bad_inputs_are_clear_errors(tmp_path):
    with pytest.raises(UserError):
        synth.generate(people=100, years=[2021, 2023])
    with pytest.raises(UserError):
        synth.write_dataset(synth.generate(people=50, years=(2021, 2021)), tmp_path, fmt="ods")
    bad = tmp_path / "synth.yaml"
    shutil.copy(synth.DEFAULT_PARAMS_FILE, bad)
    bad.write_text(bad.read_text(encoding="utf-8") + "\nunexpected_key: 1\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="unexpected_key"):
        synth.load_synth_params(bad)


@pytest.mark.slow
def test_national_size_layout():
    # 2,500,000 / 2,600 = 961.5 -> 962 districts of 98 units; posts scaled by 2.5M / (962 x
    # 2,600) ~ 0.9995, so unit sizes stay those of a real district.
    layout = synth.slot_layout(synth.load_synth_params(), 2_500_000)
    units = layout.units
    assert units.height == 962 * 98
    assert units["code"].head(2).to_list() == ["D001-X01", "D001-X02"]
    assert units["code"].is_unique().all()
    assert units["size"].sum() == layout.slot_unit.size == 2_500_000
    assert units.filter(pl.col("level") == "commune")["size"].max() <= 26


def test_pre_merger_sample_workbook():
    # tests/fixtures/sample_pre_merger/README.md: 2,600 people x 2021-2025 + 1 duplicate; 98 units.
    root = Path(__file__).resolve().parents[2]
    path = root / "tests" / "fixtures" / "sample_pre_merger" / "sample_district.xlsx"
    assert path.stat().st_size < 5_000_000
    staff = _read_sheet(path, "staff")
    assert staff.columns == STAFF_HEADERS
    per_year = dict(staff.group_by("Năm báo cáo").len().iter_rows())
    assert per_year == {"2021": 2600, "2022": 2601, "2023": 2600, "2024": 2600, "2025": 2600}
    assert _read_sheet(path, "units").height == 98
    training = _read_sheet(path, "training_updates")
    assert training.columns == ["Mã cán bộ", "Ngày", "Nội dung", "Khóa học", "Số giờ"]


def test_committed_sample_workbook():
    # data/sample/README.md: 2,600 people x 2021-2024 + 1 duplicate (2022); 2025 after the
    # reorganisation: 2,600 - 330 - 74 - 200 + 147 moved = 2,143. Units: 98 + 7 new xã + 57
    # schools' second epochs = 162.
    path = Path(__file__).resolve().parents[2] / "data" / "sample" / "sample_district.xlsx"
    assert path.stat().st_size < 5_000_000
    staff = _read_sheet(path, "staff")
    assert staff.columns == STAFF_HEADERS
    per_year = dict(staff.group_by("Năm báo cáo").len().iter_rows())
    assert per_year == {"2021": 2600, "2022": 2601, "2023": 2600, "2024": 2600, "2025": 2143}
    units = _read_sheet(path, "units")
    assert units.height == 162
    assert units.columns[-3:] == ["Hiệu lực từ", "Hiệu lực đến", "Đơn vị kế thừa"]
    trap = units.filter(pl.col("Mã đơn vị") == "25018")["Tên đơn vị"].to_list()
    assert trap == ["Xã Đinh Lạc", "Xã Bảo Thuận"]


def test_written_values_and_headers_are_what_ingest_accepts():
    """Cross-check params/synth.yaml against data_contracts/ (both are data, edited apart)."""
    root = Path(__file__).resolve().parents[2]
    contracts = root / "data_contracts"
    if not (contracts / "vocabularies.yaml").exists():
        pytest.skip("data_contracts/ not present")
    vocab = yaml.safe_load((contracts / "vocabularies.yaml").read_text(encoding="utf-8"))
    columns = yaml.safe_load((contracts / "columns.yaml").read_text(encoding="utf-8"))
    p = synth.load_synth_params()

    def fold(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split()).casefold()

    def accepted(name: str) -> dict[str, str]:
        out = {}
        for code, spec in vocab["vocabularies"][name].items():
            out[fold(code)] = code
            for s in spec.get("synonyms", []):
                out[fold(s)] = code
        return out

    names = {"topic": "training_topic", "level": "unit_level"}
    for key, labels in p["values"].items():
        if key in ("boolean", "explicit_false"):
            continue
        table = accepted(names.get(key, key))
        for code, label in labels.items():
            if label:
                assert table.get(fold(label)) == code, (key, label)
    for col, by_code in p["dirt"]["synonyms"].items():
        table = accepted(col)
        for code, spellings in by_code.items():
            for s in spellings:
                assert table.get(fold(s)) == code, (col, s)
    for u in p["dirt"]["unknown_values"]:
        assert fold(u["value"]) not in accepted(u["column"]), u
    booleans = {fold(s) for s in vocab["booleans"]["true"]}
    assert fold(p["values"]["boolean"][True]) in booleans
    falses = {fold(s) for s in vocab["booleans"]["false"]}
    assert all(fold(v) in falses for v in p["values"]["explicit_false"].values())
    for table, headers in p["headers"].items():
        spec = columns["tables"][table]["columns"]
        for col, header in headers.items():
            assert fold(header) in {fold(h) for h in spec[col]["headers"]}, (table, col)
