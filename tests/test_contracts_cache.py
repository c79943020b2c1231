"""The verdict cache of contracts.validate_inputs: same result with and without it, GX skipped
when every value was judged before, invalidated by a changed suite, vocabulary, year or today.

Fixture: tests/fixtures/ingest/clean (see tests/test_contracts.py for its rows).  Ages at the
2025 snapshot: 001 born 1975 -> 50, 002 born 1980 -> 45, 003 born 1970 -> 55.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cadre_analytics import contracts
from cadre_analytics.cache import open_cache
from cadre_analytics.errors import InputStop
from cadre_analytics.ingest import read_inputs
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR
from tests.ingest.helpers import TODAY, append_row, clean_copy, copy_row, edit_cell

FRAMES = ("staff", "training", "units", "quarantine", "warnings", "reconciliation", "rule_results")
REPO = Path(__file__).resolve().parent.parent


def _validate(folder, year=2025, contracts_dir=DEFAULT_CONTRACTS_DIR, **kwargs):
    raw = read_inputs(folder, contracts_dir)
    return contracts.validate_inputs(raw, year, contracts_dir, today=TODAY, **kwargs)


def _same(a, b):
    for name in FRAMES:
        assert_frame_equal(getattr(a, name), getattr(b, name))


def _issues(frame):
    return sorted(frame.select("table", "source_row", "column", "raw_value", "rule").rows())


def _dirty(folder):
    """Quarantine, warnings and an exact copy at once (as in test_contracts)."""
    edit_cell(folder, "staff", 4, "Ngày sinh", "30/02/1980")
    edit_cell(folder, "staff", 4, "Giới tính", "Khác")
    edit_cell(folder, "staff", 5, "Đơn vị", "Phòng Tư pháp")
    edit_cell(folder, "staff", 3, "Trình độ chuyên môn", "Cao đẳng")  # warn: down from 2024
    copy_row(folder, "staff", 3)  # row 6: exact copy
    edit_cell(folder, "training_updates", 2, "Nội dung", "Tin học")
    edit_cell(folder, "training_updates", 4, "Mã cán bộ", "")
    edit_cell(folder, "units", 3, "Tên khác", "")
    return folder


@pytest.mark.parametrize("dirty", [False, True], ids=["clean", "dirty"])
def test_same_result_without_cache_cold_and_warm(tmp_path, dirty):
    folder = clean_copy(tmp_path / "d")
    if dirty:
        _dirty(folder)
    plain = _validate(folder)
    cache = open_cache(tmp_path / "cache")
    cold = _validate(folder, cache=cache)
    assert list((tmp_path / "cache" / "contract_verdicts").iterdir())
    warm = _validate(folder, cache=cache)
    _same(plain, cold)
    _same(plain, warm)
    if dirty:
        # staff row 4 twice (date, gender), 5 (unit), 6 (copy); training rows 2 (topic) and
        # 4 (missing id); one warning: row 3's education went down from 2024
        assert plain.quarantine.height == 6 and plain.warnings.height == 1


def test_new_bad_row_on_a_warm_cache(tmp_path):
    folder = clean_copy(tmp_path / "d")
    cache = open_cache(tmp_path / "cache")
    _validate(folder, cache=cache)
    row = copy_row(folder, "staff", 5, **{"Mã cán bộ": "004", "Giới tính": "Khác"})
    warm = _validate(folder, cache=cache)
    assert row == 6
    assert _issues(warm.quarantine) == [("staff", 6, "Giới tính", "Khác", "unknown_value")]
    assert warm.reconciliation.row(1) == ("staff", 5, 4, 1)
    _same(_validate(folder), warm)


def test_known_bad_value_in_a_new_row_uses_the_stored_verdict(tmp_path):
    folder = clean_copy(tmp_path / "d")
    edit_cell(folder, "staff", 4, "Giới tính", "Khác")
    cache = open_cache(tmp_path / "cache")
    _validate(folder, cache=cache)
    copy_row(folder, "staff", 5, **{"Mã cán bộ": "004", "Giới tính": "Khác"})
    warm = _validate(folder, cache=cache)
    assert _issues(warm.quarantine) == [
        ("staff", 4, "Giới tính", "Khác", "unknown_value"),
        ("staff", 6, "Giới tính", "Khác", "unknown_value"),
    ]
    _same(_validate(folder), warm)


def _contracts_copy(tmp_path):
    target = tmp_path / "contracts"
    shutil.copytree(DEFAULT_CONTRACTS_DIR, target)
    return target


def test_edited_suite_invalidates(tmp_path):
    folder = clean_copy(tmp_path / "d")
    cache = open_cache(tmp_path / "cache")
    assert _validate(folder, cache=cache).quarantine.height == 0
    target = _contracts_copy(tmp_path)
    path = target / "staff.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    [age] = [e for e in doc["expectations"] if e["kwargs"].get("column") == "_age_at_snapshot"]
    age["kwargs"]["max_value"] = 50  # 003 is 55 at the 2025 snapshot; 001 is exactly 50
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    warm = _validate(folder, contracts_dir=target, cache=cache)
    assert _issues(warm.quarantine) == [("staff", 5, "Ngày sinh", "1970-07-01", "age_out_of_range")]
    _same(_validate(folder, contracts_dir=target), warm)


def test_edited_vocabulary_invalidates(tmp_path):
    folder = clean_copy(tmp_path / "d")
    cache = open_cache(tmp_path / "cache")
    _validate(folder, cache=cache)
    target = _contracts_copy(tmp_path)
    path = target / "vocabularies.yaml"
    text = path.read_text(encoding="utf-8")
    line = '    female: {synonyms: ["Nữ", "F", "Nu", "Gái"]}\n'
    assert line in text
    path.write_text(text.replace(line, ""), encoding="utf-8")  # no more 'female' code
    warm = _validate(folder, contracts_dir=target, cache=cache)
    assert _issues(warm.quarantine) == [
        ("staff", 4, "Giới tính", "Nữ", "unknown_value"),
        ("staff", 5, "Giới tính", "Nữ", "unknown_value"),
    ]
    _same(_validate(folder, contracts_dir=target), warm)


def test_changed_parameters_are_not_served_from_the_cache(tmp_path, monkeypatch):
    # same values, same suite, only the vocabulary GX receives differs: the key must change
    folder = clean_copy(tmp_path / "d")
    cache = open_cache(tmp_path / "cache")
    _validate(folder, cache=cache)
    real = contracts._format_params
    monkeypatch.setattr(
        contracts, "_format_params", lambda spec: {**real(spec), "vocab_gender": ["male"]}
    )
    warm = _validate(folder, cache=cache)
    assert [r[1] for r in _issues(warm.quarantine)] == [4, 5]
    assert set(warm.quarantine["rule"]) == {"unknown_value"}


def test_other_year_and_other_today_on_a_warm_cache(tmp_path):
    folder = clean_copy(tmp_path / "d")
    cache = open_cache(tmp_path / "cache")
    _validate(folder, cache=cache)
    # 2024: only row 2 is of that year; the set check on snapshot_year is judged again
    _same(_validate(folder, year=2024), _validate(folder, year=2024, cache=cache))
    with pytest.raises(InputStop):
        _validate(folder, year=2023, cache=cache)
    # 'today' before 2025-09-30: training row 4 is dated in the future
    early = dict(today=date(2025, 7, 1))
    raw = read_inputs(folder)
    warm = contracts.validate_inputs(raw, 2025, cache=cache, **early)
    assert _issues(warm.quarantine) == [
        ("training_updates", 4, "Ngày", "2025-09-30", "training_in_future")
    ]
    _same(contracts.validate_inputs(read_inputs(folder), 2025, **early), warm)


def test_duplicate_key_still_stops_on_a_warm_cache(tmp_path):
    folder = clean_copy(tmp_path / "d")
    cache = open_cache(tmp_path / "cache")
    _validate(folder, cache=cache)
    edit_cell(folder, "staff", 5, "Mã cán bộ", "002")
    with pytest.raises(InputStop) as info:
        _validate(folder, cache=cache)
    line = info.value.one_line()
    assert line.startswith("staff.csv, dòng 4 / row 4, cột 'Mã cán bộ': ") and "4, 5" in line


def test_null_key_is_settled_without_gx(tmp_path, monkeypatch):
    # a missing staff id is quarantined by 'missing_value'; uniqueness skips null keys
    folder = clean_copy(tmp_path / "d")
    edit_cell(folder, "staff", 5, "Mã cán bộ", "")
    append_row(folder, "units", {"Mã đơn vị": "", "Tên đơn vị": "Phòng Y tế", "Cấp": "Cấp huyện"})
    cache = open_cache(tmp_path / "cache")
    cold = _validate(folder, cache=cache)
    assert _issues(cold.quarantine) == [
        ("staff", 5, "Mã cán bộ", None, "missing_value"),
        ("training_updates", 3, "Mã cán bộ", "003", "training_unknown_staff"),  # 003 is gone
        ("units", 4, "Mã đơn vị", None, "missing_value"),
    ]

    def no_gx(*args, **kwargs):
        raise AssertionError("GX called on a warm cache")

    monkeypatch.setattr(contracts, "_validate", no_gx)
    _same(cold, _validate(folder, cache=cache))


def test_broken_cache_entries_behave_like_no_cache(tmp_path):
    folder = _dirty(clean_copy(tmp_path / "d"))
    plain = _validate(folder)
    root = tmp_path / "cache"
    cache = open_cache(root)
    _validate(folder, cache=cache)
    entries = sorted((root / "contract_verdicts").iterdir())
    for n, path in enumerate(entries):
        if n % 2:
            path.write_bytes(b"not parquet")
        elif path.suffix == ".parquet":  # readable, but of another shape
            pl.DataFrame({"_key0": ["x"], "_fail0": [1]}).write_parquet(path)
        else:
            path.write_text('"yes"', encoding="utf-8")
    _same(plain, _validate(folder, cache=cache))
    _same(plain, _validate(folder, cache=cache))  # entries rewritten, and right


def test_warm_run_does_not_import_great_expectations(tmp_path):
    folder = _dirty(clean_copy(tmp_path / "d"))
    root = tmp_path / "cache"
    expected = _validate(folder, cache=open_cache(root))
    script = (
        "import sys\n"
        "from datetime import date\n"
        "from cadre_analytics import contracts\n"
        "from cadre_analytics.cache import open_cache\n"
        "from cadre_analytics.ingest import read_inputs\n"
        f"r = contracts.validate_inputs(read_inputs({str(folder)!r}), 2025,"
        f" today=date(2026, 1, 15), cache=open_cache({str(root)!r}))\n"
        "print(r.quarantine.height, r.warnings.height)\n"
        "print('great_expectations' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    counts, imported = done.stdout.split("\n")[:2]
    assert counts == f"{expected.quarantine.height} {expected.warnings.height}" == "6 1"
    assert imported == "False"


def test_plan_from_json_matches_the_gx_suite():
    # the planner reads the JSON; GX must see the same types and arguments
    from cadre_analytics.ingest.spec import load_contract_spec

    spec = load_contract_spec()
    for table in ("staff", "training_updates", "units"):
        suite, expectations = contracts.load_suite(
            DEFAULT_CONTRACTS_DIR / f"{table}.json", spec.rules
        )
        for exp in suite.expectations:
            mine = expectations[exp.meta["index"]]
            assert exp.configuration.type == mine["type"]
            for name, value in mine["kwargs"].items():
                assert exp.configuration.kwargs[name] == value


def test_release_inputs_empties_the_text_frames_only(tmp_path):
    folder = _dirty(clean_copy(tmp_path / "d"))
    plain = _validate(folder)
    raw = read_inputs(folder)
    lean = contracts.validate_inputs(raw, 2025, today=TODAY, release_inputs=True)
    _same(plain, lean)
    for table in ("staff", "training_updates", "units"):
        assert raw.tables[table].raw.height == raw.tables[table].check.height == 0
    assert raw.tables["staff"].values.height == 5  # typed values are kept (4 + the copy)


def test_copy_plus_conflicting_row_still_stops_on_a_warm_cache(tmp_path):
    # row 6 is an exact copy of row 4 (set aside, not a conflict); row 7 is 002 in 2025 again
    # with another education: rows 4 and 7 conflict -> stop, whichever way it is decided
    folder = clean_copy(tmp_path / "d")
    cache = open_cache(tmp_path / "cache")
    _validate(folder, cache=cache)
    copy_row(folder, "staff", 4)
    copy_row(folder, "staff", 4, **{"Trình độ chuyên môn": "Tiến sĩ"})
    for kwargs in ({}, {"cache": cache}):
        with pytest.raises(InputStop) as info:
            _validate(folder, **kwargs)
        line = info.value.one_line()
        assert line.startswith("staff.csv, dòng 4 / row 4, cột 'Mã cán bộ': ")
        assert "4, 7" in line and "4, 6" not in line
